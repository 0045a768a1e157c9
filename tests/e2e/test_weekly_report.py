"""A district officer sends the weekly report as the XLSX template; the province returns it with a comment."""

from __future__ import annotations

from datetime import timedelta

import pytest
from openpyxl import load_workbook

from reports import weeks
from reports.models import ReportState, WeeklyReport
from reports.template_xlsx import CONFIRM_ROW, TEXT_ROWS, number_row
from rollout.models import FocalOfficer

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]
PASSWORD = "correct-horse-battery"
FIGURES = [3, 12, 5, 1, 1, 4, 260, 18500, 7400, 5200]


def _sign_in(page, base_url: str, username: str) -> None:
    page.goto(f"{base_url}/accounts/login/")
    page.get_by_label("Tên đăng nhập").fill(username)
    page.get_by_label("Mật khẩu").fill(PASSWORD)
    page.get_by_role("button", name="Đăng nhập").click()
    page.wait_for_url(f"{base_url}/dashboard/")


def test_district_uploads_the_template_and_the_province_returns_it(
    live_server, units, district_officer, province_admin, bat_xat, new_page, artifacts, tmp_path
):
    FocalOfficer.objects.create(
        full_name="Vàng Thị Mỷ", phone="0912000111", email="vhtt.batxat@laocai.gov.vn", district=bat_xat
    )
    week = weeks.current_week()

    # The district officer opens this week's report from the home page and downloads the template.
    district = new_page()
    _sign_in(district, live_server.url, district_officer.username)
    district.get_by_role("link", name="Mở báo cáo tuần này").first.click()
    district.wait_for_url(f"**/reports/82/{week:%Y-%m-%d}/")
    with district.expect_download() as info:
        district.get_by_role("link", name="Tải biểu mẫu (.xlsx)").click()
    template = tmp_path / info.value.suggested_filename
    info.value.save_as(template)
    assert template.name.endswith(f"{week:%Y-%m-%d}.xlsx")

    # Filled in "Excel" (openpyxl), then uploaded.
    wb = load_workbook(template)
    ws = wb.worksheets[0]
    for index, value in enumerate(FIGURES):
        ws[f"B{number_row(index)}"] = value
    ws[f"B{TEXT_ROWS['difficulties']}"] = "Sóng di động yếu ở các xã vùng cao."
    ws[f"B{CONFIRM_ROW}"] = "Có"
    wb.save(template)
    district.get_by_label("Tệp (.xlsx)").set_input_files(str(template))
    district.get_by_role("button", name="Tải lên và gửi").click()
    district.wait_for_url(f"**/reports/82/{week:%Y-%m-%d}/")
    main = district.locator("main").inner_text()
    assert "Đã gửi báo cáo (phiên bản 1)" in main
    assert ("Gửi đúng hạn" in main) or ("Gửi muộn" in main)
    assert "18.500" in main and "Mẫu XLSX" in main  # with the thousands separator
    district.screenshot(path=str(artifacts / "weekly-report-1-district-submitted.png"), full_page=True)

    # The province admin returns it with a comment.
    admin = new_page()
    _sign_in(admin, live_server.url, province_admin.username)
    admin.goto(f"{live_server.url}/reports/")
    admin.get_by_role("link", name="Huyện Bát Xát").click()
    admin.get_by_label("Ý kiến gửi huyện").fill("Số địa điểm kiểm tra chưa khớp biên bản; đề nghị rà soát lại.")
    admin.get_by_role("button", name="Trả lại huyện").click()
    admin.wait_for_url(f"**/reports/82/{week:%Y-%m-%d}/")
    assert "Đã trả lại báo cáo cho huyện" in admin.locator("main").inner_text()
    admin.screenshot(path=str(artifacts / "weekly-report-2-province-returned.png"), full_page=True)

    # The district sees why, on the report and in its notifications.
    district.reload()
    callout = district.get_by_role("alert")
    assert "Bị trả lại để chỉnh sửa" in callout.inner_text()
    assert "Số địa điểm kiểm tra chưa khớp biên bản; đề nghị rà soát lại." in callout.inner_text()
    assert district.locator(".badge").inner_text() == "1"
    district.screenshot(path=str(artifacts / "weekly-report-3-district-sees-comment.png"), full_page=True)
    assert WeeklyReport.objects.get(district=bat_xat, week_ending=week).state == ReportState.RETURNED

    # The grid shows the week in the returned colour.
    district.goto(f"{live_server.url}/reports/grid/")
    assert district.locator("td.state-returned").count() == 1
    district.screenshot(path=str(artifacts / "weekly-report-4-grid.png"), full_page=True)


def test_demo_weeks_show_in_the_grid_overview_rollups_and_form(live_server, units, new_page, artifacts, settings):
    import io

    from django.core.management import call_command

    settings.DEMO_PASSWORD = PASSWORD
    call_command("seed_demo", stdout=io.StringIO())
    admin = new_page()
    _sign_in(admin, live_server.url, "province_admin")
    assert "Báo cáo tuần của các huyện" in admin.locator("main").inner_text()
    admin.screenshot(path=str(artifacts / "weekly-report-5-admin-home.png"), full_page=True)
    admin.goto(f"{live_server.url}/reports/grid/")
    assert admin.locator("td.state-missing").count() >= 1 and admin.locator("td.state-late").count() >= 1
    assert admin.locator("td.state-approved").count() >= 9
    admin.screenshot(path=str(artifacts / "weekly-report-6-grid-demo.png"), full_page=True)
    admin.goto(f"{live_server.url}/reports/?week={weeks.current_week() - timedelta(days=7):%Y-%m-%d}")
    admin.screenshot(path=str(artifacts / "weekly-report-7-week-overview.png"), full_page=True)
    admin.goto(f"{live_server.url}/reports/rollups/")
    assert admin.get_by_role("link", name="Tải về (.xlsx)").count() >= 8
    admin.screenshot(path=str(artifacts / "weekly-report-8-rollups.png"), full_page=True)

    district = new_page()
    _sign_in(district, live_server.url, "district_van_ban")
    district.screenshot(path=str(artifacts / "weekly-report-9-district-home.png"), full_page=True)
    district.goto(f"{live_server.url}/reports/089/{weeks.current_week():%Y-%m-%d}/edit/")
    district.get_by_label("Số người được hướng dẫn cài đặt ứng dụng").fill("120")
    district.screenshot(path=str(artifacts / "weekly-report-10-form.png"), full_page=True)
