"""Shared list-page behaviour: accent-insensitive search, district filter, pagination."""

from __future__ import annotations

from django.core.paginator import Page, Paginator
from django.db.models import QuerySet
from django.http import HttpRequest

from rollout.text import fold


def search_filter_page(
    request: HttpRequest, queryset: QuerySet, *, districts: QuerySet | None = None, per_page: int = 50
) -> tuple[Page, dict]:
    """Apply ?q= (name, accents ignored), ?district= (within the given districts) and ?page=."""
    query = request.GET.get("q", "").strip()
    if query:
        queryset = queryset.filter(name_search__contains=fold(query))
    district = request.GET.get("district", "")
    if districts is not None and district.isdigit() and districts.filter(pk=int(district)).exists():
        queryset = queryset.filter(district_id=int(district))
    kind = request.GET.get("kind", "")
    if kind:
        queryset = queryset.filter(kind=kind)
    page = Paginator(queryset, per_page).get_page(request.GET.get("page"))
    params = request.GET.copy()
    params.pop("page", None)
    return page, {"q": query, "district": district, "kind": kind, "querystring": params.urlencode()}
