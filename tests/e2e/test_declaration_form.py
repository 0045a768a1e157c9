"""The public declaration form on a phone: a field's "required" message goes once the field is filled."""

from __future__ import annotations

import pytest
from django.core.cache import cache

from tests.e2e.conftest import PHONE

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

REQUIRED = "Thông tin này là bắt buộc."


def _error_of(page, name: str):
    return page.locator(f".field:has([name={name}]) .errorlist")


def test_required_messages_go_as_the_fields_are_filled(live_server, units, new_page, artifacts):
    cache.clear()  # rate-limit counters from other tests
    page = new_page(**PHONE)
    page.goto(f"{live_server.url}/declare/travel/")
    page.get_by_role("button", name="Gửi và nhận mã QR của tôi").click()
    page.wait_for_selector(".field.has-error")
    for name in ("full_name", "origin_province", "truthful"):
        assert _error_of(page, name).inner_text() == REQUIRED, name
    page.screenshot(path=str(artifacts / "declaration-required-phone.png"), full_page=True)

    page.get_by_label("Họ và tên").fill("Nguyễn Thị Lan")
    assert _error_of(page, "full_name").count() == 0
    assert page.locator(".field:has([name=full_name])").get_attribute("class") == "field"
    page.locator("[name=origin_province]").select_option("1")
    assert _error_of(page, "origin_province").count() == 0
    page.locator("[name=truthful]").check()
    assert _error_of(page, "truthful").count() == 0
    # Fields still empty keep their message; clearing a filled field again does not invent one.
    assert _error_of(page, "travel_date").inner_text() == REQUIRED
    page.get_by_label("Họ và tên").fill("")
    assert _error_of(page, "full_name").count() == 0
    page.screenshot(path=str(artifacts / "declaration-required-filled-phone.png"), full_page=True)


def test_covid_19_stays_on_one_line_and_the_print_button_keeps_off_the_edge(live_server, units, new_page):
    from checkpoints.models import Declaration
    from checkpoints.services import declaration_token
    from tests.factories import district

    cache.clear()
    declaration = Declaration.objects.create(
        kind="health", full_name="Nguyễn Thị Lan", phone="0912345678", birth_year=1990,
        destination_district=district("sa_pa"),
    )  # fmt: skip
    page = new_page(viewport={"width": 320, "height": 640}, is_mobile=True, has_touch=True)
    page.goto(f"{live_server.url}/declare/")
    term = page.locator(".publichead .nowrap")
    assert term.inner_text() == "COVID-19"
    assert term.evaluate("el => el.getClientRects().length") == 1  # one box: not split across lines
    page.goto(f"{live_server.url}/p/{declaration_token(declaration)}/print/")
    box = page.get_by_role("button", name="In").bounding_box()
    assert box["x"] >= 12 and box["x"] + box["width"] <= 320 - 12
