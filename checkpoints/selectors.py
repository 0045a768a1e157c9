"""Reads of checkpoints, arrivals and daily lists, always starting from the scoping rule."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from django.db.models import Count, Q, QuerySet
from django.urls import reverse
from django.utils.translation import gettext as _

from checkpoints.models import Arrival, DailyList, PcCovid
from checkpoints.scoping import arrivals_for, daily_lists_for
from rollout.models import Checkpoint, User
from rollout.timeutils import day_bounds, local_today


def destination_most_chosen_today(checkpoint: Checkpoint) -> int | None:
    """The destination district most often recorded at the checkpoint today (the form's default)."""
    start, end = day_bounds(local_today())
    top = (
        Arrival.objects.filter(checkpoint=checkpoint)
        .between(start, end)
        .values("destination_district")
        .annotate(n=Count("pk"))
        .order_by("-n", "destination_district")
        .first()
    )
    return top["destination_district"] if top else None


@dataclass(frozen=True)
class PcCovidCounts:
    """How many arrivals at a checkpoint gave each PC-Covid answer over some days (counts only)."""

    label: str
    had: int
    installed: int
    no_smartphone: int
    not_asked: int

    @property
    def total(self) -> int:
        return self.had + self.installed + self.no_smartphone + self.not_asked


def checkpoint_pc_covid_counts(checkpoint: Checkpoint, today: date) -> list[PcCovidCounts]:
    """Today's and the last 7 days' PC-Covid answers at the checkpoint (directive 4.ii): one query."""
    week_start, _end = day_bounds(today - timedelta(days=6))
    today_start, end = day_bounds(today)
    rows = (
        Arrival.objects.filter(checkpoint=checkpoint)
        .between(week_start, end)
        .order_by()
        .values("pc_covid")
        .annotate(
            week=Count("pk"),
            today=Count("pk", filter=Q(arrived_at__gte=today_start)),
        )
    )
    by_answer = {r["pc_covid"]: r for r in rows}

    def counts(label: str, key: str) -> PcCovidCounts:
        def n(answer: str) -> int:
            return by_answer.get(answer, {}).get(key, 0)

        return PcCovidCounts(label, n(PcCovid.HAD), n(PcCovid.INSTALLED), n(PcCovid.NO_SMARTPHONE), n(""))

    return [counts(_("Today"), "today"), counts(_("Last 7 days"), "week")]


def arrival_list_for(
    user: User, *, day: date | None = None, checkpoint: int | None = None, district: int | None = None
) -> QuerySet[Arrival]:
    arrivals = arrivals_for(user).select_related("checkpoint", "destination_district", "destination_commune")
    if day is not None:
        start, end = day_bounds(day)
        arrivals = arrivals.between(start, end)
    if checkpoint is not None:
        arrivals = arrivals.filter(checkpoint_id=checkpoint)
    if district is not None:
        arrivals = arrivals.filter(destination_district_id=district)
    return arrivals.order_by("-arrived_at", "-pk")


def daily_list_list_for(user: User, *, day: date | None = None, district: int | None = None) -> QuerySet[DailyList]:
    lists = daily_lists_for(user).select_related("district")
    if day is not None:
        lists = lists.filter(day=day)
    if district is not None:
        lists = lists.filter(district_id=district)
    return lists.order_by("-day", "district__code")


def daily_lists_delivered_kpi(user: User, scope, today: date):
    """Overview card: yesterday's per-district lists (built this morning) ready for the districts on
    the page, against the same a week before. A list is delivered once built: it is on the district's
    page from then on; the detail says how many focal officers were e-mailed."""
    from rollout.charts import Kpi, percent

    day = today - timedelta(days=1)
    week_before = day - timedelta(days=7)
    built: dict = {day: 0, week_before: 0}
    emailed = 0
    for list_day, was_emailed in DailyList.objects.filter(
        district__in=scope.district_ids, day__in=[day, week_before]
    ).values_list("day", "emailed_at"):
        built[list_day] += 1
        emailed += list_day == day and was_emailed is not None
    total = len(scope.district_ids)
    return Kpi(
        "daily_lists_delivered",
        _("Daily arrival lists delivered today"),
        built[day],
        total=total,
        previous=percent(built[week_before], total),
        detail=_("lists of %(day)s; %(n)s e-mailed to focal officers") % {"day": day.strftime("%d/%m"), "n": emailed},
        url=reverse("checkpoints:daily-list-list") if daily_lists_for(user).exists() else "",
    )


# --- How the audit pages name this app's objects (one query per page of events) -------------------


def _int_ids(ids) -> list[int]:
    return [int(pk) for pk in ids if str(pk).isdigit()]


def daily_list_audit_labels(ids) -> dict[str, str]:
    lists = DailyList.objects.filter(pk__in=_int_ids(ids)).select_related("district")
    words = _("the arrival list for %(district)s of %(day)s")
    return {str(d.pk): words % {"district": d.district.name, "day": f"{d.day:%d/%m/%Y}"} for d in lists}


def arrival_audit_labels(ids) -> dict[str, str]:
    arrivals = (
        Arrival.objects.filter(pk__in=_int_ids(ids))
        .select_related("checkpoint")
        .only("pk", "arrived_at", "checkpoint__name")
    )
    return {
        str(a.pk): _("arrival #%(id)s at %(checkpoint)s") % {"id": a.pk, "checkpoint": a.checkpoint.name}
        for a in arrivals
    }
