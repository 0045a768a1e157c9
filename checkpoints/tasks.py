"""Celery tasks of checkpoints. Thin: ids and ISO dates in, one service call.

The daily-lists task is acked late (a worker killed mid-run leaves the message for the next worker),
retried with backoff on database, file-system and broker hiccups, and idempotent: a rerun builds only
the lists still missing.
"""

from __future__ import annotations

from datetime import date
from smtplib import SMTPException

from celery import shared_task
from django.db import InterfaceError, OperationalError

TRANSIENT = (OperationalError, InterfaceError, OSError)


@shared_task(
    acks_late=True,
    reject_on_worker_lost=True,
    autoretry_for=TRANSIENT,
    retry_backoff=True,
    retry_backoff_max=600,
    max_retries=6,
)
def daily_lists_build_task(*, day: str | None = None, district: int | None = None) -> None:
    """The beat job (no arguments: yesterday plus missed days), or one day / district by hand."""
    from checkpoints.services.daily_lists import daily_lists_run

    daily_lists_run(day=date.fromisoformat(day) if day else None, district=district)


@shared_task(acks_late=True, reject_on_worker_lost=True, autoretry_for=TRANSIENT, retry_backoff=True, max_retries=6)
def daily_list_refresh_task(*, district: int, day: str) -> None:
    from checkpoints.services.daily_lists import daily_list_refresh

    daily_list_refresh(district=district, day=date.fromisoformat(day))


@shared_task(
    acks_late=True, autoretry_for=(SMTPException, *TRANSIENT), retry_backoff=True, retry_backoff_max=900, max_retries=8
)
def daily_list_notify_task(*, daily_list_id: int) -> None:
    from checkpoints.services.daily_lists import daily_list_notify

    daily_list_notify(daily_list_id=daily_list_id)
