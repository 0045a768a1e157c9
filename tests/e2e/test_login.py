"""Each demo user signs in through the real login page and lands on its own home."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command

from tests.e2e.conftest import PHONE

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

HOMES = {
    "province_admin": "Quản trị cấp tỉnh",
    "province_viewer": "Tổng quan toàn tỉnh",
    "health_officer": "Y tế",
    "district_bat_xat": "Huyện Bát Xát",
    "district_sa_pa": "Thị xã Sa Pa",
    "district_lao_cai": "Thành phố Lào Cai",
    "checkpoint_staff": "Chốt kiểm soát Cửa khẩu quốc tế Lào Cai",
    "agency_admin": "Ban quản lý chợ",
    "facility_staff": "Trung tâm Y tế",
}


def _sign_in(page, base_url: str, username: str, password: str) -> None:
    page.goto(f"{base_url}/accounts/login/")
    page.get_by_label("Tên đăng nhập").fill(username)
    page.get_by_label("Mật khẩu").fill(password)
    page.get_by_role("button", name="Đăng nhập").click()
    page.wait_for_url(f"{base_url}/dashboard/")


def test_each_demo_user_signs_in_and_sees_own_home(live_server, units, new_page, artifacts, settings):
    settings.DEMO_PASSWORD = "demo-pass-e2e"
    call_command("seed_demo", "--days", "2", stdout=io.StringIO())
    for username, expected in HOMES.items():
        page = new_page()
        page.goto(live_server.url + "/")
        assert page.locator("html").get_attribute("lang") == "vi"
        assert page.get_by_role("heading", name="Đăng nhập").is_visible()
        _sign_in(page, live_server.url, username, "demo-pass-e2e")
        main = page.locator("main").inner_text()
        assert expected in main, (username, main[:300])
        if username.startswith("district_") and username != "district_bat_xat":
            assert "Huyện Bát Xát" not in main
        page.screenshot(path=str(artifacts / f"home-{username}.png"), full_page=True)
        page.get_by_role("button", name="Đăng xuất").click()
        page.wait_for_url(f"{live_server.url}/accounts/login/")


def test_navigation_folds_away_on_a_phone(live_server, units, district_officer, new_page, artifacts):
    page = new_page(**PHONE)
    _sign_in(page, live_server.url, district_officer.username, "correct-horse-battery")
    nav = page.locator("#sidebar")
    assert not nav.is_visible()
    page.get_by_role("button", name="Menu").click()
    assert nav.is_visible()
    assert nav.get_by_role("link", name="Địa điểm").is_visible()
    page.screenshot(path=str(artifacts / "home-phone-menu.png"), full_page=True)
