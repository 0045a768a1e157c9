"""REST API of the core app: reference units and master data, each through the scoping rule."""

from __future__ import annotations

import math
from datetime import date, timedelta

from django.conf import settings
from django.utils import timezone
from django.utils.translation import ngettext
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import exceptions, serializers, status, viewsets
from rest_framework.authtoken.views import ObtainAuthToken
from rest_framework.exceptions import ValidationError as DRFValidationError
from rest_framework.response import Response
from rest_framework.reverse import reverse

from rollout import scoping
from rollout.http import login_cooloff_seconds
from rollout.models import Agency, Commune, District, HealthFacility, Province
from rollout.text import fold


class SignInLocked(exceptions.APIException):
    """Too many failed sign-ins: 429 with ``Retry-After`` (DRF's handler sends it for ``wait``)."""

    status_code = status.HTTP_429_TOO_MANY_REQUESTS
    default_code = "locked_out"

    def __init__(self, seconds: int) -> None:
        self.wait = seconds
        minutes = math.ceil(seconds / 60)
        until = timezone.localtime() + timedelta(seconds=seconds)
        super().__init__(
            ngettext(
                "Too many failed sign-ins for this account. Try again after %(time)s (in %(minutes)d minute).",
                "Too many failed sign-ins for this account. Try again after %(time)s (in %(minutes)d minutes).",
                minutes,
            )
            % {"time": until.strftime("%H:%M"), "minutes": minutes}
        )


class TokenResponseSerializer(serializers.Serializer):
    token = serializers.CharField(help_text="Send it as ``Authorization: Token <token>``.")


@extend_schema(
    responses={
        200: TokenResponseSerializer,
        400: OpenApiResponse(description="Wrong username or password (or a field missing)."),
        429: OpenApiResponse(description="Too many failed sign-ins: locked out until Retry-After seconds pass."),
    }
)
class TokenView(ObtainAuthToken):
    """POST username and password, get a token for ``Authorization: Token <key>``.

    While django-axes locks the account out, even the right password is refused: the caller is told so,
    and when to retry, instead of the "wrong password" answer. Axes flags the request it was handed (DRF's
    request here, which its middleware never sees), so the flag is read here.
    """

    throttle_classes = ()

    def post(self, request, *args, **kwargs):
        try:
            return super().post(request, *args, **kwargs)
        except DRFValidationError:
            if getattr(request, "axes_locked_out", False):
                raise SignInLocked(login_cooloff_seconds()) from None
            raise


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
