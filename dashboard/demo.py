"""Demo: the daily figures computed from whatever raw data the demo holds (the last demo step)."""

from __future__ import annotations

from dashboard.services.stats import daily_stats_backfill
from rollout.demo import DemoContext


def seed_daily_stats(ctx: DemoContext) -> None:
    """The daily figures of the last ``ctx.days`` days, from the raw rows present now. Run it last."""
    totals = daily_stats_backfill(days=ctx.days)
    ctx.out.write(
        f"daily figures: {len(totals)} days, {sum(t.checkins for t in totals)} check-ins, "
        f"{sum(t.arrivals for t in totals)} arrivals\n"
    )
