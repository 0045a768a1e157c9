"""The jobs panel (province administrators): when each scheduled job last ran, how it went."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render

from rollout.selectors.jobs import job_runs, job_summaries


def _admin_only(request: HttpRequest) -> None:
    if not request.user.is_province_admin:
        raise PermissionDenied


@login_required
def job_list(request: HttpRequest) -> HttpResponse:
    _admin_only(request)
    return render(request, "rollout/job_list.html", {"jobs": job_summaries(request.user)})


@login_required
def job_detail(request: HttpRequest, job: str) -> HttpResponse:
    _admin_only(request)
    runs = job_runs(request.user, job)
    if not runs:
        raise Http404
    return render(request, "rollout/job_detail.html", {"job": job, "runs": runs})
