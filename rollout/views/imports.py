"""The page of one import: its progress while a worker checks or stores the file, then the checked rows
and the confirmation, then what was stored. Only the person who uploaded the file sees it."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from rollout import outbox
from rollout.errors import ApplicationError
from rollout.models import ImportJob
from rollout.services import imports


def _job(request: HttpRequest, pk: int) -> ImportJob:
    return get_object_or_404(ImportJob, pk=pk, user=request.user)


@login_required
def import_job(request: HttpRequest, pk: int) -> HttpResponse:
    job = _job(request, pk)
    importer = imports.importer_for(job.kind)
    context = {
        "job": job,
        "importer": importer,
        "result": job.result,
        "problems": job.errors,
        "status_url": reverse("import-job-status", args=[job.pk]),
    }
    return render(request, "imports/job.html", context)


@login_required
def import_job_status(request: HttpRequest, pk: int) -> JsonResponse:
    """For the page's script: how far the worker is. Counts only."""
    job = _job(request, pk)
    return JsonResponse(
        {
            "status": job.status,
            "status_display": job.get_status_display(),
            "rows_done": job.rows_done,
            "rows_total": job.rows_total,
            "percent": job.percent,
            "running": job.running,
        }
    )


@login_required
@require_POST
def import_job_confirm(request: HttpRequest, pk: int) -> HttpResponse:
    job = _job(request, pk)
    importer = imports.importer_for(job.kind)
    try:
        job = imports.import_confirm(job, by=request.user, request=request)
    except ApplicationError as exc:
        messages.error(request, exc.message)
        return redirect(importer.upload_url)
    if job.status == ImportJob.Status.DONE:
        messages.success(request, job.message)
        outbox.notify_if_waiting(request)
        return redirect(job.result["next"])
    if job.status == ImportJob.Status.FAILED:
        messages.error(request, job.message)
        return redirect(importer.upload_url)
    return redirect("import-job", pk=job.pk)  # a worker stores it: the page follows
