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
# The workbook's own font (openpyxl's default). A Font without a name makes LibreOffice fall back to a
# serif face: every font the product sets goes through ``font``.
FONT_NAME = "Calibri"


def font(*, size: float = 11, **style: Any) -> Font:
    return Font(name=FONT_NAME, size=size, **style)


HEADER_FONT = font(bold=True, color="FFFFFF")
HEADER_FILL = PatternFill("solid", fgColor="1F5F8B")
TITLE_FONT = font(bold=True, size=14)
BOLD = font(bold=True)
ITALIC = font(italic=True)
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


def header_cells(ws: Worksheet, headers: list[str], *, row: int | None = None) -> list[WriteOnlyCell]:
    """The header row's cells; given its ``row`` (and the column widths set), the row is made tall enough
    for every wrapped label to show whole (a row's height is not worked out when the file is opened)."""
    if row is not None:
        fit_row_height(ws, row, headers, bold=True)
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


# --- Printing -------------------------------------------------------------------------------------
# Officials print the lists and the roll-up. Every sheet the product writes states how it prints with
# ``print_setup`` (A4, one page wide, the header row on every page, the list's name and "page x / y" in
# the footer); documents that go up the chain end with ``signer_block``.

# Column-width units (Excel's "characters") that fit across an A4 page at 100 % inside PRINT_MARGINS:
# wider sheets print landscape (they are then scaled to one page wide either way).
PORTRAIT_WIDTH = 100
DEFAULT_COLUMN_WIDTH = 8.43
PRINT_MARGINS = {"left": 0.4, "right": 0.4, "top": 0.5, "bottom": 0.6, "header": 0.25, "footer": 0.3}
FOOTER_TITLE_LIMIT = 120  # a header/footer holds at most 255 characters in all
SIGNATURE_ROWS = 4  # room to sign (and stamp) under the signer's title
CENTRED = Alignment(horizontal="center", vertical="center", wrap_text=True)


def text_width(text: str, *, size: float = 11, bold: bool = False) -> float:
    """Roughly how many column-width units ``text`` takes (Vietnamese letters are about one unit each)."""
    return len(text) * size / 11 * (1.0 if bold else 0.9) + 1


def wrapped_lines(text: str, width: float, *, size: float = 11, bold: bool = False) -> int:
    """How many lines ``text`` takes wrapped at word boundaries in a column ``width`` units wide."""
    lines, used = 1, 0.0
    room = max(width - 1, 1)
    for word in text.split():
        needed = text_width(word, size=size, bold=bold) - 1
        if used and used + 1 + needed > room:
            lines += 1 + int(needed // room)
            used = needed % room
        else:
            used += (1 if used else 0) + needed
    return lines


def fit_row_height(ws: Worksheet, row: int, texts: list[Any], *, size: float = 11, bold: bool = False) -> None:
    """Make ``row`` tall enough for ``texts`` (one per column from A) wrapped in their columns."""
    widths = _column_widths(ws)
    lines = max(
        (wrapped_lines(str(t), widths[i] if i < len(widths) else DEFAULT_COLUMN_WIDTH, size=size, bold=bold)
         for i, t in enumerate(texts) if t),
        default=1,
    )  # fmt: skip
    _raise_height(ws, row, lines, size)


def _raise_height(ws: Worksheet, row: int, lines: int, size: float) -> None:
    """Make ``row`` tall enough for ``lines`` lines of text; a row already taller is left as it is."""
    if lines > 1:
        needed = lines * size * 1.3 + 3
        ws.row_dimensions[row].height = max(ws.row_dimensions[row].height or 0, needed)


def _fit_written_rows(ws: Worksheet, widths: list[float], first: int, last: int) -> None:
    """Rows of a normal sheet made tall enough for their wrapped texts (merged cells count their width):
    neither LibreOffice nor Excel works a row's height out again when it opens a file."""
    spans = {(r.min_row, r.min_col): sum(widths[r.min_col - 1 : r.max_col]) for r in ws.merged_cells.ranges}
    for row in range(first, last + 1):
        lines, size = 1, 11.0
        for c in ws[row]:
            if not isinstance(c.value, str) or not c.value or not (c.alignment and c.alignment.wrap_text):
                continue
            width = spans.get((row, c.column)) or (widths[c.column - 1] if c.column <= len(widths) else 0)
            c_size = (c.font.sz if c.font is not None else None) or 11
            bold = bool(c.font is not None and c.font.b)
            if width and (c_lines := wrapped_lines(c.value, width, size=c_size, bold=bold)) > lines:
                lines, size = c_lines, c_size
        _raise_height(ws, row, lines, size)


def label_width(labels: list[str], *, minimum: float = 0, bold: bool = True) -> float:
    """The width a column needs so that none of ``labels`` (the title block's) is cut by the next cell."""
    return max([minimum, *(text_width(str(label), bold=bold) for label in labels)])


def _column_widths(ws: Worksheet) -> list[float]:
    """Width of each printed column, from the column settings (a write-only sheet knows no more)."""
    from openpyxl.utils import column_index_from_string

    widths: dict[int, float] = {}
    for letter, dim in ws.column_dimensions.items():
        if dim.hidden:
            widths[column_index_from_string(letter)] = 0
        elif dim.width:
            widths[column_index_from_string(letter)] = dim.width
    last = max(widths, default=0)
    if not getattr(ws.parent, "write_only", False):
        last = max(last, ws.max_column)
    return [widths.get(i, DEFAULT_COLUMN_WIDTH) for i in range(1, last + 1)]


def _footer_text(text: str) -> str:
    # "&" starts a code in a header or footer: a literal one is doubled.
    text = clean_text(text).replace("\n", " ")
    if len(text) > FOOTER_TITLE_LIMIT:
        text = text[: FOOTER_TITLE_LIMIT - 1] + "…"
    return text.replace("&", "&&")


def print_setup(
    ws: Worksheet,
    *,
    title: str,
    header_rows: int | tuple[int, int] | None,
    landscape: bool | None = None,
    one_page: bool = False,
) -> None:
    """How ``ws`` prints: A4, one page wide (``one_page``: one page in all), landscape when wider than a
    portrait page (from the column widths, so set them first) unless ``landscape`` says, ``header_rows``
    (a row or a (first, last) pair) repeated at the top of every page, centred across, and ``title`` with
    "page x / y" in the footer.

    A write-only sheet writes its settings with its first row: call this before appending any row. On a
    normal sheet, call it once the sheet is written: the title lines above the header (one text in
    column A) are then spread over the table's width and wrapped, so none is cut at the page's edge,
    and rows are made tall enough for their wrapped cells.
    """
    from openpyxl.worksheet.page import PageMargins
    from openpyxl.worksheet.properties import PageSetupProperties

    write_only = getattr(ws.parent, "write_only", False)
    if write_only and getattr(ws, "_writer", None) is not None:
        raise RuntimeError("print_setup must come before the first row of a write-only sheet")
    widths = _column_widths(ws)
    if landscape is None:
        landscape = sum(widths) > PORTRAIT_WIDTH
    setup = ws.page_setup
    setup.paperSize = Worksheet.PAPERSIZE_A4
    setup.orientation = Worksheet.ORIENTATION_LANDSCAPE if landscape else Worksheet.ORIENTATION_PORTRAIT
    if ws.sheet_properties.pageSetUpPr is None:
        ws.sheet_properties.pageSetUpPr = PageSetupProperties()
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    setup.fitToWidth = 1
    setup.fitToHeight = 1 if one_page else 0  # 0: as many pages down as the rows need
    first_header = None
    if header_rows is not None:
        first_header, last_header = header_rows if isinstance(header_rows, tuple) else (header_rows, header_rows)
        ws.print_title_rows = f"{first_header}:{last_header}"
    ws.page_margins = PageMargins(**PRINT_MARGINS)
    ws.print_options.horizontalCentered = True
    footer = ws.oddFooter
    footer.left.text, footer.left.size = _footer_text(title), 8
    footer.right.text = _("Page %(page)s / %(pages)s") % {"page": "&P", "pages": "&N"}
    footer.right.size = 8
    if not write_only:
        _spread_title_lines(ws, widths, (first_header or 1) - 1)
        _fit_written_rows(ws, widths, 1, ws.max_row)


def _visible_columns(widths: list[float]) -> int:
    """The last column that prints (hidden key columns at the right end left out)."""
    last = len(widths)
    while last > 1 and widths[last - 1] == 0:
        last -= 1
    return last


def _spread_title_lines(ws: Worksheet, widths: list[float], last_row: int) -> None:
    from openpyxl.utils import get_column_letter

    columns = _visible_columns(widths)
    if columns < 2:
        return
    across = sum(widths[:columns])
    merged = {str(r) for r in ws.merged_cells.ranges}
    for row in range(1, last_row + 1):
        cells = [c for c in ws[row] if c.value not in (None, "")]
        if len(cells) != 1 or cells[0].column != 1 or not isinstance(cells[0].value, str):
            continue
        target = f"A{row}:{get_column_letter(columns)}{row}"
        if any(r.startswith(f"A{row}:") for r in merged):
            continue
        c = cells[0]
        size = (c.font.sz if c.font is not None and c.font.sz else 11) or 11
        ws.merge_cells(target)
        c.alignment = Alignment(wrap_text=True, vertical="top", horizontal=c.alignment.horizontal)
        lines = -(-text_width(c.value, size=size, bold=bool(c.font and c.font.b)) // across)
        if lines > 1 and ws.row_dimensions[row].height is None:
            ws.row_dimensions[row].height = lines * size * 1.4


def signer_block(ws: Worksheet, *, place: str, gap: int = 1) -> int:
    """The signatures Vietnamese administrative reports end with, below what the sheet holds: on the left
    the person who drew it up, on the right the head of the unit under "<place>, ngày … tháng … năm …",
    each with room to sign. For normal (not write-only) sheets; call it before ``print_setup``.
    Returns the block's first row."""
    from openpyxl.utils import get_column_letter

    widths = _column_widths(ws)
    columns = _visible_columns(widths)
    total = sum(widths[:columns])
    # The left block ends before 45 % of the width, the right one starts after 55 %.
    running, left_end, right_start = 0.0, 1, columns
    for i, width in enumerate(widths[:columns], start=1):
        if running + width <= total * 0.45:
            left_end = i
        running += width
        if running - width >= total * 0.55 and right_start == columns:
            right_start = i
    right_start = max(right_start, left_end + 1) if columns > 1 else 1
    first = ws.max_row + 1 + gap
    lines = [
        ("", ITALIC, _("%(place)s, day … month … year …") % {"place": place}, ITALIC),
        (_("Prepared by").upper(), BOLD, _("Head of the unit").upper(), BOLD),
        (_("(Signature and full name)"), ITALIC, _("(Signature, full name and seal)"), ITALIC),
    ]
    for offset, (left, left_font, right, right_font) in enumerate(lines):
        row = first + offset
        for start, end, text, font in ((1, left_end, left, left_font), (right_start, columns, right, right_font)):
            if not text:
                continue
            put(ws, row, start, text, font=font, alignment=CENTRED)
            if end > start:
                ws.merge_cells(f"{get_column_letter(start)}{row}:{get_column_letter(end)}{row}")
    for offset in range(SIGNATURE_ROWS):
        ws.row_dimensions[first + len(lines) + offset].height = 18
    # The last signature row holds a space so that the room to sign is part of what prints.
    put(ws, first + len(lines) + SIGNATURE_ROWS - 1, 1, " ")
    return first
