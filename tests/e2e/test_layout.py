"""Pages officials use on a phone or a laptop: what they need is within the screen, wide tables scroll inside
their box, and week grids open on the newest weeks."""

from __future__ import annotations

import pytest

from tests.e2e.conftest import PHONE
from tests.e2e.test_overview import province, sign_in  # noqa: F401 (the fixture is used by name)

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

LAPTOP = {"viewport": {"width": 1366, "height": 768}}


def page_fits(page) -> None:
    """Nothing makes the page itself wider than the screen: wide content scrolls inside its own box."""
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def test_an_inspection_is_recorded_from_a_phone(province, new_page, artifacts):  # noqa: F811
    page = new_page(**PHONE)
    sign_in(page, province.url, "district_bat_xat")
    page.goto(f"{province.url}/inspections/")
    page_fits(page)
    button = page.get_by_role("link", name="Ghi nhận kiểm tra").first
    box = button.bounding_box()
    assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= PHONE["viewport"]["width"]
    page.screenshot(path=str(artifacts / "inspections-phone.png"), full_page=False)
    button.click()
    page.wait_for_url("**/inspections/new/")
    assert page.get_by_role("button", name="Lưu").count() + page.get_by_role("button", name="Ghi nhận").count() >= 1
    page.screenshot(path=str(artifacts / "inspection-form-phone.png"), full_page=True)


def test_the_district_table_keeps_its_names_in_view_on_a_laptop(province, new_page, artifacts):  # noqa: F811
    page = new_page(**LAPTOP)
    sign_in(page, province.url, "province_viewer")
    page_fits(page)
    table = page.locator("table.areas")
    wrap = page.locator(".tablewrap:has(table.areas)")
    wrap.evaluate("w => { w.scrollLeft = w.scrollWidth; }")
    # Scrolled to its last column, the table still shows which district each row is.
    last = table.locator("thead th").last.bounding_box()
    name = table.locator("tbody tr").first.locator("th, td").first.bounding_box()
    assert last["x"] + last["width"] <= LAPTOP["viewport"]["width"] + 1
    assert name["x"] >= 0 and name["x"] < 400
    table.scroll_into_view_if_needed()
    page.screenshot(path=str(artifacts / "overview-districts-1366.png"), full_page=False)


def test_the_report_grid_opens_on_the_newest_weeks_on_a_phone(province, new_page, artifacts):  # noqa: F811
    page = new_page(**PHONE)
    sign_in(page, province.url, "province_admin")
    page.goto(f"{province.url}/reports/grid/")
    page_fits(page)
    wrap = page.locator(".tablewrap[data-scroll-end]")
    assert wrap.evaluate("w => w.scrollWidth > w.clientWidth")  # a phone cannot show every week at once
    assert wrap.evaluate("w => w.scrollLeft + w.clientWidth >= w.scrollWidth - 1")
    newest = page.locator("table.grid thead th.week").last.bounding_box()
    assert newest["x"] >= 0 and newest["x"] + newest["width"] <= PHONE["viewport"]["width"] + 1
    # The district names stay in view beside the newest weeks.
    first = page.locator("table.grid tbody th[scope=row]").first.bounding_box()
    assert 0 <= first["x"] < 60
    page.screenshot(path=str(artifacts / "report-grid-phone.png"), full_page=False)
