"""Long pickers in a real browser: Vietnamese order, accent-free search, Tom Select fetched only when used."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import PHONE, wait_until

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_a_traveller_finds_a_province_by_typing_without_accents(live_server, units, new_page, artifacts):
    page = new_page(**PHONE)
    fetched: list[str] = []
    page.on("request", lambda r: fetched.append(r.url))
    page.goto(f"{live_server.url}/declare/")
    page.get_by_role("link", name="Khai báo di chuyển nội địa").click()
    page.wait_for_load_state("networkidle")
    assert not any("tom-select" in url for url in fetched)  # nothing extra until a picker is used

    names = page.locator("[name=origin_province] option").all_inner_texts()[1:]
    assert names.index("Tỉnh Bạc Liêu") < names.index("Tỉnh Bình Định") < names.index("Tỉnh Cà Mau")
    assert (
        names.index("Thành phố Đà Nẵng")
        < names.index("Tỉnh Điện Biên")
        < names.index("Tỉnh Gia Lai")
        < names.index("Thành phố Hà Nội")
    )

    page.locator("[name=origin_province]").tap()
    control = page.locator(".ts-control input").first
    control.wait_for()
    control.fill("da n")
    first = page.locator(".ts-dropdown .option").first
    expect(first).to_have_text("Thành phố Đà Nẵng")  # the search runs once typing pauses
    page.screenshot(path=str(artifacts / "picker-province-phone.png"), full_page=False)
    first.click()
    assert page.locator("[name=origin_province]").input_value() == str(_code(page, "Thành phố Đà Nẵng"))
    # The districts of the chosen province arrive in the next picker, in Vietnamese order too.
    wait_until(page, "document.querySelector('[name=origin_district]').options.length > 3")
    districts = page.locator("[name=origin_district] option").all_inner_texts()[1:]
    assert districts == sorted(districts, key=_vi)
    page.locator("[name=origin_district]").tap()
    page.locator("[name=origin_district] + .ts-wrapper input").fill("hai chau")
    expect(page.locator(".ts-dropdown:visible .option").first).to_have_text("Quận Hải Châu")

    # "Thành phố H" lists the cities whose name starts with H, never Cần Thơ first.
    page.goto(f"{live_server.url}/declare/travel/")
    page.locator("[name=origin_province]").tap()
    page.locator("[name=origin_province] + .ts-wrapper input").fill("Thành phố H")
    expect(page.locator(".ts-dropdown:visible .option").first).not_to_have_text("—")
    shown = page.locator(".ts-dropdown:visible .option").all_inner_texts()
    assert shown[:3] == ["Thành phố Hà Nội", "Thành phố Hải Phòng", "Thành phố Hồ Chí Minh"], shown


def _code(page, name: str) -> int:
    return int(page.locator("[name=origin_province] option", has_text=name).first.get_attribute("value"))


def _vi(text: str):
    from rollout.text import vi_sort_key

    return vi_sort_key(text)
