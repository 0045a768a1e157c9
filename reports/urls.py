from datetime import date

from django.urls import path, register_converter

from reports import views, views_directive


class WeekConverter:
    """A week in a URL: its Friday as YYYY-MM-DD (views refuse other days)."""

    regex = r"\d{4}-\d{2}-\d{2}"

    def to_python(self, value: str) -> date:
        return date.fromisoformat(value)  # ValueError: the URL does not match (404)

    def to_url(self, value) -> str:
        return value.isoformat() if isinstance(value, date) else str(value)


register_converter(WeekConverter, "week")

app_name = "reports"
urlpatterns = [
    path("", views.report_list, name="report-list"),
    path("grid/", views.completeness_grid, name="completeness-grid"),
    path("rollups/", views.rollup_list, name="rollup-list"),
    path("rollups/<int:pk>/download/", views.rollup_download, name="rollup-download"),
    path("reminders/", views.reminder_settings, name="reminder-settings"),
    path("scorecard/", views_directive.scorecard, name="scorecard"),
    path("scorecard.xlsx", views_directive.scorecard_xlsx, name="scorecard-xlsx"),
    path("documents/", views_directive.document_list, name="document-list"),
    path("documents/<week:week>/", views_directive.document_detail, name="document-detail"),
    path("documents/<week:week>/final/", views_directive.document_finalize, name="document-finalize"),
    path("documents/revisions/<int:pk>.<str:kind>", views_directive.document_download, name="document-download"),
    path("<int:code>/<week:week>/", views.report_detail, name="report-detail"),
    path("<int:code>/<week:week>/edit/", views.report_edit, name="report-edit"),
    path("<int:code>/<week:week>/template.xlsx", views.report_template, name="report-template"),
    path("<int:code>/<week:week>/upload/", views.report_upload, name="report-upload"),
    path("<int:code>/<week:week>/review/", views.report_review, name="report-review"),
    path("<int:code>/<week:week>/versions/<int:number>/", views.report_version, name="report-version"),
]
