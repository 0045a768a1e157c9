"""API of the dashboard: the daily figures and the overview, for the caller's scope."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import serializers, viewsets
from rest_framework.exceptions import NotFound
from rest_framework.response import Response

from dashboard.models import DistrictDay
from dashboard.scoping import district_days_for, overview_districts_for
from dashboard.selectors import overview_build, overview_scope_for
from rollout.apis import DISTRICT, FROM, TO, date_param, int_param

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
        queryset = district_days_for(self.request.user).order_by("-day", "district")
        if (district := int_param(self.request, "district")) is not None:
            queryset = queryset.filter(district_id=district)
        if (first := date_param(self.request, "from")) is not None:
            queryset = queryset.filter(day__gte=first)
        if (last := date_param(self.request, "to")) is not None:
            queryset = queryset.filter(day__lte=last)
        return queryset


class OverviewView(viewsets.ViewSet):
    """The overview's KPI cards and district table, for the caller's scope (``?district=`` for one)."""

    @extend_schema(parameters=[DISTRICT], responses={200: dict})
    def list(self, request):
        district = None
        if (code := int_param(request, "district")) is not None:
            district = overview_districts_for(request.user).filter(pk=code).first()
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
