from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RolloutConfig(AppConfig):
    name = "rollout"
    verbose_name = _("Rollout")

    def ready(self) -> None:
        from rollout import signals  # noqa: F401  (connects the receivers)
        from rollout.services.jobs import register_job

        register_job("daily_stats_refresh_today", _("Today's dashboard figures"), beat="daily-stats-refresh-today")
        register_job("daily_stats_recompute", _("Dashboard figures of recent days"), beat="daily-stats-recompute")
        register_job("purge_personal_data", _("Deleting personal data past the retention"), beat="purge-personal-data")
        register_job("vaccination_reminders", _("Vaccination-update reminders"), beat="vaccination-reminders")
