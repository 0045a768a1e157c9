"""Content-Security-Policy and Permissions-Policy on every kind of answer; no inline code in any template."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.core.cache import cache
from django.test import Client, RequestFactory
from django.urls import path
from rest_framework.test import APIClient

from rollout.middleware import allow_features
from rollout.views.errors import server_error
from tests.venues.helpers import checkin_url

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parents[2]
STRICT = {
    "default-src": "'self'",
    "script-src": "'self'",
    "style-src": "'self'",
    "img-src": "'self' data:",
    "object-src": "'none'",
    "base-uri": "'self'",
    "frame-ancestors": "'none'",
    "form-action": "'self'",
}


def csp_of(response) -> dict[str, str]:
    header = response["Content-Security-Policy"]
    return dict(part.strip().split(" ", 1) for part in header.split(";") if part.strip())


def permissions_of(response) -> dict[str, str]:
    return dict(part.strip().split("=", 1) for part in response["Permissions-Policy"].split(","))


def assert_strict(response, *, camera: bool = False) -> None:
    assert csp_of(response) == STRICT, response["Content-Security-Policy"]
    permissions = permissions_of(response)
    assert permissions["camera"] == ("(self)" if camera else "()")
    for feature in ("geolocation", "microphone", "payment", "usb"):
        assert permissions[feature] == "()"


@pytest.fixture(autouse=True)
def _fresh_counters():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def venue(agency, bat_xat):
    from tests.factories import VenueFactory

    return VenueFactory(agency=agency, district=bat_xat, owner_name="", name="Chợ Bát Xát")


def test_public_pages_carry_the_strict_policy(units, venue):
    client = Client(HTTP_ACCEPT_LANGUAGE="vi")
    for page in ("/accounts/login/", "/declare/", checkin_url(venue)):
        response = client.get(page)
        assert response.status_code == 200, page
        assert_strict(response)


def test_staff_pages_carry_the_strict_policy_and_only_scan_pages_allow_the_camera(
    client_for, province_admin, checkpoint_staff, agency_admin, venue
):
    admin = client_for(province_admin)
    for page in ("/dashboard/", "/reports/", "/venues/", f"/venues/{venue.pk}/", "/inspections/", "/posters/"):
        response = admin.get(page)
        assert response.status_code == 200, page
        assert_strict(response)
    arrival_form = client_for(checkpoint_staff).get("/checkpoints/arrivals/new/")
    assert arrival_form.status_code == 200
    assert_strict(arrival_form, camera=True)
    scan = client_for(agency_admin).get(f"/venues/{venue.pk}/scan/")
    assert scan.status_code == 200
    assert_strict(scan, camera=True)


def test_a_redirect_to_sign_in_from_a_scan_page_does_not_allow_the_camera(units, venue):
    response = Client().get(f"/venues/{venue.pk}/scan/")
    assert response.status_code == 302
    assert_strict(response)


def test_error_pages_carry_the_strict_policy(client_for, outsider, units):
    assert_strict(Client().get("/no-such-page/"))  # 404
    assert_strict(client_for(outsider).get("/reports/grid/"))  # 403 or 404, whichever the role gets
    csrf = Client(enforce_csrf_checks=True).post("/accounts/login/", {"username": "x", "password": "y"})
    assert csrf.status_code == 403
    assert_strict(csrf)


def test_the_500_page_carries_the_strict_policy_through_the_middleware(settings, units):
    settings.ROOT_URLCONF = __name__
    response = Client(raise_request_exception=False).get("/broken/")
    assert response.status_code == 500
    assert "Đã có lỗi xảy ra" in response.content.decode()
    assert_strict(response)


def test_api_answers_and_the_docs_carry_the_strict_policy(client_for, district_officer):
    api = APIClient()
    assert_strict(api.get("/api/v1/venues/"))  # 401
    api.force_authenticate(district_officer)
    assert_strict(api.get("/api/v1/venues/"))
    assert_strict(api.get("/api/schema/"))
    browser = client_for(district_officer)
    page = browser.get("/api/docs/")
    assert page.status_code == 200
    assert_strict(page)
    html = page.content.decode()
    assert "<style" not in html
    assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", html), "an inline script on the docs page"
    script_url = re.search(r'<script src="([^"]*script=[^"]*)"', html).group(1).replace("&amp;", "&")
    script = browser.get(script_url)
    assert script.status_code == 200
    assert script["Content-Type"].startswith("application/javascript")
    assert "SwaggerUIBundle" in script.content.decode()


def test_allow_features_refuses_a_feature_the_policy_does_not_know():
    with pytest.raises(ValueError, match="teleport"):
        allow_features("teleport")


def test_the_500_handler_alone_renders_with_its_stylesheet_and_no_inline_style():
    request = RequestFactory().get("/x/")
    try:
        raise RuntimeError("boom")
    except RuntimeError:
        html = server_error(request).content.decode()
    assert 'href="/static/css/error.css"' in html
    assert "style=" not in html


INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)(?![^>]*type=\"application/(?:ld\+)?json\")[^>]*>", re.I)
HANDLER = re.compile(r"\son[a-z]+\s*=", re.I)
STYLE_ATTRIBUTE = re.compile(r"\sstyle\s*=", re.I)


def _page_templates() -> list[Path]:
    found = list((ROOT / "templates").rglob("*.html"))
    for app in ("rollout", "venues", "platforms", "checkpoints", "dashboard", "tracing", "reports"):
        found += list((ROOT / app / "templates").rglob("*.html"))
    # E-mails are read in mail clients, where the site's CSP does not apply (and inline styles are the norm).
    return [t for t in found if "emails" not in t.parts]


def test_no_template_has_inline_script_handler_style_attribute_or_javascript_url():
    templates = _page_templates()
    assert len(templates) > 50
    offenders = []
    for template in templates:
        text = template.read_text(encoding="utf-8")
        for name, pattern in (("inline script", INLINE_SCRIPT), ("handler", HANDLER), ("style", STYLE_ATTRIBUTE)):
            if pattern.search(text):
                offenders.append(f"{template.relative_to(ROOT)}: {name}")
        if "javascript:" in text:
            offenders.append(f"{template.relative_to(ROOT)}: javascript: URL")
        if "<style" in text:
            offenders.append(f"{template.relative_to(ROOT)}: <style> element")
    assert offenders == []


def _broken(request):
    raise RuntimeError("a bug")


urlpatterns = [path("broken/", _broken)]
handler500 = "rollout.views.errors.server_error"
