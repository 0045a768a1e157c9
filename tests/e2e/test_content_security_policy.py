"""The strict Content-Security-Policy breaks nothing: the main page types load, run their scripts and refuse nothing.

``new_page`` (tests/e2e/conftest.py) records every violation, in the page and through the console, and fails the
test if there was any; each page here is also checked at once, so a failure names the page.
"""

from __future__ import annotations

import pytest

from checkpoints.services.declarations import DeclarationInput, declaration_submit, declaration_token
from reports import weeks
from tests.e2e.conftest import PHONE, RECORD_CSP_VIOLATIONS, csp_violations_in, wait_until
from tests.factories import VenueFactory
from venues.services.checkins import venue_token

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]
PASSWORD = "correct-horse-battery"


def _sign_in(page, base_url: str, username: str) -> None:
    page.goto(f"{base_url}/accounts/login/")
    assert csp_violations_in(page) == []
    page.get_by_label("Tên đăng nhập").fill(username)
    page.get_by_label("Mật khẩu").fill(PASSWORD)
    page.get_by_role("button", name="Đăng nhập").click()
    page.wait_for_url(f"{base_url}/dashboard/")


def _visit(page, url: str, *, ready: str | None = None) -> None:
    response = page.goto(url)
    assert response.status < 400 or url.endswith("/no-such-page/"), (url, response.status)
    assert "content-security-policy" in response.headers, url
    if ready:
        wait_until(page, ready)
    page.wait_for_load_state("load")
    assert csp_violations_in(page) == [], url


def test_the_collector_sees_what_the_policy_refuses(live_server, units, browser):
    """Without this the other checks could pass on a page that records nothing. A context of its own: the
    ``new_page`` fixture would fail this test for the violation it provokes on purpose."""
    context = browser.new_context(locale="vi-VN")
    context.add_init_script(RECORD_CSP_VIOLATIONS)
    page = context.new_page()
    console: list[str] = []
    page.on("console", lambda message: console.append(message.text))
    try:
        page.goto(f"{live_server.url}/accounts/login/")
        assert csp_violations_in(page) == []
        page.evaluate(
            "() => { const s = document.createElement('script'); s.textContent = 'window.ran = 1'; "
            "document.body.appendChild(s); document.body.setAttribute('onclick', 'window.ran = 2'); "
            "document.body.click(); }"
        )
        wait_until(page, "window.__cspViolations.length >= 2")
        assert page.evaluate("window.ran === undefined")
        assert all(v.startswith("script-src") for v in csp_violations_in(page))
        assert any("Content Security Policy" in text for text in console)
    finally:
        context.close()


@pytest.fixture
def places(units, bat_xat, agency):
    return {"venue": VenueFactory(agency=agency, district=bat_xat, owner_name="", name="Chợ Bát Xát")}


def test_public_pages_refuse_nothing(live_server, places, bat_xat, new_page, settings):
    settings.SITE_URL = live_server.url
    page = new_page(**PHONE)
    base = live_server.url
    _visit(page, f"{base}/accounts/login/")
    _visit(page, f"{base}/c/{venue_token(places['venue'])}/")
    _visit(page, f"{base}/declare/")
    _visit(page, f"{base}/declare/travel/", ready="document.querySelector('[name=origin_province]').options.length > 5")
    declaration = declaration_submit(
        data=DeclarationInput(
            kind="health", full_name="Nguyễn Thị Lan", phone="0912345678", destination_district=bat_xat.pk
        )
    )
    token = declaration_token(declaration)
    _visit(page, f"{base}/p/{token}/")
    _visit(page, f"{base}/p/{token}/print/")
    _visit(page, f"{base}/no-such-page/")


def test_staff_pages_and_the_api_docs_refuse_nothing(
    live_server, places, province_admin, district_officer, checkpoint_staff, agency_admin, new_page, artifacts
):
    base = live_server.url
    for user in (province_admin, district_officer, checkpoint_staff, agency_admin):
        user.set_password(PASSWORD)
        user.save()
    admin = new_page()
    _sign_in(admin, base, province_admin.username)
    _visit(admin, f"{base}/dashboard/")
    _visit(admin, f"{base}/reports/grid/")
    _visit(admin, f"{base}/venues/{places['venue'].pk}/")
    _visit(admin, f"{base}/posters/")
    _visit(admin, f"{base}/api/docs/", ready="document.querySelector('.swagger-ui .info') !== null")
    # Swagger UI's own scripts ran: the schema was fetched and its operations are listed.
    admin.wait_for_selector(".opblock-tag")
    admin.screenshot(path=str(artifacts / "api-docs.png"))
    assert "Rollout API" in admin.locator(".swagger-ui .info").inner_text()
    assert csp_violations_in(admin) == []

    district = new_page()
    _sign_in(district, base, district_officer.username)
    _visit(district, f"{base}/reports/82/{weeks.current_week():%Y-%m-%d}/edit/")

    staff = new_page()
    _sign_in(staff, base, checkpoint_staff.username)
    _visit(staff, f"{base}/checkpoints/arrivals/new/")
    assert staff.evaluate("document.activeElement && document.activeElement.name") == "id_number"  # arrivals.js ran

    venue_admin = new_page()
    _sign_in(venue_admin, base, agency_admin.username)
    _visit(venue_admin, f"{base}/venues/{places['venue'].pk}/scan/")
