"""Helpers for follow-ups recorded in the outbox during a test."""

from __future__ import annotations

from django.utils import timezone

from rollout import outbox
from rollout.models import FollowUp


def run_due_followups() -> dict[str, int]:
    """Let the delays pass and sweep: with eager Celery (the default in tests) every waiting row runs now."""
    FollowUp.objects.filter(state=FollowUp.State.PENDING).update(not_before=timezone.now())
    return outbox.sweep()


def waiting(task: str = "") -> list[FollowUp]:
    rows = FollowUp.objects.filter(state=FollowUp.State.PENDING).order_by("pk")
    return list(rows.filter(task=task) if task else rows)
