"""Reads for the report pages, the grid, the home sections and the dashboard. Scope comes from
``rollout.scoping``; nothing here filters districts by hand.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

from django.db.models import Min, QuerySet
from django.urls import reverse
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from reports import fields, weeks
from reports.figures import SystemFigures
from reports.models import ReportState, Rollup, Timeliness, WeeklyReport, report_state
from reports.scoping import report_districts_for, rollups_for, weekly_reports_for
from rollout.models import District, User
from rollout.timeutils import local_now

# CSS class per state (static/css/app.css .state-*).
STATE_CLASS = {
    ReportState.NOT_STARTED: "none",
    ReportState.DRAFT: "draft",
    ReportState.ON_TIME: "ontime",
    ReportState.LATE: "late",
    ReportState.RETURNED: "returned",
    ReportState.APPROVED: "approved",
}


@dataclass
class DistrictWeek:
    district: District
    week_ending: date
    report: WeeklyReport | None
    # Before reporting began in the user's scope: shown blank and left out of the rates.
    before_start: bool = False

    @property
    def state(self) -> str:
        return report_state(self.report)

    @property
    def state_label(self) -> str:
        return str(ReportState(self.state).label)

    @property
    def is_due(self) -> bool:
        return not self.before_start and local_now() > weeks.due_at(self.week_ending)

    @property
    def is_missing(self) -> bool:
        """Past the deadline and never sent."""
        return self.is_due and self.state in (ReportState.NOT_STARTED, ReportState.DRAFT)

    @property
    def css(self) -> str:
        if self.before_start:
            return "before"
        css = "missing" if self.is_missing else STATE_CLASS[self.state]
        if self.sent and not self.on_time and self.state in (ReportState.APPROVED, ReportState.RETURNED):
            css += " was-late"  # the review state hides the timeliness: keep a mark of it
        return css

    @property
    def sent(self) -> bool:
        return self.report is not None and self.report.first_submitted_at is not None

    @property
    def on_time(self) -> bool:
        return self.sent and bool(self.report.on_time)

    @property
    def timeliness_label(self) -> str:
        if not self.sent:
            return str(Timeliness.MISSING.label) if self.is_due else ""
        return str(Timeliness(self.report.timeliness).label)


def _reports(user: User, districts, week_endings: list[date]) -> dict[tuple[int, date], WeeklyReport]:
    rows = weekly_reports_for(user).filter(district__in=districts, week_ending__in=week_endings)
    return {(r.district_id, r.week_ending): r for r in rows.select_related("current_version")}


def week_overview(user: User, week_ending: date) -> list[DistrictWeek]:
    """Every district the user may see, with its report for the week (or none)."""
    districts = list(report_districts_for(user).order_by("code"))
    reports = _reports(user, districts, [week_ending])
    return [DistrictWeek(d, week_ending, reports.get((d.pk, week_ending))) for d in districts]


def district_history(user: User, district: District, week_endings: list[date]) -> list[DistrictWeek]:
    reports = _reports(user, [district], week_endings)
    return [DistrictWeek(district, w, reports.get((district.pk, w))) for w in reversed(week_endings)]


@dataclass
class GridRow:
    district: District
    cells: list[DistrictWeek]

    @property
    def due(self) -> list[DistrictWeek]:
        return [c for c in self.cells if c.is_due]

    @property
    def sent_rate(self) -> float | None:
        due = self.due
        return sum(c.sent for c in due) / len(due) if due else None

    @property
    def on_time_rate(self) -> float | None:
        due = self.due
        return sum(c.on_time for c in due) / len(due) if due else None


@dataclass
class Grid:
    weeks: list[date]
    rows: list[GridRow] = field(default_factory=list)

    def _column(self, i: int) -> list[DistrictWeek]:
        return [row.cells[i] for row in self.rows]

    @property
    def columns(self) -> list[dict]:
        result = []
        for i, week in enumerate(self.weeks):
            cells = self._column(i)
            due = any(c.is_due for c in cells)
            result.append(
                {
                    "week": week,
                    "due": due,
                    "started": any(not c.before_start for c in cells),
                    "sent": sum(c.sent for c in cells),
                    "on_time": sum(c.on_time for c in cells),
                    "total": len(cells),
                    "sent_rate": sum(c.sent for c in cells) / len(cells) if cells and due else None,
                }
            )
        return result

    def _all_due(self) -> list[DistrictWeek]:
        return [c for row in self.rows for c in row.due]

    @property
    def sent_rate(self) -> float | None:
        due = self._all_due()
        return sum(c.sent for c in due) / len(due) if due else None

    @property
    def on_time_rate(self) -> float | None:
        due = self._all_due()
        return sum(c.on_time for c in due) / len(due) if due else None


def completeness_grid(user: User, *, count: int = 12, last: date | None = None) -> Grid:
    """Districts × the last ``count`` weeks; rates count only weeks whose deadline has passed."""
    week_list = weeks.recent_weeks(count, last=last)
    districts = list(report_districts_for(user).order_by("code"))
    reports = _reports(user, districts, week_list)
    # Weeks before the first report anyone in the user's scope sent predate the reporting itself.
    start = weekly_reports_for(user).exclude(first_submitted_at=None).aggregate(w=Min("week_ending"))["w"]
    grid = Grid(weeks=week_list)
    for d in districts:
        cells = [
            DistrictWeek(
                d, w, reports.get((d.pk, w)), before_start=start is not None and w < start and (d.pk, w) not in reports
            )
            for w in week_list
        ]
        grid.rows.append(GridRow(d, cells))
    return grid


def week_completeness(user: User, week_ending: date | None = None) -> dict:
    """This week's completeness in the user's scope, for home pages and the dashboard."""
    week = week_ending or weeks.current_week()
    rows = week_overview(user, week)
    return {
        "week": week,
        "due_at": weeks.due_at(week),
        "total": len(rows),
        "sent": sum(r.sent for r in rows),
        "on_time": sum(r.on_time for r in rows),
        "waiting": sum(r.state in (ReportState.ON_TIME, ReportState.LATE) for r in rows),
        "returned": sum(r.state == ReportState.RETURNED for r in rows),
        "approved": sum(r.state == ReportState.APPROVED for r in rows),
    }


def visible_values(user: User, report: WeeklyReport | None, *, writable: set[int] | None = None) -> dict | None:
    """What the user sees of a report: the district its working copy, everyone else what was sent.

    ``writable``: the ids of ``report_districts_for(user, for_change=True)``, when already known.
    """
    if report is None:
        return None
    if writable is None:
        writable = set(report_districts_for(user, for_change=True).values_list("pk", flat=True))
    if report.district_id in writable:
        return report.values()
    return report.current_version.values() if report.current_version else None


@dataclass
class FigureLine:
    key: str
    label: str
    help: str
    reported: int | None
    system: int | None
    difference: int | None
    highlight: bool
    mode: str = fields.SAME


def figure_lines(values: dict | None, system: SystemFigures) -> list[FigureLine]:
    """The district's figures beside the system's, with differences worth a look highlighted."""
    values = values or {}
    lines = []
    for figure in fields.NUMBERS:
        reported = values.get(figure.key)
        known = getattr(system, figure.system) if figure.system else None
        diff, highlight = fields.difference(figure, reported, known)
        lines.append(
            FigureLine(
                figure.key, str(figure.label), str(figure.help), reported, known, diff, highlight, figure.compare
            )
        )
    return lines


# Figures the system knows that have no box of their own on the report: shown beside it as context.
CONTEXT_FIGURES = ("venues_active", "checkins", "arrivals", "inspections", "adoption_agencies", "staff_headcount")


def context_figures(system: SystemFigures) -> list[tuple[str, int]]:
    from reports.figures import LABELS

    return [(str(LABELS[name]), getattr(system, name)) for name in CONTEXT_FIGURES]


def rollup_weeks_for(user: User, count: int = 12) -> list[tuple[date, list[Rollup]]]:
    """Recent weeks with every roll-up revision (newest first) the user may download."""
    rollups: QuerySet[Rollup] = rollups_for(user).filter(week_ending__gte=weeks.recent_weeks(count)[0])
    by_week: dict[date, list[Rollup]] = {}
    for rollup in rollups.order_by("-week_ending", "-revision"):
        by_week.setdefault(rollup.week_ending, []).append(rollup)
    return [(w, by_week.get(w, [])) for w in reversed(weeks.recent_weeks(count))]


# --- Overview cards and chart (plugged into dashboard.selectors) -----------------------


def _weeks_in_scope(user: User, scope, week_endings: list[date]) -> dict[date, list[DistrictWeek]]:
    """The districts of the overview's scope with their reports for the weeks; the card and the chart
    of one page share what was read (memo on the scope)."""
    from dashboard.selectors import CHART_DAYS

    memo = scope.memo.setdefault(__name__, {"weeks": {}})
    if "districts" not in memo:
        memo["districts"] = [d for d in report_districts_for(user).order_by("code") if d.pk in scope.district_ids]
    districts, known = memo["districts"], memo["weeks"]
    missing = [w for w in week_endings if w not in known]
    if missing:
        # With the weeks asked for, those of the longest chart span before them: one query serves both.
        missing = sorted(set(missing) | set(weeks.recent_weeks(max(CHART_DAYS) // 7 + 1, last=max(missing))))
        reports = _reports(user, districts, missing)
        known.update({w: [DistrictWeek(d, w, reports.get((d.pk, w))) for d in districts] for w in missing})
    return {w: known[w] for w in week_endings}


def report_completeness_kpi(user: User, scope, today: date):
    """Overview card: this week's district reports sent so far, against last week at the same moment."""
    from rollout.charts import Kpi, percent

    week = weeks.week_ending_for(today)
    last = week - timedelta(days=7)
    rows = _weeks_in_scope(user, scope, [week, last])
    if not rows[week]:
        return None  # roles without weekly reports (health officers) get no card
    sent = sum(r.sent for r in rows[week])
    a_week_ago = local_now() - timedelta(days=7)
    sent_then = sum(r.sent and r.report.first_submitted_at <= a_week_ago for r in rows[last])
    return Kpi(
        "reports_sent",
        _("This week's district reports sent") if len(rows[week]) > 1 else _("This week's report sent"),
        sent,
        total=len(rows[week]),
        previous=percent(sent_then, len(rows[last])),
        detail=_("%(n)s on time; due %(due)s")
        % {"n": sum(r.on_time for r in rows[week]), "due": date_format(weeks.due_at(week), "SHORT_DATETIME_FORMAT")},
        url=reverse("reports:completeness-grid"),
    )


def report_timeliness_chart(user: User, scope, today: date, span: int):
    """Overview chart: per reporting week in the span, the share of districts that sent their report
    and that sent it on time (weeks whose deadline has passed)."""
    from rollout.charts import Chart, percent

    endings = weeks.recent_weeks(max(1, span // 7), last=weeks.last_due_week())
    by_week = _weeks_in_scope(user, scope, endings)
    if not any(by_week.values()):
        return None
    return Chart(
        "reports",
        _("Weekly reports: sent and on time (%)"),
        [date_format(w, "d/m") for w in endings],
        [
            {"label": _("Sent"), "data": [percent(sum(r.sent for r in by_week[w]), len(by_week[w])) for w in endings]},
            {
                "label": _("On time"),
                "data": [percent(sum(r.on_time for r in by_week[w]), len(by_week[w])) for w in endings],
            },
        ],
        kind="bar",
        percent=True,
    )
