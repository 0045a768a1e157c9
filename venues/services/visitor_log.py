"""The visitor log as an XLSX workbook (agency admins, district officers, health officers)."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from datetime import date

from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Alignment

from rollout.workbooks import TITLE_FONT, cell, header_cells, label_width, print_setup, set_widths, workbook_bytes
from venues.models import CheckIn

HEADER_ROW = 7  # rows 1-5 title block, 6 empty, 7 headers
LEFT = Alignment(horizontal="left")


def _yes(value: bool) -> str:
    return _("Yes") if value else ""


def visitor_log_rows(checkins: Iterable[CheckIn]) -> Iterator[list]:
    """One row per check-in, oldest first as people read a log (the caller orders the queryset)."""
    for c in checkins:
        yield [
            c.checked_in_at,
            c.checked_out_at,
            c.effective_checkout,
            c.venue.name,
            c.full_name,
            c.phone,
            c.id_number,
            _yes(c.has_fever),
            _yes(c.has_cough),
            _yes(c.has_breathing_difficulty),
            _yes(c.had_contact),
            _yes(c.flagged),
            c.get_method_display(),
        ]


def visitor_log_workbook(
    checkins: Iterable[CheckIn], *, scope_label: str, first: date, last: date
) -> tuple[bytes, int]:
    """(XLSX bytes, row count). Streamed with openpyxl's write-only mode; cells formula-safe."""
    wb = Workbook(write_only=True)
    ws = wb.create_sheet(_("Visitor log")[:31])
    headers = [
        _("Checked in"),
        _("Checked out"),
        _("Left (by the stay rule)"),
        _("Venue"),
        _("Full name"),
        _("Phone"),
        _("ID card number"),
        _("Fever"),
        _("Cough"),
        _("Shortness of breath"),
        _("Contact with a case"),
        _("Flagged"),
        _("How"),
    ]
    # The title block's labels sit in the first column: wide enough that none is cut by its value.
    set_widths(
        ws, [label_width([_("From"), _("Generated at")], minimum=17), 17, 17, 34, 26, 14, 15, 8, 8, 10, 10, 10, 32]
    )
    ws.freeze_panes = f"A{HEADER_ROW + 1}"
    log = _("Visitor log")
    period = f"{first:%d/%m/%Y}" if first == last else f"{first:%d/%m/%Y}–{last:%d/%m/%Y}"
    title = f"{log} — {scope_label}, {period}"
    print_setup(ws, title=title, header_rows=HEADER_ROW)
    ws.append([cell(ws, _("Visitor log"), font=TITLE_FONT)])
    ws.append([cell(ws, scope_label)])
    # Dates beside their labels, not pushed to the far side of wide columns.
    ws.append([cell(ws, _("From")), cell(ws, first, alignment=LEFT), cell(ws, _("to")), cell(ws, last, alignment=LEFT)])
    ws.append([cell(ws, _("Generated at")), cell(ws, timezone.now(), alignment=LEFT)])
    ws.append([cell(ws, _("Contains personal data: keep it safe and delete it when no longer needed."))])
    ws.append([])
    ws.append(header_cells(ws, headers, row=HEADER_ROW))
    count = 0
    for row in visitor_log_rows(checkins):
        ws.append([cell(ws, v) for v in row])
        count += 1
    if count == 0:
        ws.append([cell(ws, _("No check-ins in this period."))])
    return workbook_bytes(wb), count
