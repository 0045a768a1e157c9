"""Testing-platform rollout (directive 3.i) and vaccination data updates (3.ii)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

from django.conf import settings
from django.db.models import Count, Q, QuerySet

from platforms.models import VaccinationUpdate
from rollout.charts import percent
from rollout.models import HealthFacility
from rollout.models.org import TestingStatus
from rollout.timeutils import local_datetime, local_now

QUALIFIED = Q(does_rapid_antigen=True) | Q(does_rt_pcr=True)


def testing_facilities(facilities: QuerySet[HealthFacility]) -> QuerySet[HealthFacility]:
    """Active facilities qualified to test (rapid antigen or RT-PCR), of an already scoped queryset."""
    return facilities.filter(QUALIFIED, is_active=True)


@dataclass
class TestingTotals:
    label: str
    code: int | None = None
    counts: dict[str, int] = field(default_factory=dict)

    @property
    def qualified(self) -> int:
        return sum(self.counts.values())

    @property
    def live(self) -> int:
        return self.counts.get(TestingStatus.LIVE, 0)

    @property
    def live_pct(self) -> float | None:
        return percent(self.live, self.qualified)

    def count(self, status: str) -> int:
        return self.counts.get(status, 0)

    @property
    def by_status(self) -> list[tuple[str, str, int]]:
        return [(value, label, self.counts.get(value, 0)) for value, label in TestingStatus.choices]


def testing_by_district(facilities: QuerySet[HealthFacility]) -> tuple[list[TestingTotals], TestingTotals]:
    """Per district: qualified facilities by status, and % live; plus the total. One query."""
    rows = (
        testing_facilities(facilities)
        .order_by()
        .values("district_id", "district__name", "testing_status")
        .annotate(n=Count("id"))
    )
    per: dict[int, TestingTotals] = {}
    total = TestingTotals("")
    for r in rows:
        t = per.setdefault(r["district_id"], TestingTotals(r["district__name"], code=r["district_id"]))
        t.counts[r["testing_status"]] = t.counts.get(r["testing_status"], 0) + r["n"]
        total.counts[r["testing_status"]] = total.counts.get(r["testing_status"], 0) + r["n"]
    return [per[k] for k in sorted(per)], total


# --- Vaccination data updates -----------------------------------------------------------------


def cutoff_at(day: date) -> datetime:
    return local_datetime(day, settings.VACCINATION_UPDATE_CUTOFF)


def cutoff_passed(day: date) -> bool:
    return local_now() >= cutoff_at(day)


def vaccinating_facilities(facilities: QuerySet[HealthFacility]) -> QuerySet[HealthFacility]:
    return facilities.filter(does_vaccination=True, is_active=True)


@dataclass
class VaccinationStatus:
    facility: HealthFacility
    update: VaccinationUpdate | None

    @property
    def state(self) -> str:
        """ "updated" (on the national platform), "logged" (logged, platform not yet), or "missing"."""
        if self.update is None:
            return "missing"
        return "updated" if self.update.updated_on_platform else "logged"

    @property
    def on_time(self) -> bool:
        u = self.update
        return bool(u and u.platform_updated_at and u.platform_updated_at <= cutoff_at(u.day))


def vaccination_day_status(facilities: QuerySet[HealthFacility], day: date) -> list[VaccinationStatus]:
    """Every vaccinating facility (of a scoped queryset) with its log of ``day``; not updated first."""
    rows = list(vaccinating_facilities(facilities).select_related("district"))
    logs = {u.facility_id: u for u in VaccinationUpdate.objects.filter(day=day, facility__in=[f.pk for f in rows])}
    statuses = [VaccinationStatus(f, logs.get(f.pk)) for f in rows]
    order = {"missing": 0, "logged": 1, "updated": 2}
    statuses.sort(key=lambda s: (order[s.state], s.facility.district_id, s.facility.name_search))
    return statuses


def vaccination_pending_facilities(day: date) -> list[HealthFacility]:
    """Province-wide: vaccinating facilities without a platform update for ``day`` (reminder job)."""
    done = VaccinationUpdate.objects.filter(day=day, updated_on_platform=True).values("facility")
    return list(
        vaccinating_facilities(HealthFacility.objects.filter(district__province_id=settings.HOME_PROVINCE_CODE))
        .exclude(pk__in=done)
        .select_related("district")
        .order_by("district_id", "name_search")
    )


def vaccination_history(facility: HealthFacility, *, limit: int = 31) -> list[VaccinationUpdate]:
    return list(facility.vaccination_updates.select_related("recorded_by").order_by("-day")[:limit])


def vaccination_compliance(facilities: QuerySet[HealthFacility], days: list[date]) -> dict[date, list[int]]:
    """Per day: [updated on the platform, by the cut-off, facilities] among ``facilities`` (vaccinating,
    scoped). One query over the facilities' logs of those days (a row per facility and day at most)."""
    count = facilities.count()
    per_day = {day: [0, 0, count] for day in days}
    logs = VaccinationUpdate.objects.filter(
        facility__in=facilities, day__in=days, updated_on_platform=True
    ).values_list("day", "platform_updated_at")
    for day, updated_at in logs:
        per_day[day][0] += 1
        if updated_at is not None and updated_at <= cutoff_at(day):
            per_day[day][1] += 1
    return per_day
