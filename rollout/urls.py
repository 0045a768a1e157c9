"""Root URLs. Fixed (SPEC §12): /healthz, /accounts/login/, /dashboard/, /api/v1/, /api/schema/, /api/docs/."""

from django.contrib import admin
from django.contrib.auth.decorators import login_required
from django.urls import include, path
from django.views.i18n import set_language
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from dashboard import views as dashboard_views
from rollout.views import core, imports

urlpatterns = [
    path("", core.root, name="home"),
    path("healthz", core.healthz, name="healthz"),
    path("dashboard/", dashboard_views.overview, name="dashboard"),
    path("notifications/", core.notifications, name="notifications"),
    path("notifications/read/", core.notifications_read, name="notifications-read"),
    path("imports/<int:pk>/", imports.import_job, name="import-job"),
    path("imports/<int:pk>/status/", imports.import_job_status, name="import-job-status"),
    path("imports/<int:pk>/confirm/", imports.import_job_confirm, name="import-job-confirm"),
    path("accounts/", include("rollout.urls_accounts")),
    path("", include("rollout.urls_app")),
    path("", include("venues.urls")),
    path("", include("platforms.urls")),
    path("", include("dashboard.urls")),
    path("checkpoints/", include("checkpoints.urls")),
    path("reports/", include("reports.urls")),
    path("tracing/", include("tracing.urls")),
    path("", include("checkpoints.urls_public")),
    path("i18n/setlang/", set_language, name="set_language"),
    path("admin/", admin.site.urls),
    path("api/v1/", include("rollout.api_urls")),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    # The schema answers 401 to anonymous callers (SERVE_PERMISSIONS); the docs page is for a browser, so it
    # sends an anonymous visitor to the sign-in page. The split view serves its start-up script as a file of its
    # own (/api/docs/?script=), so the page needs no inline script under the Content-Security-Policy.
    path("api/docs/", login_required(SpectacularSwaggerSplitView.as_view(url_name="schema")), name="api-docs"),
    path("", include("venues.urls_public")),
]

# While the database is down or restarting: 503 "try again in a moment" instead of 500.
handler500 = "rollout.views.errors.server_error"
# Vietnamese, and saying what was wrong (an oversized body, too many fields).
handler400 = "rollout.views.errors.bad_request"
# The API's error shape under /api/, the Vietnamese page elsewhere.
handler404 = "rollout.views.errors.page_not_found"
