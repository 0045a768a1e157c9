"""What the system knows about a district's week, counted in local time and per district."""

from __future__ import annotations

from datetime import date

import pytest

from platforms.models import AdoptionUpdate
from reports.figures import district_week_figures, total
from rollout.models import Venue
from tests.factories import AgencyFactory, ArrivalFactory, CheckInFactory, VenueFactory
from tests.reports.conftest import local
from venues.models import Inspection

pytestmark = pytest.mark.django_db
WEEK = date(2021, 11, 5)  # Saturday 30/10 to Friday 05/11


def _venue(district, created: str = "2021-10-01", **kwargs) -> Venue:
    venue = VenueFactory(district=district, **kwargs)
    Venue.objects.filter(pk=venue.pk).update(created_at=local(created))
    return venue


def test_checkins_and_arrivals_count_the_local_week_only(bat_xat, sa_pa):
    venue = _venue(bat_xat)
    CheckInFactory(venue=venue, checked_in_at=local("2021-10-29", "23:59"))  # Friday before: previous week
    CheckInFactory(venue=venue, checked_in_at=local("2021-10-30", "00:00"))
    CheckInFactory(venue=venue, checked_in_at=local("2021-11-05", "23:59"))
    CheckInFactory(venue=venue, checked_in_at=local("2021-11-06", "00:00"))  # next week
    CheckInFactory(venue=_venue(sa_pa), checked_in_at=local("2021-11-02"))
    ArrivalFactory(destination_district=bat_xat, arrived_at=local("2021-11-05", "23:30"))
    ArrivalFactory(destination_district=sa_pa, arrived_at=local("2021-11-03"))
    figures = district_week_figures(WEEK, [bat_xat.pk, sa_pa.pk])
    assert (figures[bat_xat.pk].checkins, figures[bat_xat.pk].venues_active, figures[bat_xat.pk].arrivals) == (2, 1, 1)
    assert (figures[sa_pa.pk].checkins, figures[sa_pa.pk].arrivals) == (1, 1)


def test_venues_with_qr_are_active_ones_registered_by_the_end_of_the_week(bat_xat):
    agency = AgencyFactory(district=bat_xat)
    _venue(bat_xat, "2021-10-01", agency=agency)
    _venue(bat_xat, "2021-11-05")
    _venue(bat_xat, "2021-11-06")  # registered after the week
    _venue(bat_xat, "2021-10-01", is_active=False)
    AgencyFactory(district=bat_xat)  # no venue: not using QR entry control
    figures = district_week_figures(WEEK, [bat_xat.pk])[bat_xat.pk]
    assert figures.venues_with_qr == 2
    assert figures.agencies_with_qr == 1


def test_inspections_count_venues_violations_and_sanctions(bat_xat):
    a, b = _venue(bat_xat), _venue(bat_xat)
    for venue, day, compliant, sanction in [
        (a, "2021-10-30", False, "Phạt cảnh cáo"),
        (a, "2021-11-04", False, ""),  # the same venue again: still one venue
        (b, "2021-11-05", True, ""),
        (b, "2021-11-06", False, "Phạt tiền"),  # next week
    ]:
        Inspection.objects.create(
            venue=venue, inspected_on=date.fromisoformat(day), inspector="Đoàn kiểm tra", compliant=compliant,
            sanction=sanction,
        )  # fmt: skip
    figures = district_week_figures(WEEK, [bat_xat.pk])[bat_xat.pk]
    assert (figures.inspections, figures.venues_inspected, figures.violations_found, figures.sanctions_imposed) == (
        3,
        2,
        1,
        1,
    )


def test_adoption_sums_each_agencys_latest_update_up_to_the_friday(bat_xat):
    a, b = AgencyFactory(district=bat_xat), AgencyFactory(district=bat_xat)
    rows = [
        (a, "2021-10-20", 40, 10, 5, 2),
        (a, "2021-11-04", 40, 30, 12, 8),  # latest for a
        (a, "2021-11-08", 40, 39, 20, 15),  # after the week
        (b, "2021-11-01", 25, 20, 10, 5),
    ]
    for agency, day, staff, pc, hb, vn in rows:
        AdoptionUpdate.objects.create(
            agency=agency, reported_on=date.fromisoformat(day), staff_headcount=staff, pc_covid=pc, health_book=hb,
            vneid=vn,
        )  # fmt: skip
    figures = district_week_figures(WEEK, [bat_xat.pk])[bat_xat.pk]
    assert (figures.adoption_agencies, figures.staff_headcount) == (2, 65)
    assert (figures.pc_covid, figures.health_book, figures.vneid) == (50, 22, 13)


def test_a_district_without_data_gets_zeros_and_totals_add_up(bat_xat, sa_pa):
    _venue(bat_xat)
    figures = district_week_figures(WEEK, [bat_xat.pk, sa_pa.pk])
    assert figures[sa_pa.pk].venues_with_qr == 0
    assert total(figures.values()).venues_with_qr == 1
