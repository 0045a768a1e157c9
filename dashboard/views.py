"""The overview (/dashboard/ for province roles and district officers) and its drill-down pages."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils.http import urlencode
from django.utils.translation import gettext_lazy as _

from dashboard.scoping import overview_districts_for
from dashboard.selectors import (
    CHART_DAYS,
    OverviewScope,
    commune_arrivals,
    commune_rows,
    overview_build,
    overview_scope_for,
    venue_activity,
)
from platforms.selectors.adoption import agency_adoption_list, laggards
from platforms.selectors.health import cutoff_at, cutoff_passed, testing_by_district, vaccination_day_status
from rollout import scoping
from rollout.models import Commune, District, Role
from rollout.permissions import can
from rollout.timeutils import local_today

# Roles that see agencies' adoption figures (as ``scoping.agencies_for``).

DISTRICT_COLUMNS = [
    ("name", _("District")),
    ("venues_with_qr", _("Venues with QR")),
    ("venues_active_pct", _("Active in 7 days")),
    ("checkins_today", _("Check-ins today")),
    ("checkins_7d", _("Check-ins, 7 days")),
    ("checkins_flagged_7d", _("Flagged, 7 days")),
    ("arrivals_today", _("Arrivals today")),
    ("arrivals_7d", _("Arrivals, 7 days")),
    ("pc_covid_pct", _("PC-Covid")),
    ("health_book_pct", _("Health Book")),
    ("vneid_pct", _("VNEID")),
    ("vaccination_pct", _("Vaccination data today")),
    ("testing_pct", _("Testing platform live")),
]
COMMUNE_COLUMNS = [("name", _("Commune")), *DISTRICT_COLUMNS[1:8]]


def _span(request: HttpRequest) -> int:
    raw = request.GET.get("days", "")
    return int(raw) if raw.isdigit() and int(raw) in CHART_DAYS else CHART_DAYS[0]


def _query(request: HttpRequest, **changes: str) -> str:
    params = {k: v for k, v in request.GET.items() if k in {"days", "sort"}}
    params.update({k: v for k, v in changes.items() if v})
    return "?" + urlencode(params) if params else "?"


def _headers(request: HttpRequest, columns: list[tuple[str, str]], current: str) -> list[dict]:
    """Column headers as links that sort the table (server-side: works without JavaScript)."""
    headers = []
    for key, label in columns:
        if current == key:
            target, arrow = f"-{key}", "▲"
        elif current == f"-{key}":
            target, arrow = key, "▼"
        else:
            target, arrow = (key if key == "name" else f"-{key}"), ""
        headers.append(
            {"key": key, "label": label, "url": _query(request, sort=target), "arrow": arrow, "num": key != "name"}
        )
    return headers


def overview_context(request: HttpRequest, scope: OverviewScope) -> dict:
    user = request.user
    overview = overview_build(user, scope, span=_span(request), sort=request.GET.get("sort", ""))
    context = {
        "overview": overview,
        "scope": scope,
        "span_links": [(n, _query(request, days=str(n)), n == overview.span) for n in CHART_DAYS],
        "headers": _headers(request, DISTRICT_COLUMNS, overview.sort),
    }
    if scope.is_district:
        context |= _district_context(request, scope.district, overview.today)
    return context


def _district_context(request: HttpRequest, district: District, today) -> dict:
    user = request.user
    communes, sort = commune_rows(user, district, today, sort=request.GET.get("sort", ""))
    facilities = scoping.facilities_for(user).filter(district=district)
    context = {
        "communes": communes,
        "commune_headers": _headers(request, COMMUNE_COLUMNS, sort),
        "vaccination_missing": [s for s in vaccination_day_status(facilities, today) if s.state != "updated"],
        "cutoff": cutoff_at(today),
        "cutoff_passed": cutoff_passed(today),
        "testing": testing_by_district(facilities)[1],
        "show_adoption": can(user, "adoption.view"),
    }
    if context["show_adoption"]:
        agencies = scoping.agencies_for(user).filter(district=district)
        context["laggards"] = laggards(agency_adoption_list(agencies), limit=10)
    return context


@login_required
def district_overview(request: HttpRequest, code: int) -> HttpResponse:
    """Drill-down: one district's overview, with its communes and lagging agencies."""
    district = get_object_or_404(overview_districts_for(request.user), pk=code)
    scope = overview_scope_for(request.user, district=district)
    if scope is None:
        raise Http404
    context = overview_context(request, scope) | {"sections": [], "drilldown": True}
    return render(request, "dashboard/overview.html", context)


@login_required
def commune_overview(request: HttpRequest, code: int, commune: int) -> HttpResponse:
    """Drill-down: one commune's venues (check-ins, idle ones first), agencies and arrivals."""
    district = get_object_or_404(overview_districts_for(request.user), pk=code)
    commune_obj = get_object_or_404(Commune, pk=commune, district=district)
    scope = overview_scope_for(request.user, district=district)
    if scope is None:
        raise Http404
    today = local_today()
    span = _span(request)
    context = {
        "district": district,
        "commune": commune_obj,
        "today": today,
        "venues": venue_activity(request.user, commune_obj, today),
        "chart": commune_arrivals(request.user, commune_obj, today, span),
        "span_links": [(n, _query(request, days=str(n)), n == span) for n in CHART_DAYS],
        "show_adoption": can(request.user, "adoption.view"),
    }
    if context["show_adoption"]:
        agencies = scoping.agencies_for(request.user).filter(district=district, commune=commune_obj)
        context["agencies"] = laggards(agency_adoption_list(agencies))
    return render(request, "dashboard/overview_commune.html", context)


@login_required
def overview(request: HttpRequest) -> HttpResponse:
    """The overview for the user's scope: one section per role the user holds.

    Province roles get the province overview and district officers their district's; the
    other roles get their home sections only.
    """
    user = request.user
    sections = [role for role in Role.values if user.has_role(role)]
    # Lazy: a section's query runs only when that section is on the page.
    context = {
        "sections": sections,
        "districts": scoping.districts_for(user),
        "agencies": scoping.agencies_for(user).filter(pk__in=user.scoped_agency_ids()),
        "checkpoints": scoping.checkpoints_for(user).filter(pk__in=user.scoped_checkpoint_ids()),
        "facilities": scoping.facilities_for(user).filter(pk__in=user.scoped_facility_ids()),
    }
    scope = overview_scope_for(user)
    if scope is not None:
        return render(request, "dashboard/overview.html", context | overview_context(request, scope))
    context["counts"] = {
        "venues": scoping.venues_for(user).count(),
        "agencies": scoping.agencies_for(user).count(),
        "checkpoints": scoping.checkpoints_for(user).count(),
        "facilities": scoping.facilities_for(user).count(),
    }
    return render(request, "dashboard/home.html", context)
