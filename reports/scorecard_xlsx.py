"""The directive scorecard as a sheet: alone (for the People's Committee's weekly meeting, with the
signatures) and in the Friday roll-up. One layout, written through ``rollout.workbooks``; it prints on one
landscape A4 page (``print_setup``).
"""

from __future__ import annotations

from django.utils import formats
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Alignment, PatternFill
from openpyxl.worksheet.worksheet import Worksheet

from reports.scorecard import Scorecard, Status
from rollout.text import without_unit_title
from rollout.workbooks import (
    HEADER_FILL,
    HEADER_FONT,
    ITALIC,
    TITLE_FONT,
    WRAP,
    font,
    print_setup,
    put,
    set_widths,
    signer_block,
)

STATUS_FILLS = {
    Status.ON_TRACK: PatternFill("solid", fgColor="E6F4EA"),
    Status.LAGGING: PatternFill("solid", fgColor="FDECEA"),
    Status.NO_DATA: PatternFill("solid", fgColor="EEF1F4"),
}
CENTRE = Alignment(horizontal="center", vertical="top", wrap_text=True)
HEADER_ROW = 5


def _percent(value: float | None):
    """A share as Excel's percentage (0.785 shows as 78,5%); nothing to count leaves the cell blank."""
    return None if value is None else value / 100


def scorecard_sheet(ws: Worksheet, card: Scorecard, *, signatures: bool = True) -> None:
    """Write the scorecard into ``ws`` (an empty, normal sheet); ``signatures``: the signer block under it
    (its own workbook goes up to the People's Committee; the roll-up signs on its summary)."""
    counts = card.counts()
    put(ws, 1, 1, _("Directive scorecard: the COVID-19 technology platforms"), font=TITLE_FONT)
    put(
        ws,
        2,
        1,
        _("%(province)s · week %(week)s · built %(at)s")
        % {
            "province": card.province.name,
            "week": card.week_label,
            "at": formats.date_format(card.built_at, "d/m/Y H:i"),
        },
        font=ITALIC,
    )
    put(
        ws,
        3,
        1,
        _("On track: %(on)s · Lagging: %(lag)s · No data: %(none)s")
        % {"on": counts[Status.ON_TRACK], "lag": counts[Status.LAGGING], "none": counts[Status.NO_DATA]},
    )
    headers = [
        _("Clause"),
        _("What the directive asks"),
        _("Responsible"),
        _("Indicator"),
        *[_("Week to %(day)s") % {"day": f"{w:%d/%m}"} for w in card.weeks],
        _("Of"),
        _("Target"),
        _("Status"),
    ]
    for column, text in enumerate(headers, start=1):
        put(ws, HEADER_ROW, column, text, font=HEADER_FONT, fill=HEADER_FILL, alignment=WRAP)
    for i, row in enumerate(card.rows, start=HEADER_ROW + 1):
        put(ws, i, 1, row.clause, alignment=CENTRE)
        put(ws, i, 2, row.title, alignment=WRAP)
        put(ws, i, 3, row.body, alignment=WRAP)
        put(ws, i, 4, row.indicator + (f"\n{row.note}" if row.note else ""), alignment=WRAP)
        for j, value in enumerate(row.weeks, start=5):
            put(ws, i, j, _percent(value.percent), number_format="0.0%", alignment=CENTRE)
        current = row.current
        of = (
            _("%(part)s of %(whole)s") % {"part": current.part, "whole": current.whole}
            if current.percent is not None
            else ""
        )
        last = 5 + len(row.weeks)
        put(ws, i, last, of, alignment=CENTRE)
        put(ws, i, last + 1, row.threshold / 100, number_format="0%", alignment=CENTRE)
        put(ws, i, last + 2, row.status_label, fill=STATUS_FILLS[row.status], alignment=CENTRE)
    note_row = HEADER_ROW + len(card.rows) + 2
    put(
        ws,
        note_row,
        1,
        _(
            "Each week runs from Saturday to Friday. A blank week had nothing to count (not due yet, or not "
            "measured). Status: the last week against the target set for the clause."
        ),
        font=font(italic=True, size=9),
        alignment=WRAP,
    )
    ws.merge_cells(start_row=note_row, start_column=1, end_row=note_row, end_column=len(headers))
    set_widths(ws, [7, 34, 24, 36, *[11] * len(card.weeks), 11, 8, 13])
    ws.row_dimensions[HEADER_ROW].height = 32
    ws.freeze_panes = ws.cell(row=HEADER_ROW + 1, column=3)
    if signatures:
        signer_block(ws, place=without_unit_title(card.province.name))
    # One landscape A4 page for the meeting; rows grow to their wrapped texts.
    print_setup(
        ws,
        title=_("Directive scorecard, week %(week)s") % {"week": card.week_label},
        header_rows=HEADER_ROW,
        landscape=True,
        one_page=True,
    )


def scorecard_workbook(card: Scorecard) -> Workbook:
    wb = Workbook()
    ws = wb.active
    ws.title = _("Directive scorecard")[:31]
    scorecard_sheet(ws, card)
    return wb
