"""Figures the system already knows about a district, for a period: THE selector for them.

The weekly report pre-fills and compares with these, the roll-up has a sheet of them, and the
dashboard may reuse them. Each function answers for many districts in a handful of grouped queries
(one per source table), never one query per district.

These are province-level aggregates: the caller decides which districts a user may see (through
``rollout.scoping``) and passes their ids.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import asdict, dataclass, fields
from datetime import date, datetime, timedelta

from django.db.models import Count, OuterRef, Q, Subquery, Sum
from django.utils.translation import gettext_lazy as _

from checkpoints.models import Arrival
from platforms.models import AdoptionUpdate
from reports import weeks
from rollout.models import Agency, Venue
from rollout.timeutils import local_date
from venues.models import CheckIn, Inspection


@dataclass
class SystemFigures:
    agencies_with_qr: int = 0  # agencies owning at least one active venue with a QR code
    venues_with_qr: int = 0  # active venues registered by the end of the period
    venues_active: int = 0  # venues with at least one check-in in the period
    checkins: int = 0
    arrivals: int = 0  # arrivals recorded at checkpoints, bound for the district
    inspections: int = 0
    venues_inspected: int = 0
    violations_found: int = 0  # inspected venues found not compliant
    sanctions_imposed: int = 0  # inspected venues with a sanction recorded
    adoption_agencies: int = 0  # agencies with an adoption update by the end of the period
    staff_headcount: int = 0  # in those agencies' latest updates
    pc_covid: int = 0
    health_book: int = 0
    vneid: int = 0

    def as_dict(self) -> dict[str, int]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict) -> SystemFigures:
        names = {f.name for f in fields(cls)}
        return cls(**{k: int(v) for k, v in (data or {}).items() if k in names})

    def __add__(self, other: SystemFigures) -> SystemFigures:
        return SystemFigures(**{f.name: getattr(self, f.name) + getattr(other, f.name) for f in fields(self)})


# What each figure is called on pages and in workbooks.
LABELS = {
    "agencies_with_qr": _("Agencies with QR venues"),
    "venues_with_qr": _("Active venues with a QR code"),
    "venues_active": _("Venues with check-ins this week"),
    "checkins": _("Check-ins"),
    "arrivals": _("Arrivals bound for the district"),
    "inspections": _("Inspections"),
    "venues_inspected": _("Venues inspected"),
    "violations_found": _("Venues found in violation"),
    "sanctions_imposed": _("Venues sanctioned"),
    "adoption_agencies": _("Agencies reporting adoption"),
    "staff_headcount": _("Staff in those agencies"),
    "pc_covid": _("Staff with PC-Covid"),
    "health_book": _("Staff with the Electronic Health Book"),
    "vneid": _("Staff with VNEID"),
}


# Figures computed from personal data (SPEC §9): they shrink once the retention job deletes rows.
PERSONAL_DATA_FIGURES = ("venues_active", "checkins", "arrivals")


def figures_for_period(start: datetime, end: datetime, district_ids: Iterable[int]) -> dict[int, SystemFigures]:
    """Per district: activity in [start, end) and stock (venues, agencies, adoption) at ``end``."""
    ids = list(district_ids)
    result = {pk: SystemFigures() for pk in ids}
    if not ids:
        return result
    last_day = local_date(end - timedelta(microseconds=1))

    def put(rows: Iterable[dict], key: str, **names: str) -> None:
        for row in rows:
            figures = result.get(row[key])
            if figures is not None:
                for attr, column in names.items():
                    setattr(figures, attr, row[column] or 0)

    put(
        Venue.objects.filter(district__in=ids, is_active=True, created_at__lt=end)
        .values("district")
        .annotate(n=Count("pk")),
        "district",
        venues_with_qr="n",
    )
    put(
        Agency.objects.filter(district__in=ids, venues__is_active=True, venues__created_at__lt=end)
        .values("district")
        .annotate(n=Count("pk", distinct=True)),
        "district",
        agencies_with_qr="n",
    )
    put(
        CheckIn.objects.filter(venue__district__in=ids)
        .between(start, end)
        .values("venue__district")
        .annotate(n=Count("pk"), venues=Count("venue", distinct=True)),
        "venue__district",
        checkins="n",
        venues_active="venues",
    )
    put(
        Arrival.objects.filter(destination_district__in=ids)
        .between(start, end)
        .values("destination_district")
        .annotate(n=Count("pk")),
        "destination_district",
        arrivals="n",
    )
    put(
        Inspection.objects.filter(
            venue__district__in=ids, inspected_on__gte=local_date(start), inspected_on__lte=last_day
        )
        .values("venue__district")
        .annotate(
            n=Count("pk"),
            venues=Count("venue", distinct=True),
            violations=Count("venue", distinct=True, filter=Q(compliant=False)),
            sanctions=Count("venue", distinct=True, filter=~Q(sanction="")),
        ),
        "venue__district",
        inspections="n",
        venues_inspected="venues",
        violations_found="violations",
        sanctions_imposed="sanctions",
    )
    put(_latest_adoption(ids, last_day), "agency__district", **_ADOPTION)
    return result


_ADOPTION = {
    "adoption_agencies": "agencies",
    "staff_headcount": "staff",
    "pc_covid": "pc",
    "health_book": "hb",
    "vneid": "vn",
}


def _latest_adoption(district_ids: list[int], as_of: date):
    """Sum of each agency's latest adoption update on or before ``as_of`` (history is kept)."""
    latest = (
        AdoptionUpdate.objects.filter(agency=OuterRef("agency"), reported_on__lte=as_of)
        .order_by("-reported_on", "-created_at", "-pk")
        .values("pk")[:1]
    )
    return (
        AdoptionUpdate.objects.filter(agency__district__in=district_ids, pk=Subquery(latest))
        .values("agency__district")
        .annotate(
            agencies=Count("agency", distinct=True),
            staff=Sum("staff_headcount"),
            pc=Sum("pc_covid"),
            hb=Sum("health_book"),
            vn=Sum("vneid"),
        )
    )


def district_week_figures(week_ending: date, district_ids: Iterable[int]) -> dict[int, SystemFigures]:
    """System figures of a reporting week (Saturday 00:00 to Friday 24:00) per district."""
    start, end = weeks.week_bounds(week_ending)
    return figures_for_period(start, end, district_ids)


def total(figures: Iterable[SystemFigures]) -> SystemFigures:
    result = SystemFigures()
    for item in figures:
        result = result + item
    return result
