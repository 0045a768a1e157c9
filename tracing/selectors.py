"""Reads of tracing searches, with the scoping applied."""

from __future__ import annotations

from django.db.models import Prefetch, QuerySet
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _

from rollout.models import User
from tracing.models import Candidate, TracingList, TracingSearch
from tracing.scoping import searches_for, tracing_lists_for


def tracing_search_list_for(user: User) -> QuerySet[TracingSearch]:
    """The searches the user may read, each with its candidates in rank order (one more query)."""
    candidates = Candidate.objects.select_related("district", "via").order_by("rank")
    return searches_for(user).prefetch_related(Prefetch("candidates", queryset=candidates))


def tracing_list_list_for(user: User, *, district: int | None = None) -> QuerySet[TracingList]:
    """The tracing lists the user may download, newest first, optionally of one district."""
    lists = tracing_lists_for(user).select_related("district", "search")
    if district is not None:
        lists = lists.filter(district_id=district)
    return lists.order_by("-generated_at", "district__name")


def tracing_search_summaries_for(user: User) -> QuerySet[TracingSearch]:
    """The searches the user may read, newest first, without their candidates (for lists)."""
    return searches_for(user).select_related("by").order_by("-created_at")


def tracing_search_with_candidates(user: User, pk: int) -> TracingSearch:
    """One search the user may read, its candidates (both rings) in rank order; 404 otherwise."""
    return get_object_or_404(tracing_search_list_for(user).select_related("by"), pk=pk)


def tracing_search_for(user: User, pk: int) -> TracingSearch:
    """One search the user may read, without its candidates (for actions on a few of them); 404 otherwise."""
    return get_object_or_404(searches_for(user), pk=pk)


def _ids(ids) -> list[int]:
    return [int(i) for i in ids if str(i).isdigit()]


def search_audit_labels(ids) -> dict[str, str]:
    """How the audit pages name tracing searches: number and days, never the person searched for."""
    searches = TracingSearch.objects.filter(pk__in=_ids(ids)).only("pk", "start", "end")
    words = _("tracing search #%(id)s (%(first)s–%(last)s)")
    return {
        str(s.pk): words % {"id": s.pk, "first": f"{s.start:%d/%m/%Y}", "last": f"{s.end:%d/%m/%Y}"} for s in searches
    }


def tracing_list_audit_labels(ids) -> dict[str, str]:
    lists = TracingList.objects.filter(pk__in=_ids(ids)).select_related("district")
    words = _("the tracing list for %(district)s of tracing search #%(search)s")
    return {str(t.pk): words % {"district": t.district.name, "search": t.search_id} for t in lists}
