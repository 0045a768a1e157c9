"""/api/v1/: every app registers its resources on this one router."""

from django.urls import include, path
from rest_framework.routers import DefaultRouter

from checkpoints import apis as checkpoint_apis
from dashboard import apis as dashboard_apis
from platforms import apis as apis_platforms
from reports import apis as report_apis
from rollout import apis
from tracing import apis as tracing_apis
from venues import apis as venue_apis

router = DefaultRouter()
router.register("provinces", apis.ProvinceViewSet, basename="province")
router.register("districts", apis.DistrictViewSet, basename="district")
router.register("communes", apis.CommuneViewSet, basename="commune")
router.register("agencies", apis.AgencyViewSet, basename="agency")
router.register("venues", venue_apis.VenueViewSet, basename="venue")
router.register("checkpoints", checkpoint_apis.CheckpointViewSet, basename="checkpoint")
router.register("facilities", apis.FacilityViewSet, basename="facility")
router.register("me", apis.MeView, basename="me")
router.register("weekly-reports", report_apis.WeeklyReportViewSet, basename="weekly-report")
router.register("rollups", report_apis.RollupViewSet, basename="rollup")
# dashboard figures, adoption, testing platform, vaccination updates
router.register("daily-stats", dashboard_apis.DailyStatViewSet, basename="daily-stat")
router.register("overview", dashboard_apis.OverviewView, basename="overview")
router.register("adoption-updates", apis_platforms.AdoptionUpdateViewSet, basename="adoption-update")
router.register("testing-rollout", apis_platforms.TestingRolloutViewSet, basename="testing-rollout")
router.register("vaccination-updates", apis_platforms.VaccinationUpdateViewSet, basename="vaccination-update")
router.register("arrivals", checkpoint_apis.ArrivalViewSet, basename="arrival")
router.register("daily-lists", checkpoint_apis.DailyListViewSet, basename="daily-list")
router.register("tracing/searches", tracing_apis.TracingSearchViewSet, basename="tracing-search")

app_name = "api"
urlpatterns = [
    path("auth/token/", apis.TokenView.as_view(), name="token"),
    path(
        "tracing/searches/<int:pk>/candidates/<int:rank>/",
        tracing_apis.CandidateMarkView.as_view(),
        name="tracing-candidate-mark",
    ),
    path("tracing/searches/<int:pk>/ring2/", tracing_apis.Ring2View.as_view(), name="tracing-ring2"),
    path("", include(router.urls)),
]
