"""Daily per-district lists (list, download, build by hand) and a checkpoint's list for any day."""

from __future__ import annotations

from datetime import date

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from checkpoints import selectors
from checkpoints.scoping import checkpoint_lists_for, daily_lists_for
from checkpoints.services.daily_lists import checkpoint_list_export, daily_list_filename, home_districts
from rollout import outbox, scoping
from rollout.downloads import XLSX, private_file_response
from rollout.permissions import can, capability_required
from rollout.timeutils import local_today


def _day(raw: str | None) -> date | None:
    try:
        return date.fromisoformat(raw) if raw else None
    except ValueError:
        return None


@capability_required("daily_lists.read")
def daily_list_list(request: HttpRequest) -> HttpResponse:
    user = request.user
    day = _day(request.GET.get("date"))
    district = request.GET.get("district", "")
    lists = selectors.daily_list_list_for(user, day=day, district=int(district) if district.isdigit() else None)
    page = Paginator(lists, 60).get_page(request.GET.get("page"))
    params = request.GET.copy()
    params.pop("page", None)
    return render(
        request,
        "checkpoints/daily_list_list.html",
        {
            "page": page,
            "day": day,
            "districts": scoping.districts_for(user).filter(pk__in=daily_lists_for(user).values("district"))
            if not can(user, "daily_lists.build")
            else home_districts(),
            "filters": {"district": district, "querystring": params.urlencode()},
            "can_build": can(user, "daily_lists.build"),
        },
    )


@login_required
def daily_list_download(request: HttpRequest, pk: int) -> FileResponse:
    """Only the district's officers and province staff; every download is audit-logged."""
    daily_list = get_object_or_404(daily_lists_for(request.user).select_related("district"), pk=pk)
    return private_file_response(request, daily_list.file, filename=daily_list_filename(daily_list), obj=daily_list)


@capability_required("daily_lists.build")
@require_POST
def daily_list_build(request: HttpRequest) -> HttpResponse:
    """Province admins rebuild a day's lists by hand (queued: the worker builds them)."""
    day = _day(request.POST.get("date"))
    if day is None or day >= local_today():
        messages.error(request, _("Choose a past day."))
        return redirect("checkpoints:daily-list-list")
    outbox.enqueue("checkpoints.tasks.daily_lists_build_task", day=day.isoformat())
    messages.success(request, _("The lists of %(day)s are being built.") % {"day": f"{day:%d/%m/%Y}"})
    outbox.notify_if_waiting(request)
    return redirect(reverse("checkpoints:daily-list-list") + f"?date={day:%Y-%m-%d}")


@login_required
def checkpoint_export(request: HttpRequest, pk: int) -> FileResponse:
    """A checkpoint's own list for any day, generated on demand (every destination district)."""
    checkpoint = get_object_or_404(checkpoint_lists_for(request.user), pk=pk)
    day = _day(request.GET.get("date")) or local_today()
    output, filename = checkpoint_list_export(by=request.user, checkpoint=checkpoint, day=day, request=request)
    return FileResponse(output, as_attachment=True, filename=filename, content_type=XLSX)
