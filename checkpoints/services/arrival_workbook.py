"""The arrivals workbook (a district's daily list, a checkpoint's export), streamed to XLSX.

Rows come from a server-side cursor (``.iterator(chunk_size=…)`` over ``values_list``) and go
straight into an openpyxl write-only workbook, so memory stays flat however long the list is. The
row count in the title block comes from the same query (a window count), so it always matches the
rows below it. Cells go through ``rollout.workbooks`` (text never a formula, no control characters).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date, datetime
from itertools import chain
from pathlib import Path
from typing import IO, Any

from django.conf import settings
from django.db import connections
from django.db.models import Count, QuerySet, Window
from django.utils import timezone, translation
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from openpyxl import Workbook
from openpyxl.styles import Alignment

from checkpoints.models import Arrival, TestKind, TestResult, Vehicle
from checkpoints.units import unit_index
from rollout.models import Checkpoint
from rollout.timeutils import local_tz
from rollout.workbooks import (
    BOLD,
    ITALIC,
    TITLE_FONT,
    cell,
    fast_text,
    font,
    header_cells,
    label_width,
    print_setup,
    set_widths,
)

logger = logging.getLogger(__name__)

CHUNK_SIZE = 2000
WARNING_FONT = font(bold=True, color="B42318")
LEFT = Alignment(horizontal="left")

# What each row reads from the database (ids for units: names come from the in-memory index).
ROW_FIELDS = (
    "arrived_at", "full_name", "birth_year", "id_number", "phone",
    "origin_province_id", "origin_district_id", "origin_commune_id",
    "destination_district_id", "destination_commune_id", "destination_address",
    "checkpoint_id", "vehicle", "plate", "vaccine_doses",
    "test_at_checkpoint", "test_at_checkpoint_result", "temperature", "symptoms", "notes",
)  # fmt: skip


@dataclass(frozen=True)
class ListColumn:
    key: str
    header: str
    width: int


COLUMNS = [
    ListColumn("n", gettext_lazy("No."), 6),
    ListColumn("arrived_at", gettext_lazy("Arrived at"), 17),
    ListColumn("full_name", gettext_lazy("Full name"), 26),
    ListColumn("birth_year", gettext_lazy("Year of birth"), 9),
    ListColumn("id_number", gettext_lazy("ID number"), 15),
    ListColumn("phone", gettext_lazy("Phone"), 13),
    ListColumn("origin_province", gettext_lazy("From province"), 18),
    ListColumn("origin_district", gettext_lazy("From district"), 18),
    ListColumn("origin_commune", gettext_lazy("From commune"), 18),
    ListColumn("destination_district", gettext_lazy("Destination district"), 18),
    ListColumn("destination_commune", gettext_lazy("Destination commune"), 20),
    ListColumn("destination_address", gettext_lazy("Address at destination"), 30),
    ListColumn("checkpoint", gettext_lazy("Checkpoint"), 30),
    ListColumn("vehicle", gettext_lazy("Vehicle"), 16),
    ListColumn("plate", gettext_lazy("Number plate"), 12),
    ListColumn("vaccine_doses", gettext_lazy("Vaccine doses"), 9),
    ListColumn("test", gettext_lazy("Test at the checkpoint"), 30),
    ListColumn("temperature", gettext_lazy("Temperature (°C)"), 10),
    ListColumn("symptoms", gettext_lazy("Symptoms"), 20),
    ListColumn("notes", gettext_lazy("Notes"), 30),
]
# A district's list leaves out its own name; a checkpoint's list leaves out the checkpoint.
DISTRICT_LIST = [c for c in COLUMNS if c.key != "destination_district"]
CHECKPOINT_LIST = [c for c in COLUMNS if c.key != "checkpoint"]


# --- Writing ----------------------------------------------------------------------------------


def _row_maker(ws, columns: list[ListColumn]) -> Callable[[int, tuple], list[Any]]:
    """A function turning one database row into worksheet values; lookups prepared once."""
    units = unit_index()
    provinces, districts, communes = units.province_name, units.district_name, units.commune_name
    checkpoints = dict(Checkpoint.objects.values_list("pk", "name"))
    vehicles = {k: str(v) for k, v in Vehicle.choices if k}
    # "Rapid antigen: Negative" for every (test, result), computed once.
    tested = {(t, r): f"{label}: {result}" for t, label in TestKind.choices for r, result in TestResult.choices if r}
    tested |= {(t, ""): str(label) for t, label in TestKind.choices}
    tested = {key: (None if key[0] == TestKind.NONE else value) for key, value in tested.items()}
    with_district = any(c.key == "destination_district" for c in columns)
    with_checkpoint = any(c.key == "checkpoint" for c in columns)
    text = fast_text(ws)

    # One styled date cell, given a new value per row: rows are serialised as they are appended, and
    # openpyxl never reuses a styled cell it was handed, so this saves building a cell per row.
    arrived_cell = cell(ws, timezone.now())
    tz = local_tz()

    def make(n: int, r: tuple) -> list[Any]:
        (arrived, name, born, id_number, phone, o_prov, o_dist, o_comm, d_dist, d_comm, address,
         checkpoint, vehicle, plate, doses, test, result, temperature, symptoms, notes) = r[:20]  # fmt: skip
        # PostgreSQL already sends local wall-clock time (see _stream); the ORM sends aware datetimes.
        arrived_cell.value = arrived if arrived.tzinfo is None else arrived.astimezone(tz).replace(tzinfo=None)
        row = [n, arrived_cell, text(name), born, id_number or None, phone or None,
               provinces.get(o_prov), districts.get(o_dist), communes.get(o_comm)]  # fmt: skip
        if with_district:
            row.append(districts.get(d_dist))
        row += [communes.get(d_comm), text(address)]
        if with_checkpoint:
            row.append(text(checkpoints.get(checkpoint)))
        row += [vehicles.get(vehicle), text(plate), doses, tested.get((test, result)), temperature, text(symptoms),
                text(notes)]  # fmt: skip
        return row

    return make


def _stream(rows: QuerySet) -> Iterator[tuple]:
    """The rows from a server-side cursor, ``CHUNK_SIZE`` at a time.

    On PostgreSQL the values need no conversion, so the cursor is read directly (the ORM's per-row
    machinery costs ~5 % of a list's time); elsewhere the ORM converts them (SQLite returns text dates).
    """
    # The queryset's own database: the replica inside ``reading_from_replica`` (list builds, exports).
    connection = connections[rows.db]
    if connection.vendor != "postgresql":
        yield from rows.iterator(chunk_size=CHUNK_SIZE)
        return
    sql, params = rows.query.sql_with_params()
    # The database also turns the time into local wall-clock time and the temperature into a float:
    # cheaper there than per row in Python. Columns keep ROW_FIELDS' order (attname == column here); the
    # id is only needed to keep the order stable.
    columns = [
        "q.arrived_at AT TIME ZONE %s" if name == "arrived_at" else "q.temperature::float8" if name == "temperature"
        else f"q.{connection.ops.quote_name(name)}"
        for name in (*ROW_FIELDS, "total")
    ]  # fmt: skip
    sql = f"SELECT {', '.join(columns)} FROM ({sql}) q ORDER BY q.arrived_at, q.id"  # noqa: S608 (our own names)
    params = (settings.TIME_ZONE, *params)
    with connection.chunked_cursor() as cursor:
        cursor.execute(sql, params)
        while chunk := cursor.fetchmany(CHUNK_SIZE):
            yield from chunk


def write_arrivals_workbook(
    target: Path | IO[bytes],
    arrivals: QuerySet[Arrival],
    *,
    heading: str,
    facts: list[tuple[str, Any]],
    columns: list[ListColumn],
    empty_message: str,
) -> int:
    """Stream ``arrivals`` into a workbook at ``target``; returns the number of rows written.

    Layout: a title block (heading, facts, row count, personal-data warning), then the header row
    (frozen), then one row per arrival with real Excel dates. Always in Vietnamese.
    """
    with translation.override("vi"):
        wb = Workbook(write_only=True)
        ws = wb.create_sheet(str(_("Arrivals")))
        labels = [str(label) for label, _value in facts] + [str(_("Rows"))]
        widths = [c.width for c in columns]
        # The title block's labels sit in the first column: wide enough that none is cut by its value.
        widths[0] = label_width(labels, minimum=widths[0])
        set_widths(ws, widths)
        header_row = 1 + len(facts) + 1 + 1 + 1 + 1  # title, facts, row count, warning, blank, header
        ws.freeze_panes = f"A{header_row + 1}"
        days = [v for _label, v in facts if isinstance(v, date) and not isinstance(v, datetime)]
        print_setup(ws, title=f"{heading} — {days[0]:%d/%m/%Y}" if days else heading, header_rows=header_row)
        rows = (
            arrivals.annotate(total=Window(Count("pk")))
            .order_by("arrived_at", "pk")
            .values_list(*ROW_FIELDS, "id", "total")
        )
        stream = _stream(rows)
        first = next(stream, None)
        total = first[-1] if first is not None else 0

        ws.append([cell(ws, heading, font=TITLE_FONT)])
        for label, value in [*facts, (_("Rows"), total)]:
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
        ws.append(header_cells(ws, [capfirst(str(c.header)) for c in columns], row=header_row))
        written = 0
        if first is None:
            ws.append([None, cell(ws, empty_message, font=ITALIC)])
        else:
            make = _row_maker(ws, columns)
            delay = settings.DAILY_LISTS_TEST_ROW_DELAY_MS / 1000
            for written, row in enumerate(chain([first], stream), start=1):
                ws.append(make(written, row))
                if delay:
                    time.sleep(delay)
        wb.save(target)
    return written
