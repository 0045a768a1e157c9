"""Reading tables from uploaded XLSX or CSV files with per-row, per-cell errors.

An importer declares its columns (header, parser, whether required); ``read_table`` matches headers
by name (accent- and case-insensitively, in any order), parses every row and reports each problem
with its cell reference ("C7"). Nothing here writes to the database: importers show the result as
a preview and store rows only when the user confirms.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import IO, Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from rollout.errors import ApplicationError
from rollout.text import fold
from rollout.uploads import check_upload, csv_records
from rollout.workbooks import (
    HEADER_FILL,
    HEADER_FONT,
    WRAP,
    open_uploaded_workbook,
    print_setup,
    put,
    read_sheet_rows,
    unreadable,
)

Parser = Callable[[Any], Any]


@dataclass(frozen=True)
class Column:
    key: str
    header: str
    parse: Parser
    required: bool = True
    width: int = 20
    example: Any = ""
    help: str = ""
    choices: tuple[str, ...] = ()  # offered as an in-cell drop-down in the template
    as_text: bool = False  # the template formats the column as text, so Excel keeps leading zeros


@dataclass
class CellError:
    cell: str
    header: str
    message: str

    def __str__(self) -> str:
        return f"{self.cell} ({self.header}): {self.message}"


@dataclass
class ParsedRow:
    number: int  # row number in the sheet, as the user sees it
    values: dict[str, Any] = field(default_factory=dict)
    errors: list[CellError] = field(default_factory=list)
    raw: tuple[Any, ...] = ()

    @property
    def ok(self) -> bool:
        return not self.errors


@dataclass
class Table:
    rows: list[ParsedRow]
    # Column key -> 0-based position in the sheet, so importers can name cells in cross-column errors.
    positions: dict[str, int] = field(default_factory=dict)

    def cell_ref(self, key: str, row: int) -> str:
        index = self.positions.get(key)
        return f"{get_column_letter(index + 1) if index is not None else '?'}{row}"

    @property
    def valid(self) -> list[ParsedRow]:
        return [r for r in self.rows if r.ok]

    @property
    def invalid(self) -> list[ParsedRow]:
        return [r for r in self.rows if not r.ok]


# --- Parsers: each takes a raw cell value and returns the clean value or raises ValueError -----


def text(max_length: int) -> Parser:
    def parse(value: Any) -> str:
        value = "" if value is None else str(value).strip()
        if len(value) > max_length:
            raise ValueError(_("At most %(n)s characters.") % {"n": max_length})
        return value

    return parse


_GROUPED = re.compile(r"^\d{1,3}([.,\s]\d{3})+$")


def integer(minimum: int = 0, maximum: int = 10**9) -> Parser:
    """Whole numbers; "1.234" and "1 234" are read with Vietnamese thousands separators."""

    def parse(value: Any) -> int | None:
        if value is None or (isinstance(value, str) and value.strip() == ""):
            return None
        if isinstance(value, bool):
            raise ValueError(_("Enter a whole number."))
        if isinstance(value, float) and value.is_integer():
            number = int(value)
        elif isinstance(value, int):
            number = value
        else:
            raw = str(value).strip()
            if _GROUPED.match(raw):
                raw = re.sub(r"[.,\s]", "", raw)
            if not raw.isdigit():
                raise ValueError(_("Enter a whole number."))
            number = int(raw)
        if not minimum <= number <= maximum:
            raise ValueError(_("Must be between %(min)s and %(max)s.") % {"min": minimum, "max": maximum})
        return number

    return parse


def day(value: Any) -> date | None:
    if value is None or str(value).strip() == "":
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    raw = str(value).strip()
    for fmt in ("%d/%m/%Y", "%Y-%m-%d", "%d-%m-%Y"):
        try:
            return datetime.strptime(raw, fmt).date()
        except ValueError:
            continue
    raise ValueError(_("Enter a date as dd/mm/yyyy."))


def from_validator(validator: Callable[[str], str]) -> Parser:
    """Wrap a Django-style validator (``rollout.validators``) as a parser; blank stays blank.

    A number typed into Excel loses its leading zero (0912345678 -> 912345678); when a numeric cell
    fails, it is tried again with the zero put back.
    """

    def parse(value: Any) -> str:
        raw = "" if value is None else str(value).strip()
        if raw == "":
            return ""
        numeric = isinstance(value, (int, float)) and not isinstance(value, bool)
        if isinstance(value, float) and value.is_integer():
            raw = str(int(value))
        try:
            return validator(raw)
        except ValidationError as exc:
            if numeric:
                try:
                    return validator("0" + raw)
                except ValidationError:
                    pass
            raise ValueError(" ".join(exc.messages)) from None

    return parse


def choice(options: dict[str, Any]) -> Parser:
    """Match by label or code, accent- and case-insensitively."""
    folded = {fold(str(k)): v for k, v in options.items()}

    def parse(value: Any) -> Any:
        if value is None or str(value).strip() == "":
            return None
        key = fold(str(value))
        if key not in folded:
            raise ValueError(_("Not one of the allowed values."))
        return folded[key]

    return parse


# --- Reading ----------------------------------------------------------------------------------


def read_table(
    upload: IO[bytes], columns: list[Column], *, max_rows: int, sheet: str | None = None, fast: bool = False
) -> Table:
    """Parse an uploaded XLSX or CSV (UTF-8) whose first row holds the column headers.

    The upload is bounded before it is read (``rollout.uploads.check_upload``): more than ``max_rows``
    rows of data, too many columns or sheets, or too large a file is refused with the limit in words.
    ``fast=True`` reads the sheet with ``rollout.workbooks.read_sheet_rows`` (calamine) instead of openpyxl:
    several times faster on large files (bulk arrival imports), same values for data cells.
    """
    check_upload(upload, rows=max_rows, sheet=sheet)
    upload.seek(0)
    if upload.read(4).startswith(b"PK"):
        upload.seek(0)
        rows = read_sheet_rows(upload, sheet=sheet) if fast else _xlsx_rows(upload, sheet)
    else:
        upload.seek(0)
        rows = _csv_rows(upload)
    return _parse(rows, columns)


def _xlsx_rows(upload: IO[bytes], sheet: str | None) -> Iterator[tuple[Any, ...]]:
    wb = open_uploaded_workbook(upload)
    if sheet is not None and sheet not in wb.sheetnames:
        raise ApplicationError(_("The workbook has no sheet named “%(sheet)s”.") % {"sheet": sheet})
    ws = wb[sheet] if sheet else wb.worksheets[0]
    try:
        # Cells are parsed lazily, so a hostile or broken sheet fails here, not when opening.
        yield from ws.iter_rows(values_only=True)
    except Exception as exc:
        raise unreadable() from exc
    finally:
        wb.close()


def _csv_rows(upload: IO[bytes]) -> Iterator[tuple[Any, ...]]:
    for row in csv_records(upload):
        yield tuple(row)


def _parse(rows: Iterable[tuple[Any, ...]], columns: list[Column]) -> Table:
    iterator = iter(rows)
    try:
        header = next(iterator)
    except StopIteration:
        raise ApplicationError(_("The file is empty.")) from None
    positions = _match_headers(header, columns)
    parsed: list[ParsedRow] = []
    for number, raw in enumerate(iterator, start=2):
        if all(v is None or str(v).strip() == "" for v in raw):
            continue
        row = ParsedRow(number=number, raw=tuple(raw))
        for column in columns:
            index = positions.get(column.key)
            value = raw[index] if index is not None and index < len(raw) else None
            try:
                clean = column.parse(value)
            except ValueError as exc:
                row.errors.append(CellError(_ref(index, number), str(column.header), str(exc)))
                continue
            if column.required and (clean is None or clean == ""):
                row.errors.append(CellError(_ref(index, number), str(column.header), _("This cell is required.")))
                continue
            row.values[column.key] = clean
        parsed.append(row)
    return Table(parsed, positions)


def preview_rows(rows: Iterable[ParsedRow], keys: Iterable[str]) -> list[dict[str, Any]]:
    """Rows as the import page shows them, in JSON (kept in the import job): the row's number, the
    values of ``keys`` (dates as dd/mm/yyyy) and each problem with its cell."""
    keys = list(keys)
    return [
        {
            "number": row.number,
            "values": {key: _shown(row.values.get(key)) for key in keys},
            "errors": [{"cell": e.cell, "header": e.header, "message": e.message} for e in row.errors],
        }
        for row in rows
    ]


def _shown(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.strftime("%d/%m/%Y %H:%M")
    if isinstance(value, date):
        return value.strftime("%d/%m/%Y")
    if value is None or isinstance(value, (str, int, float, bool)):
        return value
    return str(value)


def _ref(index: int | None, number: int) -> str:
    # Built only for a cell with a problem: a 10,000-row file has 190,000 cells.
    return f"{get_column_letter(index + 1) if index is not None else '?'}{number}"


def _match_headers(header: tuple[Any, ...], columns: list[Column]) -> dict[str, int]:
    # The template marks required columns "Họ và tên *"; a header typed without the mark matches too.
    found = {fold(str(h)).rstrip(" *"): i for i, h in enumerate(header) if h is not None and str(h).strip()}
    positions: dict[str, int] = {}
    missing: list[str] = []
    for column in columns:
        index = found.get(fold(str(column.header)))
        if index is None:
            if column.required:
                missing.append(str(column.header))
            continue
        positions[column.key] = index
    if missing:
        raise ApplicationError(
            _("Row 1 is missing the column(s): %(cols)s. Use the template.") % {"cols": ", ".join(missing)}
        )
    return positions


# --- Templates --------------------------------------------------------------------------------


def template_workbook(
    columns: list[Column], *, sheet_title: str, instructions: list[str], lists: dict[str, list[tuple]] | None = None
) -> Workbook:
    """A template: the data sheet (headers, an example row, drop-downs), instructions, and lists."""
    wb = Workbook()
    ws = wb.active
    ws.title = sheet_title
    choice_sheet = None
    for i, column in enumerate(columns, start=1):
        header = f"{column.header} *" if column.required else str(column.header)  # as the instructions say
        put(ws, 1, i, header, font=HEADER_FONT, fill=HEADER_FILL, alignment=WRAP)
        example = put(ws, 2, i, column.example)
        letter = get_column_letter(i)
        ws.column_dimensions[letter].width = column.width
        if column.as_text:
            ws.column_dimensions[letter].number_format = example.number_format = "@"
        if column.choices:
            # Drop-down values live on a hidden sheet: an inline list breaks on labels with commas.
            if choice_sheet is None:
                choice_sheet = wb.create_sheet("_choices")
                choice_sheet.sheet_state = "hidden"
            for r, value in enumerate(column.choices, start=1):
                put(choice_sheet, r, i, str(value))
            source = f"'_choices'!${letter}$1:${letter}${len(column.choices)}"
            dv = DataValidation(type="list", formula1=source, allow_blank=not column.required)
            dv.error = _("Choose a value from the list.")
            ws.add_data_validation(dv)
            dv.add(f"{letter}2:{letter}5000")
    ws.freeze_panes = "A2"
    print_setup(ws, title=sheet_title, header_rows=1)

    info = wb.create_sheet(_("Instructions"))
    info.column_dimensions["A"].width = 110
    if any(column.required for column in columns):
        instructions = [*instructions, _("Columns marked * are required.")]
    for r, line in enumerate(instructions, start=1):
        put(info, r, 1, line, alignment=WRAP)
    r = len(instructions) + 2
    for column in columns:
        label = f"{column.header}{' *' if column.required else ''}: {column.help}".rstrip(": ")
        put(info, r, 1, label, alignment=WRAP)
        r += 1
    print_setup(info, title=f"{sheet_title} — {info.title}", header_rows=None)

    for title, rows in (lists or {}).items():
        sheet = wb.create_sheet(title)
        for r, row in enumerate(rows, start=1):
            for c, value in enumerate(row, start=1):
                put(sheet, r, c, value, **({"font": HEADER_FONT, "fill": HEADER_FILL} if r == 1 else {}))
        sheet.column_dimensions["A"].width = 16
        sheet.column_dimensions["B"].width = 60
        print_setup(sheet, title=f"{sheet_title} — {title}", header_rows=1)
    return wb
