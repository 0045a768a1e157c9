"""The directive scorecard (SPEC §7): where the province stands on every clause of the directive.

One row per clause (1, 2, 3.i–iii, 4.i–iii, 5, 6.i–iv): the body responsible, the indicator the system
measures for it, its value in each of the last four reporting weeks (Saturday to Friday, ``reports.weeks``),
and a status against ``settings.SCORECARD_THRESHOLDS``: on track, lagging, or no data when there is
nothing to count (no facility qualified yet, a report not due yet, or a clause the system does not
measure at all, said in words).

Every figure comes from the small tables: the daily aggregates (``DistrictDay``, ``VenueDay``,
``ArrivalDay``), the daily lists, the weekly reports and roll-ups, and master data. Never from check-ins
or arrivals themselves, so the page costs the same whatever the size of the province.

The scorecard is province-wide figures, not people: the page, its print, its XLSX, the roll-up's sheet and
the weekly report document all read ``scorecard_build``; who may see it is ``scorecard.view``.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from django.conf import settings
from django.urls import reverse
from django.utils.formats import time_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from checkpoints.models import DailyList
from dashboard.models import ArrivalDay, DistrictDay, VenueDay
from reports import weeks
from reports.models import Rollup, WeeklyReport
from rollout.charts import percent
from rollout.models import Checkpoint, Commune, District, Province, User
from rollout.timeutils import local_datetime, local_now

TREND_WEEKS = 4


class Status:
    ON_TRACK = "on_track"
    LAGGING = "lagging"
    NO_DATA = "no_data"


STATUS_LABELS = {
    Status.ON_TRACK: gettext_lazy("On track"),
    Status.LAGGING: gettext_lazy("Lagging"),
    Status.NO_DATA: gettext_lazy("No data"),
}


@dataclass(frozen=True)
class WeekValue:
    """An indicator in one week: ``part`` of ``whole``. ``whole`` None: nothing to count that week."""

    week_ending: date
    part: int | None = None
    whole: int | None = None

    @property
    def percent(self) -> float | None:
        return percent(self.part, self.whole)


@dataclass
class ClauseRow:
    clause: str
    title: str
    body: str
    indicator: str
    weeks: list[WeekValue]
    threshold: float
    url: str = ""
    note: str = ""  # why there is no figure, when the system does not measure the clause

    @property
    def current(self) -> WeekValue:
        return self.weeks[-1]

    @property
    def status(self) -> str:
        value = self.current.percent
        if value is None:
            return Status.NO_DATA
        return Status.ON_TRACK if value >= self.threshold else Status.LAGGING

    @property
    def status_label(self) -> str:
        return str(STATUS_LABELS[self.status])

    @property
    def measured(self) -> bool:
        return not self.note


@dataclass
class Scorecard:
    week_ending: date
    weeks: list[date]
    province: Province
    rows: list[ClauseRow]
    built_at: datetime

    @property
    def week_label(self) -> str:
        return weeks.week_label(self.week_ending)

    def counts(self) -> dict[str, int]:
        result = dict.fromkeys(STATUS_LABELS, 0)
        for row in self.rows:
            result[row.status] += 1
        return result

    def row(self, clause: str) -> ClauseRow:
        return next(r for r in self.rows if r.clause == clause)


# --- Reading the small tables once for the four weeks ------------------------------------------


@dataclass
class _Data:
    """Everything the indicators read, fetched in a handful of queries for the four weeks."""

    now: datetime
    districts: list[int]
    days: dict[int, dict[date, DistrictDay]] = field(default_factory=lambda: defaultdict(dict))
    communes: int = 0
    checkpoints: set[int] = field(default_factory=set)
    venue_communes: dict[date, set[int]] = field(default_factory=lambda: defaultdict(set))
    checkpoints_with_arrivals: dict[date, set[int]] = field(default_factory=lambda: defaultdict(set))
    lists: dict[tuple[int, date], datetime] = field(default_factory=dict)
    reports: dict[date, list[WeeklyReport]] = field(default_factory=lambda: defaultdict(list))
    rollups: set[date] = field(default_factory=set)

    def last_day(self, week: date) -> date:
        """The week's last day that has begun (the Friday, or today in a week under way)."""
        return min(week, self.now.date())

    def week_days(self, week: date, *, over_only: bool = False) -> list[date]:
        """The days of ``week`` that have begun (``over_only``: that are over)."""
        last = self.now.date() - timedelta(days=1) if over_only else self.now.date()
        start = weeks.week_start(week)
        return [start + timedelta(days=i) for i in range(7) if start + timedelta(days=i) <= last]

    def snapshot(self, day: date) -> list[DistrictDay]:
        """Per district, the row of ``day`` or else its latest earlier one (state figures)."""
        result = []
        for by_day in self.days.values():
            earlier = [d for d in by_day if d <= day]
            if earlier:
                result.append(by_day[max(earlier)])
        return result

    def rows_between(self, first: date, last: date) -> list[DistrictDay]:
        return [r for by_day in self.days.values() for d, r in by_day.items() if first <= d <= last]


def _read(week_list: list[date], now: datetime) -> _Data:
    home = settings.HOME_PROVINCE_CODE
    districts = list(District.objects.filter(province_id=home).order_by("code").values_list("pk", flat=True))
    data = _Data(now=now, districts=districts)
    first, last = weeks.week_start(week_list[0]), week_list[-1]
    # State figures (venues, adoption, testing) fall back on a district's latest earlier row.
    for row in DistrictDay.objects.filter(district__in=districts, day__gte=first - timedelta(days=14), day__lte=last):
        data.days[row.district_id][row.day] = row
    data.communes = Commune.objects.filter(district__province_id=home).count()
    data.checkpoints = set(
        Checkpoint.objects.filter(district__province_id=home, is_active=True).values_list("pk", flat=True)
    )
    for day, commune in (
        VenueDay.objects.filter(district__in=districts, day__gte=first, day__lte=last, commune__isnull=False)
        .values_list("day", "commune")
        .distinct()
    ):
        data.venue_communes[weeks.week_ending_for(day)].add(commune)
    for day, checkpoint in (
        ArrivalDay.objects.filter(district__in=districts, day__gte=first, day__lte=last, arrivals__gt=0)
        .values_list("day", "checkpoint")
        .distinct()
    ):
        data.checkpoints_with_arrivals[weeks.week_ending_for(day)].add(checkpoint)
    for district, day, generated in DailyList.objects.filter(
        district__in=districts, day__gte=first, day__lte=last
    ).values_list("district", "day", "generated_at"):
        data.lists[(district, day)] = generated
    for report in WeeklyReport.objects.filter(
        district__in=districts, week_ending__in=week_list, first_submitted_at__isnull=False
    ).select_related("current_version"):
        data.reports[report.week_ending].append(report)
    data.rollups = set(
        Rollup.objects.filter(week_ending__in=week_list, status=Rollup.Status.READY).values_list(
            "week_ending", flat=True
        )
    )
    return data


def _sum(rows: list[DistrictDay], name: str) -> int:
    return sum(getattr(r, name) for r in rows)


# --- The indicators: one function per clause, (data, week) -> WeekValue --------------------------


def _adoption(data: _Data, week: date) -> WeekValue:
    rows = data.snapshot(data.last_day(week))
    return WeekValue(week, _sum(rows, "pc_covid"), _sum(rows, "staff_headcount"))


def _rollup_built(data: _Data, week: date) -> WeekValue:
    if data.now < weeks.rollup_at(week):
        return WeekValue(week)  # not due yet
    return WeekValue(week, int(week in data.rollups), 1)


def _testing_live(data: _Data, week: date) -> WeekValue:
    rows = data.snapshot(data.last_day(week))
    return WeekValue(week, _sum(rows, "testing_live"), _sum(rows, "testing_qualified"))


def _vaccination_on_time(data: _Data, week: date) -> WeekValue:
    days = data.week_days(week, over_only=True)
    if not days:
        return WeekValue(week)
    rows = data.rows_between(days[0], days[-1])
    return WeekValue(week, _sum(rows, "vaccination_on_time"), _sum(rows, "vaccination_facilities"))


def _checkpoints_scanning(data: _Data, week: date) -> WeekValue:
    scanning = data.checkpoints_with_arrivals.get(week, set()) & data.checkpoints
    return WeekValue(week, len(scanning), len(data.checkpoints))


def _lists_on_time(data: _Data, week: date) -> WeekValue:
    """District-days whose arrival list was ready by the deadline the next morning, among those due."""
    part = whole = 0
    for day in data.week_days(week, over_only=True):
        deadline = local_datetime(day + timedelta(days=1), settings.DAILY_LIST_DEADLINE)
        if deadline > data.now:
            continue
        for district in data.districts:
            whole += 1
            generated = data.lists.get((district, day))
            part += generated is not None and generated <= deadline
    return WeekValue(week, part, whole)


def _venues_active(data: _Data, week: date) -> WeekValue:
    day = data.last_day(week)
    active = _sum([by_day[day] for by_day in data.days.values() if day in by_day], "venues_active_7d")
    return WeekValue(week, active, _sum(data.snapshot(day), "venues_with_qr"))


def _communes_scanning(data: _Data, week: date) -> WeekValue:
    return WeekValue(week, len(data.venue_communes.get(week, ())), data.communes)


def _districts_reporting(data: _Data, week: date, test: Callable[[WeeklyReport], bool]) -> WeekValue:
    if data.now < weeks.due_at(week):
        return WeekValue(week)  # reports are not due yet
    return WeekValue(week, sum(1 for r in data.reports.get(week, []) if test(r)), len(data.districts))


def _communication(data: _Data, week: date) -> WeekValue:
    def counted(report: WeeklyReport) -> bool:
        version = report.current_version
        return version is not None and (version.communication_sessions or 0) > 0

    return _districts_reporting(data, week, counted)


def _inspecting(data: _Data, week: date) -> WeekValue:
    rows = data.rows_between(weeks.week_start(week), data.last_day(week))
    inspecting = {r.district_id for r in rows if r.inspections > 0}
    return WeekValue(week, len(inspecting), len(data.districts))


def _reported_on_time(data: _Data, week: date) -> WeekValue:
    return _districts_reporting(data, week, lambda r: bool(r.on_time))


def _not_measured(data: _Data, week: date) -> WeekValue:
    return WeekValue(week)


# --- The clauses --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Clause:
    clause: str
    title: str
    body: str
    indicator: str
    measure: Callable[[_Data, date], WeekValue]
    url_name: str = ""
    note: str = ""


def clauses() -> list[Clause]:
    """Every clause of the directive, in its order, with the words of the current language."""
    list_time = time_format(settings.DAILY_LIST_DEADLINE, "H:i")
    cutoff = time_format(settings.VACCINATION_UPDATE_CUTOFF, "H:i")
    all_bodies = _("All agencies, units and localities")
    dic = _("Department of Information and Communications")
    health = _("Department of Health, with the Department of Information and Communications")
    checkpoints = _("Interagency medical checkpoints")
    districts = _("District, town and city People's Committees")
    return [
        Clause("1", _("One set of platforms: PC-Covid, VNEID and the Electronic Health Book"), all_bodies,
               _("Agency staff with PC-Covid installed (latest adoption figures)"), _adoption,
               "platforms:adoption-list"),
        Clause("2", _("Guide and inspect the rollout; report to the Provincial People's Committee every week"), dic,
               _("The province's weekly roll-up built"), _rollup_built, "reports:rollup-list"),
        Clause("3.i", _("The testing-management platform in every health facility qualified to test"), health,
               _("Qualified facilities live on the testing platform"), _testing_live, "platforms:testing-list"),
        Clause("3.ii", _("Vaccination data updated every day, fully and on time"), health,
               _("Days on which vaccinating facilities updated the national platform by %(time)s")
               % {"time": cutoff}, _vaccination_on_time, "platforms:vaccination-overview"),
        Clause("3.iii", _("One procedure for electronic health declaration at the checkpoints"), health,
               _("Declarations made through PC-Covid at the checkpoints"), _not_measured,
               note=_("Not measured: the system does not record whether a declaration came through PC-Covid.")),
        Clause("4.i", _("Control arrivals by scanning QR codes, to trace F0 and F1"), checkpoints,
               _("Active checkpoints that recorded arrivals in the week"), _checkpoints_scanning,
               "checkpoints:checkpoint-list"),
        Clause("4.ii", _("Guide arrivals to install PC-Covid, declare and scan QR codes"), checkpoints,
               _("Arrivals guided to install PC-Covid"), _not_measured,
               note=_("Not measured: the arrival form does not record whether the traveller was guided.")),
        Clause("4.iii", _("Send each district the list of its arrivals every day"), checkpoints,
               _("Daily arrival lists ready for the districts by %(time)s the next morning") % {"time": list_time},
               _lists_on_time, "checkpoints:daily-list-list"),
        Clause("5", _("QR codes for every agency and unit; entry controlled by QR scan"),
               _("Departments, agencies, localities, associations and enterprises"),
               _("Venues with QR codes that had check-ins in the last 7 days"), _venues_active,
               "rollout:venue-list"),
        Clause("6.i", _("Electronic entry control by QR scan in communes, wards and townships"), districts,
               _("Communes with at least one venue scanning QR codes in the week"), _communes_scanning,
               "dashboard"),
        Clause("6.ii", _("Guide residents and visitors to install PC-Covid and declare"), districts,
               _("Districts whose weekly report counts communication sessions"), _communication,
               "reports:report-list"),
        Clause("6.iii", _("Inspect public venues through the data of the software"), districts,
               _("Districts that inspected at least one venue in the week"), _inspecting, "venues:inspection-list"),
        Clause("6.iv", _("A focal officer registered; a weekly report sent every Friday"), districts,
               _("Districts whose weekly report was sent on time"), _reported_on_time, "reports:completeness-grid"),
    ]  # fmt: skip


def _url_for(user: User | None, url_name: str) -> str:
    """The detail page's address, when the user may open it (a page nobody may open gets no link)."""
    from rollout.navigation import NAV_ITEMS

    if user is None or not url_name:
        return ""
    item = next((i for i in NAV_ITEMS if i.url_name == url_name), None)
    if item is not None and not item.shown_to(user):
        return ""
    return reverse(url_name)


def default_week() -> date:
    """The latest week whose reports are due: the one the People's Committee's weekly meeting reviews."""
    return weeks.last_due_week()


def scorecard_build(
    week_ending: date | None = None,
    *,
    user: User | None = None,
    now: datetime | None = None,
    building_rollup: bool = False,
) -> Scorecard:
    """Every clause's indicator over the four weeks ending with ``week_ending`` (a Friday).

    ``building_rollup``: the scorecard is a sheet of the week's roll-up being built, which counts as built
    (clause 2) rather than reading as missing in its own pages."""
    now = now or local_now()
    week_ending = week_ending or default_week()
    if not weeks.is_week_ending(week_ending):
        raise ValueError(f"{week_ending} is not a Friday")
    week_list = weeks.recent_weeks(TREND_WEEKS, last=week_ending)
    data = _read(week_list, now)
    if building_rollup:
        data.rollups.add(week_ending)
    thresholds = settings.SCORECARD_THRESHOLDS
    rows = [
        ClauseRow(
            clause=c.clause,
            title=c.title,
            body=c.body,
            indicator=c.indicator,
            weeks=[c.measure(data, week) for week in week_list],
            threshold=float(thresholds[c.clause]),
            url=_url_for(user, c.url_name),
            note=c.note,
        )
        for c in clauses()
    ]
    return Scorecard(week_ending, week_list, Province.home(), rows, now)
