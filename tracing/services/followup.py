"""Follow-up of a candidate (F1 or F2): contacted, unreachable, handed to the district, not a contact."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from rollout.errors import ApplicationError
from rollout.models import User
from rollout.permissions import can
from rollout.services.audit import Action, audit_record
from rollout.text import strip_control_characters
from tracing.models import Candidate, CandidateStatus
from tracing.scoping import searches_for

NOTE_MAX_CHARS = 2000


def mark_candidate(candidate: Candidate, *, by: User, status: str, note: str = "", request=None) -> Candidate:
    """Record how the follow-up of ``candidate`` went. Only those who may read the search may mark it;
    "new" is allowed so a mistaken mark can be undone. Audited with ids and the status (never the note)."""
    if not can(by, "tracing.search") or not searches_for(by).filter(pk=candidate.search_id).exists():
        raise PermissionDenied
    if status not in CandidateStatus.values:
        message = _("Choose a follow-up status from the list.")
        raise ApplicationError(message, {"fields": {"status": [message]}})
    note = strip_control_characters(note or "").strip()
    if len(note) > NOTE_MAX_CHARS:
        message = _("The note is too long: at most %(count)s characters.") % {"count": NOTE_MAX_CHARS}
        raise ApplicationError(message, {"fields": {"note": [message]}})
    candidate.status, candidate.note = status, note
    candidate.followed_up_at, candidate.followed_up_by = timezone.now(), by
    with transaction.atomic():
        candidate.save(update_fields=["status", "note", "followed_up_at", "followed_up_by"])
        audit_record(
            Action.TRACING_FOLLOWUP,
            request=request,
            actor=by,
            obj=candidate.search,
            detail={"candidate": candidate.pk, "rank": candidate.rank, "ring": candidate.ring, "status": status},
        )
    return candidate
