"""Pages of contact tracing: search, the list of past searches, one search's result (SPEC §8)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from rollout.errors import ApplicationError
from rollout.permissions import capability_required
from rollout.services.audit import audit_personal_view
from tracing.forms import SearchForm
from tracing.models import Candidate, CandidateSource, CandidateStatus, TracingSearch
from tracing.pictures import parse, timeline_items, timeline_svg
from tracing.selectors import tracing_search_summaries_for, tracing_search_with_candidates
from tracing.services.search import tracing_search


@capability_required("tracing.search")
def search_new(request: HttpRequest) -> HttpResponse:
    """The search form. A name alone (or a shared phone) answers the people to choose from: each one is a
    button that searches again by ID number, or by phone and name, with the same reason and days."""
    form = SearchForm(request.POST or None)
    people = None
    if request.method == "POST" and form.is_valid():
        try:
            search = tracing_search(by=request.user, request=request, **form.cleaned_data)
        except ApplicationError as exc:
            people = [p | {"last_seen_at": parse(p["last_seen_at"])} for p in exc.extra.get("people", [])]
            fields = exc.extra.get("fields", {})
            for name, errors in fields.items():
                form.add_error(name if name in form.fields else None, errors)
            if people:
                messages.warning(request, exc.message)
            elif not fields:
                form.add_error(None, exc.message)
        else:
            messages.success(
                request,
                _("Search saved: %(records)s records of the F0, %(count)s F1 candidates.")
                % {"records": search.record_count, "count": search.candidate_count},
            )
            return redirect("tracing:search-detail", pk=search.pk)
    return render(
        request,
        "tracing/search_new.html",
        {
            "form": form,
            "people": people,
            "asked": form.cleaned_data if people else None,
            "recent": tracing_search_summaries_for(request.user)[:5],
            "retention_days": settings.PERSONAL_DATA_RETENTION_DAYS,
        },
    )


@capability_required("tracing.search")
def search_list(request: HttpRequest) -> HttpResponse:
    page = Paginator(tracing_search_summaries_for(request.user), 30).get_page(request.GET.get("page"))
    return render(request, "tracing/search_list.html", {"page": page})


def candidate_rows(candidates: list[Candidate]) -> list[dict[str, Any]]:
    """Each candidate with its reasons' moments as datetimes, for the tables."""
    rows = []
    for c in candidates:
        reasons = [
            r | {"from": parse(r["from"]), "to": parse(r.get("to")), "vehicle": r["kind"] == "vehicle"}
            for r in c.reasons
        ]
        rows.append({"c": c, "reasons": reasons})
    return rows


def search_context(search: TracingSearch) -> dict[str, Any]:
    candidates = list(search.candidates.all())
    ring1 = [c for c in candidates if c.ring == 1]
    ring2 = [c for c in candidates if c.ring == 2]
    return {
        "search": search,
        "candidates": candidates,
        "ring1": ring1,
        "ring2": ring2,
        "status_legend": [
            (value, label, sum(c.status == value for c in candidates)) for value, label in CandidateStatus.choices
        ],
    }


@capability_required("tracing.search")
def search_detail(request: HttpRequest, pk: int) -> HttpResponse:
    search = tracing_search_with_candidates(request.user, pk)
    context = search_context(search)
    items = timeline_items(search.timeline)
    context |= {
        "timeline": items,
        "timeline_picture": timeline_svg(items),
        "ring1_rows": candidate_rows(context["ring1"]),
        "ring2_rows": candidate_rows(context["ring2"]),
        "askable": [c.rank for c in context["ring1"] if c.ring2_asked_at is None],
        "status_choices": CandidateStatus.choices,
        "vehicle_source": CandidateSource.CHECKPOINT,
    }
    audit_personal_view(request, "tracing_result", obj=search, candidates=len(context["ring1"]) + len(context["ring2"]))
    return render(request, "tracing/search_detail.html", context)
