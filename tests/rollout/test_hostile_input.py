"""Hostile input: control characters in queries and forms, API sign-in answers, and the error pages."""

from __future__ import annotations

import json
import secrets

import pytest
from django.core.cache import cache
from django.http import HttpResponse
from django.test import Client, RequestFactory
from django.urls import reverse
from rest_framework.test import APIClient

from checkpoints.models import Declaration
from rollout.middleware import ControlCharactersMiddleware
from tests.factories import AgencyFactory, VenueFactory
from tests.venues.helpers import checkin_url, visitor
from venues.models import CheckIn

pytestmark = pytest.mark.django_db

PASSWORD = "correct-horse-battery"
NUL_MESSAGE = "Không được chứa ký tự rỗng (NUL)."
CONTROL_MESSAGE = "Ô này có ký tự điều khiển không nhìn thấy được."

API_LISTS = ["provinces", "districts", "communes", "agencies", "facilities", "venues", "checkpoints"]
STAFF_PAGES = [
    "/agencies/",
    "/venues/",
    "/facilities/",
    "/accounts/users/",
    "/checkpoints/",
    "/adoption/",
    "/testing/",
    "/posters/",
    "/inspections/",
]


@pytest.fixture(autouse=True)
def _fresh_counters():
    cache.clear()
    yield
    cache.clear()


def _public() -> Client:
    """A visitor with an address of their own, so rate limits of other tests never interfere."""
    return Client(HTTP_ACCEPT_LANGUAGE="vi", REMOTE_ADDR=f"10.9.{secrets.randbelow(250)}.{secrets.randbelow(250)}")


# --- Control characters in query parameters ------------------------------------------------------


def test_middleware_strips_control_characters_from_query_names_and_values_keeping_tabs_and_newlines():
    seen = {}

    def view(request):
        seen["GET"] = request.GET
        return HttpResponse()

    request = RequestFactory().get("/x/?q=a%00b%01c%1Bd%7F&q=%00z&n%00ame=v&keep=a%09b%0Ac%0Dd")
    ControlCharactersMiddleware(view)(request)
    assert seen["GET"].getlist("q") == ["abcd", "z"]
    assert seen["GET"]["name"] == "v"
    assert seen["GET"]["keep"] == "a\tb\nc\rd"


@pytest.mark.parametrize("resource", API_LISTS)
def test_nul_in_an_api_search_is_ignored_not_a_500(province_admin, resource):
    client = APIClient()
    client.force_authenticate(province_admin)
    response = client.get(f"/api/v1/{resource}/?search=a%00b")
    assert response.status_code == 200, response.content


def test_api_search_with_a_nul_still_searches_for_the_rest(province_admin, bat_xat):
    AgencyFactory(district=bat_xat, name="Ban Quản lý chợ")
    AgencyFactory(district=bat_xat, name="Trường tiểu học")
    client = APIClient()
    client.force_authenticate(province_admin)
    body = client.get("/api/v1/agencies/?search=qu%00an%01%20ly").json()
    assert [row["name"] for row in body["results"]] == ["Ban Quản lý chợ"]


@pytest.mark.parametrize("path", STAFF_PAGES)
def test_nul_in_a_staff_page_search_is_ignored_not_a_500(client_for, province_admin, path):
    response = client_for(province_admin).get(f"{path}?q=%00&district=%00&kind=%00x")
    assert response.status_code == 200


@pytest.mark.parametrize("path", ["/jobs/a%00b/", "/api/v1/venues/a%00b/", "/c/a%01b/", "/p/a%00b/"])
def test_a_control_character_in_the_path_is_not_found(client_for, province_admin, path):
    assert client_for(province_admin).get(path).status_code == 404


# --- Control characters in forms -----------------------------------------------------------------


def test_nul_in_the_sign_in_form_is_a_vietnamese_field_error(district_officer):
    response = _public().post(reverse("accounts:login"), {"username": "a\x00b", "password": PASSWORD})
    assert response.status_code == 200
    assert NUL_MESSAGE in response.content.decode()


def test_nul_in_the_public_checkin_is_a_field_error_and_nothing_is_stored(venue):
    response = _public().post(checkin_url(venue), visitor(full_name="Lò\x00 Thị Mai"))
    assert response.status_code == 200
    assert NUL_MESSAGE in response.context["form"].errors["full_name"]
    assert not CheckIn.objects.exists()


@pytest.mark.parametrize(("field", "value"), [("full_name", "Nguyễn\x01 Văn"), ("phone", "0912\x1b345678")])
def test_public_checkin_refuses_a_control_character_in_name_or_phone(venue, field, value):
    response = _public().post(checkin_url(venue), visitor(**{field: value}))
    assert response.status_code == 200
    assert any(CONTROL_MESSAGE in error for error in response.context["form"].errors[field])
    assert not CheckIn.objects.exists()


@pytest.mark.parametrize(("field", "value"), [("full_name", "Nguyễn\x00 Văn"), ("full_name", "Nguyễn\x07 Văn")])
def test_public_declaration_refuses_nul_and_control_characters_in_the_name(units, field, value):
    from tests.checkpoints.test_declarations import _travel

    response = _public().post(reverse("declarations:create", args=["travel"]), _travel(**{field: value}))
    assert response.status_code == 200
    assert field in response.context["form"].errors
    assert not Declaration.objects.exists()


def test_nul_in_any_field_of_the_public_forms_is_a_form_error_never_a_500(venue):
    from tests.checkpoints.test_declarations import _travel

    client = _public()
    declaration = reverse("declarations:create", args=["travel"])
    for name, value in _travel().items():
        if name == "truthful":
            continue  # a checkbox: any value ticks it, and nothing of it is stored as text
        nul = [v + "\x00" for v in value] if isinstance(value, list) else value + "\x00"
        response = client.post(declaration, _travel(**{name: nul}))
        assert response.status_code == 200, name
        assert response.context["form"].errors, name
        cache.clear()  # the declaration rate limit is not what this test is about
    for name, value in visitor().items():
        response = client.post(checkin_url(venue), visitor(**{name: value + "\x00"}))
        assert response.status_code == 200 and response.context["form"].errors, name
    assert not Declaration.objects.exists() and not CheckIn.objects.exists()


def test_nul_in_the_api_sign_in_is_a_vietnamese_field_error(district_officer):
    response = APIClient(HTTP_ACCEPT_LANGUAGE="vi").post(
        reverse("api:token"), {"username": "a\x00b", "password": PASSWORD}, format="json"
    )
    assert response.status_code == 400
    assert response.json()["extra"]["fields"]["username"] == [NUL_MESSAGE]


# --- API authentication ------------------------------------------------------------------------


@pytest.mark.parametrize("header", [None, "Token not-a-real-token"])
def test_api_without_good_credentials_is_401_asking_for_a_token(units, header):
    client = APIClient()
    if header:
        client.credentials(HTTP_AUTHORIZATION=header)
    response = client.get("/api/v1/venues/")
    assert response.status_code == 401
    assert response["WWW-Authenticate"] == "Token"
    assert response.json()["message"]


def test_api_schema_is_for_signed_in_callers_only(district_officer):
    assert APIClient().get("/api/schema/").status_code == 401
    token = APIClient().post(
        reverse("api:token"), {"username": district_officer.username, "password": PASSWORD}, format="json"
    )
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token.json()['token']}")
    assert client.get("/api/schema/").status_code == 200


def test_api_docs_send_an_anonymous_visitor_to_sign_in_and_show_a_signed_in_one(client_for, district_officer):
    anonymous = Client().get("/api/docs/")
    assert anonymous.status_code == 302 and anonymous["Location"].startswith(reverse("accounts:login"))
    signed_in = client_for(district_officer)
    assert signed_in.get("/api/docs/").status_code == 200
    assert signed_in.get("/api/schema/").status_code == 200


def test_locked_out_api_sign_in_is_429_with_when_to_retry_even_with_the_right_password(district_officer, settings):
    client = APIClient(HTTP_ACCEPT_LANGUAGE="vi")
    url = reverse("api:token")
    wrong = {"username": district_officer.username, "password": "wrong"}
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        assert client.post(url, wrong, format="json").status_code == 400
    client.post(url, wrong, format="json")  # the attempt that locks
    response = client.post(url, {"username": district_officer.username, "password": PASSWORD}, format="json")
    assert response.status_code == 429
    assert response["Retry-After"] == str(int(settings.AXES_COOLOFF_TIME.total_seconds()))
    assert "đăng nhập sai quá nhiều lần" in response.json()["message"]
    assert "phút" in response.json()["message"]
    assert "token" not in response.json()


def test_a_wrong_api_password_before_the_lockout_is_still_400(district_officer):
    response = APIClient().post(
        reverse("api:token"), {"username": district_officer.username, "password": "wrong"}, format="json"
    )
    assert response.status_code == 400


def test_locked_out_sign_in_page_says_the_minutes_and_sends_retry_after(district_officer, settings):
    settings.AXES_COOLOFF_TIME = settings.AXES_COOLOFF_TIME.__class__(minutes=7)
    client = _public()
    for _ in range(settings.AXES_FAILURE_LIMIT):
        client.post(reverse("accounts:login"), {"username": district_officer.username, "password": "wrong"})
    response = client.post(reverse("accounts:login"), {"username": district_officer.username, "password": PASSWORD})
    assert response.status_code == 429
    assert response["Retry-After"] == "420"
    assert "7 phút" in response.content.decode()


# --- Error pages -------------------------------------------------------------------------------


def test_csrf_failure_is_a_vietnamese_403_page(units):
    response = Client(enforce_csrf_checks=True, HTTP_ACCEPT_LANGUAGE="vi").post(
        reverse("accounts:login"), {"username": "x", "password": "y"}
    )
    assert response.status_code == 403
    page = response.content.decode()
    assert "kiểm tra bảo mật" in page and "CSRF" not in page
    assert 'lang="vi"' in page


def test_oversized_body_is_a_vietnamese_400_page(units, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1024 * 1024
    response = _public().post(reverse("accounts:login"), {"username": "x" * (1024 * 1024 + 10), "password": "y"})
    assert response.status_code == 400
    assert "Dữ liệu gửi lên quá lớn: tối đa 1 MB." in response.content.decode()


def test_oversized_api_body_is_a_400_in_the_api_error_shape(district_officer, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1024 * 1024
    body = "username=" + "x" * (1024 * 1024 + 10)
    response = Client(HTTP_ACCEPT_LANGUAGE="vi").post(
        reverse("api:token"), body, content_type="application/x-www-form-urlencoded"
    )
    assert response.status_code == 400
    assert response.json() == {"message": "Dữ liệu gửi lên quá lớn: tối đa 1 MB.", "extra": {}}


def test_too_many_fields_is_a_vietnamese_400_page(units, settings):
    settings.DATA_UPLOAD_MAX_NUMBER_FIELDS = 10
    response = _public().post(reverse("accounts:login"), {f"f{n}": "x" for n in range(20)})
    assert response.status_code == 400
    assert "quá nhiều trường" in response.content.decode()


def test_missing_page_is_a_vietnamese_404(units):
    response = _public().get("/no-such-page/")
    assert response.status_code == 404
    assert "Không tìm thấy trang" in response.content.decode()


def test_page_without_access_is_a_vietnamese_403(client_for, outsider):
    response = client_for(outsider).get("/accounts/users/")
    assert response.status_code == 403
    assert "Không có quyền truy cập" in response.content.decode()


def test_rate_limited_declaration_page_is_429_with_retry_after(units):
    from tests.checkpoints.test_declarations import _travel

    client = _public()
    url = reverse("declarations:create", args=["travel"])
    statuses = [client.post(url, _travel()).status_code for _ in range(10)]
    assert 429 not in statuses
    response = client.post(url, _travel())
    assert response.status_code == 429
    assert 1 <= int(response["Retry-After"]) <= 60
    assert "Vui lòng chờ một lát" in response.content.decode()


def test_rate_limited_checkin_is_429_with_retry_after(venue, settings):
    settings.CHECKIN_PAGE_RATE_PER_IP = "1/m"
    client = _public()
    assert client.get(checkin_url(venue)).status_code == 200
    response = client.get(checkin_url(venue))
    assert response.status_code == 429
    assert int(response["Retry-After"]) > 0


@pytest.fixture
def venue(agency, bat_xat, settings):
    settings.CHECKIN_RATE_PER_IP = "1000/m"
    settings.CHECKIN_RATE_PER_VENUE = "1000/m"
    settings.CHECKIN_PAGE_RATE_PER_IP = "1000/m"
    return VenueFactory(agency=agency, district=bat_xat, owner_name="", name="Chợ Bát Xát")


def test_api_429_is_json_with_retry_after(units):
    from rollout.ratelimit import too_many

    response = too_many(RequestFactory().get("/api/v1/venues/"), retry_after=17)
    assert response.status_code == 429 and response["Retry-After"] == "17"
    assert json.loads(response.content)["message"]


def test_500_page_is_vietnamese_without_the_database_or_translations(django_assert_num_queries):
    from django.utils import translation

    from rollout.views.errors import server_error

    request = RequestFactory().get("/anything/")
    with translation.override(None), django_assert_num_queries(0):
        try:
            raise RuntimeError("boom")
        except RuntimeError:
            response = server_error(request)
    assert response.status_code == 500
    assert "Đã có lỗi xảy ra" in response.content.decode()
