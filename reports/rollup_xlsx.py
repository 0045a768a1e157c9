"""The roll-up workbook: summary, the directive scorecard, details, system figures, week-over-week
changes and a chart.

Totals are written as values (not formulas), so any reader, including one that does not compute
formulas, sees the same numbers as Excel. Text the districts typed goes through ``rollout.workbooks.cell``
and is never turned into a formula.
"""

from __future__ import annotations

from dataclasses import fields as dataclass_fields

from django.conf import settings
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.chart import BarChart, Reference
from openpyxl.styles import PatternFill

from reports import fields, weeks
from reports.figures import LABELS, SystemFigures
from reports.models import ReportStatus, Rollup, Timeliness
from reports.scorecard import scorecard_build
from reports.scorecard_xlsx import scorecard_sheet
from reports.services.rollups import RollupData
from rollout.models import Province
from rollout.workbooks import (
    BOLD,
    HEADER_FILL,
    HEADER_FONT,
    ITALIC,
    TITLE_FONT,
    WRAP,
    cell,
    print_setup,
    set_widths,
    signer_block,
)

SUMMARY_HEADER_ROW = 6  # the rows below it: one per district, then the province total
TOTAL_FONT = BOLD
TOTAL_FILL = PatternFill("solid", fgColor="E8F1F8")
STATUS_FILLS = {
    Timeliness.ON_TIME: PatternFill("solid", fgColor="E6F4EA"),
    Timeliness.LATE: PatternFill("solid", fgColor="FFF4E0"),
    Timeliness.MISSING: PatternFill("solid", fgColor="FDECEA"),
}


def _sheet_title(text: str) -> str:
    return text[:31]


def review_label(row) -> str:
    if row.report is None or row.version is None:
        return ""
    return {
        ReportStatus.SUBMITTED: _("Waiting for review"),
        ReportStatus.APPROVED: _("Approved"),
        ReportStatus.RETURNED: _("Returned"),
    }.get(row.report.status, "")


def rollup_workbook(data: RollupData, rollup: Rollup) -> Workbook:
    wb = Workbook()
    summary = wb.active
    summary.title = _sheet_title(_("Summary"))
    _summary(summary, data, rollup)
    # The directive scorecard sets up its own print (one landscape page), as in its own workbook.
    _scorecard(wb.create_sheet(_sheet_title(_("Directive scorecard"))), data)
    details = wb.create_sheet(_sheet_title(_("Details")))
    _details(details, data)
    system = wb.create_sheet(_sheet_title(_("System figures")))
    _system(system, data)
    changes = wb.create_sheet(_sheet_title(_("Week over week")))
    _changes(changes, data)
    chart = wb.create_sheet(_sheet_title(_("Chart")))
    _chart(chart, summary, data)
    name = _("Province roll-up, week %(week)s") % {"week": weeks.week_label(data.week_ending)}
    sheets = [summary, details, system, changes, chart]
    for ws, header_rows in zip(sheets, [SUMMARY_HEADER_ROW, 4, 4, (4, 5), None], strict=True):
        print_setup(
            ws,
            title=f"{name} — {ws.title}",
            header_rows=header_rows,
            # The summary (with its signatures) and the chart are each one page.
            one_page=ws is summary or header_rows is None,
            landscape=True if header_rows is None else None,
        )
    return wb


def _place() -> str:
    """The place in the signatures' date line: the home province's name without "Tỉnh"/"Thành phố"."""
    name = Province.objects.filter(pk=settings.HOME_PROVINCE_CODE).values_list("name", flat=True).first() or ""
    for prefix in ("Tỉnh ", "Thành phố "):
        if name.startswith(prefix):
            return name[len(prefix) :]
    return name


def _title(ws, lines: list[str]) -> None:
    for i, line in enumerate(lines):
        ws.append([cell(ws, line, font=TITLE_FONT if i == 0 else ITALIC)])


def _week_line(data: RollupData) -> str:
    return _("Week %(label)s (Saturday to Friday); reports due %(due)s") % {
        "label": weeks.week_label(data.week_ending),
        "due": formats.date_format(timezone.localtime(weeks.due_at(data.week_ending)), "d/m/Y H:i"),
    }


def _headers(ws, headers: list[str]) -> None:
    ws.append([cell(ws, h, font=HEADER_FONT, fill=HEADER_FILL, alignment=WRAP) for h in headers])


def _total_row(ws, values: list) -> None:
    ws.append([cell(ws, v, font=TOTAL_FONT, fill=TOTAL_FILL) for v in values])


def _summary(ws, data: RollupData, rollup: Rollup) -> None:
    counts = data.counts()
    _title(
        ws,
        [
            _("Weekly reports of the districts on the COVID-19 technology platforms — province roll-up"),
            _week_line(data),
            _("Revision %(n)s (%(reason)s), built %(at)s")
            % {
                "n": rollup.revision,
                "reason": rollup.get_reason_display(),
                "at": formats.date_format(timezone.localtime(), "d/m/Y H:i"),
            },
            _("On time: %(on_time)s · Late: %(late)s · Missing: %(missing)s · Approved: %(approved)s") % counts,
            weeks.timeliness_rule_text(),
        ],
    )
    _headers(
        ws,
        [
            _("No."),
            _("District"),
            _("Code"),
            _("Status"),
            _("Review"),
            _("First submitted at"),
            _("Last submitted at"),
            _("Version"),
            *[str(f.label) for f in fields.NUMBERS],
        ],
    )
    labels = dict(Timeliness.choices)
    for i, row in enumerate(data.rows, start=1):
        values = row.values or {}
        status = row.timeliness
        ws.append(
            [
                cell(ws, i),
                cell(ws, row.district.name),
                cell(ws, f"{row.district.pk:03d}"),
                cell(ws, str(labels[status]), fill=STATUS_FILLS[status]),
                cell(ws, review_label(row)),
                cell(ws, row.report.first_submitted_at if row.version else None),
                cell(ws, row.report.submitted_at if row.version else None),
                cell(ws, row.version.number if row.version else None),
                *[cell(ws, values.get(key)) for key in fields.NUMBER_KEYS],
            ]
        )
    totals = data.totals()
    submitted = counts["districts"] - counts["missing"]
    _total_row(
        ws,
        [
            "",
            _("Province total"),
            "",
            _("%(n)s of %(total)s sent") % {"n": submitted, "total": counts["districts"]},
            "",
            "",
            "",
            "",
            *[totals[key] for key in fields.NUMBER_KEYS],
        ],
    )
    set_widths(ws, [6, 26, 7, 16, 16, 17, 17, 9, *[16] * len(fields.NUMBERS)])
    ws.row_dimensions[SUMMARY_HEADER_ROW].height = 60
    ws.freeze_panes = ws.cell(row=SUMMARY_HEADER_ROW + 1, column=3)
    signer_block(ws, place=_place())


def _scorecard(ws, data: RollupData) -> None:
    scorecard_sheet(ws, scorecard_build(data.week_ending, building_rollup=True), signatures=False)


def _details(ws, data: RollupData) -> None:
    _title(ws, [_("What the districts wrote"), _week_line(data)])
    ws.append([])
    _headers(
        ws,
        [
            _("District"),
            _("Status"),
            str(fields.by_key("difficulties").label),
            str(fields.by_key("proposals").label),
            _("Focal officer"),
            _("Focal officer confirmed"),
        ],
    )
    labels = dict(Timeliness.choices)
    for row in data.rows:
        v = row.version
        officer = ""
        if v:
            officer = " — ".join(filter(None, [v.focal_officer_name, v.focal_officer_phone, v.focal_officer_email]))
        ws.append(
            [
                cell(ws, row.district.name),
                cell(ws, str(labels[row.timeliness])),
                cell(ws, v.difficulties if v else "", alignment=WRAP),
                cell(ws, v.proposals if v else "", alignment=WRAP),
                cell(ws, officer, alignment=WRAP),
                cell(ws, (_("Yes") if v.focal_officer_confirmed else _("No")) if v else ""),
            ]
        )
    set_widths(ws, [26, 16, 60, 60, 36, 14])


def _system(ws, data: RollupData) -> None:
    names = [f.name for f in dataclass_fields(SystemFigures)]
    _title(
        ws,
        [
            _("What the system recorded"),
            _week_line(data),
            _(
                "Venues and agencies as registered at the end of the week; activity during the week; adoption "
                "from each agency's latest update (agency staff only)."
            ),
        ],
    )
    _headers(ws, [_("District"), *[str(LABELS[n]) for n in names]])
    for row in data.rows:
        figures = row.system.as_dict()
        ws.append([cell(ws, row.district.name), *[cell(ws, figures[n]) for n in names]])
    total = data.system_total().as_dict()
    _total_row(ws, [_("Province total"), *[total[n] for n in names]])
    set_widths(ws, [26, *[14] * len(names)])


def _changes(ws, data: RollupData) -> None:
    _title(ws, [_("Change from the previous week"), _week_line(data)])
    ws.append([])
    top = [cell(ws, "", font=HEADER_FONT, fill=HEADER_FILL)]
    sub = [cell(ws, _("District"), font=HEADER_FONT, fill=HEADER_FILL)]
    for figure in fields.NUMBERS:
        top += [cell(ws, str(figure.label), font=HEADER_FONT, fill=HEADER_FILL, alignment=WRAP)]
        top += [cell(ws, "", fill=HEADER_FILL), cell(ws, "", fill=HEADER_FILL)]
        sub += [
            cell(ws, h, font=HEADER_FONT, fill=HEADER_FILL) for h in (_("This week"), _("Previous week"), _("Change"))
        ]
    ws.append(top)
    ws.append(sub)
    header_row = ws.max_row - 1
    for i in range(len(fields.NUMBERS)):
        first = 2 + 3 * i
        ws.merge_cells(start_row=header_row, start_column=first, end_row=header_row, end_column=first + 2)
    for row in data.rows:
        now, before = row.values or {}, row.previous or {}
        line = [cell(ws, row.district.name)]
        for key in fields.NUMBER_KEYS:
            a, b = now.get(key), before.get(key)
            line += [cell(ws, a), cell(ws, b), cell(ws, a - b if a is not None and b is not None else None)]
        ws.append(line)
    this_week, last_week = data.totals(), data.totals("previous")
    total = [_("Province total")]
    for key in fields.NUMBER_KEYS:
        total += [this_week[key], last_week[key], this_week[key] - last_week[key]]
    _total_row(ws, total)
    ws.row_dimensions[header_row].height = 45
    set_widths(ws, [26, *[11] * (3 * len(fields.NUMBERS))])
    ws.freeze_panes = ws.cell(row=header_row + 2, column=2)


def _chart(ws, summary, data: RollupData) -> None:
    _title(ws, [_("App installs reported by each district"), _week_line(data)])
    chart = BarChart()
    chart.type = "col"
    chart.grouping = "clustered"
    chart.title = _("PC-Covid, Electronic Health Book and VNEID installs by district")
    chart.y_axis.title = _("Installs (total to date)")
    chart.x_axis.title = _("District")
    first, last = SUMMARY_HEADER_ROW + 1, SUMMARY_HEADER_ROW + len(data.rows)
    for key in fields.INSTALLS:
        column = 9 + fields.NUMBER_KEYS.index(key)
        values = Reference(summary, min_col=column, min_row=SUMMARY_HEADER_ROW, max_row=last)
        chart.add_data(values, titles_from_data=True)
    chart.set_categories(Reference(summary, min_col=2, min_row=first, max_row=last))
    chart.height, chart.width = 11, 26
    ws.add_chart(chart, "A4")
