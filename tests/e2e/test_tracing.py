"""A health officer traces a confirmed case in headless Chromium: search, mark, second ring, chain picture."""

from __future__ import annotations

import re

import openpyxl
import pytest

from tests.e2e.conftest import PHONE
from tests.tracing.conftest import F0_ID, scenario  # noqa: F401 (the hand-built scenario, as a fixture)
from tests.tracing.ring2_scenario import EXPECTED_RING2, HA, MAI, add_ring2
from tracing.models import Candidate, TracingList, TracingSearch

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def _sign_in(page, base_url: str, username: str) -> None:
    page.goto(f"{base_url}/accounts/login/")
    page.get_by_label("Tên đăng nhập").fill(username)
    page.get_by_label("Mật khẩu").fill("correct-horse-battery")
    page.get_by_role("button", name="Đăng nhập").click()
    page.wait_for_url(f"{base_url}/dashboard/")


@pytest.fixture
def tracing_settings(settings):
    settings.TRACING_BUFFER_MINUTES = 15
    settings.TRACING_SAME_VEHICLE_MINUTES = 30
    settings.CHECKIN_DEFAULT_STAY_MINUTES = 60
    settings.PERSONAL_DATA_RETENTION_DAYS = 21
    settings.TRACING_DEFAULT_DAYS = 14


def test_health_officer_searches_marks_asks_for_f2_and_prints_the_chain(
    live_server,
    tracing_settings,
    scenario,  # noqa: F811
    health_officer,
    new_page,
    artifacts,
):
    add_ring2(scenario)
    page = new_page()
    _sign_in(page, live_server.url, health_officer.username)
    page.get_by_role("link", name="Truy vết tiếp xúc").click()
    page.get_by_label("Số CMND/CCCD").fill(F0_ID)
    page.get_by_label("Lý do cụ thể").fill("Ca dương tính ngày 28, xét nghiệm PCR")
    page.screenshot(path=str(artifacts / "tracing-search-desktop.png"), full_page=True)
    page.get_by_role("button", name="Tìm kiếm", exact=True).click()
    page.wait_for_url(re.compile(r"/tracing/searches/\d+/$"))
    search = TracingSearch.objects.get()
    assert page.locator("#ring1 tbody tr").count() == search.candidate_count == 8
    assert page.locator("svg.timeline-picture g.checkin").count() == 3

    # Mark number 2 as contacted, with a note: the page comes back to the row with a message.
    row = page.locator("#candidate-2")
    row.locator("select[name=status]").select_option("contacted")
    row.locator("input[name=note]").fill("Đã gọi, hẹn xét nghiệm")
    row.get_by_role("button", name="Lưu").click()
    page.wait_for_selector(".messages .success")
    assert "Đã liên hệ" in page.locator(".messages .success").inner_text()
    assert Candidate.objects.get(search=search, rank=2).note == "Đã gọi, hẹn xét nghiệm"

    # Tick two F1s and ask for their contacts (F2).
    page.locator(f"#candidate-{MAI} input[type=checkbox]").check()
    page.locator(f"#candidate-{HA} input[type=checkbox]").check()
    page.get_by_role("button", name="Tìm F2 của các F1 đã đánh dấu").click()
    page.wait_for_selector("#ring2 tbody tr")
    names = page.locator("#ring2 tbody tr td:nth-child(2) strong").all_inner_texts()
    assert names == [name for name, _s, _m, _v in EXPECTED_RING2]
    page.screenshot(path=str(artifacts / "tracing-result-desktop.png"), full_page=True)

    # The candidates as a workbook, read back: both rings, the note just written.
    with page.expect_download() as download:
        page.get_by_role("link", name="Xuất ra Excel").click()
    path = artifacts / "tracing-export.xlsx"
    download.value.save_as(path)
    rows = list(openpyxl.load_workbook(path, read_only=True).active.iter_rows(values_only=True))
    exported = [row[1] for row in rows if row and isinstance(row[0], int)]
    assert len(exported) == 8 + len(EXPECTED_RING2)
    assert any(row and row[-1] == "Đã gọi, hẹn xét nghiệm" for row in rows)

    # The lists go to the candidates' districts.
    page.get_by_role("button", name="Gửi danh sách cho các huyện").click()
    page.wait_for_selector(".messages .success")
    assert TracingList.objects.filter(search=search).exists()

    page.get_by_role("link", name="Sơ đồ chuỗi lây nhiễm").click()
    page.wait_for_selector("svg.chain-picture")
    assert page.locator("svg.chain-picture g.node.person").count() == 8 + len(EXPECTED_RING2)
    assert page.locator("svg.chain-picture g.node.st-contacted").count() == 1
    page.screenshot(path=str(artifacts / "tracing-chain-desktop.png"), full_page=True)

    # The print view fits one A4 sheet, landscape.
    page.get_by_role("link", name="Bản in (A4 nằm ngang)").click()
    page.wait_for_selector("svg.chain-picture")
    page.emulate_media(media="print")
    pdf = page.pdf(prefer_css_page_size=True, print_background=True)
    (artifacts / "tracing-chain-print.pdf").write_bytes(pdf)
    assert len(re.findall(rb"/Type\s*/Page[^s]", pdf)) == 1
    assert re.search(rb"/MediaBox\s*\[\s*0 0 841\.\d+ 59[45]\.\d+", pdf)  # A4 landscape in points

    phone = new_page(**PHONE)
    _sign_in(phone, live_server.url, health_officer.username)
    phone.goto(f"{live_server.url}/tracing/")
    assert phone.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")
    phone.screenshot(path=str(artifacts / "tracing-search-phone.png"), full_page=True)
    phone.goto(f"{live_server.url}/tracing/searches/{search.pk}/")
    phone.wait_for_selector("#ring2 tbody tr")
    phone.screenshot(path=str(artifacts / "tracing-result-phone.png"), full_page=True)
    phone.goto(f"{live_server.url}/tracing/searches/{search.pk}/chain/")
    phone.wait_for_selector("svg.chain-picture")
    # The page itself does not scroll sideways: the wide picture scrolls inside its frame.
    assert phone.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")
    phone.screenshot(path=str(artifacts / "tracing-chain-phone.png"), full_page=True)
