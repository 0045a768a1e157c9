"""Reads of tracing searches, with the scoping applied."""

from __future__ import annotations

from django.db.models import Prefetch, QuerySet

from rollout.models import User
from tracing.models import Candidate, TracingList, TracingSearch
from tracing.scoping import searches_for, tracing_lists_for


def tracing_search_list_for(user: User) -> QuerySet[TracingSearch]:
    """The searches the user may read, each with its candidates in rank order (one more query)."""
    candidates = Candidate.objects.select_related("district").order_by("rank")
    return searches_for(user).prefetch_related(Prefetch("candidates", queryset=candidates))


def tracing_list_list_for(user: User, *, district: int | None = None) -> QuerySet[TracingList]:
    """The tracing lists the user may download, newest first, optionally of one district."""
    lists = tracing_lists_for(user).select_related("district", "search")
    if district is not None:
        lists = lists.filter(district_id=district)
    return lists.order_by("-generated_at", "district__name")
