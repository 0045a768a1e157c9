"""The one writer's print settings, read back from the saved file (the PDFs are in
tests/reports/test_workbooks_print.py)."""

from __future__ import annotations

import io

import pytest
from django.utils import translation
from openpyxl import Workbook, load_workbook

from rollout.workbooks import header_cells, print_setup, set_widths, signer_block, workbook_bytes


def _saved(wb: Workbook):
    return load_workbook(io.BytesIO(workbook_bytes(wb))).worksheets[0]


def test_a_narrow_sheet_prints_portrait_a_wide_one_landscape_both_one_page_wide():
    for widths, expected in (([20, 30, 40], "portrait"), ([20, 30, 40, 30], "landscape")):
        wb = Workbook()
        ws = wb.active
        set_widths(ws, widths)
        ws.append(["Tiêu đề"])
        ws.append(["a", "b", "c"])
        print_setup(ws, title="Danh sách", header_rows=2)
        ws = _saved(wb)
        assert ws.page_setup.orientation == expected
        assert int(ws.page_setup.paperSize) == 9  # A4
        assert ws.sheet_properties.pageSetUpPr.fitToPage
        assert (ws.page_setup.fitToWidth, ws.page_setup.fitToHeight) == (1, 0)
        assert ws.print_title_rows == "$2:$2"
        assert ws.print_options.horizontalCentered


def test_one_page_and_an_explicit_orientation_are_kept():
    wb = Workbook()
    ws = wb.active
    set_widths(ws, [10])
    print_setup(ws, title="Biểu đồ", header_rows=None, landscape=True, one_page=True)
    ws = _saved(wb)
    assert ws.page_setup.orientation == "landscape"
    assert (ws.page_setup.fitToWidth, ws.page_setup.fitToHeight) == (1, 1)
    assert ws.print_title_rows is None


def test_footer_names_the_list_with_ampersands_kept_and_numbers_the_pages_in_vietnamese():
    wb = Workbook()
    with translation.override("vi"):
        print_setup(wb.active, title="Báo cáo Sở TT&TT\x01", header_rows=1)
    footer = _saved(wb).oddFooter
    assert footer.left.text == "Báo cáo Sở TT&&TT"  # "&" alone would start a code; control characters dropped
    assert footer.right.text == "Trang &P / &N"


def test_a_long_title_line_is_spread_over_the_table_and_wrapped_not_cut():
    wb = Workbook()
    ws = wb.active
    set_widths(ws, [10, 10, 10])
    ws.append(["Tổng hợp báo cáo tuần của các huyện về triển khai các nền tảng công nghệ phòng, chống COVID-19"])
    ws.append(["Huyện", "Mã", "Số lượng"])
    print_setup(ws, title="Tổng hợp", header_rows=2)
    ws = _saved(wb)
    assert [str(r) for r in ws.merged_cells.ranges] == ["A1:C1"]
    assert ws["A1"].alignment.wrap_text
    assert ws.row_dimensions[1].height > 3 * 15  # some 4 lines across 30 units


def test_print_setup_after_the_first_row_of_a_write_only_sheet_is_refused():
    wb = Workbook(write_only=True)
    ws = wb.create_sheet("Danh sách")
    ws.append(["x"])
    with pytest.raises(RuntimeError):
        print_setup(ws, title="Danh sách", header_rows=1)
    workbook_bytes(wb)  # the sheet is still written out whole


def test_a_write_only_sheet_set_up_first_prints_one_page_wide_with_its_header_tall_enough():
    wb = Workbook(write_only=True)
    ws = wb.create_sheet("Danh sách")
    set_widths(ws, [6, 9])
    print_setup(ws, title="Danh sách", header_rows=1)
    ws.append(header_cells(ws, ["STT", "Nhiệt độ khi đến chốt (°C)"], row=1))
    ws = _saved(wb)
    assert ws.sheet_properties.pageSetUpPr.fitToPage
    assert ws.print_title_rows == "$1:$1"
    assert ws.row_dimensions[1].height >= 3 * 14  # the label wraps on 3 lines or more in 9 units


def test_signer_block_carries_both_signers_under_the_place_and_date_line():
    wb = Workbook()
    ws = wb.active
    set_widths(ws, [10] * 8)
    ws.append(["Huyện", "Số"])
    with translation.override("vi"):
        first = signer_block(ws, place="Lào Cai")
    assert first == 3  # one empty row after the table
    assert ws.cell(first, 6).value == "Lào Cai, ngày … tháng … năm …"
    assert [ws.cell(first + 1, 1).value, ws.cell(first + 1, 6).value] == ["NGƯỜI LẬP BIỂU", "THỦ TRƯỞNG ĐƠN VỊ"]
    assert ws.cell(first + 2, 1).value == "(Ký, ghi rõ họ tên)"
    assert ws.cell(first + 2, 6).value == "(Ký, ghi rõ họ tên, đóng dấu)"
    assert {str(r) for r in ws.merged_cells.ranges} >= {"A4:C4", "F4:H4"}
    assert ws.max_row == first + 2 + 4  # room to sign, part of what prints
