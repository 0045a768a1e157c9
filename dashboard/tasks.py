"""Celery tasks of the dashboard: the daily figures. Thin: primitives in, one service call."""

from __future__ import annotations

from datetime import date

from celery import shared_task


@shared_task
def daily_stats_bump_task(*, day: str, district_id: int) -> None:
    """Rebuild one district's figures for one day (recorded, delayed and coalesced by ``daily_stats_bump``)."""
    from dashboard.services.stats import daily_stats_bump_run

    daily_stats_bump_run(day=date.fromisoformat(day), district_id=district_id)


@shared_task
def daily_stats_refresh_today_task() -> None:
    from dashboard.services.stats import daily_stats_refresh_today

    daily_stats_refresh_today()


@shared_task
def daily_stats_recompute_task() -> None:
    from dashboard.services.stats import daily_stats_nightly

    daily_stats_nightly()
