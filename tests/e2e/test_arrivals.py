"""Checkpoint staff at the keyboard, a hand scanner, and a traveller's phone, in headless Chromium."""

from __future__ import annotations

import pytest
import zxingcpp
from django.utils import timezone
from PIL import Image

from checkpoints.models import Arrival, Declaration, DeclarationKind
from checkpoints.services.declarations import DeclarationInput, declaration_qr_text, declaration_submit
from tests.e2e.conftest import PHONE, wait_until
from tests.factories import district

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def _sign_in(page, base_url: str, username: str) -> None:
    page.goto(f"{base_url}/accounts/login/")
    page.get_by_label("Tên đăng nhập").fill(username)
    page.get_by_label("Mật khẩu").fill("correct-horse-battery")
    page.get_by_role("button", name="Đăng nhập").click()
    page.wait_for_url(f"{base_url}/dashboard/")


def _focused(page) -> str:
    return page.evaluate("document.activeElement && document.activeElement.name")


def test_keyboard_only_arrival_entry_with_defaults_scan_and_duplicate(live_server, checkpoint_staff, checkpoint,
                                                                      new_page, artifacts, settings):  # fmt: skip
    settings.SITE_URL = live_server.url
    page = new_page()
    _sign_in(page, live_server.url, checkpoint_staff.username)
    page.goto(f"{live_server.url}/checkpoints/arrivals/new/")
    assert _focused(page) == "id_number"  # the cursor starts where the first keystroke belongs

    # Type, Tab, type… and Enter: checkpoint, time and destination keep their defaults.
    page.keyboard.type("010203004567")
    page.keyboard.press("Tab")
    assert _focused(page) == "phone"
    page.keyboard.type("0912 345 678")
    page.keyboard.press("Tab")
    page.keyboard.type("Giàng A Páo")
    page.keyboard.press("Tab")
    assert _focused(page) == "birth_year"
    page.keyboard.type("1988")
    page.screenshot(path=str(artifacts / "arrival-keyboard-typed.png"), full_page=True)
    page.keyboard.press("Enter")
    page.wait_for_selector(".messages .success")
    assert "Đã lưu: Giàng A Páo" in page.locator(".messages .success").inner_text()
    assert _focused(page) == "id_number"  # ready for the next person
    arrival = Arrival.objects.get()
    assert arrival.checkpoint == checkpoint and arrival.destination_district == checkpoint.district
    assert abs((timezone.now() - arrival.arrived_at).total_seconds()) < 120
    assert (arrival.phone, arrival.birth_year) == ("0912345678", 1988)

    # A hand scanner types the personal QR's text and Enter: the form fills, Save has the focus.
    declaration = declaration_submit(
        data=DeclarationInput(
            kind=DeclarationKind.TRAVEL, full_name="Vàng Thị Dợ", phone="0386123456", origin_province=1,
            origin_district=1, destination_district=district("sa_pa").pk, travel_date=timezone.localdate(),
            vehicle="coach", plate="29B-111.22",
        )
    )  # fmt: skip
    page.locator("#qr-text").focus()
    page.keyboard.type(declaration_qr_text(declaration))
    page.keyboard.press("Enter")
    wait_until(page, "document.querySelector('[name=full_name]').value === 'Vàng Thị Dợ'")
    wait_until(page, "document.activeElement && document.activeElement.hasAttribute('data-save')")
    assert page.locator("[name=destination_district]").input_value() == str(district("sa_pa").pk)
    assert page.locator("[name=origin_district]").input_value() == "1"
    page.screenshot(path=str(artifacts / "arrival-prefilled-from-qr.png"), full_page=True)
    page.keyboard.press("Enter")  # one confirmation
    page.wait_for_selector("text=Đã lưu: Vàng Thị Dợ")
    scanned = Arrival.objects.get(declaration=declaration)
    assert (scanned.plate, scanned.destination_district_id) == ("29B-111.22", district("sa_pa").pk)

    # The same ID again within the hour: the page asks; Enter confirms (stored, flagged).
    page.keyboard.type("010203004567")
    page.keyboard.press("Tab")
    page.keyboard.press("Tab")
    page.keyboard.type("Giàng A Páo")
    page.keyboard.press("Enter")
    page.wait_for_selector(".duplicate")
    page.screenshot(path=str(artifacts / "arrival-duplicate.png"), full_page=True)
    assert Arrival.objects.count() == 2
    page.keyboard.press("Enter")
    page.wait_for_selector(".messages .success")
    assert Arrival.objects.filter(possible_duplicate_of=arrival).count() == 1


def test_traveller_declares_on_a_phone_and_gets_a_qr_that_scans(live_server, units, new_page, artifacts, settings):
    settings.SITE_URL = live_server.url
    page = new_page(**PHONE)
    page.goto(f"{live_server.url}/declare/")
    page.get_by_role("link", name="Khai báo di chuyển nội địa").click()
    page.get_by_label("Họ và tên").fill("Nguyễn Thị Lan")
    page.get_by_label("Số điện thoại").fill("0912345678")
    page.locator("[name=origin_province]").select_option("1")
    wait_until(page, "document.querySelector('[name=origin_district]').options.length > 5")
    page.locator("[name=origin_district]").select_option("1")
    wait_until(page, "document.querySelector('[name=origin_commune]').options.length > 3")
    page.locator("[name=origin_commune]").select_option(index=1)
    page.locator("[name=destination_district]").select_option(str(district("sa_pa").pk))
    wait_until(page, "document.querySelector('[name=destination_commune]').options.length > 3")
    page.locator("[name=destination_commune]").select_option(index=2)
    page.locator("[name=travel_date]").fill(timezone.localdate().isoformat())
    page.locator("[name=truthful]").check()
    page.screenshot(path=str(artifacts / "declaration-form-phone.png"), full_page=True)
    page.get_by_role("button", name="Gửi và nhận mã QR của tôi").click()
    page.wait_for_selector("img.qr")
    page.screenshot(path=str(artifacts / "declaration-pass-phone.png"), full_page=True)
    declaration = Declaration.objects.get()
    assert declaration.origin_district_id == 1 and declaration.destination_commune_id
    image = page.request.get(page.locator("img.qr").get_attribute("src").join([live_server.url, ""]))
    path = artifacts / "declaration-qr.png"
    path.write_bytes(image.body())
    assert zxingcpp.read_barcodes(Image.open(path))[0].text == declaration_qr_text(declaration)
    # The phone remembers the person and the pass for next time.
    page.goto(f"{live_server.url}/declare/health/")
    assert page.get_by_label("Họ và tên").input_value() == "Nguyễn Thị Lan"
    page.goto(f"{live_server.url}/declare/")
    assert page.get_by_role("link", name="Mở mã QR cá nhân gần nhất của tôi").is_visible()
