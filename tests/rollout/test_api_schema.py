"""The OpenAPI schema documents every error an operation can answer, and types what the API returns."""

from __future__ import annotations

import pytest
from drf_spectacular.generators import SchemaGenerator
from rest_framework.test import APIClient

from reports import weeks
from reports.models import WeeklyReport

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def schema() -> dict:
    return SchemaGenerator().get_schema(request=None, public=True)


def _operations(schema: dict):
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            yield path, method, operation


def test_every_operation_documents_its_errors_in_the_one_error_shape(schema):
    error = schema["components"]["schemas"]["Error"]
    assert error["required"] == ["message", "extra"]
    count = 0
    for path, method, operation in _operations(schema):
        responses = operation["responses"]
        for status in ("401", "403", "503"):
            assert status in responses, (method, path, status)
        if operation.get("parameters"):
            assert "404" in responses, (method, path)
        if "requestBody" in operation or any(p["in"] == "query" for p in operation.get("parameters", [])):
            assert "400" in responses, (method, path)
        if "requestBody" in operation:
            assert "415" in responses, (method, path)
        for status, response in responses.items():
            if status >= "400":
                body = response["content"]["application/json"]["schema"]
                assert body == {"$ref": "#/components/schemas/Error"}, (method, path, status)
        count += 1
    assert count > 40
    assert "WWW-Authenticate" in schema["paths"]["/api/v1/venues/"]["get"]["responses"]["401"]["headers"]
    assert "Retry-After" in schema["paths"]["/api/v1/venues/"]["get"]["responses"]["503"]["headers"]


def test_an_arrivals_post_takes_and_answers_one_arrival_or_a_list(schema):
    post = schema["paths"]["/api/v1/arrivals/"]["post"]
    components = schema["components"]["schemas"]
    body = components[post["requestBody"]["content"]["application/json"]["schema"]["$ref"].rsplit("/", 1)[1]]
    assert body["oneOf"][0] == {"$ref": "#/components/schemas/ArrivalWriteRequest"}
    assert body["oneOf"][1]["type"] == "array"
    for status in ("200", "201"):
        answer = components[post["responses"][status]["content"]["application/json"]["schema"]["$ref"].split("/")[-1]]
        assert answer["oneOf"] == [
            {"$ref": "#/components/schemas/Arrival"},
            {"type": "array", "items": {"$ref": "#/components/schemas/Arrival"}},
        ]


def test_the_token_sign_in_documents_its_lockout(schema):
    responses = schema["paths"]["/api/v1/auth/token/"]["post"]["responses"]
    assert set(responses) >= {"200", "400", "429"}
    assert "Retry-After" in responses["429"]["headers"]
    assert responses["200"]["content"]["application/json"]["schema"] == {"$ref": "#/components/schemas/TokenResponse"}


def test_weekly_report_version_and_figures_are_typed_as_returned(schema, district_officer, bat_xat):
    report = schema["components"]["schemas"]["WeeklyReport"]["properties"]
    assert report["version"]["type"] == "integer" and report["version"]["nullable"] is True
    figures = schema["components"]["schemas"][report["figures"]["allOf"][0]["$ref"].rsplit("/", 1)[1]]
    assert all(f == {**f, "type": "integer", "nullable": True} for f in figures["properties"].values())

    WeeklyReport.objects.create(district=bat_xat, week_ending=weeks.current_week())
    client = APIClient()
    client.force_authenticate(district_officer)
    draft = client.get("/api/v1/weekly-reports/").json()["results"][0]
    assert draft["version"] is None  # a draft was never sent
    assert set(draft["figures"]) == set(figures["properties"])
    assert all(value is None or isinstance(value, int) for value in draft["figures"].values())


def test_an_api_path_that_names_nothing_is_a_404_in_the_api_error_shape(district_officer):
    client = APIClient()
    client.force_authenticate(district_officer)
    for path in ("/api/v1/venues/abc/", "/api/v1/communes/1.5/", "/api/v1/no-such-thing/"):
        response = client.get(path)
        assert response.status_code == 404, path
        assert response["Content-Type"] == "application/json"
        assert response.json() == {"message": "Không tìm thấy.", "extra": {}}


def test_a_page_that_is_not_there_is_still_the_vietnamese_page(client):
    response = client.get("/no-such-page/", HTTP_ACCEPT_LANGUAGE="vi")
    assert response.status_code == 404
    assert response["Content-Type"].startswith("text/html")
