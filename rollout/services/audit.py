"""The audit log (SPEC §9): logins, exports, downloads, views of personal data, tracing searches,
approvals, account changes — and the words the audit pages use to say what happened.

Saying it in words: every action has a label (``ACTION_LABELS``, the filter's list) and a sentence
(``ACTION_SENTENCES``: ``%(actor)s`` did something to ``%(what)s``). ``what`` is the thing seen or
touched: the object of the event (an app may register how its objects are named, one query per page:
``register_object_label``) and/or what the detail says was shown (``SUBJECTS``, keyed by the detail's
``view``, ``export`` or ``list``). An app adding an action adds its constant, label and sentence here;
an action without them is shown by its name.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from django.db import models
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from rollout.http import client_ip
from rollout.models import AuditEvent, User


class Action:
    """Action names used in the audit log. Add new ones here, never inline."""

    LOGIN = "login"
    LOGIN_FAILED = "login_failed"
    LOGOUT = "logout"
    ACCOUNT_CREATE = "account_create"
    ACCOUNT_CHANGE = "account_change"
    ACCOUNT_IMPORT = "account_import"
    EXPORT = "export"
    DOWNLOAD = "download"
    # A page or an API answer that showed people's data (visitor log, arrival lists, …).
    VIEW_PERSONAL_DATA = "view_personal_data"
    TRACING_SEARCH = "tracing_search"
    TRACING_LISTS_SEND = "tracing_lists_send"
    TRACING_FOLLOWUP = "tracing_followup"
    TRACING_RING2 = "tracing_ring2"
    APPROVAL = "approval"
    RETURN = "return"
    ARRIVAL_IMPORT = "arrival_import"
    PURGE = "personal_data_purge"
    REPORT_DOCUMENT_SAVE = "report_document_save"
    REPORT_DOCUMENT_FINAL = "report_document_final"


# The filter's list on the audit page, in this order.
ACTION_LABELS: dict[str, Any] = {
    Action.LOGIN: _("Sign-in"),
    Action.LOGIN_FAILED: _("Failed sign-in"),
    Action.LOGOUT: _("Sign-out"),
    Action.VIEW_PERSONAL_DATA: _("Viewing of personal data"),
    Action.EXPORT: _("Export"),
    Action.DOWNLOAD: _("Download"),
    Action.TRACING_SEARCH: _("Contact-tracing search"),
    Action.TRACING_LISTS_SEND: _("Tracing lists sent to the districts"),
    Action.TRACING_FOLLOWUP: _("Tracing follow-up marked"),
    Action.TRACING_RING2: _("Second ring (F2) requested"),
    Action.ARRIVAL_IMPORT: _("Arrivals import"),
    Action.APPROVAL: _("Weekly report approval"),
    Action.RETURN: _("Weekly report returned"),
    Action.ACCOUNT_CREATE: _("Account created"),
    Action.ACCOUNT_CHANGE: _("Account changed"),
    Action.ACCOUNT_IMPORT: _("Accounts imported"),
    Action.PURGE: _("Personal data purge"),
    Action.REPORT_DOCUMENT_SAVE: _("Weekly report document saved"),
    Action.REPORT_DOCUMENT_FINAL: _("Weekly report document made final"),
}

# What the audit page says happened. ``%(actor)s``: who; ``%(what)s``: what was seen or touched (may be
# empty); the facts of the detail (days, rows, the reason…) follow in brackets.
ACTION_SENTENCES: dict[str, Any] = {
    Action.LOGIN: _("%(actor)s signed in"),
    Action.LOGIN_FAILED: _("Someone failed to sign in"),
    Action.LOGOUT: _("%(actor)s signed out"),
    Action.VIEW_PERSONAL_DATA: _("%(actor)s viewed %(what)s"),
    Action.EXPORT: _("%(actor)s exported %(what)s"),
    Action.DOWNLOAD: _("%(actor)s downloaded %(what)s"),
    Action.TRACING_SEARCH: _("%(actor)s searched for contacts %(what)s"),
    Action.TRACING_LISTS_SEND: _("%(actor)s sent the tracing lists of %(what)s to the districts"),
    Action.TRACING_FOLLOWUP: _("%(actor)s marked the follow-up of a candidate of %(what)s"),
    Action.TRACING_RING2: _("%(actor)s asked for the second ring (F2) of %(what)s"),
    Action.ARRIVAL_IMPORT: _("%(actor)s imported arrivals %(what)s"),
    Action.APPROVAL: _("%(actor)s approved %(what)s"),
    Action.RETURN: _("%(actor)s returned %(what)s for correction"),
    Action.ACCOUNT_CREATE: _("%(actor)s created the account %(what)s"),
    Action.ACCOUNT_CHANGE: _("%(actor)s changed the account %(what)s"),
    Action.ACCOUNT_IMPORT: _("%(actor)s imported accounts"),
    Action.PURGE: _("%(actor)s deleted personal data past the retention"),
    Action.REPORT_DOCUMENT_SAVE: _("%(actor)s saved a revision of the weekly report document %(what)s"),
    Action.REPORT_DOCUMENT_FINAL: _("%(actor)s made the weekly report document %(what)s final"),
}

# What was shown or exported, by the detail's ``view`` / ``export`` / ``list`` name.
SUBJECTS: dict[str, Any] = {
    "visitor_log": _("the visitor log"),
    "venue_scan": _("the visitors inside (entrance scanning)"),
    "arrivals": _("the arrival list"),
    "arrivals_api": _("arrivals through the API"),
    "arrival_record": _("the arrivals recorded today"),
    "checkpoint_arrivals": _("the arrival list of a checkpoint"),
    "declaration": _("a declaration"),
    "audit_log": _("the audit log"),
    "tracing_result": _("the result of a tracing search"),
    "tracing_chain": _("the chain picture of a tracing search"),
}


def action_label(action: str) -> str:
    """The action in words; an action nobody named yet is shown by its name."""
    return str(ACTION_LABELS.get(action, action))


# object_type ("app_label.model") -> a function naming many objects at once: {pk as text: words}.
ObjectLabeller = Callable[[Iterable[str]], dict[str, str]]
OBJECT_LABELS: dict[str, ObjectLabeller] = {}


def register_object_label(object_type: str, labeller: ObjectLabeller) -> None:
    """How the audit pages name one kind of object (one query for a whole page of events).

    Apps call it from ``AppConfig.ready()`` for objects whose ``str()`` would read related rows or say
    too little; other objects are named by ``str()``. The words must not hold personal data.
    """
    OBJECT_LABELS[object_type] = labeller


def audit_record(
    action: str,
    *,
    request: HttpRequest | None = None,
    actor: User | None = None,
    obj: models.Model | None = None,
    detail: dict[str, Any] | None = None,
) -> AuditEvent:
    """Write one audit event. ``detail`` must hold ids and counts only, never personal data."""
    request = getattr(request, "_request", request)  # a DRF Request wraps Django's
    if (
        actor is None
        and request is not None
        and getattr(request, "user", None) is not None
        and request.user.is_authenticated
    ):
        actor = request.user
    return AuditEvent.objects.create(
        actor=actor,
        actor_username=actor.get_username() if actor else "",
        action=action,
        object_type=obj._meta.label_lower if obj is not None else "",
        object_id=str(obj.pk) if obj is not None else "",
        ip=client_ip(request) if request is not None else None,
        detail=detail or {},
    )


def audit_personal_view(
    request: HttpRequest, view: str, *, obj: models.Model | None = None, **detail: Any
) -> AuditEvent:
    """One VIEW_PERSONAL_DATA event for a page or an API answer that showed people's data.

    ``view`` names what was shown (a key of ``SUBJECTS``); ``detail`` the filters (ids, days) and row
    counts — never a name, a phone or an ID number.
    """
    return audit_record(Action.VIEW_PERSONAL_DATA, request=request, obj=obj, detail={"view": view, **detail})
