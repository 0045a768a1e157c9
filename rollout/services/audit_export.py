"""The audit log as an XLSX workbook (province admins), itself recorded in the audit log."""

from __future__ import annotations

import json

from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl import Workbook

from rollout.dbrouter import reading_from_replica
from rollout.errors import ApplicationError
from rollout.models import User
from rollout.selectors.audit import AuditFilters, audit_events, audit_lines_streamed, object_type_label
from rollout.services.audit import Action, action_label, audit_record
from rollout.workbooks import TITLE_FONT, cell, fast_text, header_cells, print_setup, set_widths, workbook_bytes

# More than this in one workbook is refused with a message: narrow the filters (days, person, action).
MAX_EXPORT_ROWS = 100_000
HEADER_ROW = 5  # title, filters, generated at, empty, headers


def _filters_text(filters: AuditFilters) -> str:
    parts = []
    if filters.person:
        parts.append(_("Person: %(person)s") % {"person": filters.person})
    if filters.action:
        parts.append(_("Action: %(action)s") % {"action": action_label(filters.action)})
    if filters.object_type:
        kind = object_type_label(filters.object_type)
        kind = f"{kind} #{filters.object_id}" if filters.object_id else kind
        parts.append(_("Object: %(object)s") % {"object": kind})
    if filters.first or filters.last:
        first, last = filters.first or filters.last, filters.last or filters.first
        parts.append(_("Days: %(first)s – %(last)s") % {"first": f"{first:%d/%m/%Y}", "last": f"{last:%d/%m/%Y}"})
    return "; ".join(parts) or _("All events")


def audit_log_workbook(filters: AuditFilters) -> tuple[bytes, int]:
    """(XLSX bytes, row count): the events matching ``filters``, newest first, each said in words."""
    events = audit_events(filters)
    if events[: MAX_EXPORT_ROWS + 1].count() > MAX_EXPORT_ROWS:
        raise ApplicationError(
            _("More than %(n)s events match: narrow the filters (fewer days, one person or one action).")
            % {"n": f"{MAX_EXPORT_ROWS:,}".replace(",", ".")}
        )
    wb = Workbook(write_only=True)
    ws = wb.create_sheet(_("Audit log")[:31])
    text = fast_text(ws)
    set_widths(ws, [17, 18, 24, 22, 70, 18, 12, 15, 40])
    ws.freeze_panes = f"A{HEADER_ROW + 1}"
    print_setup(ws, title=_("Audit log"), header_rows=HEADER_ROW)
    ws.append([cell(ws, _("Audit log"), font=TITLE_FONT)])
    ws.append([cell(ws, _filters_text(filters))])
    ws.append([cell(ws, _("Generated at")), cell(ws, timezone.now())])
    ws.append([])
    headers = [_("Time"), _("Username"), _("Name"), _("Action"), _("What happened"), _("Object"),
               _("Object number"), _("IP address"), _("Detail")]  # fmt: skip
    ws.append(header_cells(ws, headers, row=HEADER_ROW))
    rows = 0
    for line in audit_lines_streamed(events):
        event = line.event
        ws.append(
            [
                cell(ws, event.at),
                text(event.actor_username),
                text(line.actor),
                text(line.action),
                text(line.text),
                text(event.object_type),
                text(event.object_id),
                text(event.ip or ""),
                text(json.dumps(event.detail, ensure_ascii=False, sort_keys=True) if event.detail else ""),
            ]
        )
        rows += 1
    if rows == 0:
        ws.append([cell(ws, _("No events match these filters."))])
    return workbook_bytes(wb), rows


def audit_log_export(*, by: User, filters: AuditFilters, request: HttpRequest | None = None) -> tuple[bytes, int]:
    """The workbook, and the export recorded in the log it exports (filters and row count only)."""
    with reading_from_replica():
        content, rows = audit_log_workbook(filters)
    audit_record(
        Action.EXPORT, request=request, actor=by, detail={"export": "audit_log", "rows": rows, **filters.as_detail()}
    )
    return content, rows
