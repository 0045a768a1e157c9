"""The directive scorecard in a real browser, on the demo province: desktop and phone, and its print."""

from __future__ import annotations

import io
import subprocess

import pytest
from django.core.management import call_command

from tests.e2e.conftest import PHONE

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]
PASSWORD = "demo-pass-e2e"
CLAUSES = ["1", "2", "3.i", "3.ii", "3.iii", "4.i", "4.ii", "4.iii", "5", "6.i", "6.ii", "6.iii", "6.iv"]


@pytest.fixture
def province(live_server, units, settings, tmp_path):
    settings.DEMO_PASSWORD = PASSWORD
    settings.PRIVATE_FILES_ROOT = tmp_path / "files"
    call_command("seed_demo", stdout=io.StringIO())
    call_command("recompute_daily_stats", "--days", "35", "--force", stdout=io.StringIO())
    return live_server


def sign_in(page, base_url: str, username: str) -> None:
    page.goto(f"{base_url}/accounts/login/")
    page.get_by_label("Tên đăng nhập").fill(username)
    page.get_by_label("Mật khẩu").fill(PASSWORD)
    page.get_by_role("button", name="Đăng nhập").click()
    page.wait_for_url(f"{base_url}/dashboard/")


def test_the_scorecard_on_a_desktop_and_a_phone(province, new_page, artifacts):
    errors: list[str] = []
    for name, options in (("desktop", {}), ("phone", PHONE)):
        page = new_page(**options)
        page.on("pageerror", lambda e: errors.append(str(e)))
        sign_in(page, province.url, "province_viewer")
        if name == "phone":
            page.get_by_role("button", name="Menu").click()
        page.get_by_role("link", name="Theo dõi thực hiện chỉ đạo").click()
        assert page.get_by_role("heading", name="Theo dõi thực hiện chỉ đạo").is_visible()
        rows = page.locator("tr[data-clause]")
        assert [rows.nth(i).get_attribute("data-clause") for i in range(rows.count())] == CLAUSES
        statuses = {rows.nth(i).get_attribute("data-status") for i in range(rows.count())}
        assert "no_data" in statuses and statuses & {"on_track", "lagging"}
        # Nothing wider than the screen: on a phone each clause is a card, no sideways scrolling.
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= options.get("viewport", {"width": 1366})["width"]
        assert page.locator("tr[data-clause='6.iv'] .sc-status").is_visible()
        page.screenshot(path=str(artifacts / f"scorecard-{name}.png"), full_page=True)
    # Detail links lead to the pages behind the figures.
    page.locator("tr[data-clause='6.iv']").get_by_role("link").click()
    page.wait_for_url("**/reports/grid/**")
    assert errors == []


def test_the_scorecard_prints_on_one_landscape_a4_page(province, new_page, artifacts):
    page = new_page()
    sign_in(page, province.url, "province_admin")
    page.goto(f"{province.url}/reports/scorecard/")
    page.emulate_media(media="print")
    assert page.locator(".sidebar").is_hidden() and page.locator("form.filters").is_hidden()
    page.screenshot(path=str(artifacts / "scorecard-print.png"), full_page=True)
    target = artifacts / "scorecard-print.pdf"
    target.write_bytes(page.pdf(prefer_css_page_size=True, print_background=True))
    info = subprocess.run(["pdfinfo", str(target)], capture_output=True, text=True, check=True).stdout
    assert "Pages:           1" in info
    size = next(line for line in info.splitlines() if line.startswith("Page size:"))
    width, height = (float(v) for v in size.split()[2:5:2])
    assert (round(width), round(height)) == (842, 595)  # A4 landscape, in points
    subprocess.run(["pdftoppm", "-r", "80", "-png", "-singlefile", str(target), str(artifacts / "scorecard-print")],
                   check=True)  # fmt: skip
