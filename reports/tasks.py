"""Celery tasks of the reports app. Thin: ids and primitives in, one service call.

Retried through the outbox (``rollout.background.Task``). All are idempotent: a roll-up is not rebuilt
when its week has not changed, a reminder is claimed per
district and day, and an e-mail is marked sent once it went.
"""

from __future__ import annotations

from datetime import date

from celery import shared_task


@shared_task
def weekly_rollups_due_task() -> None:
    """Beat, daily at WEEKLY_ROLLUP_TIME: the Friday roll-up, or one missed while the system was down."""
    from reports.services.rollups import rollups_build_due

    rollups_build_due()


@shared_task
def weekly_rollup_build_task(*, week_ending: str, reason: str, force: bool = False, by_id: int | None = None) -> None:
    from reports.services.rollups import rollup_build
    from rollout.models import User

    by = User.objects.get(pk=by_id) if by_id else None  # re-checked inside: only province admins
    rollup_build(week_ending=date.fromisoformat(week_ending), reason=reason, by=by, force=force)


@shared_task
def weekly_reminders_send_task() -> None:
    """Beat, Thursday and Friday mornings (WEEKLY_REMINDER_DAYS, WEEKLY_REMINDER_TIME)."""
    from reports.services.reminders import weekly_reminders_send

    weekly_reminders_send()


@shared_task
def reminder_email_send_task(*, reminder_id: int) -> None:
    from reports.services.reminders import reminder_email_send

    reminder_email_send(reminder_id=reminder_id)


@shared_task
def report_returned_email_task(*, review_id: int) -> None:
    from reports.services.submissions import report_returned_email

    report_returned_email(review_id=review_id)


@shared_task
def report_document_build_task(*, revision_id: int) -> None:
    """The weekly report document's DOCX and PDF, for one saved revision (recorded in the outbox)."""
    from reports.services.documents import document_build

    document_build(revision_id=revision_id)
