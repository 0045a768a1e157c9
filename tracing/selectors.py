"""Reads of tracing searches, with the scoping applied."""

from __future__ import annotations

from django.db.models import Prefetch, QuerySet
from django.shortcuts import get_object_or_404

from rollout.models import User
from tracing.models import Candidate, TracingSearch
from tracing.scoping import searches_for


def tracing_search_list_for(user: User) -> QuerySet[TracingSearch]:
    """The searches the user may read, each with its candidates in rank order (one more query)."""
    candidates = Candidate.objects.select_related("district", "via").order_by("rank")
    return searches_for(user).prefetch_related(Prefetch("candidates", queryset=candidates))


def tracing_search_summaries_for(user: User) -> QuerySet[TracingSearch]:
    """The searches the user may read, newest first, without their candidates (for lists)."""
    return searches_for(user).select_related("by").order_by("-created_at")


def tracing_search_with_candidates(user: User, pk: int) -> TracingSearch:
    """One search the user may read, its candidates (both rings) in rank order; 404 otherwise."""
    return get_object_or_404(tracing_search_list_for(user).select_related("by"), pk=pk)


def tracing_search_for(user: User, pk: int) -> TracingSearch:
    """One search the user may read, without its candidates (for actions on a few of them); 404 otherwise."""
    return get_object_or_404(searches_for(user), pk=pk)
