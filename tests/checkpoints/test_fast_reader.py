"""rollout.workbooks.read_sheet_rows: the calamine reader behind large imports gives openpyxl's values, safely."""

from __future__ import annotations

import io
import zipfile
from datetime import date, datetime

import pytest
from openpyxl import Workbook, load_workbook

from rollout import tabular
from rollout.errors import ApplicationError
from rollout.workbooks import read_sheet_rows


def _saved(wb: Workbook) -> io.BytesIO:
    buffer = io.BytesIO()
    wb.save(buffer)
    buffer.seek(0)
    buffer.name = "x.xlsx"
    return buffer


def _sample(write_only: bool) -> io.BytesIO:
    wb = Workbook(write_only=write_only)
    ws = wb.create_sheet("Dữ liệu") if write_only else wb.active
    rows = [
        ["Họ và tên", "Ngày", "Số", "Thập phân", "Đúng", "Số điện thoại"],
        ["Nguyễn Văn An", datetime(2021, 11, 2, 23, 59), 42, 36.5, True, "0912345678"],
        [None, date(2021, 11, 3), -7, 1.5e-7, False, "=1+1"],
        [],
        ["Lò Thị Mai", None, None, None, None, None, "ngoài cột"],
    ]
    for row in rows:
        ws.append(row)
    return _saved(wb)


@pytest.mark.parametrize("write_only", [False, True])
def test_same_values_as_openpyxl(write_only):
    upload = _sample(write_only)
    expected = [tuple(r) for r in load_workbook(upload, read_only=True, data_only=True).worksheets[0].iter_rows(
        values_only=True)]  # fmt: skip
    upload.seek(0)
    fast = list(read_sheet_rows(upload))
    assert len(fast) == len(expected)
    for got, want in zip(fast, expected, strict=True):
        assert _trimmed(got) == _trimmed(want)


def _trimmed(row) -> list:
    values = list(row)
    while values and values[-1] is None:
        values.pop()
    return values


def test_dates_come_back_as_datetimes_and_text_stays_text():
    rows = list(read_sheet_rows(_sample(False)))
    assert rows[1][1] == datetime(2021, 11, 2, 23, 59) and rows[2][1] == datetime(2021, 11, 3)
    assert rows[1][5] == "0912345678"
    assert rows[2][5:] == ()  # a formula without a cached value reads as empty, as openpyxl's data_only
    assert rows[1][2] == 42 and type(rows[1][2]) is int and rows[1][3] == 36.5


def test_cells_keep_their_place_when_the_sheet_starts_further_in():
    wb = Workbook()
    ws = wb.active
    ws["C3"], ws["E3"] = "Họ và tên", 7
    ws["D5"] = datetime(2021, 11, 2)
    ws["D5"].number_format = "dd/mm/yyyy"
    rows = list(read_sheet_rows(_saved(wb)))
    assert rows[:2] == [(), ()]
    assert rows[2] == (None, None, "Họ và tên", None, 7)
    assert rows[4] == (None, None, None, datetime(2021, 11, 2))  # a date cell reads as midnight, as openpyxl


def test_a_part_larger_than_its_zip_entry_says_is_refused():
    plain = _sample(False)
    out = io.BytesIO()
    with zipfile.ZipFile(plain) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for item in src.infolist():
            dst.writestr(item.filename, src.read(item.filename))
    data = bytearray(out.getvalue())
    # Shrink the size the central directory declares for the sheet: its content no longer matches.
    name = b"xl/worksheets/sheet1.xml"
    header = data.rindex(b"PK\x01\x02", 0, data.rindex(name))
    data[header + 24 : header + 28] = (10).to_bytes(4, "little")
    with pytest.raises(ApplicationError, match="đọc"):
        list(read_sheet_rows(io.BytesIO(bytes(data))))


def test_an_empty_row_keeps_row_numbers_aligned():
    rows = list(read_sheet_rows(_sample(False)))
    assert rows[3] == () and rows[4][0] == "Lò Thị Mai"


def test_named_sheet_and_missing_sheet():
    wb = Workbook()
    wb.active.title = "Một"
    wb.create_sheet("Hai").append(["x"])
    assert list(read_sheet_rows(_saved(wb), sheet="Hai")) == [("x",)]
    with pytest.raises(ApplicationError, match="Ba"):
        list(read_sheet_rows(_saved(wb), sheet="Ba"))


def test_entity_declarations_are_refused():
    plain = _sample(False)
    out = io.BytesIO()
    with zipfile.ZipFile(plain) as src, zipfile.ZipFile(out, "w") as dst:
        for item in src.infolist():
            data = src.read(item.filename)
            if item.filename == "xl/worksheets/sheet1.xml":
                data = data.replace(
                    b"<worksheet", b'<!DOCTYPE worksheet [<!ENTITY a "lol"><!ENTITY b "&a;&a;&a;">]><worksheet', 1
                )
            dst.writestr(item, data)
    out.seek(0)
    with pytest.raises(ApplicationError, match="đọc"):
        list(read_sheet_rows(out))


def test_zip_bomb_and_non_zip_are_refused(monkeypatch):
    with pytest.raises(ApplicationError, match="xlsx"):
        list(read_sheet_rows(io.BytesIO(b"not a zip")))
    monkeypatch.setattr("rollout.workbooks.MAX_UNCOMPRESSED_BYTES", 100)
    with pytest.raises(ApplicationError, match="giải nén"):
        list(read_sheet_rows(_sample(False)))


def test_read_table_fast_matches_the_default_reader():
    columns = [
        tabular.Column("name", "Họ và tên", tabular.text(50), required=False),
        tabular.Column("day", "Ngày", tabular.day, required=False),
        tabular.Column("n", "Số", tabular.integer(-100, 100), required=False),
    ]
    slow = tabular.read_table(_sample(False), columns, max_rows=100)
    fast = tabular.read_table(_sample(False), columns, max_rows=100, fast=True)
    assert [(r.number, r.values, [str(e) for e in r.errors]) for r in slow.rows] == [
        (r.number, r.values, [str(e) for e in r.errors]) for r in fast.rows
    ]
