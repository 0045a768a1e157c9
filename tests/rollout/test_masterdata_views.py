"""Venue and agency pages: owner / same-role-other-scope / outsider for list, open and change."""

from __future__ import annotations

import pytest
from django.urls import reverse

from tests.factories import AgencyFactory, CheckpointFactory, VenueFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def venues(bat_xat, sa_pa):
    return VenueFactory(district=bat_xat, name="Nhà hàng Bát Xát"), VenueFactory(district=sa_pa, name="Khách sạn Sa Pa")


def test_district_officer_lists_only_own_district_venues(client_for, district_officer, venues):
    page = client_for(district_officer).get(reverse("rollout:venue-list")).content.decode()
    assert "Nhà hàng Bát Xát" in page
    assert "Khách sạn Sa Pa" not in page


def test_district_officer_cannot_open_other_district_venue(client_for, district_officer, venues):
    client = client_for(district_officer)
    assert client.get(reverse("rollout:venue-detail", args=[venues[0].pk])).status_code == 200
    assert client.get(reverse("rollout:venue-detail", args=[venues[1].pk])).status_code == 404


def test_district_officer_cannot_change_other_district_venue(client_for, district_officer, venues):
    client = client_for(district_officer)
    url = reverse("rollout:venue-edit", args=[venues[1].pk])
    assert client.get(url).status_code == 404
    response = client.post(
        url,
        {
            "name": "Đã bị sửa",
            "kind": "restaurant",
            "owner_name": "X",
            "address": "Y",
            "district": venues[1].district_id,
        },
    )
    assert response.status_code == 404
    venues[1].refresh_from_db()
    assert venues[1].name == "Khách sạn Sa Pa"


def test_district_officer_cannot_move_own_venue_into_another_district(client_for, district_officer, venues, sa_pa):
    url = reverse("rollout:venue-edit", args=[venues[0].pk])
    data = {
        "name": "Nhà hàng Bát Xát",
        "kind": "restaurant",
        "owner_name": "An",
        "address": "Số 1",
        "district": sa_pa.pk,
        "is_active": "on",
    }
    response = client_for(district_officer).post(url, data)
    # The district is not even offered: the form refuses it.
    assert response.status_code == 200
    assert "district" in response.context["form"].errors
    venues[0].refresh_from_db()
    assert venues[0].district_id != sa_pa.pk


def test_district_officer_edits_own_venue(client_for, district_officer, venues, bat_xat):
    url = reverse("rollout:venue-edit", args=[venues[0].pk])
    data = {
        "name": "Nhà hàng Mới",
        "kind": "restaurant",
        "owner_name": "An",
        "owner_phone": "0912 345 678",
        "address": "Số 2",
        "district": bat_xat.pk,
        "is_active": "on",
    }
    response = client_for(district_officer).post(url, data)
    assert response.status_code == 302
    venues[0].refresh_from_db()
    assert (venues[0].name, venues[0].owner_phone, venues[0].name_search) == (
        "Nhà hàng Mới",
        "0912345678",
        "nha hang moi",
    )


def test_venue_owner_phone_is_validated(client_for, district_officer, venues, bat_xat):
    url = reverse("rollout:venue-edit", args=[venues[0].pk])
    data = {
        "name": "X",
        "kind": "restaurant",
        "owner_name": "An",
        "owner_phone": "12345",
        "address": "Số 2",
        "district": bat_xat.pk,
    }
    response = client_for(district_officer).post(url, data)
    assert "owner_phone" in response.context["form"].errors


def test_province_viewer_can_open_but_not_change(client_for, province_viewer, venues):
    client = client_for(province_viewer)
    assert client.get(reverse("rollout:venue-detail", args=[venues[1].pk])).status_code == 200
    assert client.get(reverse("rollout:venue-edit", args=[venues[1].pk])).status_code == 404


def test_outsider_sees_no_venues(client_for, outsider, venues):
    client = client_for(outsider)
    assert "Nhà hàng Bát Xát" not in client.get(reverse("rollout:venue-list")).content.decode()
    assert client.get(reverse("rollout:venue-detail", args=[venues[0].pk])).status_code == 404


def test_anonymous_is_sent_to_login(client_for, venues):
    response = client_for(None).get(reverse("rollout:venue-list"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))


def test_district_officer_cannot_open_or_change_other_district_agency(client_for, district_officer, bat_xat, sa_pa):
    own, other = AgencyFactory(district=bat_xat), AgencyFactory(district=sa_pa, name="Sở khác")
    client = client_for(district_officer)
    assert "Sở khác" not in client.get(reverse("rollout:agency-list")).content.decode()
    assert client.get(reverse("rollout:agency-detail", args=[own.pk])).status_code == 200
    assert client.get(reverse("rollout:agency-detail", args=[other.pk])).status_code == 404
    assert client.post(reverse("rollout:agency-edit", args=[other.pk]), {"name": "x"}).status_code == 404


def test_agency_admin_creates_a_venue_for_own_agency(client_for, agency_admin, agency, bat_xat):
    data = {
        "name": "Cổng chính",
        "kind": "agency_office",
        "agency": agency.pk,
        "address": "Số 3",
        "district": bat_xat.pk,
        "is_active": "on",
    }
    response = client_for(agency_admin).post(reverse("rollout:venue-create"), data)
    assert response.status_code == 302
    assert agency.venues.get().name == "Cổng chính"


def test_list_search_ignores_accents(client_for, province_admin, venues):
    page = client_for(province_admin).get(reverse("rollout:venue-list"), {"q": "khach san sa pa"}).content.decode()
    assert "Khách sạn Sa Pa" in page
    assert "Nhà hàng Bát Xát" not in page


def test_checkpoint_staff_sees_own_checkpoint_page_only(client_for, checkpoint_staff, checkpoint):
    other = CheckpointFactory(name="Chốt khác")
    client = client_for(checkpoint_staff)
    assert "Chốt khác" not in client.get(reverse("checkpoints:checkpoint-list")).content.decode()
    assert client.get(reverse("checkpoints:checkpoint-detail", args=[checkpoint.pk])).status_code == 200
    assert client.get(reverse("checkpoints:checkpoint-detail", args=[other.pk])).status_code == 404


def test_venue_save_refuses_a_move_out_of_scope_and_keeps_the_row(district_officer, bat_xat, sa_pa):
    from django.core.exceptions import PermissionDenied

    from rollout.services.masterdata import venue_save

    venue = VenueFactory(district=bat_xat)
    venue.district = sa_pa
    with pytest.raises(PermissionDenied):
        venue_save(by=district_officer, venue=venue)
    venue.refresh_from_db()
    assert venue.district_id == bat_xat.pk
