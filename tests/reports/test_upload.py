"""The official XLSX template: downloaded pre-filled and uploaded back; a bad file is named by sheet and cell, and
nothing is stored."""

from __future__ import annotations

import io
import zipfile

import pytest
from defusedxml import EntitiesForbidden
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import Workbook, load_workbook

from reports.models import ReportState, Source, WeeklyReport, WeeklyReportVersion
from reports.template_xlsx import (
    CONFIRM_ROW,
    DISTRICT_CELL,
    META_SHEET,
    TEXT_ROWS,
    WEEK_CELL,
    number_row,
    template_read,
)
from rollout.errors import ApplicationError
from tests.reports.conftest import CURRENT_WEEK, LAST_WEEK

pytestmark = pytest.mark.django_db
ROW = {key: number_row(i) for i, key in enumerate(
    ["agencies_with_qr", "venues_with_qr", "venues_inspected", "violations_found", "sanctions_imposed",
     "communication_sessions", "people_guided", "pc_covid_installs", "health_book_installs", "vneid_installs"]
)}  # fmt: skip
FILLED = {
    "communication_sessions": 4,
    "people_guided": 320,
    "pc_covid_installs": 15200,
    "health_book_installs": 8100,
    "vneid_installs": 6050,
    "venues_inspected": 7,
    "violations_found": 2,
    "sanctions_imposed": 1,
}


def _download(client, district, week) -> bytes:
    response = client.get(reverse("reports:report-template", kwargs={"code": district.pk, "week": week}))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    return response.content


def _fill(content: bytes, **cells) -> bytes:
    """Edit the downloaded template as a district would in Excel."""
    wb = load_workbook(io.BytesIO(content))
    ws = wb.worksheets[0]
    for key, value in FILLED.items():
        ws[f"B{ROW[key]}"] = value
    ws[f"B{TEXT_ROWS['difficulties']}"] = "Nhiều thôn chưa có sóng 4G."
    ws[f"B{TEXT_ROWS['proposals']}"] = '=HYPERLINK("http://x","bấm")'
    ws[f"B{TEXT_ROWS['proposals']}"].data_type = "s"  # typed as text, as Excel keeps a leading apostrophe
    ws[f"B{CONFIRM_ROW}"] = "Có"
    for coordinate, value in cells.items():
        ws[coordinate] = value
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def _upload(client, district, week, content: bytes, name: str = "bao-cao.xlsx"):
    return client.post(
        reverse("reports:report-upload", kwargs={"code": district.pk, "week": week}),
        {"file": SimpleUploadedFile(name, content)},
    )


def _nothing_stored():
    assert not WeeklyReport.objects.exists()
    assert not WeeklyReportVersion.objects.exists()


def test_the_template_is_prefilled_with_district_week_and_system_figures(clock, client_for, district_officer, bat_xat):
    from tests.factories import VenueFactory

    VenueFactory(district=bat_xat)
    wb = load_workbook(io.BytesIO(_download(client_for(district_officer), bat_xat, CURRENT_WEEK)))
    ws = wb.worksheets[0]
    assert ws[DISTRICT_CELL].value == 82 and ws["C3"].value == "Huyện Bát Xát"
    assert ws[WEEK_CELL].value.date() == CURRENT_WEEK
    assert ws[f"C{ROW['venues_with_qr']}"].value == 1
    assert ws[f"B{ROW['venues_with_qr']}"].value == 1  # pre-filled from the system
    assert ws[f"B{ROW['people_guided']}"].value is None  # the system cannot know it
    assert ws.protection.sheet and not ws[f"B{ROW['people_guided']}"].protection.locked
    validated = {str(ref) for dv in ws.data_validations.dataValidation for ref in dv.sqref.ranges}
    assert f"B{ROW['people_guided']}" in validated and f"B{CONFIRM_ROW}" in validated
    assert "Hướng dẫn" in wb.sheetnames and META_SHEET in wb.sheetnames
    assert wb.security.lockStructure  # sheets cannot be reordered or renamed


def test_a_filled_template_round_trips(clock, client_for, district_officer, bat_xat):
    client = client_for(district_officer)
    response = _upload(client, bat_xat, LAST_WEEK, _fill(_download(client, bat_xat, LAST_WEEK)))
    assert response.status_code == 302
    report = WeeklyReport.objects.get(district=bat_xat, week_ending=LAST_WEEK)
    version = report.current_version
    assert version.source == Source.XLSX
    assert (version.people_guided, version.vneid_installs, version.venues_inspected) == (320, 6050, 7)
    assert version.proposals == '=HYPERLINK("http://x","bấm")' and version.focal_officer_confirmed
    assert report.state == ReportState.LATE  # sent on Wednesday after the Friday deadline
    page = client.get(response["Location"]).content.decode()
    assert "Gửi muộn" in page and "6.050" in page
    # Downloaded again, the template holds what was sent, and text stays text.
    ws = load_workbook(io.BytesIO(_download(client, bat_xat, LAST_WEEK))).worksheets[0]
    assert ws[f"B{ROW['people_guided']}"].value == 320
    assert ws[f"B{TEXT_ROWS['proposals']}"].data_type == "s"


def test_a_template_for_another_week_is_refused(clock, client_for, district_officer, bat_xat):
    client = client_for(district_officer)
    response = _upload(client, bat_xat, CURRENT_WEEK, _fill(_download(client, bat_xat, LAST_WEEK)))
    assert response.status_code == 400
    page = response.content.decode()
    assert "ô B4" in page and "05/11/2021" in page and "12/11/2021" in page
    _nothing_stored()


def test_a_template_for_another_district_is_refused(
    clock, client_for, district_officer, province_admin, bat_xat, sa_pa
):
    other = _download(client_for(province_admin), sa_pa, LAST_WEEK)
    response = _upload(client_for(district_officer), bat_xat, LAST_WEEK, _fill(other))
    assert response.status_code == 400
    page = response.content.decode()
    assert "ô B3" in page and "Thị xã Sa Pa (088)" in page and "Huyện Bát Xát (082)" in page
    _nothing_stored()


def test_text_in_a_number_cell_names_sheet_and_cell(clock, client_for, district_officer, bat_xat):
    client = client_for(district_officer)
    cell = f"B{ROW['venues_inspected']}"
    content = _fill(_download(client, bat_xat, LAST_WEEK), **{cell: "bảy"})
    response = _upload(client, bat_xat, LAST_WEEK, content)
    assert response.status_code == 400
    page = response.content.decode()
    assert f"Trang tính “Báo cáo tuần”, ô {cell} (Số địa điểm được kiểm tra): Nhập một số nguyên." in page
    _nothing_stored()


def test_a_formula_or_an_error_in_an_input_cell_is_named_by_cell_not_stored_as_empty(
    clock, client_for, district_officer, bat_xat
):
    client = client_for(district_officer)
    text_cell, number_cell, error_cell = (
        f"B{TEXT_ROWS['difficulties']}",
        f"B{ROW['venues_inspected']}",
        f"B{ROW['people_guided']}",
    )
    content = _fill(
        _download(client, bat_xat, LAST_WEEK), **{text_cell: "=A1", number_cell: "=3+4", error_cell: "#DIV/0!"}
    )
    with zipfile.ZipFile(io.BytesIO(content)) as archive:  # really a formula and an error, as Excel saves them
        sheet = archive.read("xl/worksheets/sheet1.xml").decode()
    assert f'<c r="{text_cell}"' in sheet and "<f>A1</f>" in sheet and 't="e"' in sheet
    response = _upload(client, bat_xat, LAST_WEEK, content)
    assert response.status_code == 400
    page = response.content.decode()
    refused = "công thức không được chấp nhận, hãy nhập giá trị"
    assert f"Trang tính “Báo cáo tuần”, ô {text_cell} (Khó khăn, vướng mắc): {refused}" in page
    assert f"ô {number_cell} (Số địa điểm được kiểm tra): công thức không được chấp nhận, hãy nhập giá trị" in page
    assert f"ô {error_cell}" in page and "#DIV/0!" in page
    _nothing_stored()


def test_a_formula_with_a_saved_result_is_refused_too(clock, client_for, district_officer, bat_xat):
    """Excel saves a formula's last result beside it: that result is not taken for a typed value."""
    client = client_for(district_officer)
    cell = f"B{ROW['venues_inspected']}"
    content = _fill(_download(client, bat_xat, LAST_WEEK), **{cell: 7})
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(content)) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            data = src.read(info)
            if info.filename == "xl/worksheets/sheet1.xml":
                text = data.decode()
                start = text.index(f'<c r="{cell}"')
                end = text.index("</c>", start) + len("</c>")
                text = text[:start] + f'<c r="{cell}" t="n"><f>3+4</f><v>7</v></c>' + text[end:]
                data = text.encode()
            dst.writestr(info, data)
    response = _upload(client, bat_xat, LAST_WEEK, out.getvalue())
    assert response.status_code == 400
    assert f"ô {cell} (Số địa điểm được kiểm tra): công thức không được chấp nhận" in response.content.decode()
    _nothing_stored()


def test_a_template_with_hundreds_of_rows_added_is_refused_before_it_is_read(
    clock, client_for, district_officer, bat_xat
):
    client = client_for(district_officer)
    content = _fill(_download(client, bat_xat, LAST_WEEK), **{f"A{row}": "thêm" for row in range(30, 330)})
    response = _upload(client, bat_xat, LAST_WEEK, content)
    assert response.status_code == 400
    assert "Tệp có hơn 200 dòng dữ liệu: mỗi tệp tối đa 200 dòng." in response.content.decode()
    _nothing_stored()


def test_every_missing_figure_is_listed(clock, client_for, district_officer, bat_xat):
    client = client_for(district_officer)
    content = _fill(
        _download(client, bat_xat, LAST_WEEK), **{f"B{ROW['people_guided']}": None, f"B{CONFIRM_ROW}": "Không"}
    )
    page = _upload(client, bat_xat, LAST_WEEK, content).content.decode()
    assert f"ô B{ROW['people_guided']}" in page and f"ô B{CONFIRM_ROW}" in page
    _nothing_stored()


def test_a_file_that_is_not_xlsx_is_refused(clock, client_for, district_officer, bat_xat):
    response = _upload(client_for(district_officer), bat_xat, LAST_WEEK, b"district,venues\n082,40\n", "bao-cao.xlsx")
    assert response.status_code == 400
    assert "Tệp không phải là tệp Excel (.xlsx)." in response.content.decode()
    _nothing_stored()


def test_an_xml_bomb_is_refused_safely(clock, client_for, district_officer, bat_xat):
    client = client_for(district_officer)
    plain = _fill(_download(client, bat_xat, LAST_WEEK))
    doctype = (
        b'<?xml version="1.0"?><!DOCTYPE worksheet [<!ENTITY a "lol"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">'
        b'<!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;"><!ENTITY d "&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;">]>'
    )
    bomb = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(plain)) as src, zipfile.ZipFile(bomb, "w") as dst:
        for item in src.infolist():
            data = src.read(item.filename)
            if item.filename == "xl/worksheets/sheet1.xml":
                body = data.split(b"?>", 1)[-1]
                data = doctype + body.replace(
                    b"<sheetData>", b'<sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>&d;</t></is></c></row>', 1
                )
            dst.writestr(item, data)
    response = _upload(client, bat_xat, LAST_WEEK, bomb.getvalue())
    assert response.status_code == 400
    assert "Không đọc được tệp Excel" in response.content.decode()
    _nothing_stored()
    # Refused by defusedxml, before any entity is expanded (openpyxl wraps the error in a ValueError).
    with pytest.raises(ApplicationError) as exc:
        template_read(io.BytesIO(bomb.getvalue()), district=bat_xat, week_ending=LAST_WEEK)
    assert isinstance(exc.value.__cause__.__cause__, EntitiesForbidden)


def test_a_workbook_that_is_not_the_template_is_refused(clock, client_for, district_officer, bat_xat):
    wb = Workbook()
    wb.active["A1"] = "Báo cáo"
    out = io.BytesIO()
    wb.save(out)
    page = _upload(client_for(district_officer), bat_xat, LAST_WEEK, out.getvalue()).content.decode()
    assert "không phải mẫu báo cáo tuần" in page
    _nothing_stored()


def test_moved_rows_are_refused(clock, client_for, district_officer, bat_xat):
    client = client_for(district_officer)
    content = _fill(_download(client, bat_xat, LAST_WEEK), **{f"G{ROW['people_guided']}": "vneid_installs"})
    page = _upload(client, bat_xat, LAST_WEEK, content).content.decode()
    assert "đã bị di chuyển" in page
    _nothing_stored()


def test_an_oversized_file_is_refused_before_reading(clock, client_for, district_officer, bat_xat, settings):
    settings.MAX_UPLOAD_BYTES = 1000
    response = _upload(client_for(district_officer), bat_xat, LAST_WEEK, b"PK" + b"0" * 5000)
    assert response.status_code == 400
    assert "Tệp quá lớn" in response.content.decode()
    _nothing_stored()
