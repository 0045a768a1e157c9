"""The chain picture F0 → places → F1 → F2, on a page and as a print view (A4 landscape)."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from rollout.permissions import capability_required
from rollout.services.audit import audit_personal_view
from tracing.models import CandidateStatus
from tracing.pictures import chain_layout, chain_svg
from tracing.selectors import tracing_search_with_candidates
from tracing.views.searches import search_context


def _f0_label(search) -> str:
    return "F0 · " + (search.full_name or search.id_number or search.phone)


def _chain(request: HttpRequest, pk: int, template: str) -> HttpResponse:
    search = tracing_search_with_candidates(request.user, pk)
    context = search_context(search)
    chain = chain_layout(_f0_label(search), context["candidates"])
    context |= {"picture": chain_svg(chain), "hidden": chain.hidden, "status_choices": CandidateStatus.choices}
    audit_personal_view(request, "tracing_chain", obj=search, candidates=len(context["candidates"]))
    return render(request, template, context)


@capability_required("tracing.search")
def search_chain(request: HttpRequest, pk: int) -> HttpResponse:
    return _chain(request, pk, "tracing/chain.html")


@capability_required("tracing.search")
def search_chain_print(request: HttpRequest, pk: int) -> HttpResponse:
    return _chain(request, pk, "tracing/chain_print.html")
