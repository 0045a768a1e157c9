"""The scoping rule, tested on the querysets themselves (views and APIs are tested separately)."""

from __future__ import annotations

import pytest

from checkpoints.scoping import arrivals_for
from rollout import scoping
from rollout.models import Role, RoleAssignment, User
from tests.factories import (
    AgencyFactory,
    ArrivalFactory,
    CheckInFactory,
    CheckpointFactory,
    FacilityFactory,
    UserFactory,
    VenueFactory,
)
from venues.scoping import checkins_for

pytestmark = pytest.mark.django_db


@pytest.fixture
def two_districts(bat_xat, sa_pa):
    return {
        "bx_venue": VenueFactory(district=bat_xat),
        "sp_venue": VenueFactory(district=sa_pa),
        "bx_agency": AgencyFactory(district=bat_xat),
        "sp_agency": AgencyFactory(district=sa_pa),
    }


def test_district_officer_sees_only_own_district_venues_and_agencies(district_officer, two_districts):
    assert list(scoping.venues_for(district_officer)) == [two_districts["bx_venue"]]
    assert list(scoping.agencies_for(district_officer)) == [two_districts["bx_agency"]]


def test_other_district_officer_sees_the_other_side(other_district_officer, two_districts):
    assert list(scoping.venues_for(other_district_officer)) == [two_districts["sp_venue"]]


@pytest.mark.parametrize("persona", ["province_admin", "province_viewer"])
def test_province_roles_see_every_venue(request, persona, two_districts):
    user = request.getfixturevalue(persona)
    assert scoping.venues_for(user).count() == 2


def test_province_viewer_cannot_change_anything(province_viewer, two_districts):
    assert not scoping.venues_for(province_viewer, for_change=True).exists()
    assert not scoping.agencies_for(province_viewer, for_change=True).exists()


def test_outsider_and_anonymous_see_nothing(outsider, two_districts):
    from django.contrib.auth.models import AnonymousUser

    for user in (outsider, AnonymousUser()):
        assert not scoping.venues_for(user).exists()
        assert not scoping.agencies_for(user).exists()
        assert not scoping.checkpoints_for(user).exists()
        assert not scoping.districts_for(user).exists()


def test_checkpoint_staff_sees_exactly_one_checkpoint(checkpoint_staff, checkpoint):
    CheckpointFactory()
    CheckpointFactory()
    assert list(scoping.checkpoints_for(checkpoint_staff)) == [checkpoint]


def test_agency_admin_sees_own_agency_and_its_venues(agency_admin, agency, bat_xat):
    own = VenueFactory(agency=agency, district=bat_xat)
    VenueFactory(district=bat_xat)  # a private venue in the same district
    AgencyFactory(district=bat_xat)
    assert list(scoping.venues_for(agency_admin)) == [own]
    assert list(scoping.agencies_for(agency_admin)) == [agency]
    assert list(scoping.districts_for(agency_admin)) == [bat_xat]


def test_facility_staff_sees_own_facility_only(facility_staff, facility):
    FacilityFactory()
    assert list(scoping.facilities_for(facility_staff)) == [facility]


def test_user_with_two_roles_sees_the_union(bat_xat, sa_pa, two_districts):
    user = UserFactory()
    RoleAssignment.objects.create(user=user, role=Role.DISTRICT_OFFICER, district=bat_xat)
    RoleAssignment.objects.create(user=user, role=Role.DISTRICT_OFFICER, district=sa_pa)
    user = User.objects.get(pk=user.pk)
    assert scoping.venues_for(user).count() == 2
    assert scoping.districts_for(user).count() == 2


def test_deactivated_user_sees_nothing(district_officer, two_districts):
    district_officer.is_active = False
    district_officer.save()
    user = User.objects.get(pk=district_officer.pk)
    assert not scoping.venues_for(user).exists()


def test_personal_data_is_hidden_from_province_viewers(province_viewer, health_officer, bat_xat):
    CheckInFactory(venue=VenueFactory(district=bat_xat))
    ArrivalFactory(destination_district=bat_xat)
    assert not checkins_for(province_viewer).exists()
    assert not arrivals_for(province_viewer).exists()
    assert checkins_for(health_officer).count() == 1
    assert arrivals_for(health_officer).count() == 1


def test_district_officer_sees_arrivals_bound_for_own_district(district_officer, bat_xat, sa_pa):
    mine = ArrivalFactory(destination_district=bat_xat)
    ArrivalFactory(destination_district=sa_pa)
    assert list(arrivals_for(district_officer)) == [mine]


def test_checkpoint_staff_sees_own_checkpoint_arrivals(checkpoint_staff, checkpoint):
    mine = ArrivalFactory(checkpoint=checkpoint)
    ArrivalFactory()
    assert list(arrivals_for(checkpoint_staff)) == [mine]


def test_role_scope_constraint_refuses_a_district_officer_without_district(units):
    from django.db import IntegrityError, transaction

    user = UserFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        RoleAssignment.objects.create(user=user, role=Role.DISTRICT_OFFICER)
