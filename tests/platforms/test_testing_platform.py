"""Testing-platform rollout (3.i): qualified facilities, status updates by health officers, % live."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse

from rollout.models import HealthFacility
from rollout.models.org import TestingStatus as Status
from rollout.timeutils import local_today
from tests.factories import FacilityFactory

pytestmark = pytest.mark.django_db


def edit(facility: HealthFacility) -> str:
    return reverse("platforms:testing-edit", args=[facility.pk])


def live(day=None) -> dict:
    return {"testing_status": Status.LIVE, "testing_first_result_on": (day or local_today()).isoformat()}


def test_health_officer_sets_a_facility_live_with_its_first_result_date(client_for, health_officer, facility):
    response = client_for(health_officer).post(edit(facility), live(local_today() - timedelta(days=2)))
    assert response.status_code == 302
    facility.refresh_from_db()
    assert facility.testing_status == Status.LIVE
    assert facility.testing_first_result_on == local_today() - timedelta(days=2)


def test_live_needs_a_first_result_date_not_in_the_future(client_for, health_officer, facility):
    client = client_for(health_officer)
    response = client.post(edit(facility), {"testing_status": Status.LIVE})
    assert "testing_first_result_on" in response.context["form"].errors
    response = client.post(edit(facility), live(local_today() + timedelta(days=1)))
    assert "testing_first_result_on" in response.context["form"].errors
    response = client.post(edit(facility), {"testing_status": Status.TRAINED, "testing_first_result_on": "2021-11-01"})
    assert "testing_first_result_on" in response.context["form"].errors
    facility.refresh_from_db()
    assert facility.testing_status == Status.NOT_STARTED


def test_facility_staff_updates_own_facility_only(client_for, facility_staff, facility, bat_xat):
    client = client_for(facility_staff)
    assert client.post(edit(facility), {"testing_status": Status.TRAINED}).status_code == 302
    other = FacilityFactory(district=bat_xat)
    assert client.post(edit(other), {"testing_status": Status.TRAINED}).status_code == 404
    other.refresh_from_db()
    assert other.testing_status == Status.NOT_STARTED


@pytest.mark.parametrize("persona", ["province_viewer", "district_officer", "agency_admin", "outsider"])
def test_others_cannot_change_a_status(request, client_for, persona, facility):
    client = client_for(request.getfixturevalue(persona))
    assert client.post(edit(facility), {"testing_status": Status.TRAINED}).status_code == 404
    facility.refresh_from_db()
    assert facility.testing_status == Status.NOT_STARTED


def test_a_facility_that_does_not_test_is_not_on_the_rollout(client_for, health_officer, bat_xat):
    pharmacy = FacilityFactory(district=bat_xat, does_rapid_antigen=False, does_rt_pcr=False)
    assert client_for(health_officer).get(edit(pharmacy)).status_code == 404


def test_percentage_live_by_district(client_for, province_viewer, bat_xat, sa_pa):
    day = local_today() - timedelta(days=5)
    FacilityFactory(district=bat_xat, testing_status=Status.LIVE, testing_first_result_on=day)
    FacilityFactory(district=bat_xat, testing_status=Status.TRAINED)
    FacilityFactory(district=bat_xat, testing_status=Status.ACCOUNT_ISSUED)
    FacilityFactory(district=bat_xat, testing_status=Status.LIVE, is_active=False)
    FacilityFactory(district=sa_pa, testing_status=Status.LIVE, testing_first_result_on=day)
    FacilityFactory(district=sa_pa, does_rapid_antigen=False)  # not qualified
    response = client_for(province_viewer).get(reverse("platforms:testing-list"))
    per = {t.label: t for t in response.context["per_district"]}
    assert (per["Huyện Bát Xát"].live, per["Huyện Bát Xát"].qualified, per["Huyện Bát Xát"].live_pct) == (1, 3, 33.3)
    assert per["Thị xã Sa Pa"].live_pct == 100.0
    assert response.context["total"].live_pct == 50.0
    assert "33,3%" in response.content.decode()
    assert response.context["page"].paginator.count == 4


def test_district_officer_lists_own_districts_facilities(client_for, district_officer, facility, sa_pa):
    FacilityFactory(district=sa_pa)
    response = client_for(district_officer).get(reverse("platforms:testing-list"))
    assert [f.pk for f in response.context["page"]] == [facility.pk]
    assert response.context["changeable"] == set()


# --- API --------------------------------------------------------------------------------------


def test_api_lists_and_patches_within_scope(
    client_for, health_officer, facility_staff, district_officer, outsider, facility, bat_xat
):
    other = FacilityFactory(district=bat_xat)
    path = reverse("api:testing-rollout-list")
    assert client_for(health_officer).get(path).json()["count"] == 2
    assert client_for(facility_staff).get(path).json()["count"] == 1
    assert client_for(district_officer).get(path).json()["count"] == 2
    assert client_for(outsider).get(path).json()["count"] == 0
    detail = reverse("api:testing-rollout-detail", args=[facility.pk])
    body = live(local_today() - timedelta(days=1))
    response = client_for(facility_staff).patch(detail, body, content_type="application/json")
    assert response.status_code == 200 and response.json()["testing_status"] == "live"
    other_detail = reverse("api:testing-rollout-detail", args=[other.pk])
    assert client_for(facility_staff).patch(other_detail, body, content_type="application/json").status_code == 404
    assert client_for(district_officer).patch(other_detail, body, content_type="application/json").status_code == 404
    response = client_for(health_officer).patch(
        other_detail, {"testing_status": "live"}, content_type="application/json"
    )
    assert response.status_code == 400 and "testing_first_result_on" in response.json()["extra"]["fields"]
    other.refresh_from_db()
    assert other.testing_status == Status.NOT_STARTED


def test_outsider_lists_nothing(client_for, outsider, facility):
    response = client_for(outsider).get(reverse("platforms:testing-list"))
    assert response.status_code == 200 and response.context["page"].paginator.count == 0
    assert response.context["per_district"] == []
