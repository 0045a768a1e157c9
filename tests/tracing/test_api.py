"""POST/GET /api/v1/tracing/searches/ (SPEC §8): health officers and province admins only."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest

from rollout.models import AuditEvent, Role
from rollout.services.audit import Action
from rollout.timeutils import local_today, oldest_kept_day
from tests.factories import UserFactory
from tests.tracing.conftest import EXPECTED, F0_ID

pytestmark = pytest.mark.django_db
URL = "/api/v1/tracing/searches/"


def post(client, **body):
    return client.post(URL, data=json.dumps(body), content_type="application/json")


def body(**extra):
    today = local_today()
    return {"id_number": F0_ID, "start": f"{today - timedelta(days=13)}", "end": f"{today}", "reason": "F0 mới"} | extra


def test_health_officer_searches_and_gets_the_fixed_shape(client_for, health_officer, scenario):
    response = post(client_for(health_officer), **body())
    assert response.status_code == 201
    data = response.json()
    assert {"id", "timeline", "candidates"} <= data.keys()
    assert len(data["timeline"]) == 4
    first = data["candidates"][0]
    assert {
        "full_name",
        "phone",
        "id_number",
        "source",
        "place",
        "first_contact_at",
        "exposure_minutes",
    } <= first.keys()
    assert [(c["full_name"], c["source"], c["exposure_minutes"]) for c in data["candidates"]] == EXPECTED
    assert AuditEvent.objects.filter(action=Action.TRACING_SEARCH, detail__reason="F0 mới").count() == 1


def test_the_searcher_reads_the_search_back_the_same(client_for, health_officer, scenario):
    client = client_for(health_officer)
    created = post(client, **body()).json()
    response = client.get(f"{URL}{created['id']}/")
    assert response.status_code == 200
    # The POST answers from the rows in memory, the GET reads them back: every field, the same.
    assert response.json() == created
    assert {c["district"] is None for c in created["candidates"]} == {False}
    assert any(c["same_vehicle"] for c in created["candidates"])


def test_province_admin_reads_any_search_another_health_officer_does_not(
    client_for, health_officer, province_admin, scenario
):
    created = post(client_for(health_officer), **body()).json()
    assert client_for(province_admin).get(f"{URL}{created['id']}/").status_code == 200
    other = UserFactory.with_role(Role.HEALTH_OFFICER)
    assert client_for(other).get(f"{URL}{created['id']}/").status_code == 404


@pytest.mark.parametrize(
    "persona",
    ["district_officer", "checkpoint_staff", "agency_admin", "facility_staff", "province_viewer", "outsider"],
)
def test_other_roles_get_403_on_post_and_get(persona, request, client_for, health_officer, scenario):
    created = post(client_for(health_officer), **body()).json()
    client = client_for(request.getfixturevalue(persona))
    assert post(client, **body()).status_code == 403
    assert client.get(f"{URL}{created['id']}/").status_code == 403


def test_anonymous_is_refused(client, scenario):
    assert post(client, **body()).status_code in (401, 403)


def test_a_search_beyond_the_retention_is_refused_with_a_message(client_for, health_officer, scenario):
    response = post(client_for(health_officer), **body(start=f"{oldest_kept_day() - timedelta(days=1)}"))
    assert response.status_code == 400
    data = response.json()
    assert "21" in data["message"] and "ngày" in data["message"]  # Vietnamese: kept 21 days
    assert "start" in data["extra"]["fields"]


def test_the_reason_is_required(client_for, health_officer, scenario):
    response = post(client_for(health_officer), **body(reason=""))
    assert response.status_code == 400
    assert "reason" in response.json()["extra"]["fields"]


def test_a_name_alone_answers_the_people_to_choose_from(client_for, health_officer, scenario):
    response = post(client_for(health_officer), **body(id_number="", full_name="nguyen van an"))
    assert response.status_code == 400
    assert [p["id_number"] for p in response.json()["extra"]["people"]] == [F0_ID]
