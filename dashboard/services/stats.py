"""Daily aggregates (``DistrictDay``, ``VenueDay``, ``ArrivalDay``): rebuilt from the raw rows.

A rebuild of (day, districts) replaces every aggregate row of that day and those districts in one
transaction, from GROUP BY queries over the day's raw rows, so it is idempotent and can run any number
of times. Three things trigger it:

- ``daily_stats_bump(day=, district_id=)`` with a write (check-in, arrival, inspection, adoption or
  vaccination update): records one rebuild of that district's day in the outbox, due a few seconds
  later, however many writes come in meanwhile (one waiting row per district and day).
- ``daily_stats_refresh_today()`` every few minutes (Celery beat).
- ``daily_stats_recompute()`` nightly for the last days, and by the ``recompute_daily_stats`` command.

A day older than the personal-data retention is never rebuilt unless forced: its raw rows may have
been purged, and rebuilding would replace the surviving figures with zeros.
"""

from __future__ import annotations

import bisect
import logging
import time
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Count, Q
from django.db.models.functions import ExtractHour
from django.utils import timezone
from django.utils.translation import gettext as _

from checkpoints.models import Arrival, PcCovid
from dashboard.models import ArrivalDay, DistrictDay, VenueDay
from platforms.models import AdoptionUpdate, VaccinationUpdate
from rollout import outbox
from rollout.errors import ApplicationError
from rollout.figures import num
from rollout.models import Agency, District, HealthFacility, Venue
from rollout.models.org import TestingStatus
from rollout.services.jobs import job_run
from rollout.timeutils import day_bounds, local_datetime, local_today, local_tz, oldest_kept_day
from venues.models import CheckIn, Inspection

logger = logging.getLogger(__name__)


@dataclass
class DayTotals:
    """What one rebuilt day holds, for command output and job results."""

    day: date
    districts: int
    checkins: int
    arrivals: int

    def __str__(self) -> str:
        return f"{self.day:%Y-%m-%d}: {self.districts} districts, {self.checkins} check-ins, {self.arrivals} arrivals"


def _home_district_ids(district_ids: Iterable[int] | None) -> list[int]:
    home = District.objects.filter(province_id=settings.HOME_PROVINCE_CODE)
    if district_ids is not None:
        home = home.filter(pk__in=list(district_ids))
    return sorted(home.values_list("pk", flat=True))


def _check_day(day: date, *, force: bool) -> None:
    today = local_today()
    if day > today:
        raise ApplicationError(_("%(day)s is in the future.") % {"day": day.strftime("%d/%m/%Y")})
    if not force and day < oldest_kept_day(today):
        raise ApplicationError(
            _(
                "%(day)s is older than the personal-data retention (%(n)s days): its figures are kept as they "
                "are and cannot be rebuilt."
            )
            % {"day": day.strftime("%d/%m/%Y"), "n": settings.PERSONAL_DATA_RETENTION_DAYS}
        )


# --- Rebuilding -------------------------------------------------------------------------------


def daily_stats_refresh(*, day: date, district_ids: Iterable[int] | None = None, force: bool = False) -> DayTotals:
    """Rebuild every aggregate of ``day`` for the given home districts (all of them by default)."""
    _check_day(day, force=force)
    districts = _home_district_ids(district_ids)
    if not districts:
        return DayTotals(day, 0, 0, 0)
    sources = _Sources.load(districts)
    return _rebuild_day(day, districts, sources)


def daily_stats_recompute(
    *, first: date, last: date, district_ids: Iterable[int] | None = None, force: bool = False
) -> list[DayTotals]:
    """Rebuild every day from ``first`` to ``last`` (inclusive), oldest first."""
    if first > last:
        raise ApplicationError(_("The first day must not be after the last day."))
    _check_day(last, force=force)
    _check_day(first, force=force)
    districts = _home_district_ids(district_ids)
    sources = _Sources.load(districts)
    totals = []
    day = first
    while day <= last:
        totals.append(_rebuild_day(day, districts, sources))
        day += timedelta(days=1)
    return totals


def daily_stats_refresh_today() -> DayTotals:
    """The periodic job: today's figures for every district."""
    today = local_today()
    with job_run("daily_stats_refresh_today", day=today) as run:
        totals = daily_stats_refresh(day=today)
        run.result = _("%(districts)s districts: %(checkins)s check-ins, %(arrivals)s arrivals today") % {
            "districts": num(totals.districts),
            "checkins": num(totals.checkins),
            "arrivals": num(totals.arrivals),
        }
    return totals


def daily_stats_nightly() -> list[DayTotals]:
    """The nightly job: rebuild the last ``DAILY_STATS_RECOMPUTE_DAYS`` days before today, plus any
    day within the retention that has no figures at all (the system was down)."""
    today = local_today()
    first = today - timedelta(days=settings.DAILY_STATS_RECOMPUTE_DAYS)
    oldest = oldest_kept_day(today)
    with job_run("daily_stats_recompute", first=first, last=today - timedelta(days=1)) as run:
        have = set(DistrictDay.objects.filter(day__gte=oldest, day__lt=first).values_list("day", flat=True))
        older = (oldest + timedelta(days=i) for i in range((first - oldest).days))
        missing = [day for day in older if day not in have]
        totals = [daily_stats_refresh(day=d) for d in missing]
        totals += daily_stats_recompute(first=first, last=today - timedelta(days=1))
        run.result = _(
            "%(days)s days rebuilt (%(missing)s missing days caught up): %(checkins)s check-ins, %(arrivals)s arrivals"
        ) % {
            "days": num(len(totals)),
            "missing": num(len(missing)),
            "checkins": num(sum(t.checkins for t in totals)),
            "arrivals": num(sum(t.arrivals for t in totals)),
        }
    return totals


def daily_stats_backfill(*, days: int) -> list[DayTotals]:
    """Fill the figures of the last ``days`` days (demo, first start): days within the retention are
    rebuilt; older days are computed only when they have no figures yet (never overwritten)."""
    today = local_today()
    oldest = oldest_kept_day(today)
    have = set(DistrictDay.objects.filter(day__lt=oldest).values_list("day", flat=True).distinct())
    totals = []
    for i in range(days - 1, -1, -1):
        day = today - timedelta(days=i)
        if day < oldest and day in have:
            continue
        totals.append(daily_stats_refresh(day=day, force=True))
    return totals


# --- Bumps after writes -----------------------------------------------------------------------

# Until when (monotonic) this process records no more bumps for a district and day: one is waiting in
# the outbox, and a write before it starts is seen by it. Busy paths (check-ins) so pay one outbox
# look-up per district and day every DAILY_STATS_BUMP_DELAY_SECONDS, not one per write. A write just
# after a waiting rebuild started is seen by the next bump or the periodic refresh of today.
# Per process, small (one entry per district and day), never shared.
_recently_bumped: dict[str, float] = {}


def daily_stats_bump(*, day: date, district_id: int) -> None:
    """Record a rebuild of one district's day, due in DAILY_STATS_BUMP_DELAY_SECONDS (one waiting at most).

    Call it in the transaction of the write: the follow-up is recorded with it, in the database, so
    neither a broker outage nor a worker restart loses it.
    """
    key = f"dailystats:{day.isoformat()}:{district_id}"
    now = time.monotonic()
    if now < _recently_bumped.get(key, float("-inf")):
        return
    delay = settings.DAILY_STATS_BUMP_DELAY_SECONDS
    outbox.enqueue(
        "dashboard.tasks.daily_stats_bump_task", key=key, delay=delay, day=day.isoformat(), district_id=district_id
    )
    _recently_bumped[key] = now + delay  # recorded here, or already waiting


def daily_stats_bump_run(*, day: date, district_id: int) -> DayTotals | None:
    """The recorded rebuild. Once it runs, its outbox row is no longer waiting: a write now records another."""
    try:
        return daily_stats_refresh(day=day, district_ids=[district_id])
    except ApplicationError as exc:
        logger.info("daily stats bump for %s skipped: %s", day, exc.message)
        return None


# --- The rebuild itself -----------------------------------------------------------------------


@dataclass
class _VenueInfo:
    district_id: int
    commune_id: int | None
    agency_id: int | None
    is_active: bool
    created_at: datetime


@dataclass
class _Sources:
    """Master data and adoption history of the districts (small tables), loaded once per rebuild."""

    venues: dict[int, _VenueInfo]
    agencies: dict[int, int]  # active agency -> district
    adoption: dict[int, tuple[list[date], list[tuple[int, int, int, int]]]]  # agency -> (days, figures)
    facilities: list[dict]

    @classmethod
    def load(cls, districts: list[int]) -> _Sources:
        venues = {
            v["id"]: _VenueInfo(v["district_id"], v["commune_id"], v["agency_id"], v["is_active"], v["created_at"])
            for v in Venue.objects.filter(district_id__in=districts).values(
                "id", "district_id", "commune_id", "agency_id", "is_active", "created_at"
            )
        }
        agencies = dict(
            Agency.objects.filter(district_id__in=districts, is_active=True).values_list("id", "district_id")
        )
        adoption: dict[int, tuple[list[date], list[tuple[int, int, int, int]]]] = {}
        # Oldest first, so for equal days the later-recorded update wins (it comes last).
        for u in (
            AdoptionUpdate.objects.filter(agency_id__in=list(agencies))
            .order_by("agency_id", "reported_on", "created_at", "id")
            .values_list("agency_id", "reported_on", "staff_headcount", "pc_covid", "health_book", "vneid")
        ):
            days, figures = adoption.setdefault(u[0], ([], []))
            days.append(u[1])
            figures.append(u[2:])
        facilities = list(
            HealthFacility.objects.filter(district_id__in=districts, is_active=True).values(
                "id",
                "district_id",
                "does_rapid_antigen",
                "does_rt_pcr",
                "does_vaccination",
                "testing_status",
                "testing_first_result_on",
            )
        )
        return cls(venues, agencies, adoption, facilities)

    def adoption_as_of(self, agency_id: int, day: date) -> tuple[int, int, int, int] | None:
        """The agency's latest figures reported on or before ``day``."""
        history = self.adoption.get(agency_id)
        if not history:
            return None
        i = bisect.bisect_right(history[0], day)
        return history[1][i - 1] if i else None


def _lock_day(day: date, districts: list[int]) -> dict[int, DistrictDay]:
    """Lock the day's district rows (created if missing), in district order, so two rebuilds of the
    same day and district run one after the other and never deadlock."""
    return {
        row.district_id: row
        for row in DistrictDay.objects.select_for_update()
        .filter(day=day, district_id__in=districts)
        .order_by("district")
    }


def _rebuild_day(day: date, districts: list[int], sources: _Sources) -> DayTotals:
    # Created outside the rebuild's transaction: the insert of a missing row never waits on a lock.
    DistrictDay.objects.bulk_create([DistrictDay(day=day, district_id=d) for d in districts], ignore_conflicts=True)
    start, end = day_bounds(day)
    with transaction.atomic():
        rows = _lock_day(day, districts)
        for row in rows.values():
            _reset(row)
        venue_days = _venue_days(day, start, end, districts, sources)
        arrival_days = _arrival_days(day, start, end, districts)
        VenueDay.objects.filter(day=day, district_id__in=districts).delete()
        ArrivalDay.objects.filter(day=day, district_id__in=districts).delete()
        VenueDay.objects.bulk_create(venue_days, batch_size=2000)
        ArrivalDay.objects.bulk_create(arrival_days, batch_size=2000)
        for vd in venue_days:
            row = rows[vd.district_id]
            row.checkins += vd.checkins
            row.checkins_flagged += vd.checkins_flagged
            row.venues_active += 1
        for ad in arrival_days:
            rows[ad.district_id].arrivals += ad.arrivals
        _add_pc_covid(start, end, rows)
        _add_hourly(start, end, rows)
        _add_active_week(day, rows)
        _add_inspections(day, rows)
        _add_snapshots(day, end, rows, sources)
        _add_vaccination(day, rows, sources)
        now = timezone.now()
        for row in rows.values():
            # One plain UPDATE per district: bulk_update's CASE expressions cost more than they save here.
            DistrictDay.objects.filter(pk=row.pk).update(computed_at=now, **{f: getattr(row, f) for f in _FIGURES})
    return DayTotals(
        day,
        len(rows),
        sum(r.checkins for r in rows.values()),
        sum(r.arrivals for r in rows.values()),
    )


_FIGURES = [f.name for f in DistrictDay._meta.concrete_fields if f.name not in {"id", "day", "district", "computed_at"}]
HOURLY = ("checkins", "arrivals", "vaccination_updated")


def _reset(row: DistrictDay) -> None:
    for name in _FIGURES:
        setattr(row, name, 0)
    row.hourly = {name: [0] * 24 for name in HOURLY}


def _hour_of(moment: datetime | None, day: date) -> int:
    """The local hour of ``day`` a moment falls in; a moment after the day, or unknown, counts in its last
    hour (never "by this time of day"), one before it in its first."""
    if moment is None:
        return 23
    local = moment.astimezone(local_tz())
    if local.date() != day:
        return 23 if local.date() > day else 0
    return local.hour


def _add_hourly(start: datetime, end: datetime, rows: dict[int, DistrictDay]) -> None:
    """Check-ins and arrivals per district and local hour: two GROUP BY queries over the day."""
    tz = local_tz()
    for name, counts in (
        (
            "checkins",
            CheckIn.objects.filter(venue__district_id__in=list(rows))
            .between(start, end)
            .annotate(hour=ExtractHour("checked_in_at", tzinfo=tz))
            .order_by()
            .values_list("venue__district_id", "hour")
            .annotate(n=Count("id")),
        ),
        (
            "arrivals",
            Arrival.objects.filter(destination_district_id__in=list(rows))
            .between(start, end)
            .annotate(hour=ExtractHour("arrived_at", tzinfo=tz))
            .order_by()
            .values_list("destination_district_id", "hour")
            .annotate(n=Count("id")),
        ),
    ):
        for district_id, hour, n in counts:
            rows[district_id].hourly[name][hour] += n


# Arrival.pc_covid -> the DistrictDay figure it counts in.
PC_COVID_FIGURES = {
    PcCovid.HAD: "arrivals_pc_covid_had",
    PcCovid.INSTALLED: "arrivals_pc_covid_installed",
    PcCovid.NO_SMARTPHONE: "arrivals_no_smartphone",
}


def _add_pc_covid(start: datetime, end: datetime, rows: dict[int, DistrictDay]) -> None:
    """Arrivals per district by their PC-Covid answer: one GROUP BY over the day."""
    counts = (
        Arrival.objects.filter(destination_district_id__in=list(rows), pc_covid__in=list(PC_COVID_FIGURES))
        .between(start, end)
        .order_by()
        .values_list("destination_district_id", "pc_covid")
        .annotate(n=Count("id"))
    )  # fmt: skip
    for district_id, answer, n in counts:
        setattr(rows[district_id], PC_COVID_FIGURES[answer], n)


def _venue_days(day, start, end, districts, sources: _Sources) -> list[VenueDay]:
    counts = (
        CheckIn.objects.filter(venue__district_id__in=districts)
        .between(start, end)
        .order_by()
        .values("venue_id")
        .annotate(n=Count("id"), flagged=Count("id", filter=Q(flagged=True)))
    )
    result = []
    for c in counts:
        info = sources.venues.get(c["venue_id"])
        if info is None:  # a venue created after the sources were loaded (a long range rebuild)
            v = Venue.objects.get(pk=c["venue_id"])
            info = sources.venues[v.pk] = _VenueInfo(
                v.district_id, v.commune_id, v.agency_id, v.is_active, v.created_at
            )
        result.append(
            VenueDay(
                day=day,
                venue_id=c["venue_id"],
                district_id=info.district_id,
                commune_id=info.commune_id,
                agency_id=info.agency_id,
                checkins=c["n"],
                checkins_flagged=c["flagged"],
            )
        )
    return result


def _arrival_days(day, start, end, districts) -> list[ArrivalDay]:
    counts = (
        Arrival.objects.filter(destination_district_id__in=districts)
        .between(start, end)
        .order_by()
        .values("checkpoint_id", "destination_district_id", "destination_commune_id")
        .annotate(n=Count("id"))
    )
    return [
        ArrivalDay(
            day=day,
            district_id=c["destination_district_id"],
            commune_id=c["destination_commune_id"],
            checkpoint_id=c["checkpoint_id"],
            arrivals=c["n"],
        )
        for c in counts
    ]


def _add_active_week(day: date, rows: dict[int, DistrictDay]) -> None:
    """Distinct active venues with check-ins over the 7 days ending with ``day`` (from the venue rows,
    which outlive the raw check-ins)."""
    counts = (
        VenueDay.objects.filter(
            district_id__in=list(rows), day__gte=day - timedelta(days=6), day__lte=day, venue__is_active=True
        )
        .order_by()
        .values("district_id")
        .annotate(n=Count("venue", distinct=True))
    )
    for c in counts:
        rows[c["district_id"]].venues_active_7d = c["n"]


def _add_inspections(day: date, rows: dict[int, DistrictDay]) -> None:
    counts = (
        Inspection.objects.filter(inspected_on=day, venue__district_id__in=list(rows))
        .order_by()
        .values("venue__district_id")
        .annotate(n=Count("id"), bad=Count("id", filter=Q(compliant=False)))
    )
    for c in counts:
        row = rows[c["venue__district_id"]]
        row.inspections, row.inspections_noncompliant = c["n"], c["bad"]


def _add_snapshots(day: date, end: datetime, rows: dict[int, DistrictDay], sources: _Sources) -> None:
    """Venues with QR, adoption and testing status as of the end of ``day``."""
    for info in sources.venues.values():
        if info.is_active and info.created_at < end and info.district_id in rows:
            rows[info.district_id].venues_with_qr += 1
    for agency_id, district_id in sources.agencies.items():
        row = rows.get(district_id)
        if row is None:
            continue
        row.agencies += 1
        figures = sources.adoption_as_of(agency_id, day)
        if figures is None:
            continue
        row.agencies_reporting += 1
        row.staff_headcount += figures[0]
        row.pc_covid += figures[1]
        row.health_book += figures[2]
        row.vneid += figures[3]
    for f in sources.facilities:
        row = rows.get(f["district_id"])
        if row is None or not (f["does_rapid_antigen"] or f["does_rt_pcr"]):
            continue
        row.testing_qualified += 1
        first = f["testing_first_result_on"]
        if f["testing_status"] == TestingStatus.LIVE and (first is None or first <= day):
            row.testing_live += 1


def _add_vaccination(day: date, rows: dict[int, DistrictDay], sources: _Sources) -> None:
    """Among active facilities that vaccinate: who logged the day, who updated the platform, on time."""
    vaccinating = {f["id"]: f["district_id"] for f in sources.facilities if f["does_vaccination"]}
    for district_id in vaccinating.values():
        if district_id in rows:
            rows[district_id].vaccination_facilities += 1
    cutoff = local_datetime(day, settings.VACCINATION_UPDATE_CUTOFF)
    logs = VaccinationUpdate.objects.filter(day=day, facility_id__in=list(vaccinating)).values_list(
        "facility_id", "doses_given", "updated_on_platform", "platform_updated_at"
    )
    for facility_id, doses, updated, updated_at in logs:
        row = rows.get(vaccinating[facility_id])
        if row is None:
            continue
        row.vaccination_logged += 1
        row.doses_given += doses
        if updated:
            row.vaccination_updated += 1
            row.hourly["vaccination_updated"][_hour_of(updated_at, day)] += 1
            if updated_at is not None and updated_at <= cutoff:
                row.vaccination_on_time += 1
