"""Reads of checkpoints, arrivals and daily lists, always starting from the scoping rule."""

from __future__ import annotations

from datetime import date

from django.db.models import Count, QuerySet

from checkpoints.models import Arrival, Checkpoint, DailyList
from rollout import scoping
from rollout.models import User
from rollout.timeutils import day_bounds, local_today


def destination_most_chosen_today(checkpoint: Checkpoint) -> int | None:
    """The destination district most often recorded at the checkpoint today (the form's default)."""
    start, end = day_bounds(local_today())
    top = (
        Arrival.objects.filter(checkpoint=checkpoint, arrived_at__gte=start, arrived_at__lt=end)
        .values("destination_district")
        .annotate(n=Count("pk"))
        .order_by("-n", "destination_district")
        .first()
    )
    return top["destination_district"] if top else None


def arrival_list_for(
    user: User, *, day: date | None = None, checkpoint: int | None = None, district: int | None = None
) -> QuerySet[Arrival]:
    arrivals = scoping.arrivals_for(user).select_related("checkpoint", "destination_district", "destination_commune")
    if day is not None:
        start, end = day_bounds(day)
        arrivals = arrivals.filter(arrived_at__gte=start, arrived_at__lt=end)
    if checkpoint is not None:
        arrivals = arrivals.filter(checkpoint_id=checkpoint)
    if district is not None:
        arrivals = arrivals.filter(destination_district_id=district)
    return arrivals.order_by("-arrived_at", "-pk")


def daily_list_list_for(user: User, *, day: date | None = None, district: int | None = None) -> QuerySet[DailyList]:
    lists = scoping.daily_lists_for(user).select_related("district")
    if day is not None:
        lists = lists.filter(day=day)
    if district is not None:
        lists = lists.filter(district_id=district)
    return lists.order_by("-day", "district__code")
