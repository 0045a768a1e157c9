"""Entries and exits that venue staff recorded offline, sent one by one when the network returns."""

from __future__ import annotations

from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from rollout.errors import ApplicationError
from rollout.sync import client_id_clean, sync_body, sync_refused, sync_saved, sync_session_expired
from venues.forms import HEALTH_QUESTIONS, StaffEntryForm, VisitorLookupForm
from venues.scoping import checkin_venues_for
from venues.services import checkins as svc
from venues.services.offline import ENTER, EXIT, scan_sync

CHECK_FIELDS = _("Check the marked fields and send again.")


def _when(body: dict):
    moment = parse_datetime(str(body.get("at") or ""))
    if moment is None or timezone.is_naive(moment):
        message = _("The record has no valid time.")
        raise ApplicationError(message, extra={"fields": {"at": [message]}})
    return moment


def _visitor(body: dict, action: str) -> tuple[svc.CheckInInput, bool]:
    """The visitor the record names: the QR they showed, or what staff typed. (input, scanned)"""
    answers = body.get("answers") if isinstance(body.get("answers"), dict) else {}
    health = {name: answers.get(name) in (True, "yes") for name, _label in HEALTH_QUESTIONS}
    qr = str(body.get("qr") or "").strip()
    if qr:
        visitor = svc.visitor_from_qr(qr)
        if visitor is None:
            message = _("This QR code is not a visitor pass or a personal QR code of this system.")
            raise ApplicationError(message, extra={"fields": {"qr": [message]}, "labels": {"qr": _("QR code")}})
        return svc.CheckInInput(visitor.full_name, visitor.phone, visitor.id_number, **health), True
    if action == EXIT:
        lookup = VisitorLookupForm({"query": str(body.get("query") or "")})
        if not lookup.is_valid():
            raise ApplicationError(CHECK_FIELDS, extra={"fields": lookup.errors, "labels": _labels(lookup)})
        query = lookup.cleaned_data["query"]
        return svc.CheckInInput("", query.get("phone", ""), query.get("id_number", "")), False
    typed = {name: str(body.get(name) or "") for name in ("full_name", "phone", "id_number")}
    entry = StaffEntryForm(typed | {name: "yes" if health[name] else "no" for name, _label in HEALTH_QUESTIONS})
    if not entry.is_valid():
        raise ApplicationError(CHECK_FIELDS, extra={"fields": entry.errors, "labels": _labels(entry)})
    return entry.as_input(), False


def _labels(form) -> dict[str, str]:
    return {name: str(field.label) for name, field in form.fields.items()}


@never_cache
@require_POST
def venue_scan_sync(request, pk: int):
    """One queued entry or exit -> saved (again: already stored) or refused with the reason."""
    if not request.user.is_authenticated:
        return sync_session_expired()
    venue = checkin_venues_for(request.user).filter(pk=pk, is_active=True).first()
    if venue is None:
        return sync_refused(_("You do not record entries at this venue."), status=403)
    try:
        body = sync_body(request)
        client_id = client_id_clean(body.get("client_id"))
        action = body.get("action")
        if action not in (ENTER, EXIT):
            raise ApplicationError(_("Say whether the visitor enters or leaves."))
        visitor, scanned = _visitor(body, action)
        synced = scan_sync(
            by=request.user, venue=venue, client_id=client_id, action=action, visitor=visitor, at=_when(body),
            scanned=scanned,
        )  # fmt: skip
    except ApplicationError as exc:
        return sync_refused(exc.message, exc.extra.get("fields"), exc.extra.get("labels"))
    checkin = synced.checkin
    if checkin is None:
        return sync_saved(_("Already saved."), object_id=None, again=True)
    if action == ENTER:
        at = timezone.localtime(checkin.checked_in_at).strftime("%H:%M")
        message = _("Entry recorded: %(name)s at %(time)s.") % {"name": checkin.full_name, "time": at}
    else:
        at = timezone.localtime(checkin.checked_out_at).strftime("%H:%M")
        message = _("Exit recorded: %(name)s at %(time)s.") % {"name": checkin.full_name, "time": at}
    return sync_saved(message, object_id=checkin.pk, again=synced.again)
