from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReportsConfig(AppConfig):
    name = "reports"
    verbose_name = _("Weekly reports")

    def ready(self) -> None:
        from rollout.services.jobs import register_job

        register_job("weekly_rollup", _("Provincial weekly roll-up"), beat="weekly-rollup")
        register_job("weekly_report_reminders", _("Weekly report reminders"), beat="weekly-report-reminders")
