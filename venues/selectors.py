"""Reads for venue check-ins and inspections, always starting from the scoping rule."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from django.db.models import Count, Exists, F, IntegerField, OuterRef, Q, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce
from django.utils import timezone

from rollout.models import District, User, Venue
from rollout.timeutils import day_bounds, days_bounds, local_date, local_today
from venues.models import CheckIn, Inspection
from venues.scoping import checkins_for, inspections_for

ACTIVE_DAYS = 7  # "active" venue: at least one scan in the last 7 days (also the dashboard's KPI)


# --- Visitor log ------------------------------------------------------------------------------


def checkin_list_for(user: User, *, first: date, last: date, venue_id: int | None = None) -> QuerySet[CheckIn]:
    """Check-ins the user may see, local days ``first``..``last``, newest first."""
    start, end = days_bounds(first, last)
    checkins = checkins_for(user).between(start, end)
    if venue_id is not None:
        checkins = checkins.filter(venue_id=venue_id)
    return checkins.select_related("venue").order_by("-checked_in_at", "-pk")


@dataclass
class DayCount:
    day: date
    entries: int = 0
    exits: int = 0
    flagged: int = 0


def checkin_daily_counts_for(user: User, *, first: date, last: date, venue_id: int | None = None) -> list[DayCount]:
    """Entries, recorded exits and flagged check-ins per local day, every day of the range (zeros too)."""
    start, end = days_bounds(first, last)
    checkins = checkins_for(user).between(start, end)
    if venue_id is not None:
        checkins = checkins.filter(venue_id=venue_id)
    rows = (
        checkins.values("day")  # the stored local day of checked_in_at
        .annotate(
            entries=Count("pk"),
            exits=Count("pk", filter=Q(checked_out_at__isnull=False)),
            flagged=Count("pk", filter=Q(flagged=True)),
        )
        .order_by()
    )
    by_day = {r["day"]: r for r in rows}
    days = []
    day = last
    while day >= first:
        r = by_day.get(day, {})
        days.append(DayCount(day, r.get("entries", 0), r.get("exits", 0), r.get("flagged", 0)))
        day -= timedelta(days=1)
    return days


def checkins_open_at_venue(venue: Venue, *, now: datetime | None = None) -> QuerySet[CheckIn]:
    """Visitors inside now by the stay rule (staff scanning mode's "inside now"; same venue only)."""
    now = now or timezone.now()
    return CheckIn.objects.filter(venue=venue).open_at(now).order_by("-checked_in_at")


# --- Venue activity (district inspection view) ------------------------------------------------


@dataclass
class VenueActivity:
    venue: Venue
    last_checkin: datetime | None
    checkins_7d: int
    per_day: list[int] = field(default_factory=list)  # oldest first, ACTIVE_DAYS values
    last_inspection: Inspection | None = None

    @property
    def days_without_scans(self) -> int | None:
        """Whole local days since the last scan (0: scanned today); None: never scanned."""
        if self.last_checkin is None:
            return None
        return (local_today() - local_date(self.last_checkin)).days

    @property
    def is_inactive(self) -> bool:
        return self.checkins_7d == 0

    @property
    def max_per_day(self) -> int:
        return max(self.per_day or [0]) or 1


def venue_activity_queryset(venues: QuerySet[Venue]) -> QuerySet[Venue]:
    """Annotate ``last_checkin`` and ``checkins_7d``; inactive venues first (never scanned, then idlest).

    Correlated subqueries use the (venue, checked_in_at) index: one short index range per venue.
    """
    since, _ = day_bounds(local_today() - timedelta(days=ACTIVE_DAYS - 1))
    per_venue = CheckIn.objects.filter(venue=OuterRef("pk")).order_by()
    return venues.annotate(
        last_checkin=Subquery(per_venue.order_by("-checked_in_at").values("checked_in_at")[:1]),
        checkins_7d=Coalesce(
            Subquery(
                per_venue.filter(checked_in_at__gte=since)
                .on_days_of(since)
                .values("venue")
                .annotate(n=Count("pk"))
                .values("n")[:1],
                output_field=IntegerField(),
            ),
            Value(0),
        ),
    ).order_by(F("last_checkin").asc(nulls_first=True), "name", "pk")


def venue_activity_rows(user: User, venues: list[Venue]) -> list[VenueActivity]:
    """Rows for one page of annotated venues: per-day counts and the latest inspection the user may
    see (two queries)."""
    ids = [v.pk for v in venues]
    first = local_today() - timedelta(days=ACTIVE_DAYS - 1)
    start, end = days_bounds(first, local_today())
    per_day: dict[int, dict[date, int]] = defaultdict(dict)
    for r in (
        CheckIn.objects.filter(venue_id__in=ids)
        .between(start, end)
        .values("venue_id", "day")  # the stored local day of checked_in_at
        .annotate(n=Count("pk"))
        .order_by()
    ):
        per_day[r["venue_id"]][r["day"]] = r["n"]
    latest: dict[int, Inspection] = {}
    inspections = inspections_for(user).filter(venue_id__in=ids).order_by("venue_id", "-inspected_on", "-pk")
    for inspection in inspections:
        latest.setdefault(inspection.venue_id, inspection)
    days = [first + timedelta(days=i) for i in range(ACTIVE_DAYS)]
    return [
        VenueActivity(
            venue=v,
            last_checkin=v.last_checkin,
            checkins_7d=v.checkins_7d,
            per_day=[per_day[v.pk].get(d, 0) for d in days],
            last_inspection=latest.get(v.pk),
        )
        for v in venues
    ]


@dataclass
class ActivitySummary:
    venues: int
    never_scanned: int
    inactive: int  # no scan in the last ACTIVE_DAYS days (never-scanned included)
    inspected_30d: int


def venue_activity_summary(venues: QuerySet[Venue]) -> ActivitySummary:
    since, _ = day_bounds(local_today() - timedelta(days=ACTIVE_DAYS - 1))
    scanned = CheckIn.objects.filter(venue=OuterRef("pk"))
    inspected_since = local_today() - timedelta(days=29)
    row = venues.aggregate(
        total=Count("pk"),
        never=Count("pk", filter=~Exists(scanned)),
        inactive=Count("pk", filter=~Exists(scanned.filter(checked_in_at__gte=since).on_days_of(since))),
        inspected=Count(
            "pk", filter=Exists(Inspection.objects.filter(venue=OuterRef("pk"), inspected_on__gte=inspected_since))
        ),
    )
    return ActivitySummary(row["total"], row["never"], row["inactive"], row["inspected"])


# --- Inspections ------------------------------------------------------------------------------


def inspection_list_for(user: User, *, venue: Venue | None = None) -> QuerySet[Inspection]:
    inspections = inspections_for(user).select_related("venue", "venue__district")
    if venue is not None:
        inspections = inspections.filter(venue=venue)
    return inspections.order_by("-inspected_on", "-pk")


def inspection_figures(*, districts: QuerySet[District] | list[int], first: date, last: date) -> dict[int, dict]:
    """Per district code, for inspections dated ``first``..``last`` (the weekly report's figures):
    ``venues_inspected`` (distinct venues), ``inspections``, ``violations`` (not compliant),
    ``sanctions`` (a sanction recorded). Districts without inspections are present with zeros.

    No user here: the caller (a report service) has already decided which districts it reports on.
    """
    codes = [d.pk for d in districts] if not isinstance(districts, list) else districts
    figures = {c: {"venues_inspected": 0, "inspections": 0, "violations": 0, "sanctions": 0} for c in codes}
    rows = (
        Inspection.objects.filter(venue__district__in=codes, inspected_on__gte=first, inspected_on__lte=last)
        .values("venue__district")
        .annotate(
            venues_inspected=Count("venue", distinct=True),
            inspections=Count("pk"),
            violations=Count("pk", filter=Q(compliant=False)),
            sanctions=Count("pk", filter=~Q(sanction="")),
        )
        .order_by()
    )
    for r in rows:
        figures[r.pop("venue__district")] = r
    return figures
