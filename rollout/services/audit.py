"""The audit log (SPEC §9): logins, exports, downloads, tracing searches, approvals, account changes."""

from __future__ import annotations

from typing import Any

from django.db import models
from django.http import HttpRequest

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
    TRACING_SEARCH = "tracing_search"
    TRACING_FOLLOWUP = "tracing_followup"
    TRACING_RING2 = "tracing_ring2"
    APPROVAL = "approval"
    RETURN = "return"
    ARRIVAL_IMPORT = "arrival_import"
    PURGE = "personal_data_purge"


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
