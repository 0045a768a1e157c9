from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReportsConfig(AppConfig):
    name = "reports"
    verbose_name = _("Weekly reports")

    def ready(self) -> None:
        from reports.demo import seed_reports
        from rollout import demo

        demo.register_step(80, seed_reports)  # reads the system figures of everything before
        from dashboard.selectors import register_chart, register_kpi
        from reports.selectors import report_completeness_kpi, report_timeliness_chart
        from rollout.services.jobs import register_job

        register_kpi(report_completeness_kpi)
        register_chart(report_timeliness_chart)
        register_job("weekly_rollup", _("Provincial weekly roll-up"), beat="weekly-rollup")
        register_job("weekly_report_reminders", _("Weekly report reminders"), beat="weekly-report-reminders")
