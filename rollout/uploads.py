"""Bounds of an uploaded table, checked before anything reads it.

Every import (accounts, adoption figures, arrivals) goes through ``check_upload`` first, from
``rollout.tabular.read_table``: the file's size, then for a workbook the number of sheets, and the rows
and columns of the sheet to be read, counted while its XML is streamed out of the zip. The count stops
at the first row over the limit, so a 200,000-row file costs the reading of its first rows, not of the
whole sheet (calamine, which reads the values afterwards, holds a whole sheet in memory at once; the
count is what makes that safe). A CSV file is counted line by line the same way.

What counts is what the readers would give: a row with at least one value, a cell with a value (styled
empty cells, which spreadsheet programs write for formatted ranges, are not data and are not counted).
"""

from __future__ import annotations

import codecs
import csv
import html
import itertools
import posixpath
import re
import zipfile
from typing import IO

from django.conf import settings
from django.utils.formats import number_format
from django.utils.translation import gettext as _

from rollout.errors import ApplicationError
from rollout.workbooks import checked_zip, unreadable

# A start tag of the sheet's rows, cells and cell values (any namespace prefix): name and attributes.
_TOKEN = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?(row|c|v|is)(?=[\s/>])([^>]*)>")
_CELL_REF = re.compile(rb'(?<![\w:.-])r="([A-Za-z]+)([0-9]+)"')
_ROW_NUMBER = re.compile(rb'(?<![\w:.-])r="([0-9]+)"')
_SHEET = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?sheet(?=[\s/>])([^>]*)>")
_RELATIONSHIP = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?Relationship(?=[\s/>])([^>]*)>")
_ATTRIBUTE = re.compile(rb'(?<![\w.-])([\w.-]+(?::[\w.-]+)?)="([^"]*)"')
_CHUNK = 1 << 20
# No tag of a real sheet comes near this: a longer one is a hostile file.
_LONGEST_TAG = 1 << 20
_MAX_REF_ROW = 1_048_576


def max_rows(kind: str) -> int:
    """Rows of data (the header row not counted) one file of this import may hold."""
    return settings.IMPORT_MAX_ROWS[kind]


def too_many_rows(limit: int) -> ApplicationError:
    return ApplicationError(
        _("The file has more than %(n)s rows of data: at most %(n)s rows per file. Split it and upload each part.")
        % {"n": number_format(limit, force_grouping=True)}
    )


def _too_many_columns() -> ApplicationError:
    limit = settings.IMPORT_MAX_COLUMNS
    return ApplicationError(
        _("The sheet has values in more than %(n)s columns: at most %(n)s columns. Use the template.") % {"n": limit}
    )


def check_upload(upload: IO[bytes], *, rows: int, sheet: str | None = None, csv_too: bool = True) -> int:
    """Refuse an upload that is too large, is neither an XLSX workbook nor a CSV file, has too many sheets,
    or more than ``rows`` rows of data or ``IMPORT_MAX_COLUMNS`` columns in the sheet to be read
    (``sheet``, or the first). Returns how many rows of data it has (rows with a value, after the first).
    ``csv_too=False``: an Excel workbook only.
    """
    size = getattr(upload, "size", None)
    if size is not None and size > settings.MAX_UPLOAD_BYTES:
        raise ApplicationError(
            _("The file is too large (limit %(mb)s MB).") % {"mb": settings.MAX_UPLOAD_BYTES // (1024 * 1024)}
        )
    upload.seek(0)
    head = upload.read(4)
    upload.seek(0)
    try:
        if head.startswith(b"PK"):
            return _check_workbook(upload, rows=rows, sheet=sheet)
        if not csv_too:
            raise ApplicationError(_("The file is not an Excel workbook (.xlsx)."))
        if (getattr(upload, "name", "") or "").lower().endswith(".csv"):
            return _check_csv(upload, rows=rows)
        raise ApplicationError(_("Upload an Excel workbook (.xlsx) or a CSV file (.csv)."))
    finally:
        upload.seek(0)


# --- CSV ----------------------------------------------------------------------------------------


def csv_lines(upload: IO[bytes]):
    decoder = codecs.getincrementaldecoder("utf-8-sig")()
    pending = ""
    try:
        while chunk := upload.read(_CHUNK):
            text = pending + decoder.decode(chunk)
            lines = text.splitlines(keepends=True)
            pending = lines.pop() if lines and not lines[-1].endswith(("\n", "\r")) else ""
            yield from lines
        tail = pending + decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        raise ApplicationError(_("The CSV file must be saved as UTF-8.")) from None
    if tail:
        yield tail


def unreadable_csv() -> ApplicationError:
    return ApplicationError(
        _("The CSV file could not be read: check its quotes, or save it again from Excel as “CSV UTF-8”.")
    )


def csv_records(upload: IO[bytes]):
    """The records of a CSV file, read line by line; a broken one (an unclosed quote running on through
    the file…) is refused with one clear message."""
    try:
        yield from csv.reader(csv_lines(upload))
    except csv.Error:
        raise unreadable_csv() from None


def _check_csv(upload: IO[bytes], *, rows: int) -> int:
    filled = 0
    for record in csv_records(upload):
        if len(record) > settings.IMPORT_MAX_COLUMNS and any(v.strip() for v in record[settings.IMPORT_MAX_COLUMNS :]):
            raise _too_many_columns()
        if any(v.strip() for v in record):
            filled += 1
            if filled > rows + 1:
                raise too_many_rows(rows)
    return max(filled - 1, 0)


# --- XLSX ---------------------------------------------------------------------------------------


def _attributes(raw: bytes) -> dict[str, str]:
    """A tag's attributes by local name (``r:id`` -> ``id``), values unescaped."""
    return {name.rsplit(b":", 1)[-1].decode(): html.unescape(value.decode()) for name, value in _ATTRIBUTE.findall(raw)}


def _read_part(archive: zipfile.ZipFile, name: str, limit: int = 10 << 20) -> bytes:
    """A small XML part (the workbook, its relationships), refused when it declares a DTD."""
    try:
        with archive.open(name) as part:
            data = part.read(limit + 1)
    except KeyError:
        raise unreadable() from None
    if len(data) > limit or b"<!DOCTYPE" in data:
        raise unreadable()
    return data


def _sheet_part(archive: zipfile.ZipFile, sheet: str | None) -> str:
    """The zip entry of the sheet to be read (the first, or the one named), as calamine finds it."""
    sheets = [_attributes(raw) for raw in _SHEET.findall(_read_part(archive, "xl/workbook.xml"))]
    if len(sheets) > settings.IMPORT_MAX_SHEETS:
        raise ApplicationError(
            _("The workbook has %(count)s sheets: at most %(n)s. Use the template.")
            % {"count": len(sheets), "n": settings.IMPORT_MAX_SHEETS}
        )
    if not sheets:
        raise ApplicationError(_("The file is empty."))
    if sheet is None:
        chosen = sheets[0]
    else:
        chosen = next((s for s in sheets if s.get("name") == sheet), None)
        if chosen is None:
            raise ApplicationError(_("The workbook has no sheet named “%(sheet)s”.") % {"sheet": sheet})
    targets = {}
    for raw in _RELATIONSHIP.findall(_read_part(archive, "xl/_rels/workbook.xml.rels")):
        attrs = _attributes(raw)
        targets[attrs.get("Id")] = attrs.get("Target", "")
    target = targets.get(chosen.get("id"))
    if not target:
        raise unreadable()
    name = target.lstrip("/") if target.startswith("/") else posixpath.normpath(posixpath.join("xl", target))
    if name not in archive.namelist():
        raise unreadable()
    return name


def _column_number(letters: bytes) -> int:
    number = 0
    for letter in letters.upper():
        number = number * 26 + (letter - 64)
    return number


def _check_workbook(upload: IO[bytes], *, rows: int, sheet: str | None) -> int:
    with checked_zip(upload) as archive:
        name = _sheet_part(archive, sheet)
        try:
            try:
                with archive.open(name) as part:
                    return _count_sheet_fast(part, rows=rows)
            except _Unusual:
                with archive.open(name) as part:
                    return _count_sheet(part, rows=rows)
        except (zipfile.BadZipFile, EOFError, OSError, ValueError) as exc:
            raise unreadable() from exc


class _Unusual(Exception):
    """The sheet is not laid out as spreadsheet programs write it: count it cell by cell."""


_REF_LETTERS = re.compile(rb'<c r="([A-Za-z]{1,3})[0-9]')
_REF_DIGITS = re.compile(rb'<c r="[A-Za-z]{1,3}([0-9]{1,7})"')
_LONGEST_ROW = 16 << 20


def _has_value(buffer: bytes, begin: int, end: int) -> bool:
    find = buffer.find
    return find(b"<v>", begin, end) >= 0 or find(b"<is>", begin, end) >= 0 or find(b"<v ", begin, end) >= 0


def _count_sheet_fast(part: IO[bytes], *, rows: int) -> int:
    """The count for a sheet as spreadsheet programs write it (no namespace prefix, each cell's reference
    first), row by row with the scanning done by C code. Anything else, or any cell, filled or not, beyond
    the limits sends the sheet to ``_count_sheet``, which tells filled cells from styled empty ones."""
    last_row_allowed = 2 * (rows + 1)
    max_columns = settings.IMPORT_MAX_COLUMNS
    filled_rows = 0
    buffer = b""
    first = True
    while True:
        chunk = part.read(_CHUNK)
        buffer += chunk
        if first:
            first = False
            if b"<sheetData" not in buffer:
                raise _Unusual
        starts = []
        position = buffer.find(b"<row")
        while position >= 0:
            starts.append(position)
            position = buffer.find(b"<row", position + 4)
        # Complete rows only; the last one may go on in the next chunk (at the end, all of them).
        cut = len(buffer) if not chunk else (starts.pop() if starts else 0)
        cells = buffer.count(b"<c ", 0, cut) + buffer.count(b"<c>", 0, cut) + buffer.count(b"<c/", 0, cut)
        references = _REF_DIGITS.findall(buffer, 0, cut)
        if len(references) != cells:
            raise _Unusual
        letters = set(_REF_LETTERS.findall(buffer, 0, cut))
        digits = set(references)
        if letters and max(_column_number(x) for x in letters) > max_columns:
            raise _Unusual
        if digits and max(int(x) for x in digits) > last_row_allowed:
            raise _Unusual
        bounds = [*starts, cut]
        for begin, end in itertools.pairwise(bounds):
            if _has_value(buffer, begin, end):
                filled_rows += 1
        if filled_rows > rows + 1:
            raise too_many_rows(rows)
        buffer = buffer[cut:]
        if len(buffer) > _LONGEST_ROW:
            raise unreadable()
        if not chunk:
            break
    return max(filled_rows - 1, 0)


def _count_sheet(part: IO[bytes], *, rows: int) -> int:
    """Rows with a value in a sheet's XML, streamed; refused at the first row or column over the limits.

    Positions are taken as the readers take them: a cell's ``r`` ("C12") when it has one, else the next
    column of the row (and a row's ``r``, else the next row). A cell counts when a value (``<v>``, an
    inline string ``<is>``) follows it before the next cell or row.
    """
    max_columns = settings.IMPORT_MAX_COLUMNS
    # Blank rows between the data are allowed, up to as many as the rows allowed: beyond that the sheet
    # would span more rows than a reader should hold, however few of them are filled.
    last_row_allowed = 2 * (rows + 1)
    filled_rows = 0
    row_number = 0
    row_filled = False
    column = 0
    cell_column = cell_row = 0
    cell_open = cell_filled = False
    buffer = b""
    while True:
        chunk = part.read(_CHUNK)
        buffer += chunk
        end = 0
        for match in _TOKEN.finditer(buffer):
            end = match.end()
            kind = match.group(1)
            if kind == b"v" or kind == b"is":
                cell_filled = cell_open
                continue
            if cell_open and cell_filled:  # the previous cell held a value
                row_filled = True
                if cell_column > max_columns:
                    raise _too_many_columns()
                if cell_row > last_row_allowed:
                    raise too_many_rows(rows)
            cell_open = cell_filled = False
            attrs = match.group(2)
            if kind == b"c":
                ref = _CELL_REF.search(attrs) if b"r=" in attrs else None
                if ref is None:
                    column += 1
                    cell_column, cell_row = column, row_number
                else:
                    letters, digits = ref.groups()
                    if len(letters) > 3 or len(digits) > 7:
                        raise unreadable()
                    column = cell_column = _column_number(letters)
                    cell_row = int(digits)
                cell_open = not attrs.endswith(b"/")
                continue
            # A new row: count the one before.
            if row_filled:
                filled_rows += 1
                if filled_rows > rows + 1:
                    raise too_many_rows(rows)
            row_filled = False
            number = _ROW_NUMBER.search(attrs) if b"r=" in attrs else None
            row_number = int(number.group(1)) if number else row_number + 1
            if row_number > _MAX_REF_ROW:
                raise unreadable()
            column = 0
        rest = buffer.rfind(b"<", end)
        buffer = buffer[rest:] if rest >= 0 else b""
        if len(buffer) > _LONGEST_TAG:
            raise unreadable()
        if not chunk:
            break
    if cell_open and cell_filled:
        row_filled = True
        if cell_column > max_columns:
            raise _too_many_columns()
        if cell_row > last_row_allowed:
            raise too_many_rows(rows)
    if row_filled:
        filled_rows += 1
        if filled_rows > rows + 1:
            raise too_many_rows(rows)
    return max(filled_rows - 1, 0)
