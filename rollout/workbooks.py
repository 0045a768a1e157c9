"""Writing and reading workbooks safely: THE one way out to a spreadsheet, and in from one.

Writing: every workbook the product makes goes through here. Text is kept as typed and never becomes a
formula (a name like ``=HYPERLINK(…)`` stays text), minus the control characters a workbook cannot hold;
dates are real Excel dates in local time; files are written to a temporary name then renamed, so nobody
ever downloads a half-written file. ``cell`` makes a write-only cell, ``put`` writes into a normal sheet,
``formula`` marks the product's own formulas, and ``save``/``workbook_bytes`` check every sheet once more
before anything leaves (a text cell that reads as a formula is turned back into text).

Reading: size-limited, checked to be a real XLSX (zip) before parsing, parsed by openpyxl, which uses
defusedxml when installed (it is a dependency), so entity-expansion "XML bombs" are refused; large
imports read values only through calamine (``read_sheet_rows``), after the same checks and more.
"""

from __future__ import annotations

import io
import os
import tempfile
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, datetime
from pathlib import Path
from typing import IO, Any

from django.conf import settings
from django.utils.translation import gettext as _
from openpyxl import Workbook, load_workbook
from openpyxl.cell import Cell, WriteOnlyCell
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.worksheet.worksheet import Worksheet

from rollout.errors import ApplicationError
from rollout.text import CONTROL_CHARACTERS, strip_control_characters
from rollout.timeutils import local_tz

DATE_FORMAT = "dd/mm/yyyy"
DATETIME_FORMAT = "dd/mm/yyyy hh:mm"
HEADER_FONT = Font(bold=True, color="FFFFFF")
HEADER_FILL = PatternFill("solid", fgColor="1F5F8B")
TITLE_FONT = Font(bold=True, size=14)
WRAP = Alignment(wrap_text=True, vertical="top")

# Decompressed size limit for uploads: a 10 MB workbook that inflates to more is refused.
MAX_UNCOMPRESSED_BYTES = 200 * 1024 * 1024


def excel_value(value: Any) -> Any:
    """A value openpyxl can store: aware datetimes become local wall-clock time (Excel has no zone)."""
    if isinstance(value, datetime) and value.tzinfo is not None:
        return value.astimezone(local_tz()).replace(tzinfo=None)
    return value


def clean_text(value: str) -> str:
    """Text as typed, minus the control characters a workbook cannot hold (openpyxl refuses them)."""
    return strip_control_characters(value)


def cell(ws: Worksheet, value: Any, **style: Any) -> WriteOnlyCell:
    """A write-only cell that is safe against formula injection and formats dates as dates."""
    value = excel_value(value)
    if isinstance(value, str):
        value = clean_text(value)
    c = WriteOnlyCell(ws, value=value)
    if isinstance(value, str) and value.startswith("="):
        # openpyxl treats a leading "=" as a formula; force text so a name like "=HYPERLINK(..)"
        # stays what the person typed and is never evaluated by Excel.
        c.data_type = "s"
    if isinstance(value, datetime):
        c.number_format = DATETIME_FORMAT
    elif isinstance(value, date):
        c.number_format = DATE_FORMAT
    for key, val in style.items():
        setattr(c, key, val)
    return c


def fast_text(ws: Worksheet):
    """For streaming many rows: a function giving a plain string when it is safe as it is (fastest), and
    a text cell only for values openpyxl would read as a formula ("=…") or refuse (control characters)."""
    illegal = CONTROL_CHARACTERS.search

    def text(value: str | None) -> Any:
        if not value:
            return None
        if value[0] == "=" or illegal(value):
            return cell(ws, value)
        return value

    return text


def put(ws: Worksheet, row: int, column: int, value: Any, **style: Any) -> Cell:
    """Write a value into a normal (not write-only) sheet: text kept as text, dates as dates."""
    value = excel_value(value)
    if isinstance(value, str):
        value = clean_text(value)
    c = ws.cell(row=row, column=column)
    c.value = value
    if isinstance(value, str) and value.startswith("="):
        c.data_type = "s"
    for key, val in style.items():
        setattr(c, key, val)
    return c


def formula(c: Cell, text: str) -> Cell:
    """One of the product's own formulas (never a person's text): the only kind ``save`` lets through."""
    c.value = text
    c.parent.parent.__dict__.setdefault("_own_formulas", set()).add((c.parent.title, c.coordinate))
    return c


def check_before_saving(wb: Workbook) -> None:
    """The last look before a workbook leaves: in normal sheets, any formula the product did not mark
    with ``formula`` was text that read as one, and becomes text again."""
    own = wb.__dict__.get("_own_formulas", set())
    if getattr(wb, "write_only", False):
        return
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for c in row:
                if c.data_type == "f" and (ws.title, c.coordinate) not in own:
                    c.data_type = "s"


def workbook_bytes(wb: Workbook) -> bytes:
    """The workbook as the bytes of an .xlsx download."""
    check_before_saving(wb)
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def header_cells(ws: Worksheet, headers: list[str]) -> list[WriteOnlyCell]:
    return [cell(ws, h, font=HEADER_FONT, fill=HEADER_FILL, alignment=WRAP) for h in headers]


def set_widths(ws: Worksheet, widths: list[int]) -> None:
    from openpyxl.utils import get_column_letter

    for i, width in enumerate(widths, start=1):
        ws.column_dimensions[get_column_letter(i)].width = width


@contextmanager
def atomic_path(final: Path) -> Iterator[Path]:
    """Yield a temporary path beside ``final``; on success it replaces ``final`` in one rename."""
    final.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(prefix=f".{final.name}.", suffix=".part", dir=final.parent)
    os.close(fd)
    tmp = Path(tmp_name)
    try:
        yield tmp
        with open(tmp, "rb") as fh:
            os.fsync(fh.fileno())
        os.replace(tmp, final)
    finally:
        if tmp.exists():
            tmp.unlink()


def save_workbook_atomic(wb: Workbook, final: Path) -> None:
    check_before_saving(wb)
    with atomic_path(final) as tmp:
        wb.save(tmp)


def checked_zip(upload: IO[bytes]) -> zipfile.ZipFile:
    """The upload as an open zip, refused when too big, not a zip, or inflating to too much."""
    size = getattr(upload, "size", None)
    if size is not None and size > settings.MAX_UPLOAD_BYTES:
        raise ApplicationError(
            _("The file is too large (limit %(mb)s MB).") % {"mb": settings.MAX_UPLOAD_BYTES // (1024 * 1024)}
        )
    upload.seek(0)
    if not zipfile.is_zipfile(upload):
        raise ApplicationError(_("The file is not an Excel workbook (.xlsx)."))
    upload.seek(0)
    try:
        archive = zipfile.ZipFile(upload)
    except zipfile.BadZipFile as exc:
        raise unreadable() from exc
    if sum(info.file_size for info in archive.infolist()) > MAX_UNCOMPRESSED_BYTES:
        archive.close()
        raise ApplicationError(_("The workbook expands to an unreasonable size and was refused."))
    return archive


def unreadable() -> ApplicationError:
    """The one message for a workbook that is broken or hostile: what to do, not which library failed
    (raise it ``from`` the library's exception, which stays in the traceback)."""
    return ApplicationError(
        _("The workbook could not be read: it may be damaged. Open it in Excel, save it as .xlsx and upload it again.")
    )


def open_uploaded_workbook(upload: IO[bytes], *, read_only: bool = True, data_only: bool = True) -> Workbook:
    """Open an uploaded XLSX, refusing anything too big, not a zip, or a zip bomb. ``data_only=False``
    gives formulas as formulas (cell ``data_type`` "f"), to refuse them where a value is expected."""
    checked_zip(upload).close()
    upload.seek(0)
    try:
        return load_workbook(upload, read_only=read_only, data_only=data_only)
    except Exception as exc:  # openpyxl/defusedxml raise many types for a broken or hostile file
        raise unreadable() from exc


# --- Fast reading of uploaded sheets (values only) -----------------------------------------------
# openpyxl's reader parses XML in pure Python: ~190,000 cells (a 10,000-row import) take seconds.
# calamine (Rust) reads the same sheet in a fraction of that. It never expands XML entities; on top of
# that every XML part is checked here first: no DTD at all, and each part inflates to no more than its
# zip entry says (Python's zipfile stops at the declared size and checks the CRC). The values are
# then made the same as openpyxl's read-only ``iter_rows(values_only=True)`` gives for data cells.

_DOCTYPE = b"<!DOCTYPE"


def _check_parts(archive: zipfile.ZipFile) -> None:
    """Refuse a workbook whose XML parts declare a DTD (entity tricks) or lie about their size."""
    for info in archive.infolist():
        if not info.filename.endswith((".xml", ".rels")):
            continue
        tail = b""
        with archive.open(info) as part:  # raises BadZipFile when the content does not match the entry
            while chunk := part.read(1 << 20):
                if _DOCTYPE in tail + chunk:
                    raise unreadable()
                tail = chunk[-len(_DOCTYPE) :]


def _openpyxl_value(value: Any) -> Any:
    """A calamine value as openpyxl gives it: blank -> None, whole numbers -> int, a date -> midnight."""
    kind = type(value)
    if kind is str:
        return value if value else None
    if kind is float:
        return int(value) if value.is_integer() else value
    if kind is date:
        return datetime(value.year, value.month, value.day)
    return value


def read_sheet_rows(upload: IO[bytes], *, sheet: str | None = None) -> Iterator[tuple[Any, ...]]:
    """Rows of values of one sheet (the first, or ``sheet``), in order from row 1, so the n-th row
    yielded is the sheet's row n; an empty row comes as ``()``. Same size and zip-bomb limits as
    ``open_uploaded_workbook``."""
    from python_calamine import CalamineError, CalamineWorkbook

    with checked_zip(upload) as archive:
        try:
            _check_parts(archive)
        except (zipfile.BadZipFile, EOFError, OSError) as exc:
            raise unreadable() from exc
    upload.seek(0)
    try:
        book = CalamineWorkbook.from_filelike(upload)
        names = book.sheet_names
        if sheet is not None and sheet not in names:
            raise ApplicationError(_("The workbook has no sheet named “%(sheet)s”.") % {"sheet": sheet})
        if not names:
            raise ApplicationError(_("The file is empty."))
        # Whole sheet from A1 (rows and columns before the first filled cell included).
        rows = book.get_sheet_by_name(sheet or names[0]).to_python(skip_empty_area=False)
    except (CalamineError, ValueError, OSError) as exc:  # a broken or hostile part: one clear message
        raise unreadable() from exc
    convert = _openpyxl_value
    for row in rows:
        values = [convert(v) for v in row]
        while values and values[-1] is None:
            values.pop()
        yield tuple(values)
