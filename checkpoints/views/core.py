"""Checkpoint pages."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render

from checkpoints.scoping import checkpoint_lists_for, checkpoints_for_arrivals
from checkpoints.selectors import checkpoint_pc_covid_counts
from rollout import scoping
from rollout.models.org import CheckpointKind
from rollout.timeutils import local_today
from rollout.views.listing import search_filter_page


@login_required
def checkpoint_list(request: HttpRequest) -> HttpResponse:
    checkpoints = scoping.checkpoints_for(request.user).select_related("district", "commune")
    districts = scoping.districts_for(request.user)
    page, filters = search_filter_page(request, checkpoints, districts=districts)
    return render(
        request,
        "checkpoints/checkpoint_list.html",
        {"page": page, "filters": filters, "districts": districts, "kinds": CheckpointKind.choices},
    )


@login_required
def checkpoint_detail(request: HttpRequest, pk: int) -> HttpResponse:
    checkpoint = get_object_or_404(scoping.checkpoints_for(request.user).select_related("district"), pk=pk)
    context = {
        "checkpoint": checkpoint,
        "can_record": checkpoints_for_arrivals(request.user).filter(pk=pk).exists(),
        "can_export": checkpoint_lists_for(request.user).filter(pk=pk).exists(),
        "today": local_today(),
        "pc_covid": checkpoint_pc_covid_counts(checkpoint, local_today()),
    }
    return render(request, "checkpoints/checkpoint_detail.html", context)
