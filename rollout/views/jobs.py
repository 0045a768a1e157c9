"""The jobs panel (province administrators): when each scheduled job last ran, how it went."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render

from rollout import outbox
from rollout.permissions import can
from rollout.selectors.background import background_status
from rollout.selectors.jobs import job_label, job_runs, job_summaries


def _admin_only(request: HttpRequest) -> None:
    if not can(request.user, "jobs.view"):
        raise PermissionDenied


@login_required
def job_list(request: HttpRequest) -> HttpResponse:
    _admin_only(request)
    context = {"jobs": job_summaries(request.user), "background": background_status(), "backlog": outbox.backlog()}
    return render(request, "rollout/job_list.html", context)


@login_required
def job_detail(request: HttpRequest, job: str) -> HttpResponse:
    _admin_only(request)
    runs = job_runs(request.user, job)
    if not runs:
        raise Http404
    return render(request, "rollout/job_detail.html", {"job": job, "label": job_label(job), "runs": runs})
