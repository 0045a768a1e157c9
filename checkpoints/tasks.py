"""Celery tasks of checkpoints. Thin: ids and ISO dates in, one service call.

Acked late, claimed and retried through the outbox (``rollout.background.Task``), and idempotent: a
rerun of the beat job builds only the lists still missing, and a list's e-mail is claimed per revision.
"""

from __future__ import annotations

from datetime import date

from celery import shared_task


@shared_task
def daily_lists_build_task(*, day: str | None = None, district: int | None = None) -> None:
    """The beat job (no arguments: yesterday plus missed days), or one day / district by hand."""
    from checkpoints.services.daily_lists import daily_lists_run

    daily_lists_run(day=date.fromisoformat(day) if day else None, district=district)


@shared_task
def daily_list_refresh_task(*, district: int, day: str) -> None:
    from checkpoints.services.daily_lists import daily_list_refresh

    daily_list_refresh(district=district, day=date.fromisoformat(day))


@shared_task
def daily_list_notify_task(*, daily_list_id: int) -> None:
    from checkpoints.services.daily_lists import daily_list_notify

    daily_list_notify(daily_list_id=daily_list_id)
