"""The overview (/dashboard/) and its drill-down, read from the daily aggregates only (SPEC §7, §10).

Province roles see every district; a district officer sees the same page for the district. Every figure
comes from ``DistrictDay`` / ``VenueDay`` / ``ArrivalDay`` (a handful of small queries whatever the
size of the province), never from check-ins or arrivals themselves.

KPI cards from other apps plug in through ``EXTRA_KPIS``: functions
``f(user, scope: OverviewScope, today: date) -> Kpi | None``, each adding one card after the built-in
ones (today's daily lists delivered; this week's report completeness, registered by the reports app at
start-up); charts through ``EXTRA_CHARTS`` (report timeliness, likewise). They read their own small
tables (one row per district and day or week).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from django.urls import reverse
from django.utils.formats import date_format, number_format
from django.utils.translation import gettext as _

from checkpoints.selectors import daily_lists_delivered_kpi
from dashboard.models import DistrictDay
from dashboard.scoping import district_days_for, overview_districts_for
from dashboard.selectors.areas import AreaRow, sort_rows, total_row
from rollout.charts import Chart, Kpi, percent
from rollout.dbrouter import reading_from_replica
from rollout.models import District, User
from rollout.timeutils import local_now, local_today

WEEK = 7
CHART_DAYS = (30, 90)

# Extra KPI cards, appended in this order (dotted paths; see the module docstring).
# Extra KPI cards, after the built-in ones: ``f(user, scope, today) -> Kpi | None``; the apps below the
# dashboard are named here, the apps above it (reports) register theirs at start-up (``register_kpi``).
EXTRA_KPIS: list[Callable] = [daily_lists_delivered_kpi]
# Extra charts, after the built-in ones: ``f(user, scope, today, span) -> Chart | None``.
EXTRA_CHARTS: list[Callable] = []


def register_kpi(kpi: Callable) -> None:
    if kpi not in EXTRA_KPIS:
        EXTRA_KPIS.append(kpi)


def register_chart(chart: Callable) -> None:
    if chart not in EXTRA_CHARTS:
        EXTRA_CHARTS.append(chart)


@dataclass
class OverviewScope:
    """Which districts the page covers, and whether it is the province page or one district's."""

    districts: list[District]
    district: District | None = None  # set on a single district's page
    # What the plug-ins (EXTRA_KPIS, EXTRA_CHARTS) read once and share while building one page.
    memo: dict = field(default_factory=dict, repr=False, compare=False)

    @property
    def district_ids(self) -> list[int]:
        return [d.pk for d in self.districts]

    @property
    def is_district(self) -> bool:
        return self.district is not None

    def filter_query(self) -> str:
        """``?district=<code>`` for links to list pages, when the page is one district's."""
        return f"?district={self.district.pk}" if self.district else ""


def overview_scope_for(user: User, *, district: District | None = None) -> OverviewScope | None:
    """The scope of the overview for ``user``: None when the user's roles get no overview. With
    ``district``, that district's page (None when the user may not see it)."""
    districts = list(overview_districts_for(user).order_by("code"))
    if not districts:
        return None
    if district is not None:
        return OverviewScope([district], district) if district in districts else None
    is_province = user.has_role("province_admin", "province_viewer", "health_officer")
    if not is_province and len(districts) == 1:
        return OverviewScope(districts, districts[0])
    return OverviewScope(districts)


# --- KPI cards --------------------------------------------------------------------------------


def _n(value: int) -> str:
    """A count with the language's thousands separator (12.345 in Vietnamese)."""
    return number_format(value, force_grouping=True)


# The DistrictDay columns the pages use, read as plain rows: building model instances for a few hundred
# rows of 27 fields costs more than the queries (bench/dashboard.py).
_FIELDS = tuple(f.attname for f in DistrictDay._meta.concrete_fields if f.name not in {"id"})


class Figures:
    """One DistrictDay row as read by the pages (attributes named like the model's)."""

    __slots__ = _FIELDS

    def __init__(self, values: tuple | None = None) -> None:
        if values is None:  # no row for that district and day: every figure is 0
            values = tuple(None if name in {"day", "district_id", "computed_at", "hourly"} else 0 for name in _FIELDS)
        for name, value in zip(_FIELDS, values, strict=True):
            setattr(self, name, value)


def _sum(rows: list[Figures], name: str) -> int:
    return sum(getattr(r, name) for r in rows)


def _sum_until(rows: list[Figures], name: str, hours: float) -> int:
    """The count of the day's first ``hours`` hours, from the per-hour figures: whole hours as counted,
    the hour under way in proportion to its minutes. A row without per-hour figures counts whole."""
    if hours >= 24:
        return _sum(rows, name)
    whole, part = int(hours), hours - int(hours)
    total = 0.0
    for r in rows:
        per_hour = (r.hourly or {}).get(name)
        total += sum(per_hour[:whole]) + per_hour[whole] * part if per_hour else getattr(r, name)
    return round(total)


def _hours_elapsed(today: date) -> float:
    """How much of ``today`` has passed: 24 for a day that is over (a page for an earlier day)."""
    now = local_now()
    if today != now.date():
        return 24.0
    return now.hour + now.minute / 60


@dataclass
class _Days:
    """The fetched DistrictDay rows, by district and day."""

    rows: dict[int, dict[date, Figures]] = field(default_factory=lambda: defaultdict(dict))

    def on(self, day: date) -> list[Figures]:
        return [by_day[day] for by_day in self.rows.values() if day in by_day]

    def between(self, first: date, last: date) -> list[Figures]:
        return [r for by_day in self.rows.values() for d, r in by_day.items() if first <= d <= last]

    def snapshot(self, day: date) -> list[Figures]:
        """Per district, the row of ``day`` or else its latest earlier one (state figures)."""
        result = []
        for by_day in self.rows.values():
            days = [d for d in by_day if d <= day]
            if days:
                result.append(by_day[max(days)])
        return result


def _kpis(user: User, scope: OverviewScope, days: _Days, today: date) -> list[Kpi]:
    week_ago = today - timedelta(days=WEEK)
    # Today is compared with last week's same day *up to the same time*, never half a day with a whole one.
    hours = _hours_elapsed(today)
    same_time = (
        _("compared with the same time last week (until %(time)s)") % {"time": local_now().strftime("%H:%M")}
        if hours < 24
        else _("compared with the same day last week")
    )
    this_week = days.between(today - timedelta(days=WEEK - 1), today)
    last_week = days.between(today - timedelta(days=2 * WEEK - 1), week_ago)
    now, then = days.snapshot(today), days.snapshot(week_ago)
    q = scope.filter_query()

    def rate(rows: list[Figures], part: str, whole: str) -> float | None:
        return percent(_sum(rows, part), _sum(rows, whole))

    venues_qr = _sum(now, "venues_with_qr")
    active_now = _sum(days.on(today), "venues_active_7d")
    active_before = _sum(days.on(week_ago), "venues_active_7d")
    kpis = [
        Kpi(
            "venues_with_qr",
            _("Venues with QR codes"),
            venues_qr,
            previous=_sum(then, "venues_with_qr") if then else None,
            url=reverse("rollout:venue-list") + q,
        ),
        Kpi(
            "venues_active_7d",
            _("Venues active in the last 7 days"),
            active_now,
            total=venues_qr,
            previous=percent(active_before, _sum(then, "venues_with_qr")),
            detail=_("%(n)s of %(total)s venues with QR had check-ins") % {"n": _n(active_now), "total": _n(venues_qr)},
            url=reverse("rollout:venue-list") + q,
        ),
        Kpi("checkins_today", _("Check-ins today"), _sum(days.on(today), "checkins"),
            previous=_sum_until(days.on(week_ago), "checkins", hours), detail=same_time),
        Kpi("checkins_7d", _("Check-ins in the last 7 days"), _sum(this_week, "checkins"),
            previous=_sum(last_week, "checkins"),
            detail=_("%(n)s flagged by a health answer") % {"n": _n(_sum(this_week, "checkins_flagged"))}),
        Kpi("arrivals_today", _("Arrivals today"), _sum(days.on(today), "arrivals"),
            previous=_sum_until(days.on(week_ago), "arrivals", hours), detail=same_time,
            url=reverse("checkpoints:checkpoint-list")),
        Kpi("arrivals_7d", _("Arrivals in the last 7 days"), _sum(this_week, "arrivals"),
            previous=_sum(last_week, "arrivals"),
            detail="" if scope.is_district else _("by destination district: see the table"),
            url=reverse("checkpoints:checkpoint-list")),
    ]  # fmt: skip
    reporting, agencies = _sum(now, "agencies_reporting"), _sum(now, "agencies")
    staff = _sum(now, "staff_headcount")
    for key, label in (
        ("pc_covid", _("PC-Covid among agency staff")),
        ("health_book", _("Electronic Health Book among agency staff")),
        ("vneid", _("VNEID among agency staff")),
    ):
        kpis.append(
            Kpi(
                f"adoption_{key}",
                label,
                _sum(now, key),
                total=staff,
                previous=rate(then, key, "staff_headcount"),
                detail=_("%(n)s of %(staff)s staff; %(reporting)s of %(agencies)s agencies reporting")
                % {"n": _n(_sum(now, key)), "staff": _n(staff), "reporting": _n(reporting), "agencies": _n(agencies)},
                url=reverse("platforms:adoption-list") + q,
            )
        )
    today_rows, week_ago_rows = days.on(today), days.on(week_ago)
    updated, vaccinating = _sum(today_rows, "vaccination_updated"), _sum(today_rows, "vaccination_facilities")
    live, qualified = _sum(now, "testing_live"), _sum(now, "testing_qualified")
    kpis += [
        Kpi(
            "vaccination_updated_today",
            _("Facilities that updated vaccination data today"),
            updated,
            total=vaccinating,
            previous=percent(
                _sum_until(week_ago_rows, "vaccination_updated", hours), _sum(week_ago_rows, "vaccination_facilities")
            ),
            detail=_("%(n)s of %(total)s vaccinating facilities") % {"n": _n(updated), "total": _n(vaccinating)},
            url=reverse("platforms:vaccination-overview") + q,
        ),
        Kpi(
            "testing_live",
            _("Facilities live on the testing platform"),
            live,
            total=qualified,
            previous=rate(then, "testing_live", "testing_qualified"),
            detail=_("%(n)s of %(total)s facilities qualified for testing") % {"n": _n(live), "total": _n(qualified)},
            url=reverse("platforms:testing-list") + q,
        ),
    ]
    for kpi in EXTRA_KPIS:
        card = kpi(user, scope, today)
        if card is not None:
            kpis.append(card)
    return kpis


def _extra_charts(user: User, scope: OverviewScope, today: date, span: int) -> list[Chart]:
    charts = (chart(user, scope, today, span) for chart in EXTRA_CHARTS)
    return [c for c in charts if c is not None]


# --- Charts -----------------------------------------------------------------------------------


def _charts(scope: OverviewScope, days: _Days, today: date, span: int) -> list[Chart]:
    # A day under way is left out of the trends: half a day would read as a plunge.
    last, note = today, ""
    if _hours_elapsed(today) < 24:
        last, note = today - timedelta(days=1), _("Until the end of yesterday: today is not over yet.")
    window = [last - timedelta(days=i) for i in range(span - 1, -1, -1)]
    labels = [date_format(d, "d/m") for d in window]
    per_day = {d: days.on(d) for d in window}

    def series(name: str) -> list[int]:
        return [_sum(per_day[d], name) for d in window]

    def rate_series(part: str, whole: str) -> list[float | None]:
        return [percent(_sum(per_day[d], part), _sum(per_day[d], whole)) for d in window]

    if scope.is_district:
        arrivals = [{"label": scope.district.name, "data": series("arrivals")}]
    else:
        arrivals = []
        for d in scope.districts:
            by_day = days.rows.get(d.pk, {})
            arrivals.append({"label": d.name, "data": [by_day[day].arrivals if day in by_day else 0 for day in window]})
    return [
        Chart("checkins", _("Venue check-ins per day"), labels, [
            {"label": _("Check-ins"), "data": series("checkins")},
            {"label": _("Flagged"), "data": series("checkins_flagged")},
            {"label": _("Venues with check-ins"), "data": series("venues_active")},
        ], note=note),
        Chart("arrivals", _("Arrivals per day by destination district"), labels, arrivals, kind="bar", stacked=True,
              note=note),
        Chart("adoption", _("Adoption among agency staff (%)"), labels, [
            {"label": _("PC-Covid"), "data": rate_series("pc_covid", "staff_headcount")},
            {"label": _("Electronic Health Book"), "data": rate_series("health_book", "staff_headcount")},
            {"label": _("VNEID"), "data": rate_series("vneid", "staff_headcount")},
        ], percent=True, note=note),
        Chart("health", _("Health facilities: vaccination data updates and testing platform (%)"), labels, [
            {"label": _("Vaccination data updated"),
             "data": rate_series("vaccination_updated", "vaccination_facilities")},
            {"label": _("Updated by the cut-off"),
             "data": rate_series("vaccination_on_time", "vaccination_facilities")},
            {"label": _("Live on the testing platform"), "data": rate_series("testing_live", "testing_qualified")},
        ], percent=True, note=note),
    ]  # fmt: skip


def _district_rows(scope: OverviewScope, days: _Days, today: date) -> list[AreaRow]:
    first = today - timedelta(days=WEEK - 1)
    rows = []
    for d in scope.districts:
        by_day = days.rows.get(d.pk, {})
        week = [r for day, r in by_day.items() if first <= day <= today]
        snap_days = [day for day in by_day if day <= today]
        snap = by_day[max(snap_days)] if snap_days else Figures()
        current = by_day.get(today, Figures())
        rows.append(
            AreaRow(
                code=d.pk,
                name=d.name,
                url=reverse("dashboard:district", args=[d.pk]),
                venues_with_qr=snap.venues_with_qr,
                venues_active_7d=current.venues_active_7d,
                checkins_today=current.checkins,
                checkins_7d=_sum(week, "checkins"),
                checkins_flagged_7d=_sum(week, "checkins_flagged"),
                arrivals_today=current.arrivals,
                arrivals_7d=_sum(week, "arrivals"),
                staff_headcount=snap.staff_headcount,
                pc_covid=snap.pc_covid,
                health_book=snap.health_book,
                vneid=snap.vneid,
                vaccination_updated=current.vaccination_updated,
                vaccination_facilities=current.vaccination_facilities,
                testing_live=snap.testing_live,
                testing_qualified=snap.testing_qualified,
            )
        )
    return rows


# --- The page ---------------------------------------------------------------------------------


@dataclass
class Overview:
    scope: OverviewScope
    today: date
    span: int
    kpis: list[Kpi]
    charts: list[Chart]
    rows: list[AreaRow]
    total: AreaRow
    sort: str
    as_of: datetime | None


@reading_from_replica()
def overview_build(
    user: User, scope: OverviewScope, *, span: int = 30, sort: str = "", today: date | None = None
) -> Overview:
    """Everything the overview page shows, for the districts of ``scope``."""
    today = today or local_today()
    span = span if span in CHART_DAYS else CHART_DAYS[0]
    first = today - timedelta(days=max(span, 2 * WEEK) - 1)
    days = _Days()
    for values in (
        district_days_for(user)
        .filter(district__in=scope.district_ids, day__gte=first, day__lte=today)
        .order_by()
        .values_list(*_FIELDS)
    ):
        row = Figures(values)
        days.rows[row.district_id][row.day] = row
    rows, sort = sort_rows(_district_rows(scope, days, today), sort)
    computed = [r.computed_at for r in days.on(today) if r.computed_at]
    return Overview(
        scope=scope,
        today=today,
        span=span,
        kpis=_kpis(user, scope, days, today),
        charts=_charts(scope, days, today, span) + _extra_charts(user, scope, today, span),
        rows=rows,
        total=total_row(rows, _("Province") if not scope.is_district else scope.district.name),
        sort=sort,
        as_of=min(computed) if computed else None,
    )
