"""REST API for the dashboard figures, adoption, testing-platform status and vaccination updates.

Every queryset comes from ``rollout.scoping``; writes go through the same services as the pages.
"""

from __future__ import annotations

from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.response import Response

from platforms.models import AdoptionUpdate, VaccinationUpdate
from platforms.scoping import adoption_updates_for, vaccination_updates_for
from platforms.selectors.health import testing_facilities
from platforms.services.adoption import AdoptionInput, adoption_update_record
from platforms.services.health import testing_status_update, vaccination_update_log
from rollout import scoping
from rollout.apis import DATE, DISTRICT, date_param, int_param
from rollout.models import HealthFacility
from rollout.timeutils import local_today

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
        queryset = adoption_updates_for(self.request.user).order_by("-reported_on", "-created_at", "-id")
        if (agency := int_param(self.request, "agency")) is not None:
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
        if (district := int_param(self.request, "district")) is not None:
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
        queryset = vaccination_updates_for(self.request.user).order_by("-day", "facility")
        if (facility := int_param(self.request, "facility")) is not None:
            queryset = queryset.filter(facility_id=facility)
        if (day := date_param(self.request, "date")) is not None:
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
