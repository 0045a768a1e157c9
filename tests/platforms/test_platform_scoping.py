"""Scoping of the issue-6 data: aggregates, adoption updates, vaccination logs, job runs."""

from __future__ import annotations

from datetime import date

import pytest

from dashboard.models import ArrivalDay, DistrictDay, VenueDay
from dashboard.scoping import arrival_days_for, district_days_for, overview_districts_for, venue_days_for
from platforms.models import AdoptionUpdate, VaccinationUpdate
from platforms.scoping import adoption_updates_for, vaccination_updates_for
from rollout import scoping
from rollout.models import JobRun
from tests.factories import AgencyFactory, CheckpointFactory, FacilityFactory, VenueFactory

pytestmark = pytest.mark.django_db
DAY = date(2021, 11, 10)


@pytest.fixture
def figures(bat_xat, sa_pa, agency, checkpoint, facility):
    """One row of each kind in Bát Xát (owned by the persona fixtures' agency, checkpoint, facility) and Sa Pa."""
    other_agency = AgencyFactory(district=sa_pa)
    other_facility = FacilityFactory(district=sa_pa)
    other_checkpoint = CheckpointFactory(district=sa_pa)
    for d in (bat_xat, sa_pa):
        DistrictDay.objects.create(day=DAY, district=d)
    VenueDay.objects.create(day=DAY, venue=VenueFactory(district=bat_xat, agency=agency), district=bat_xat)
    VenueDay.objects.create(day=DAY, venue=VenueFactory(district=sa_pa, agency=other_agency), district=sa_pa)
    ArrivalDay.objects.create(day=DAY, district=bat_xat, checkpoint=checkpoint, arrivals=3)
    ArrivalDay.objects.create(day=DAY, district=sa_pa, checkpoint=other_checkpoint, arrivals=2)
    for a in (agency, other_agency):
        AdoptionUpdate.objects.create(agency=a, reported_on=DAY, staff_headcount=9, pc_covid=1, health_book=1, vneid=1)
    for f in (facility, other_facility):
        VaccinationUpdate.objects.create(facility=f, day=DAY, doses_given=1, updated_on_platform=False)
    JobRun.objects.create(job="daily_stats_refresh_today")


def districts_of(queryset, field: str = "district") -> set[str]:
    return set(queryset.values_list(f"{field}__short_codename", flat=True))


@pytest.mark.parametrize("persona", ["province_admin", "province_viewer", "health_officer"])
def test_province_roles_read_every_districts_figures(request, figures, persona):
    user = request.getfixturevalue(persona)
    assert districts_of(district_days_for(user)) == {"bat_xat", "sa_pa"}
    assert districts_of(venue_days_for(user)) == {"bat_xat", "sa_pa"}
    assert districts_of(arrival_days_for(user)) == {"bat_xat", "sa_pa"}
    assert overview_districts_for(user).count() == 9


def test_district_officer_reads_own_districts_figures_only(figures, district_officer, other_district_officer):
    assert districts_of(district_days_for(district_officer)) == {"bat_xat"}
    assert districts_of(venue_days_for(district_officer)) == {"bat_xat"}
    assert districts_of(arrival_days_for(district_officer)) == {"bat_xat"}
    assert districts_of(adoption_updates_for(district_officer), "agency__district") == {"bat_xat"}
    assert districts_of(vaccination_updates_for(district_officer), "facility__district") == {"bat_xat"}
    assert list(overview_districts_for(district_officer).values_list("short_codename", flat=True)) == ["bat_xat"]
    assert districts_of(district_days_for(other_district_officer)) == {"sa_pa"}


def test_agency_admin_reads_own_venues_and_adoption(figures, agency_admin, agency):
    assert not district_days_for(agency_admin).exists()
    assert [v.venue.agency_id for v in venue_days_for(agency_admin)] == [agency.pk]
    assert [u.agency_id for u in adoption_updates_for(agency_admin)] == [agency.pk]
    assert not overview_districts_for(agency_admin).exists()


def test_checkpoint_staff_reads_own_checkpoints_arrivals(figures, checkpoint_staff, checkpoint):
    assert [a.checkpoint_id for a in arrival_days_for(checkpoint_staff)] == [checkpoint.pk]
    assert not venue_days_for(checkpoint_staff).exists()


def test_facility_staff_reads_own_vaccination_log(figures, facility_staff, facility):
    assert [u.facility_id for u in vaccination_updates_for(facility_staff)] == [facility.pk]
    assert not adoption_updates_for(facility_staff).exists()


def test_only_province_admins_read_job_runs(figures, province_admin, province_viewer, health_officer):
    assert scoping.job_runs_for(province_admin).count() == 1
    assert not scoping.job_runs_for(province_viewer).exists()
    assert not scoping.job_runs_for(health_officer).exists()


def test_outsider_and_deactivated_users_read_nothing(figures, outsider, district_officer):
    district_officer.is_active = False
    for user in (outsider, district_officer):
        for rule in (
            district_days_for, venue_days_for, arrival_days_for,
            adoption_updates_for, vaccination_updates_for, scoping.job_runs_for,
            overview_districts_for,
        ):  # fmt: skip
            assert not rule(user).exists(), rule.__name__
