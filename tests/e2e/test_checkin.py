"""Venue check-in as people do it: a visitor on a phone, staff at the entrance, the printed poster."""

from __future__ import annotations

import re

import pytest
from django.core.cache import cache

from rollout.models import Role
from tests.e2e.conftest import PHONE, wait_until
from tests.factories import AgencyFactory, CheckInFactory, UserFactory, VenueFactory, district
from venues.models import CheckIn
from venues.services.checkins import venue_checkin_url, venue_token

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

PASSWORD = "correct-horse-battery"


@pytest.fixture
def market(units):
    cache.clear()  # rate-limit counters from other tests
    agency = AgencyFactory(name="Ban quản lý chợ Bắc Hà", district=district("bac_ha"))
    venue = VenueFactory(
        name="Chợ văn hóa Bắc Hà", agency=agency, district=agency.district, address="Tổ 2, thị trấn Bắc Hà"
    )
    admin = UserFactory.with_role(Role.AGENCY_ADMIN, agency=agency)
    return venue, admin


def _sign_in(page, base_url: str, username: str) -> None:
    page.goto(f"{base_url}/accounts/login/")
    page.get_by_label("Tên đăng nhập").fill(username)
    page.get_by_label("Mật khẩu").fill(PASSWORD)
    page.get_by_role("button", name="Đăng nhập").click()
    page.wait_for_url(f"{base_url}/dashboard/")


def test_visitor_checks_in_and_out_on_a_phone_and_is_remembered(live_server, market, new_page, artifacts):
    venue, _admin = market
    url = f"{live_server.url}/c/{venue_token(venue)}/"
    page = new_page(**PHONE)
    page.goto(url)
    assert page.get_by_role("heading", name="Chợ văn hóa Bắc Hà").is_visible()
    page.get_by_label("Họ và tên").fill("Lù Thị Dợ")
    page.get_by_label("Số điện thoại di động").fill("0386 123 456")
    # A "yes" shows the guidance at once, before sending.
    cough = page.get_by_role("radiogroup", name="Bạn có bị ho không?")
    cough.get_by_label("Có", exact=True).check()
    assert page.get_by_text("Báo cho nhân viên ở lối vào trước khi vào.").is_visible()
    cough.get_by_label("Không", exact=True).check()
    assert not page.get_by_text("Báo cho nhân viên ở lối vào trước khi vào.").is_visible()
    page.screenshot(path=str(artifacts / "checkin-phone-form.png"), full_page=True)

    page.get_by_role("button", name="Khai báo vào").click()
    page.get_by_text("✓ Đã khai báo vào").wait_for()
    assert "/v/" in page.url  # the confirmation has its own address: a reload does not post again
    checkin = CheckIn.objects.get()
    assert (checkin.full_name, checkin.phone, checkin.flagged) == ("Lù Thị Dợ", "0386123456", False)
    # The pass's QR image is fetched after the page: wait until it has loaded (fails if it never does).
    wait_until(
        page,
        "() => { const img = document.querySelector('.pass img'); return img && img.complete && img.naturalWidth > 0 }",
    )
    page.screenshot(path=str(artifacts / "checkin-phone-confirmation.png"), full_page=True)
    page.reload()
    assert CheckIn.objects.count() == 1

    page.get_by_role("button", name="Khai báo ra").click()
    page.get_by_text("Đã khai báo ra", exact=True).first.wait_for()
    checkin.refresh_from_db()
    assert checkin.checked_out_at is not None
    page.screenshot(path=str(artifacts / "checkin-phone-checked-out.png"), full_page=True)

    # Next visit: the phone remembers the visitor; one tap checks in.
    page.goto(url)
    assert page.get_by_text("Lù Thị Dợ").is_visible() and page.get_by_text("0386***456").is_visible()
    assert not page.get_by_label("Họ và tên").is_visible()
    page.screenshot(path=str(artifacts / "checkin-phone-remembered.png"), full_page=True)
    page.get_by_role("button", name="Khai báo vào").click()
    page.get_by_text("✓ Đã khai báo vào").wait_for()
    assert CheckIn.objects.filter(phone="0386123456").count() == 2

    # Scanning the poster again while inside offers the check-out.
    page.goto(url)
    assert page.get_by_text("Bạn đã khai báo vào địa điểm này lúc").is_visible()


def test_replaced_and_unknown_codes_get_clear_pages_on_a_phone(live_server, market, new_page, artifacts):
    venue, _admin = market
    old = f"{live_server.url}/c/{venue_token(venue)}/"
    from venues.services.checkins import venue_qr_rotate

    venue_qr_rotate(venue=venue)
    page = new_page(**PHONE)
    page.goto(old)
    assert page.get_by_role("heading", name="Mã QR này đã được thay thế").is_visible()
    page.screenshot(path=str(artifacts / "checkin-phone-replaced.png"), full_page=True)
    page.goto(f"{live_server.url}/c/not-a-code/")
    assert page.get_by_role("heading", name="Không nhận ra mã QR").is_visible()


def test_poster_prints_on_one_a4_page_and_all_posters_one_page_each(live_server, market, new_page, artifacts):
    venue, admin = market
    VenueFactory(name="Homestay Bản Mây", kind="hotel", agency=venue.agency, district=venue.district)
    page = new_page()
    _sign_in(page, live_server.url, admin.username)
    page.goto(f"{live_server.url}/venues/{venue.pk}/poster/")
    assert page.get_by_text("Quét mã QR để khai báo ra vào").first.is_visible()
    page.screenshot(path=str(artifacts / "poster-screen.png"), full_page=True)
    assert _pdf_pages(page.pdf(format="A4", print_background=True)) == 1
    page.goto(f"{live_server.url}/posters/")
    assert page.get_by_text("Scan the QR code to check in").is_visible()  # the homestay's English block
    page.emulate_media(media="print")
    page.locator("section.bilingual").screenshot(path=str(artifacts / "poster-bilingual-print.png"))
    pdf = page.pdf(format="A4", print_background=True)
    (artifacts / "posters-all.pdf").write_bytes(pdf)
    assert _pdf_pages(pdf) == 2
    assert venue_checkin_url(venue).startswith("http")


def _pdf_pages(pdf: bytes) -> int:
    return len(re.findall(rb"/Type\s*/Page(?!s)", pdf))


def test_staff_record_entry_and_exit_by_hand_at_the_entrance(live_server, market, new_page, artifacts):
    venue, admin = market
    CheckInFactory(venue=venue, full_name="Vàng Thị Mỷ", phone="0359876543")
    page = new_page(**PHONE)
    _sign_in(page, live_server.url, admin.username)
    page.goto(f"{live_server.url}/venues/{venue.pk}/scan/")
    assert page.get_by_role("button", name="Bật camera").is_visible()
    page.get_by_label("Số CMND/CCCD hoặc số điện thoại").fill("0912 000 111")
    page.get_by_role("button", name="Tìm").click()
    page.get_by_text("Chưa từng đến địa điểm này").wait_for()
    form = page.locator("#manual-entry")
    form.get_by_label("Họ và tên").fill("Thào A Chử")
    form.get_by_role("button", name="Ghi nhận vào").click()
    page.get_by_text("Đã ghi nhận vào: Thào A Chử").wait_for()
    inside = page.locator("table")
    assert inside.get_by_text("Thào A Chử").is_visible() and inside.get_by_text("Vàng Thị Mỷ").is_visible()
    page.screenshot(path=str(artifacts / "staff-scan-phone.png"), full_page=True)
    inside.locator("tr", has_text="Vàng Thị Mỷ").get_by_role("button", name="Ra").click()
    page.get_by_text("Đã ghi nhận ra: Vàng Thị Mỷ").wait_for()
    assert CheckIn.objects.get(full_name="Vàng Thị Mỷ").checked_out_at is not None


def test_agency_admin_log_and_district_inspection_view(live_server, market, new_page, artifacts):
    venue, admin = market
    CheckInFactory(venue=venue, full_name="Lò Văn Páo", phone="0912345678", has_fever=True, flagged=True)
    CheckInFactory(venue=venue, full_name="Hà Thị Hoa", phone="0987654321")
    VenueFactory(name="Quán phở Gió Núi", district=venue.district)  # never scanned
    officer = UserFactory.with_role(Role.DISTRICT_OFFICER, district=venue.district)

    page = new_page()
    _sign_in(page, live_server.url, admin.username)
    page.get_by_role("link", name="Nhật ký ra vào").first.click()
    assert page.get_by_text("Lò Văn Páo").is_visible() and page.get_by_text("0912***678").is_visible()
    page.screenshot(path=str(artifacts / "visitor-log.png"), full_page=True)
    with page.expect_download() as download:
        page.get_by_role("link", name="Xuất ra Excel").click()
    assert download.value.suggested_filename.endswith(".xlsx")

    page = new_page()
    _sign_in(page, live_server.url, officer.username)
    page.get_by_role("link", name="Kiểm tra cơ sở").first.click()
    rows = page.locator("tbody tr")
    assert "Quán phở Gió Núi" in rows.nth(0).inner_text()  # never scanned: listed first
    page.screenshot(path=str(artifacts / "inspections.png"), full_page=True)
    rows.nth(0).get_by_role("link", name="Ghi nhận kiểm tra").click()
    page.get_by_label("Người kiểm tra").fill("Tổ kiểm tra liên ngành")
    page.get_by_text("Không chấp hành đúng").click()
    page.get_by_label("Vi phạm").fill("Không niêm yết mã QR tại lối vào")
    page.get_by_role("button", name="Lưu").click()
    page.get_by_text("Đã ghi nhận kết quả kiểm tra.").wait_for()
    page.screenshot(path=str(artifacts / "inspection-recorded.png"), full_page=True)
