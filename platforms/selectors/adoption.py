"""Adoption of PC-Covid, the Electronic Health Book and VNEID among agency staff (directive 1, 5)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from django.conf import settings
from django.db.models import OuterRef, QuerySet, Subquery

from platforms.models import AdoptionUpdate
from rollout.charts import percent
from rollout.models import Agency
from rollout.timeutils import local_today

APPS = ("pc_covid", "health_book", "vneid")


class InstallRates:
    """The share of staff with each app installed: THE rule for an agency, a district and an area row.

    For classes with ``staff_headcount``, ``pc_covid``, ``health_book`` and ``vneid``.
    """

    staff_headcount: int | None
    pc_covid: int | None
    health_book: int | None
    vneid: int | None

    @property
    def pc_covid_pct(self) -> float | None:
        return percent(self.pc_covid, self.staff_headcount)

    @property
    def health_book_pct(self) -> float | None:
        return percent(self.health_book, self.staff_headcount)

    @property
    def vneid_pct(self) -> float | None:
        return percent(self.vneid, self.staff_headcount)


@dataclass(frozen=True)
class AgencyRef:
    """What the adoption tables show of an agency (read as values: no model instances to build)."""

    pk: int
    name: str
    name_search: str
    is_active: bool
    staff_headcount: int
    district_id: int
    district_name: str


@dataclass
class AgencyAdoption(InstallRates):
    """An agency with its latest reported figures (None everywhere when it never reported)."""

    agency: AgencyRef
    reported_on: date | None
    staff_headcount: int | None
    pc_covid: int | None
    health_book: int | None
    vneid: int | None

    @property
    def reported(self) -> bool:
        return self.reported_on is not None

    @property
    def score(self) -> float | None:
        """Mean of the three install rates: the lower, the further behind."""
        rates = [self.pc_covid_pct, self.health_book_pct, self.vneid_pct]
        if any(r is None for r in rates):
            return None
        return round(sum(rates) / 3, 1)  # type: ignore[arg-type]

    @property
    def stale(self) -> bool:
        if self.reported_on is None:
            return True
        return self.reported_on < local_today() - timedelta(days=settings.ADOPTION_STALE_DAYS)


def agency_adoption_list(agencies: QuerySet[Agency]) -> list[AgencyAdoption]:
    """Each agency (of an already scoped queryset) with its latest update. Two queries: the agencies
    with the id of their latest update (one index lookup each), then those updates."""
    latest = AdoptionUpdate.objects.filter(agency=OuterRef("pk")).order_by("-reported_on", "-created_at", "-id")
    rows = list(
        agencies.order_by()
        .annotate(latest_id=Subquery(latest.values("pk")[:1]))
        .values_list(
            "pk", "name", "name_search", "is_active", "staff_headcount", "district_id", "district__name", "latest_id"
        )
    )
    updates = {
        u[0]: u[1:]
        for u in AdoptionUpdate.objects.filter(pk__in=[r[-1] for r in rows if r[-1]]).values_list(
            "pk", "reported_on", "staff_headcount", "pc_covid", "health_book", "vneid"
        )
    }
    empty = (None, None, None, None, None)
    return [AgencyAdoption(AgencyRef(*r[:-1]), *updates.get(r[-1], empty)) for r in rows]


def laggard_key(row: AgencyAdoption) -> tuple:
    """Never reported first, then the lowest mean install rate, then the oldest figures."""
    return (
        row.reported,
        row.score if row.score is not None else -1.0,
        row.reported_on or date.min,
        row.agency.name_search,
    )


def laggards(rows: list[AgencyAdoption], limit: int | None = None) -> list[AgencyAdoption]:
    ranked = sorted((r for r in rows if r.agency.is_active), key=laggard_key)
    return ranked[:limit] if limit else ranked


@dataclass
class AdoptionTotals(InstallRates):
    label: str
    agencies: int = 0
    reporting: int = 0
    staff_headcount: int = 0
    pc_covid: int = 0
    health_book: int = 0
    vneid: int = 0
    code: int | None = None

    def add(self, row: AgencyAdoption) -> None:
        self.agencies += 1
        if row.reported:
            self.reporting += 1
            self.staff_headcount += row.staff_headcount or 0
            self.pc_covid += row.pc_covid or 0
            self.health_book += row.health_book or 0
            self.vneid += row.vneid or 0


def adoption_by_district(rows: list[AgencyAdoption]) -> list[AdoptionTotals]:
    """Per-district sums of the active agencies' latest figures, in district order."""
    totals: dict[int, AdoptionTotals] = {}
    for row in rows:
        if not row.agency.is_active:
            continue
        a = row.agency
        totals.setdefault(a.district_id, AdoptionTotals(a.district_name, code=a.district_id)).add(row)
    return [totals[k] for k in sorted(totals)]


def adoption_history(agency: Agency) -> list[AdoptionUpdate]:
    """Every update of the agency, newest first (corrections on the same day included)."""
    return list(agency.adoption_updates.select_related("recorded_by").order_by("-reported_on", "-created_at", "-id"))
