"""Shared list-page behaviour: accent-insensitive search, district filter, pagination (counted or not)."""

from __future__ import annotations

from dataclasses import dataclass

from django.core.paginator import Page, Paginator
from django.db.models import QuerySet
from django.http import HttpRequest

from rollout.text import fold

# Deeper than this, narrow the filters: skipping so many rows costs more than it helps anyone.
MAX_PAGE = 2000


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


@dataclass
class UncountedPage:
    """A page of a long list without counting it (a count reads every row): previous / next only."""

    object_list: list
    number: int
    has_next: bool

    def __iter__(self):
        return iter(self.object_list)

    def __len__(self) -> int:
        return len(self.object_list)

    @property
    def has_previous(self) -> bool:
        return self.number > 1

    @property
    def has_other_pages(self) -> bool:
        return self.has_previous or self.has_next

    def previous_page_number(self) -> int:
        return self.number - 1

    def next_page_number(self) -> int:
        return self.number + 1


def uncounted_page(queryset: QuerySet, number: str | None, *, per_page: int = 50) -> UncountedPage:
    """Page ``number`` (1 when missing or not a number) of an ordered queryset, reading one row more
    than the page to know whether another follows."""
    page = int(number) if number and number.isdigit() and 0 < int(number) <= MAX_PAGE else 1
    start = (page - 1) * per_page
    rows = list(queryset[start : start + per_page + 1])
    return UncountedPage(rows[:per_page], page, len(rows) > per_page)
