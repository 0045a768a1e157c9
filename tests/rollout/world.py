"""A small province with two weeks of raw activity, for the dashboard and aggregate tests.

Bát Xát and Sa Pa get venues (one inactive), check-ins (some flagged, some on the edges of local days),
arrivals, inspections, agencies with adoption histories, and health facilities with testing statuses
and vaccination logs. Every figure on the overview can then be compared with a direct count here.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from django.db.models import Q

from checkpoints.models import Arrival, DailyList
from platforms.models import AdoptionUpdate, VaccinationUpdate
from reports.models import ReportStatus, WeeklyReport
from reports.weeks import week_ending_for
from rollout.models import Agency, District, HealthFacility, Venue
from rollout.models.org import TestingStatus
from rollout.timeutils import day_bounds, days_bounds, local_datetime
from tests.factories import AgencyFactory, CheckpointFactory, FacilityFactory, VenueFactory, district, first_commune
from venues.models import CheckIn, Inspection


@dataclass
class World:
    today: date
    bat_xat: District
    sa_pa: District
    venues: dict[str, Venue] = field(default_factory=dict)
    agencies: dict[str, Agency] = field(default_factory=dict)
    facilities: dict[str, HealthFacility] = field(default_factory=dict)


def at(day: date, hour: int, minute: int = 0) -> datetime:
    return local_datetime(day, time(hour, minute))


def build_world(today: date) -> World:
    bx, sp = district("bat_xat"), district("sa_pa")
    w = World(today, bx, sp)
    bx_communes = list(bx.communes.order_by("code")[:2])
    sp_commune = first_commune(sp)
    w.venues = {
        "market": VenueFactory(district=bx, commune=bx_communes[0]),
        "school": VenueFactory(district=bx, commune=bx_communes[1]),
        "idle": VenueFactory(district=bx, commune=bx_communes[1]),
        "closed": VenueFactory(district=bx, commune=bx_communes[0], is_active=False),
        "hotel": VenueFactory(district=sp, commune=sp_commune),
        "cafe": VenueFactory(district=sp, commune=sp_commune),
    }
    d = lambda n: today - timedelta(days=n)  # noqa: E731
    checkins = [
        ("market", d(0), 9, False), ("market", d(0), 10, True), ("school", d(0), 0, False),  # local midnight
        ("hotel", d(0), 23, False), ("market", d(3), 8, False), ("cafe", d(5), 12, True),
        ("school", d(6), 0, False), ("market", d(7), 9, False), ("hotel", d(7), 9, False),
        ("hotel", d(8), 18, False), ("cafe", d(13), 7, False), ("school", d(14), 11, False),
        ("closed", d(2), 9, False),
    ]  # fmt: skip
    CheckIn.objects.bulk_create(
        CheckIn(venue=w.venues[v], full_name="Lò Thị Mai", phone="0912345678", checked_in_at=at(day, h), flagged=f)
        for v, day, h, f in checkins
    )
    # One second before local midnight: the day before, not today.
    CheckIn.objects.create(
        venue=w.venues["cafe"], full_name="Vàng A Lử", phone="0987654321",
        checked_in_at=local_datetime(d(0)) - timedelta(seconds=1),
    )  # fmt: skip
    gate, road = CheckpointFactory(district=bx), CheckpointFactory(district=sp)
    arrivals = [
        (gate, bx, bx_communes[0], d(0), "installed"), (gate, bx, bx_communes[1], d(0), "had"),
        (road, sp, sp_commune, d(0), ""), (road, bx, None, d(2), "no_smartphone"), (gate, sp, sp_commune, d(6), "had"),
        (road, sp, sp_commune, d(7), "installed"), (gate, bx, bx_communes[0], d(9), "no_smartphone"),
        (gate, bx, bx_communes[0], d(12), "had"),
    ]  # fmt: skip
    Arrival.objects.bulk_create(
        Arrival(
            checkpoint=cp, destination_district=dd, destination_commune=dc, arrived_at=at(day, 14),
            full_name="Giàng A Páo", phone="0987654321", pc_covid=pc_covid,
        )
        for cp, dd, dc, day, pc_covid in arrivals
    )  # fmt: skip
    Inspection.objects.create(venue=w.venues["idle"], inspected_on=d(1), inspector="Đoàn KT", compliant=False)
    Inspection.objects.create(venue=w.venues["market"], inspected_on=d(1), inspector="Đoàn KT", compliant=True)

    w.agencies = {
        "committee": AgencyFactory(district=bx, staff_headcount=40),
        "school": AgencyFactory(district=bx, staff_headcount=30),
        "silent": AgencyFactory(district=bx, staff_headcount=12),  # never reports
        "hotel": AgencyFactory(district=sp, staff_headcount=80),
        "closed": AgencyFactory(district=sp, staff_headcount=10, is_active=False),
    }
    updates = [
        ("committee", d(20), 40, 20, 10, 15), ("committee", d(9), 40, 30, 15, 20), ("committee", d(2), 42, 38, 20, 30),
        ("school", d(10), 30, 5, 2, 3), ("hotel", d(12), 80, 40, 20, 30), ("hotel", d(0), 80, 70, 50, 60),
        ("closed", d(1), 10, 10, 10, 10),
    ]  # fmt: skip
    for key, day, head, pc, hb, vn in updates:
        AdoptionUpdate.objects.create(
            agency=w.agencies[key], reported_on=day, staff_headcount=head, pc_covid=pc, health_book=hb, vneid=vn
        )
    w.facilities = {
        "station": FacilityFactory(district=bx, does_rapid_antigen=True, does_vaccination=True),
        "centre": FacilityFactory(
            district=bx, does_rt_pcr=True, does_vaccination=True,
            testing_status=TestingStatus.LIVE, testing_first_result_on=d(3),
        ),
        "clinic": FacilityFactory(
            district=sp, does_rapid_antigen=True, does_vaccination=False,
            testing_status=TestingStatus.LIVE, testing_first_result_on=d(10),
        ),
        "hospital": FacilityFactory(
            district=sp, does_rapid_antigen=True, does_vaccination=True, testing_status=TestingStatus.TRAINED
        ),
        "pharmacy": FacilityFactory(district=sp, does_rapid_antigen=False, does_vaccination=False),
    }  # fmt: skip
    logs = [
        ("station", d(0), 30, True, at(d(0), 9)), ("centre", d(0), 50, False, None),
        ("hospital", d(7), 80, True, at(d(7), 21)), ("station", d(7), 12, True, at(d(7), 19)),
    ]  # fmt: skip
    for key, day, doses, updated, when in logs:
        VaccinationUpdate.objects.create(
            facility=w.facilities[key], day=day, doses_given=doses, updated_on_platform=updated,
            platform_updated_at=when,
        )  # fmt: skip
    # Yesterday's daily lists: Bát Xát's built and e-mailed, Sa Pa's not built; a week before, both built.
    for district_, day, emailed in ((bx, d(1), True), (bx, d(8), False), (sp, d(8), False)):
        built = at(day + timedelta(days=1), 6, 30)
        DailyList.objects.create(
            district=district_, day=day, revision=1, rows=3, file=f"lists/{district_.pk}-{day}.xlsx",
            generated_at=built, emailed_at=built + timedelta(minutes=1) if emailed else None,
        )  # fmt: skip
    # Weekly reports (weeks end on Friday): this week Bát Xát has sent; last week both had, Sa Pa late.
    this_friday = today + timedelta(days=(4 - today.weekday()) % 7)
    last_friday = this_friday - timedelta(days=7)
    reports = [(bx, this_friday, at(d(1), 10)), (bx, last_friday, at(last_friday, 16)), (sp, last_friday, at(d(0), 8))]
    for district_, week, sent in reports:
        WeeklyReport.objects.create(
            district=district_,
            week_ending=week,
            status=ReportStatus.SUBMITTED,
            first_submitted_at=sent,
            submitted_at=sent,
        )
    return w


# --- Direct counts over the raw rows (what the overview must show) ----------------------------


def raw_kpis(today: date, districts: list[District], *, with_reports: bool = True) -> dict[str, tuple[int, int | None]]:
    """KPI key -> (value, total) counted straight from the raw rows of ``districts``."""
    week_start = today - timedelta(days=6)
    in_districts = Q(district__in=districts)
    venues_qr = Venue.objects.filter(in_districts, is_active=True).count()
    checkins = CheckIn.objects.filter(venue__district__in=districts)
    arrivals = Arrival.objects.filter(destination_district__in=districts)
    today_start, today_end = day_bounds(today)
    week = days_bounds(week_start, today)
    result = {
        "venues_with_qr": (venues_qr, None),
        "venues_active_7d": (
            checkins.filter(checked_in_at__gte=week[0], checked_in_at__lt=week[1], venue__is_active=True)
            .values("venue")
            .distinct()
            .count(),
            venues_qr,
        ),
        "checkins_today": (checkins.filter(checked_in_at__gte=today_start, checked_in_at__lt=today_end).count(), None),
        "checkins_7d": (checkins.filter(checked_in_at__gte=week[0], checked_in_at__lt=week[1]).count(), None),
        "arrivals_today": (arrivals.filter(arrived_at__gte=today_start, arrived_at__lt=today_end).count(), None),
        "arrivals_7d": (arrivals.filter(arrived_at__gte=week[0], arrived_at__lt=week[1]).count(), None),
    }
    week_arrivals = arrivals.filter(arrived_at__gte=week[0], arrived_at__lt=week[1])
    result["pc_covid_arrivals"] = (
        week_arrivals.filter(pc_covid__in=["had", "installed"]).count(),
        week_arrivals.exclude(pc_covid="").count(),
    )
    staff = {"staff_headcount": 0, "pc_covid": 0, "health_book": 0, "vneid": 0}
    for agency in Agency.objects.filter(in_districts, is_active=True):
        latest = agency.adoption_updates.filter(reported_on__lte=today).order_by("-reported_on", "-created_at").first()
        if latest:
            for name in staff:
                staff[name] += getattr(latest, name)
    for app in ("pc_covid", "health_book", "vneid"):
        result[f"adoption_{app}"] = (staff[app], staff["staff_headcount"])
    vaccinating = HealthFacility.objects.filter(in_districts, does_vaccination=True, is_active=True)
    result["vaccination_updated_today"] = (
        VaccinationUpdate.objects.filter(facility__in=vaccinating, day=today, updated_on_platform=True).count(),
        vaccinating.count(),
    )
    qualified = HealthFacility.objects.filter(in_districts, Q(does_rapid_antigen=True) | Q(does_rt_pcr=True))
    qualified = qualified.filter(is_active=True)
    result["testing_live"] = (qualified.filter(testing_status=TestingStatus.LIVE).count(), qualified.count())
    result["daily_lists_delivered"] = (
        DailyList.objects.filter(district__in=districts, day=today - timedelta(days=1)).count(),
        len(districts),
    )
    if with_reports:
        week = week_ending_for(today)
        result["reports_sent"] = (
            WeeklyReport.objects.filter(
                district__in=districts, week_ending=week, first_submitted_at__isnull=False
            ).count(),
            len(districts),
        )
    return result
