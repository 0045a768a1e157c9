"""Reads of tracing searches, with the scoping applied."""

from __future__ import annotations

from django.db.models import Prefetch, QuerySet

from rollout.models import User
from tracing.models import Candidate, TracingSearch
from tracing.scoping import searches_for


def tracing_search_list_for(user: User) -> QuerySet[TracingSearch]:
    """The searches the user may read, each with its candidates in rank order (one more query)."""
    candidates = Candidate.objects.select_related("district", "via").order_by("rank")
    return searches_for(user).prefetch_related(Prefetch("candidates", queryset=candidates))
