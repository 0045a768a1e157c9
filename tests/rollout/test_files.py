"""Workbook writing and reading rules, and the shared validators."""

from __future__ import annotations

from datetime import date, datetime
from io import BytesIO
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import ValidationError
from openpyxl import Workbook, load_workbook

from rollout import tabular
from rollout.errors import ApplicationError
from rollout.validators import mask_phone, normalize_id_number, normalize_phone
from rollout.workbooks import atomic_path, cell, open_uploaded_workbook


def _write(tmp_path: Path, values: list) -> Path:
    wb = Workbook(write_only=True)
    ws = wb.create_sheet("s")
    ws.append([cell(ws, v) for v in values])
    path = tmp_path / "out.xlsx"
    wb.save(path)
    return path


def test_text_starting_with_equals_is_stored_as_text_not_formula(tmp_path):
    ws = load_workbook(_write(tmp_path, ['=HYPERLINK("http://evil","x")', "=1+1"])).active
    assert [c.data_type for c in ws[1]] == ["s", "s"]
    assert ws["A1"].value == '=HYPERLINK("http://evil","x")'


def test_aware_datetimes_are_written_as_local_excel_dates(tmp_path):
    moment = datetime(2021, 11, 2, 16, 59, tzinfo=ZoneInfo("UTC"))  # 23:59 in Hà Nội
    ws = load_workbook(_write(tmp_path, [moment, date(2021, 11, 2)])).active
    assert ws["A1"].value == datetime(2021, 11, 2, 23, 59)
    assert ws["A1"].is_date and ws["B1"].is_date
    assert ws["A1"].number_format == "dd/mm/yyyy hh:mm"


def test_atomic_path_leaves_nothing_when_writing_fails(tmp_path):
    final = tmp_path / "list.xlsx"
    with pytest.raises(RuntimeError), atomic_path(final) as tmp:
        tmp.write_bytes(b"half")
        raise RuntimeError("worker died")
    assert list(tmp_path.iterdir()) == []


def test_atomic_path_replaces_the_old_file_whole(tmp_path):
    final = tmp_path / "list.xlsx"
    final.write_bytes(b"old")
    with atomic_path(final) as tmp:
        tmp.write_bytes(b"new")
    assert final.read_bytes() == b"new"
    assert list(tmp_path.iterdir()) == [final]


def _workbook_with_sheet_xml(transform) -> BytesIO:
    import zipfile

    plain = BytesIO()
    wb = Workbook()
    wb.active.append(["Họ tên", "Số CCCD"])
    wb.save(plain)
    out = BytesIO()
    with zipfile.ZipFile(BytesIO(plain.getvalue())) as src, zipfile.ZipFile(out, "w") as dst:
        for item in src.infolist():
            data = src.read(item.filename)
            if item.filename == "xl/worksheets/sheet1.xml":
                data = transform(data)
            dst.writestr(item, data)
    out.seek(0)
    out.name = "bomb.xlsx"
    return out


def test_xml_bomb_is_refused_with_a_message():
    # "Billion laughs": nested entities declared in the sheet's DTD.
    doctype = (
        b'<?xml version="1.0"?><!DOCTYPE worksheet [<!ENTITY a "lol"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">'
        b'<!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;">]>'
    )
    bomb = _workbook_with_sheet_xml(
        lambda xml: (
            doctype
            + xml.replace(
                b"<sheetData>", b'<sheetData><row r="2"><c r="A2" t="inlineStr"><is><t>&c;</t></is></c></row>'
            )
        )
    )
    columns = [
        tabular.Column("name", "Họ tên", tabular.text(50)),
        tabular.Column("id", "Số CCCD", tabular.text(12), required=False),
    ]
    with pytest.raises(ApplicationError, match="đọc"):
        tabular.read_table(bomb, columns, max_rows=100)


def test_zip_bomb_is_refused_before_parsing(monkeypatch):
    monkeypatch.setattr("rollout.workbooks.MAX_UNCOMPRESSED_BYTES", 10_000)
    padded = _workbook_with_sheet_xml(lambda xml: xml.replace(b"<sheetData>", b"<sheetData>" + b" " * 50_000))
    with pytest.raises(ApplicationError, match="giải nén"):
        open_uploaded_workbook(padded)


def test_a_non_zip_upload_is_refused():
    with pytest.raises(ApplicationError, match="xlsx"):
        open_uploaded_workbook(BytesIO(b"name,phone\nAn,0912345678\n"))


@pytest.mark.parametrize(
    ("raw", "clean"),
    [
        ("0912 345 678", "0912345678"),
        ("+84912345678", "0912345678"),
        ("84 86.123.4567", "0861234567"),
        ("038-123-4567", "0381234567"),
    ],
)
def test_phone_numbers_are_normalised(raw, clean):
    assert normalize_phone(raw) == clean


@pytest.mark.parametrize("raw", ["12345", "0212345678", "091234567", "09123456789", "abc"])
def test_bad_phone_numbers_are_refused_with_a_message(raw):
    with pytest.raises(ValidationError):
        normalize_phone(raw)


@pytest.mark.parametrize(
    ("raw", "ok"),
    [("012345678", True), ("010203004567", True), ("0123456789", False), ("12345678901", False), ("01234567a", False)],
)
def test_id_numbers_have_9_or_12_digits(raw, ok):
    if ok:
        assert normalize_id_number(raw) == raw
    else:
        with pytest.raises(ValidationError):
            normalize_id_number(raw)


def test_mask_phone():
    assert mask_phone("0912345678") == "0912***678"


def test_numeric_cell_that_lost_its_leading_zero_is_repaired():
    parse = tabular.from_validator(normalize_phone)
    assert parse(912345678) == "0912345678"
    assert parse(912345678.0) == "0912345678"
    with pytest.raises(ValueError):
        parse(12345)


@pytest.mark.parametrize(("raw", "value"), [("1.234", 1234), ("1 234", 1234), (12, 12), (12.0, 12), ("", None)])
def test_integer_parser_reads_vietnamese_grouping(raw, value):
    assert tabular.integer()(raw) == value


@pytest.mark.parametrize("raw", ["1.5", 1.5, "abc", True, "-3"])
def test_integer_parser_refuses_non_whole_numbers(raw):
    with pytest.raises(ValueError):
        tabular.integer()(raw)


def test_read_table_reports_missing_columns_by_name():
    buffer = BytesIO(b"Ho ten,So dien thoai\nAn,0912345678\n")
    buffer.name = "x.csv"
    columns = [tabular.Column("name", "Họ tên", tabular.text(50)), tabular.Column("id", "Số CCCD", tabular.text(12))]
    with pytest.raises(ApplicationError, match="Số CCCD"):
        tabular.read_table(buffer, columns, max_rows=100)


def test_read_table_matches_headers_in_any_order_and_names_cells():
    buffer = BytesIO("Số điện thoại,Họ tên\n12345,An\n0912345678,\n".encode())
    buffer.name = "x.csv"
    columns = [
        tabular.Column("name", "Họ tên", tabular.text(50)),
        tabular.Column("phone", "Số điện thoại", tabular.from_validator(normalize_phone)),
    ]
    table = tabular.read_table(buffer, columns, max_rows=100)
    assert [[e.cell for e in r.errors] for r in table.rows] == [["A2"], ["B3"]]
