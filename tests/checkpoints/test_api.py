"""/api/v1/arrivals/ (list scoped by ?date=, POST one or a list) and its error shape."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from checkpoints.models import Arrival
from tests.checkpoints.conftest import local_dt
from tests.factories import ArrivalFactory, district

pytestmark = pytest.mark.django_db
URL = "/api/v1/arrivals/"


def _payload(**extra) -> dict:
    return {
        "full_name": "Hà Thị Vân", "phone": "0912345678", "destination_district": district("bat_xat").pk,
        "arrived_at": (timezone.now() - timedelta(minutes=3)).isoformat(),
    } | extra  # fmt: skip


def test_list_is_scoped_and_filtered_by_local_day(client_for, district_officer, arrival):
    arrival("bat_xat", at="2021-11-02 23:59", full_name="Trong ngày")
    arrival("bat_xat", at="2021-11-03 00:01", full_name="Hôm sau")
    arrival("sa_pa", at="2021-11-02 12:00", full_name="Huyện khác")
    body = client_for(district_officer).get(URL, {"date": "2021-11-02"}).json()
    assert [r["full_name"] for r in body["results"]] == ["Trong ngày"]
    assert body["results"][0]["destination_district"] == district("bat_xat").pk


@pytest.mark.parametrize(("persona", "status"), [("province_viewer", 200), ("outsider", 200)])
def test_people_without_scope_see_no_arrivals(request, client_for, arrival, persona, status):
    arrival()
    response = client_for(request.getfixturevalue(persona)).get(URL)
    assert response.status_code == status and response.json()["count"] == 0


def test_anonymous_callers_are_refused(client_for):
    assert client_for(None).get(URL).status_code in (401, 403)


def test_post_one_arrival_defaults_to_own_checkpoint(client_for, checkpoint_staff, checkpoint):
    response = client_for(checkpoint_staff).post(URL, _payload(), content_type="application/json")
    assert response.status_code == 201, response.json()
    assert response.json()["checkpoint"] == checkpoint.pk
    assert Arrival.objects.get().recorded_by == checkpoint_staff


def test_post_a_list_stores_all_or_nothing_with_errors_per_item(client_for, checkpoint_staff):
    client = client_for(checkpoint_staff)
    bad = [_payload(), _payload(phone="123", full_name="Lỗi"), _payload(destination_district=1, phone="0987654321")]
    response = client.post(URL, bad, content_type="application/json")
    body = response.json()
    assert response.status_code == 400 and body["message"]
    assert set(body["extra"]["fields"]) == {"1.phone", "2.destination_district"}
    assert not Arrival.objects.exists()
    good = [_payload(), _payload(phone="0987654321", id_number="012345678", full_name="Khác")]
    response = client.post(URL, good, content_type="application/json")
    assert response.status_code == 201 and len(response.json()) == 2 and Arrival.objects.count() == 2


def test_likely_duplicate_is_refused_unless_confirmed(client_for, checkpoint_staff):
    client = client_for(checkpoint_staff)
    client.post(URL, _payload(), content_type="application/json")
    response = client.post(URL, _payload(), content_type="application/json")
    assert response.status_code == 400
    assert response.json()["extra"]["code"] == "possible_duplicate"
    confirmed = client.post(URL, _payload(on_duplicate="confirm"), content_type="application/json")
    assert confirmed.status_code == 201 and confirmed.json()["possible_duplicate_of"]
    merged = client.post(URL, _payload(on_duplicate="merge", plate="24A-1"), content_type="application/json")
    assert merged.status_code == 200 and Arrival.objects.count() == 2


def test_retried_post_with_the_same_external_id_is_stored_once(client_for, checkpoint_staff):
    client = client_for(checkpoint_staff)
    first = client.post(URL, _payload(external_id="tablet-7-0042"), content_type="application/json")
    again = client.post(URL, _payload(external_id="tablet-7-0042"), content_type="application/json")
    assert (first.status_code, again.status_code) == (201, 200)
    assert first.json()["id"] == again.json()["id"] and Arrival.objects.count() == 1


def test_staff_cannot_post_for_another_checkpoint(client_for, checkpoint_staff, other_checkpoint):
    response = client_for(checkpoint_staff).post(
        URL, _payload(checkpoint=other_checkpoint.pk), content_type="application/json"
    )
    assert response.status_code == 403 and not Arrival.objects.exists()


@pytest.mark.parametrize("persona", ["district_officer", "health_officer", "outsider"])
def test_roles_that_do_not_record_cannot_post(request, client_for, persona):
    response = client_for(request.getfixturevalue(persona)).post(URL, _payload(), content_type="application/json")
    assert response.status_code == 403


def test_province_admin_must_name_the_checkpoint(client_for, province_admin, checkpoint):
    client = client_for(province_admin)
    missing = client.post(URL, _payload(), content_type="application/json")
    assert missing.status_code == 400 and "checkpoint" in missing.json()["extra"]["fields"]
    assert client.post(URL, _payload(checkpoint=checkpoint.pk), content_type="application/json").status_code == 201


def test_token_auth_works_for_the_api(client_for, checkpoint_staff):
    from rest_framework.authtoken.models import Token

    token = Token.objects.create(user=checkpoint_staff)
    response = client_for(None).get(URL, HTTP_AUTHORIZATION=f"Token {token.key}")
    assert response.status_code == 200


def test_other_district_officer_gets_404_for_an_arrival_of_another_district(client_for, other_district_officer):
    arrival = ArrivalFactory(arrived_at=local_dt("2021-11-02 10:00"))
    assert client_for(other_district_officer).get(f"{URL}{arrival.pk}/").status_code == 404
