from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DashboardConfig(AppConfig):
    name = "dashboard"
    verbose_name = _("Dashboard")

    def ready(self) -> None:
        from dashboard.demo import seed_daily_stats
        from rollout import demo

        demo.register_step(99, seed_daily_stats)  # last: computed from whatever raw data exists
        from rollout.hooks import figures_changed
        from rollout.services.jobs import register_job

        figures_changed.connect(_bump, dispatch_uid="dashboard-figures")
        register_job("daily_stats_refresh_today", _("Today's dashboard figures"), beat="daily-stats-refresh-today")
        register_job("daily_stats_recompute", _("Dashboard figures of recent days"), beat="daily-stats-recompute")


def _bump(sender, *, day, district_id, **kwargs) -> None:
    """A write below changed a district's day: record the rebuild of its figures (in the write's transaction)."""
    from dashboard.services.stats import daily_stats_bump

    daily_stats_bump(day=day, district_id=district_id)
