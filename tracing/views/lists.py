"""Tracing lists: sent to the districts from a search, listed and downloaded by each district."""

from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from rollout import outbox
from rollout.downloads import private_file_response
from rollout.models import District
from rollout.permissions import capability_required
from tracing.scoping import tracing_lists_for
from tracing.selectors import tracing_list_list_for, tracing_search_list_for
from tracing.services.lists import send_district_lists, tracing_list_filename


def _back_to(search_pk: int) -> str:
    return reverse("tracing:search-detail", kwargs={"pk": search_pk})


@capability_required("tracing.search")
@require_POST
def send_lists(request: HttpRequest, pk: int) -> HttpResponse:
    search = get_object_or_404(tracing_search_list_for(request.user), pk=pk)
    result = send_district_lists(search, by=request.user, request=request)
    if result.written:
        messages.success(
            request,
            ngettext(
                "%(lists)s tracing list sent to its district (%(rows)s people).",
                "%(lists)s tracing lists sent to their districts (%(rows)s people).",
                len(result.written),
            )
            % {"lists": len(result.written), "rows": result.rows},
        )
    if result.unchanged:
        messages.info(
            request,
            ngettext(
                "%(n)s district's list was already up to date: not sent again.",
                "%(n)s districts' lists were already up to date: not sent again.",
                result.unchanged,
            )
            % {"n": result.unchanged},
        )
    if not result.written and not result.unchanged:
        messages.info(request, _("No candidate belongs to a district: no list was sent."))
    if result.without_district:
        messages.warning(
            request,
            ngettext(
                "%(n)s candidate has no district and is on no list: follow them up from the search.",
                "%(n)s candidates have no district and are on no list: follow them up from the search.",
                result.without_district,
            )
            % {"n": result.without_district},
        )
    outbox.notify_if_waiting(request)
    return redirect(_back_to(search.pk))


@capability_required("tracing.lists")
def list_page(request: HttpRequest) -> HttpResponse:
    user = request.user
    district = request.GET.get("district", "")
    lists = tracing_list_list_for(user, district=int(district) if district.isdigit() else None)
    page = Paginator(lists, 50).get_page(request.GET.get("page"))
    params = request.GET.copy()
    params.pop("page", None)
    districts = District.objects.filter(pk__in=tracing_lists_for(user).values("district"))
    return render(
        request,
        "tracing/lists.html",
        {
            "page": page,
            "districts": districts.order_by("name"),
            "filters": {"district": district, "querystring": params.urlencode()},
        },
    )


@capability_required("tracing.lists")
def list_download(request: HttpRequest, pk: int) -> FileResponse:
    """Another district's list is 404; every download is audit-logged."""
    tracing_list = get_object_or_404(tracing_lists_for(request.user).select_related("district"), pk=pk)
    return private_file_response(
        request, tracing_list.file, filename=tracing_list_filename(tracing_list), obj=tracing_list
    )
