"""Celery tasks of the core app. Thin: ids in, one service call."""

from __future__ import annotations

from datetime import date
from smtplib import SMTPException

from celery import shared_task
from django.db import OperationalError


@shared_task(acks_late=True, autoretry_for=(SMTPException, OSError), retry_backoff=True, max_retries=5)
def invitation_send_task(*, user_id: int) -> None:
    from rollout.services.accounts import invitation_send

    invitation_send(user_id=user_id)


# --- Issue 6: daily aggregates and vaccination-update reminders -------------------------------


@shared_task(acks_late=True, autoretry_for=(OperationalError,), retry_backoff=True, max_retries=5)
def daily_stats_bump_task(*, day: str, district_id: int) -> None:
    """Rebuild one district's figures for one day (queued, debounced, by ``daily_stats_bump``)."""
    from rollout.services.stats import daily_stats_bump_run

    daily_stats_bump_run(day=date.fromisoformat(day), district_id=district_id)


@shared_task(acks_late=True, autoretry_for=(OperationalError,), retry_backoff=True, max_retries=3)
def daily_stats_refresh_today_task() -> None:
    from rollout.services.stats import daily_stats_refresh_today

    daily_stats_refresh_today()


@shared_task(acks_late=True, autoretry_for=(OperationalError,), retry_backoff=True, max_retries=5)
def daily_stats_recompute_task() -> None:
    from rollout.services.stats import daily_stats_nightly

    daily_stats_nightly()


@shared_task(
    acks_late=True, autoretry_for=(OperationalError, SMTPException, OSError), retry_backoff=True, max_retries=5
)
def vaccination_reminders_send_task(*, day: str | None = None) -> None:
    """At the cut-off: remind the facilities that have not updated the day's vaccination data."""
    from rollout.services.health import vaccination_reminders_send

    vaccination_reminders_send(day=date.fromisoformat(day) if day else None)


# --- Personal-data retention (SPEC §9) ---------------------------------------------------------


@shared_task(acks_late=True, autoretry_for=(OperationalError,), retry_backoff=True, max_retries=5)
def personal_data_purge_task() -> None:
    """Nightly: delete check-ins, arrivals, declarations and daily lists older than the retention."""
    from rollout.services.retention import personal_data_purge

    personal_data_purge()
