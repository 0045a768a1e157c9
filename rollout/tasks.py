"""Celery tasks of the core app. Thin: ids in, one service call.

Retries, claims and heartbeats are the task base class's (``rollout.background.Task``): no task here
retries through Celery, so no worker ever holds a countdown message.
"""

from __future__ import annotations

from datetime import date

from celery import shared_task


@shared_task(tracked=False)
def outbox_sweep_task() -> None:
    """Beat, every OUTBOX_SWEEP_SECONDS: send due follow-ups, re-queue the work of dead workers."""
    from rollout import background, outbox

    outbox.sweep()
    background.beat_once("beat")  # the sweep ran, so beat is alive


@shared_task
def invitation_send_task(*, user_id: int) -> None:
    from rollout.services.accounts import invitation_send

    invitation_send(user_id=user_id)


@shared_task
def daily_stats_bump_task(*, day: str, district_id: int) -> None:
    """Rebuild one district's figures for one day (recorded, delayed and coalesced by ``daily_stats_bump``)."""
    from rollout.services.stats import daily_stats_bump_run

    daily_stats_bump_run(day=date.fromisoformat(day), district_id=district_id)


@shared_task
def daily_stats_refresh_today_task() -> None:
    from rollout.services.stats import daily_stats_refresh_today

    daily_stats_refresh_today()


@shared_task
def daily_stats_recompute_task() -> None:
    from rollout.services.stats import daily_stats_nightly

    daily_stats_nightly()


@shared_task
def vaccination_reminders_send_task(*, day: str | None = None) -> None:
    """At the cut-off: remind the facilities that have not updated the day's vaccination data."""
    from platforms.services.health import vaccination_reminders_send

    vaccination_reminders_send(day=date.fromisoformat(day) if day else None)


@shared_task
def personal_data_purge_task() -> None:
    """Nightly: delete check-ins, arrivals, declarations and daily lists older than the retention."""
    from rollout.services.retention import personal_data_purge

    personal_data_purge()
