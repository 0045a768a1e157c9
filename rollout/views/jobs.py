"""The jobs panel (province administrators): when each scheduled job last ran, how it went."""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render

from rollout import outbox
from rollout.permissions import capability_required
from rollout.selectors.background import background_status
from rollout.selectors.jobs import job_label, job_runs, job_summaries, purge_summary


@capability_required("jobs.view")
def job_list(request: HttpRequest) -> HttpResponse:
    context = {
        "jobs": job_summaries(request.user),
        "purge": purge_summary(request.user),
        "background": background_status(),
        "backlog": outbox.backlog(),
    }
    return render(request, "rollout/job_list.html", context)


@capability_required("jobs.view")
def job_detail(request: HttpRequest, job: str) -> HttpResponse:
    runs = job_runs(request.user, job)
    if not runs:
        raise Http404
    return render(request, "rollout/job_detail.html", {"job": job, "label": job_label(job), "runs": runs})
