"""A search's F1 candidates as a workbook: the health officer's export and each district's tracing list.

One writer for both, through ``rollout.workbooks`` (text never a formula, no control characters, real
dates in local time). The title block says which search, over which days, why (the kind of reason only:
the free text may name the F0) and when the file was made; it never names the F0. A district needs its
candidates' contact details, not the confirmed case's identity, and a file travels further than the app.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from django.utils import timezone, translation
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from openpyxl import Workbook
from openpyxl.styles import Alignment

from rollout.models import District, User
from rollout.services.audit import Action, audit_record
from rollout.timeutils import local_tz
from rollout.workbooks import (
    BOLD,
    ITALIC,
    TITLE_FONT,
    WRAP,
    cell,
    fit_row_height,
    font,
    header_cells,
    label_width,
    print_setup,
    set_widths,
    workbook_bytes,
)
from tracing.models import Candidate, CandidateStatus, TracingSearch

WARNING_FONT = font(bold=True, color="B42318")
LEFT = Alignment(horizontal="left")

COLUMNS = [
    (gettext_lazy("No."), 6),
    (gettext_lazy("Full name"), 26),
    (gettext_lazy("Phone"), 16),
    (gettext_lazy("ID number"), 15),
    (gettext_lazy("District"), 18),
    (gettext_lazy("First contact"), 17),
    (gettext_lazy("Places"), 32),
    (gettext_lazy("Exposure (minutes)"), 11),
    (gettext_lazy("Same vehicle"), 9),
    (gettext_lazy("Why a candidate"), 60),
    (gettext_lazy("Status"), 18),
    (gettext_lazy("Note"), 30),
]


def _local(moment: str | None) -> datetime | None:
    """An ISO moment kept in a candidate's reasons, as local wall-clock time."""
    if not moment:
        return None
    return datetime.fromisoformat(moment).astimezone(local_tz())


def reasons_in_words(candidate: Candidate) -> str:
    """Each contact on its own line: where, when, for how long, in the active language."""
    lines = []
    for reason in candidate.reasons:
        start, end = _local(reason.get("from")), _local(reason.get("to"))
        if reason.get("kind") == "vehicle":
            lines.append(
                _("Same vehicle at %(place)s, %(at)s")
                % {"place": reason.get("place", ""), "at": f"{start:%H:%M %d/%m/%Y}"}
            )
        else:
            lines.append(
                _("At %(place)s with the case, %(start)s–%(end)s, %(minutes)s minutes together")
                % {
                    "place": reason.get("place", ""),
                    "start": f"{start:%H:%M %d/%m/%Y}",
                    "end": f"{end:%H:%M}" if end else "?",
                    "minutes": reason.get("minutes", 0),
                }
            )
    return "\n".join(lines)


def candidates_workbook(
    search: TracingSearch,
    candidates: Iterable[Candidate],
    *,
    district: District | None = None,
    generated_at: datetime | None = None,
) -> tuple[bytes, int]:
    """The candidates (in the order given) as the bytes of an .xlsx, and how many rows it holds.

    With ``district``, the file is that district's tracing list (its name in the title block); without,
    the whole search's export. Always in Vietnamese, like every file the districts receive.
    """
    candidates = list(candidates)
    generated_at = generated_at or timezone.now()
    statuses = dict(CandidateStatus.choices)
    with translation.override("vi"):
        wb = Workbook(write_only=True)
        ws = wb.create_sheet(str(_("F1 candidates")))
        if district is None:
            heading = _("F1 candidates of tracing search #%(id)s") % {"id": search.pk}
        else:
            heading = _("Tracing list for %(district)s: people who may have been in contact with a case") % {
                "district": district.name
            }
        facts: list[tuple[str, Any]] = [(_("Tracing search"), f"#{search.pk}")]
        if district is not None:
            facts.append((_("District"), district.name))
        facts += [
            (_("From"), search.start),
            (_("To"), search.end),
            (_("Reason"), str(search.get_reason_kind_display())),
            (_("Generated at"), generated_at),
            (_("Rows"), len(candidates)),
        ]
        # The title block's labels sit in the first column: wide enough that none is cut by its value.
        widths = [width for _header, width in COLUMNS]
        widths[0] = label_width([str(label) for label, _value in facts], minimum=widths[0])
        set_widths(ws, widths)
        header_row = 1 + len(facts) + 3  # title, facts, warning, blank, header
        ws.freeze_panes = f"A{header_row + 1}"
        print_setup(ws, title=str(heading), header_rows=header_row)
        ws.append([cell(ws, heading, font=TITLE_FONT)])
        for label, value in facts:
            ws.append([cell(ws, str(label), font=BOLD), cell(ws, value, alignment=LEFT)])
        ws.append(
            [
                cell(
                    ws,
                    _(
                        "Contains personal data: for epidemic prevention only; do not share or publish; "
                        "delete when no longer needed."
                    ),
                    font=WARNING_FONT,
                )
            ]
        )
        ws.append([])
        ws.append(header_cells(ws, [capfirst(str(header)) for header, _width in COLUMNS], row=header_row))
        if not candidates:
            ws.append([None, cell(ws, _("No F1 candidates."), font=ITALIC)])
        yes, no = _("Yes"), _("No")
        for n, c in enumerate(candidates, start=1):
            place, reasons, note = c.place, reasons_in_words(c), c.note or None
            # Tall enough for the wrapped texts: a row's height is not worked out when the file is opened.
            fit_row_height(ws, header_row + n, [None] * 6 + [place, None, None, reasons, None, note])
            ws.append(
                [
                    n,
                    cell(ws, c.full_name),
                    cell(ws, ", ".join(c.phones or ([c.phone] if c.phone else [])) or None),
                    cell(ws, c.id_number or None),
                    cell(ws, c.district.name if c.district_id else None),
                    cell(ws, c.first_contact_at),
                    cell(ws, place, alignment=WRAP),
                    c.exposure_minutes,
                    yes if c.same_vehicle else no,
                    cell(ws, reasons, alignment=WRAP),
                    cell(ws, str(statuses.get(c.status, c.status))),
                    cell(ws, note, alignment=WRAP),
                ]
            )
        content = workbook_bytes(wb)
    return content, len(candidates)


def search_export(search: TracingSearch, *, by: User, request=None) -> bytes:
    """The whole search's candidates for the officer (the caller checked the search is theirs to read);
    audited with ids and counts only."""
    content, rows = candidates_workbook(search, search.candidates.select_related("district").order_by("rank"))
    audit_record(
        Action.EXPORT, request=request, actor=by, obj=search, detail={"list": "tracing_candidates", "rows": rows}
    )
    return content


def export_filename(search: TracingSearch) -> str:
    return f"truy-vet-{search.pk}-ung-vien-f1.xlsx"
