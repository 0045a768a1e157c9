"""REST API for the dashboard figures, adoption, testing-platform status and vaccination updates.

Every queryset comes from ``rollout.scoping``; writes go through the same services as the pages.
"""

from __future__ import annotations

from datetime import date

from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.exceptions import NotFound
from rest_framework.exceptions import ValidationError as DRFValidationError
from rest_framework.response import Response

from platforms.models import AdoptionUpdate, VaccinationUpdate
from platforms.selectors.health import testing_facilities
from platforms.services.adoption import AdoptionInput, adoption_update_record
from platforms.services.health import testing_status_update, vaccination_update_log
from rollout import scoping
from rollout.models import DistrictDay, HealthFacility
from rollout.selectors.dashboard import overview_build, overview_scope_for
from rollout.timeutils import local_today


def _date_param(request, name: str) -> date | None:
    raw = request.query_params.get(name, "")
    if not raw:
        return None
    try:
        return date.fromisoformat(raw)
    except ValueError:
        raise DRFValidationError({name: ["Use YYYY-MM-DD."]}) from None


def _int_param(request, name: str) -> int | None:
    raw = request.query_params.get(name, "")
    return int(raw) if raw.isdigit() else None


DISTRICT = OpenApiParameter("district", int, description="District GSO code")
FROM = OpenApiParameter("from", str, description="First day, YYYY-MM-DD")
TO = OpenApiParameter("to", str, description="Last day, YYYY-MM-DD")
DATE = OpenApiParameter("date", str, description="Day, YYYY-MM-DD")


# --- Daily figures ----------------------------------------------------------------------------


class DistrictDaySerializer(serializers.ModelSerializer):
    class Meta:
        model = DistrictDay
        exclude = ["id"]


@extend_schema_view(list=extend_schema(parameters=[DISTRICT, FROM, TO]))
class DailyStatViewSet(viewsets.ReadOnlyModelViewSet):
    """Per district and day: check-ins, arrivals, adoption, testing and vaccination figures."""

    serializer_class = DistrictDaySerializer

    def get_queryset(self):
        queryset = scoping.district_days_for(self.request.user).order_by("-day", "district")
        if (district := _int_param(self.request, "district")) is not None:
            queryset = queryset.filter(district_id=district)
        if (first := _date_param(self.request, "from")) is not None:
            queryset = queryset.filter(day__gte=first)
        if (last := _date_param(self.request, "to")) is not None:
            queryset = queryset.filter(day__lte=last)
        return queryset


class OverviewView(viewsets.ViewSet):
    """The overview's KPI cards and district table, for the caller's scope (``?district=`` for one)."""

    @extend_schema(parameters=[DISTRICT], responses={200: dict})
    def list(self, request):
        district = None
        if (code := _int_param(request, "district")) is not None:
            district = scoping.overview_districts_for(request.user).filter(pk=code).first()
            if district is None:
                raise NotFound
        scope = overview_scope_for(request.user, district=district)
        if scope is None:
            raise NotFound
        overview = overview_build(request.user, scope)
        return Response(
            {
                "day": overview.today.isoformat(),
                "districts": scope.district_ids,
                "computed_at": overview.as_of,
                "kpis": [
                    {
                        "key": k.key,
                        "label": k.label,
                        "value": k.value,
                        "total": k.total,
                        "percent": k.percent,
                        "previous": k.previous,
                        "change": k.change,
                    }
                    for k in overview.kpis
                ],
                "areas": [
                    {
                        "district": r.code,
                        "name": r.name,
                        "venues_with_qr": r.venues_with_qr,
                        "venues_active_7d": r.venues_active_7d,
                        "checkins_today": r.checkins_today,
                        "checkins_7d": r.checkins_7d,
                        "arrivals_today": r.arrivals_today,
                        "arrivals_7d": r.arrivals_7d,
                        "pc_covid_pct": r.pc_covid_pct,
                        "health_book_pct": r.health_book_pct,
                        "vneid_pct": r.vneid_pct,
                        "vaccination_pct": r.vaccination_pct,
                        "testing_live_pct": r.testing_pct,
                    }
                    for r in overview.rows
                ],
            }
        )


# --- Adoption ---------------------------------------------------------------------------------


class AdoptionUpdateSerializer(serializers.ModelSerializer):
    reported_on = serializers.DateField(required=False)

    class Meta:
        model = AdoptionUpdate
        fields = ["id", "agency", "reported_on", "staff_headcount", "pc_covid", "health_book", "vneid", "created_at"]
        read_only_fields = ["id", "created_at"]

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        request = self.context.get("request")
        if request is not None:
            # Only agencies the caller may update; anything else is "does not exist".
            self.fields["agency"].queryset = scoping.agencies_for(request.user, for_change=True)


@extend_schema_view(list=extend_schema(parameters=[OpenApiParameter("agency", int)]))
class AdoptionUpdateViewSet(mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet):
    """Every adoption update (the history), newest first. POST adds one (agency admins: their agency)."""

    serializer_class = AdoptionUpdateSerializer

    def get_queryset(self):
        queryset = scoping.adoption_updates_for(self.request.user).order_by("-reported_on", "-created_at", "-id")
        if (agency := _int_param(self.request, "agency")) is not None:
            queryset = queryset.filter(agency_id=agency)
        return queryset

    def perform_create(self, serializer):
        data = serializer.validated_data
        serializer.instance = adoption_update_record(
            by=self.request.user,
            agency=data["agency"],
            data=AdoptionInput(
                reported_on=data.get("reported_on") or local_today(),
                staff_headcount=data["staff_headcount"],
                pc_covid=data["pc_covid"],
                health_book=data["health_book"],
                vneid=data["vneid"],
            ),
        )


# --- Testing platform -------------------------------------------------------------------------


class TestingStatusSerializer(serializers.ModelSerializer):
    class Meta:
        model = HealthFacility
        fields = [
            "id",
            "name",
            "district",
            "does_rapid_antigen",
            "does_rt_pcr",
            "testing_status",
            "testing_first_result_on",
        ]
        read_only_fields = ["id", "name", "district", "does_rapid_antigen", "does_rt_pcr"]


@extend_schema_view(list=extend_schema(parameters=[DISTRICT]))
class TestingRolloutViewSet(mixins.UpdateModelMixin, viewsets.ReadOnlyModelViewSet):
    """Facilities qualified to test and their platform status; PATCH sets it (health officers, the
    facility's staff, province admins)."""

    serializer_class = TestingStatusSerializer
    http_method_names = ["get", "patch", "head", "options"]

    def get_queryset(self):
        for_change = self.action in {"update", "partial_update"}
        queryset = testing_facilities(scoping.facilities_for(self.request.user, for_change=for_change))
        if (district := _int_param(self.request, "district")) is not None:
            queryset = queryset.filter(district_id=district)
        return queryset.order_by("district_id", "name_search")

    def perform_update(self, serializer):
        facility = serializer.instance
        data = serializer.validated_data
        testing_status_update(
            by=self.request.user,
            facility=facility,
            status=data.get("testing_status", facility.testing_status),
            first_result_on=data.get("testing_first_result_on", facility.testing_first_result_on),
        )


# --- Vaccination data updates -----------------------------------------------------------------


class VaccinationUpdateSerializer(serializers.ModelSerializer):
    class Meta:
        model = VaccinationUpdate
        fields = ["id", "facility", "day", "doses_given", "updated_on_platform", "platform_updated_at", "updated_at"]
        read_only_fields = ["id", "platform_updated_at", "updated_at"]
        validators = []  # one row per facility and day: a second POST corrects the first

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        request = self.context.get("request")
        if request is not None:
            self.fields["facility"].queryset = scoping.facilities_for(request.user, for_change=True)


@extend_schema_view(list=extend_schema(parameters=[OpenApiParameter("facility", int), DATE]))
class VaccinationUpdateViewSet(mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet):
    """Facilities' daily vaccination-update logs. POST logs (or corrects) a day for a facility."""

    serializer_class = VaccinationUpdateSerializer

    def get_queryset(self):
        queryset = scoping.vaccination_updates_for(self.request.user).order_by("-day", "facility")
        if (facility := _int_param(self.request, "facility")) is not None:
            queryset = queryset.filter(facility_id=facility)
        if (day := _date_param(self.request, "date")) is not None:
            queryset = queryset.filter(day=day)
        return queryset

    def create(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        update = vaccination_update_log(
            by=request.user,
            facility=data["facility"],
            day=data["day"],
            doses_given=data["doses_given"],
            updated_on_platform=data["updated_on_platform"],
        )
        return Response(self.get_serializer(update).data, status=status.HTTP_201_CREATED)
