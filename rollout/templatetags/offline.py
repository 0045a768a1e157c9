"""The offline queue on staff pages: ``{% offline_root %}`` in the base layout (what offline.js needs) and
``{% offline_queue %}`` where records are saved (the count, the last sync, "Send now", each record)."""

from __future__ import annotations

from django import template
from django.conf import settings
from django.urls import reverse
from django.utils.translation import gettext as _

from rollout.offline import installs_worker

register = template.Library()


def _texts() -> dict:
    return {
        "waiting": _("%(n)s records waiting to be sent"),
        "lastSync": _("last sent: %(time)s"),
        "neverSynced": _("nothing sent from this device yet"),
        "online": _("online"),
        "offline": _("no network"),
        "offlineHint": _("No network: what you save is kept on this device and sent when the network returns."),
        "sending": _("Sending…"),
        "others": _("%(n)s records of another account are waiting on this device: they are sent when it signs in."),
        "signOutWarning": _(
            "%(n)s records saved on this device have not been sent yet. If you sign out they stay on this device "
            "and are sent only when you sign in again. Sign out anyway?"
        ),
        "fix": _("Fix"),
        "remove": _("Delete from this device"),
        "removeConfirm": _("Remove this record from the device? It will not be sent."),
        "states": {"pending": _("waiting"), "duplicate": _("possible duplicate"), "refused": _("to fix")},
        "queued": _("Kept on this device: %(name)s. It is sent when the network returns."),
        "updated": _("Corrected: %(name)s. It is sent again."),
        "personalQr": _("Personal QR code"),
        "qrKept": _("Personal QR code kept: the declaration fills in the rest when the record is sent."),
        "editing": _("Fixing a record waiting on this device: save to send it again."),
        "enter": _("Entry"),
        "exit": _("Exit"),
    }


@register.inclusion_tag("includes/offline_root.html", takes_context=True)
def offline_root(context) -> dict:
    # Error pages may be drawn before the authentication middleware ran (no user on the request).
    user = getattr(context.get("request"), "user", None)
    if user is None or not user.is_authenticated:
        return {"show": False}
    return {
        "show": True,
        "install": installs_worker(user),
        "user_id": user.pk,
        "texts": _texts(),
        "session_url": reverse("offline-session"),
        "worker_url": reverse("service-worker"),
        "login_url": reverse(settings.LOGIN_URL),
        "time_zone": settings.TIME_ZONE,
    }


@register.inclusion_tag("includes/offline_queue.html")
def offline_queue() -> dict:
    return {}
