"""Bench-only URLs: every real URL, plus /bench/ceiling/, a minimal ORM insert of a check-in row."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.urls import path
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt

from rollout.urls import urlpatterns as real_urlpatterns
from venues.models import CheckIn


@csrf_exempt
def ceiling(request: HttpRequest) -> HttpResponse:
    """The same row as a check-in, written by the ORM, with nothing else."""
    CheckIn.objects.create(
        venue_id=int(request.POST["venue"]),
        full_name=request.POST["full_name"],
        phone=request.POST["phone"],
        checked_in_at=timezone.now(),
    )
    return HttpResponse("ok")


urlpatterns = [path("bench/ceiling/", ceiling), *real_urlpatterns]
