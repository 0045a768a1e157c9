"""REST API of the core app: reference units and master data, each through the scoping rule."""

from __future__ import annotations

from datetime import date

from django.conf import settings
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import serializers, viewsets
from rest_framework.authtoken.views import ObtainAuthToken
from rest_framework.exceptions import ValidationError as DRFValidationError
from rest_framework.response import Response
from rest_framework.reverse import reverse

from rollout import scoping
from rollout.models import Agency, Commune, District, HealthFacility, Province
from rollout.text import fold


class TokenView(ObtainAuthToken):
    """POST username and password, get a token for ``Authorization: Token <key>``."""

    throttle_classes = ()


# --- Serializers ------------------------------------------------------------------------------


class ProvinceSerializer(serializers.ModelSerializer):
    class Meta:
        model = Province
        fields = ["code", "name", "codename", "division_type"]


class DistrictSerializer(serializers.ModelSerializer):
    class Meta:
        model = District
        fields = ["code", "name", "codename", "short_codename", "division_type", "province"]


class CommuneSerializer(serializers.ModelSerializer):
    class Meta:
        model = Commune
        fields = ["code", "name", "codename", "division_type", "district"]


class AgencySerializer(serializers.ModelSerializer):
    class Meta:
        model = Agency
        fields = ["id", "name", "kind", "district", "commune", "address", "staff_headcount", "is_active"]


class FacilitySerializer(serializers.ModelSerializer):
    class Meta:
        model = HealthFacility
        fields = [
            "id",
            "name",
            "kind",
            "district",
            "commune",
            "does_rapid_antigen",
            "does_rt_pcr",
            "does_vaccination",
            "testing_status",
            "testing_first_result_on",
        ]


# --- Views ------------------------------------------------------------------------------------

SEARCH = OpenApiParameter("search", str, description="Name contains (accents and case ignored)")
DISTRICT = OpenApiParameter("district", int, description="District GSO code")


class ScopedViewSet(viewsets.ReadOnlyModelViewSet):
    """Read-only list and detail; rows come from ``scope(user)``, then ``?search=`` narrows them."""

    scope = staticmethod(lambda user: None)
    filter_fields: dict[str, str] = {}

    def get_queryset(self):
        queryset = self.scope(self.request.user)
        search = self.request.query_params.get("search", "").strip()
        if search:
            queryset = queryset.filter(name_search__contains=fold(search))
        for param, field in self.filter_fields.items():
            value = self.request.query_params.get(param, "")
            if value.isdigit():
                queryset = queryset.filter(**{field: int(value)})
        return queryset


@extend_schema_view(list=extend_schema(parameters=[SEARCH]))
class ProvinceViewSet(ScopedViewSet):
    serializer_class = ProvinceSerializer
    lookup_field = "code"
    scope = staticmethod(scoping.provinces_for)


@extend_schema_view(list=extend_schema(parameters=[SEARCH]))
class DistrictViewSet(ScopedViewSet):
    """Districts of the home province whose data the caller works with."""

    serializer_class = DistrictSerializer
    lookup_field = "code"
    scope = staticmethod(scoping.districts_for)


@extend_schema_view(list=extend_schema(parameters=[SEARCH, DISTRICT]))
class CommuneViewSet(ScopedViewSet):
    """Communes of any province; pass ?district= to list one district's."""

    serializer_class = CommuneSerializer
    lookup_field = "code"
    scope = staticmethod(scoping.communes_for)
    filter_fields = {"district": "district_id"}


@extend_schema_view(list=extend_schema(parameters=[SEARCH, DISTRICT]))
class AgencyViewSet(ScopedViewSet):
    serializer_class = AgencySerializer
    scope = staticmethod(scoping.agencies_for)
    filter_fields = {"district": "district_id"}


@extend_schema_view(list=extend_schema(parameters=[SEARCH, DISTRICT]))
class FacilityViewSet(ScopedViewSet):
    serializer_class = FacilitySerializer
    scope = staticmethod(scoping.facilities_for)
    filter_fields = {"district": "district_id"}


class MeView(viewsets.ViewSet):
    """Who the token belongs to, and the roles it carries."""

    @extend_schema(responses={200: dict})
    def list(self, request):
        user = request.user
        return Response(
            {
                "username": user.username,
                "full_name": user.full_name,
                "roles": sorted(user.roles),
                "home_province": settings.HOME_PROVINCE_CODE,
                "links": {"venues": reverse("api:venue-list", request=request)},
            }
        )


# --- Query parameters shared by the apps' resources ---------------------------------------------


def date_param(request, name: str) -> date | None:
    raw = request.query_params.get(name, "")
    if not raw:
        return None
    try:
        return date.fromisoformat(raw)
    except ValueError:
        raise DRFValidationError({name: ["Use YYYY-MM-DD."]}) from None


def int_param(request, name: str) -> int | None:
    raw = request.query_params.get(name, "")
    return int(raw) if raw.isdigit() else None


FROM = OpenApiParameter("from", str, description="First day, YYYY-MM-DD")
TO = OpenApiParameter("to", str, description="Last day, YYYY-MM-DD")
DATE = OpenApiParameter("date", str, description="Day, YYYY-MM-DD")
