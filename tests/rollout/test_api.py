"""REST API: token auth, scoping on every resource, the OpenAPI document."""

from __future__ import annotations

import pytest
from django.urls import reverse
from drf_spectacular.validation import validate_schema
from rest_framework.test import APIClient

from tests.factories import AgencyFactory, VenueFactory

pytestmark = pytest.mark.django_db


PASSWORD = "correct-horse-battery"


def _token(username: str, password: str = PASSWORD) -> str:
    response = APIClient().post(reverse("api:token"), {"username": username, "password": password}, format="json")
    assert response.status_code == 200, response.content
    return response.json()["token"]


def _api(token: str) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    return client


def test_token_lists_only_callers_district_venues(district_officer, bat_xat, sa_pa):
    mine = VenueFactory(district=bat_xat)
    VenueFactory(district=sa_pa)
    body = _api(_token(district_officer.username)).get("/api/v1/venues/").json()
    assert body["count"] == 1
    assert [(v["id"], v["district"]) for v in body["results"]] == [(mine.pk, bat_xat.code)]


def test_other_district_venue_is_404_through_the_api(district_officer, sa_pa):
    other = VenueFactory(district=sa_pa)
    assert _api(_token(district_officer.username)).get(f"/api/v1/venues/{other.pk}/").status_code == 404


def test_wrong_password_gets_no_token_and_a_clear_message(district_officer):
    response = APIClient().post(
        reverse("api:token"), {"username": district_officer.username, "password": "nope"}, format="json"
    )
    assert response.status_code == 400
    body = response.json()
    assert body["message"] and "fields" in body["extra"]


def test_anonymous_gets_401_or_403(units):
    response = APIClient().get("/api/v1/venues/")
    assert response.status_code in (401, 403)
    assert "message" in response.json()


def test_api_root_lists_resources(province_admin):
    client = APIClient()
    client.force_authenticate(province_admin)
    body = client.get("/api/v1/").json()
    assert {"districts", "venues", "agencies", "checkpoints", "facilities", "provinces", "communes"} <= set(body)


def test_districts_endpoint_is_scoped_and_communes_filter_by_district(district_officer, bat_xat):
    client = _api(_token(district_officer.username))
    assert [d["code"] for d in client.get("/api/v1/districts/").json()["results"]] == [bat_xat.code]
    communes = client.get("/api/v1/communes/", {"district": bat_xat.code, "page_size": 100}).json()
    assert communes["count"] == 21


def test_province_search_ignores_accents(province_viewer):
    client = APIClient()
    client.force_authenticate(province_viewer)
    names = [p["name"] for p in client.get("/api/v1/provinces/", {"search": "lao cai"}).json()["results"]]
    assert names == ["Tỉnh Lào Cai"]


def test_agencies_and_checkpoints_are_scoped(district_officer, checkpoint_staff, checkpoint, bat_xat, sa_pa):
    AgencyFactory(district=bat_xat)
    AgencyFactory(district=sa_pa)
    assert _api(_token(district_officer.username)).get("/api/v1/agencies/").json()["count"] == 1
    ids = [c["id"] for c in _api(_token(checkpoint_staff.username)).get("/api/v1/checkpoints/").json()["results"]]
    assert ids == [checkpoint.pk]


def test_schema_is_a_valid_openapi_3_document(district_officer):
    response = _api(_token(district_officer.username)).get(
        "/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json"
    )
    assert response.status_code == 200
    schema = response.json()
    assert schema["openapi"].startswith("3.")
    validate_schema(schema)  # raises on an invalid document
    assert "/api/v1/venues/" in schema["paths"]


def test_docs_page_uses_only_local_assets(client_for, district_officer):
    page = client_for(district_officer).get("/api/docs/").content.decode()
    assert "/static/drf_spectacular_sidecar/" in page
    assert "cdn" not in page.lower()
