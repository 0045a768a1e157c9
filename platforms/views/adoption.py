"""Adoption of PC-Covid, the Electronic Health Book and VNEID: list (laggards first), history, updates."""

from __future__ import annotations

from datetime import date

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from platforms.forms import AdoptionForm
from platforms.selectors.adoption import adoption_by_district, adoption_history, agency_adoption_list, laggard_key
from platforms.services import adoption as service
from rollout import scoping
from rollout.charts import Chart, percent
from rollout.downloads import download_response
from rollout.forms import TableUploadForm
from rollout.tabular import template_workbook
from rollout.text import fold
from rollout.timeutils import local_today
from rollout.views.sheet_import import import_upload
from rollout.workbooks import put, workbook_bytes

SORTS = {
    "laggards": laggard_key,
    "name": lambda r: r.agency.name_search,
    "pc_covid": lambda r: (r.pc_covid_pct is None, r.pc_covid_pct or 0),
    "health_book": lambda r: (r.health_book_pct is None, r.health_book_pct or 0),
    "vneid": lambda r: (r.vneid_pct is None, r.vneid_pct or 0),
    "reported_on": lambda r: r.reported_on or date.min,
}


@login_required
def adoption_list(request: HttpRequest) -> HttpResponse:
    """Agencies in scope with their latest figures, laggards first (for inspection), by district."""
    agencies = scoping.agencies_for(request.user).filter(is_active=True)
    districts = scoping.districts_for(request.user).filter(pk__in=agencies.values("district"))
    rows = agency_adoption_list(agencies)
    summary = adoption_by_district(rows)
    district = request.GET.get("district", "")
    if district.isdigit():
        rows = [r for r in rows if r.agency.district_id == int(district)]
    query = fold(request.GET.get("q", "").strip())
    if query:
        rows = [r for r in rows if query in r.agency.name_search]
    sort = request.GET.get("sort", "laggards")
    rows.sort(key=SORTS.get(sort, laggard_key))
    page = Paginator(rows, 50).get_page(request.GET.get("page"))
    params = request.GET.copy()
    params.pop("page", None)
    changeable = set(
        scoping.agencies_for(request.user, for_change=True)
        .filter(pk__in=[r.agency.pk for r in page])
        .values_list("pk", flat=True)
    )
    return render(
        request,
        "platforms/adoption_list.html",
        {
            "page": page,
            "rank_offset": page.start_index() - 1 if page.paginator.count else 0,
            "summary": summary if len(summary) > 1 else [],
            "districts": districts,
            "filters": {"q": request.GET.get("q", ""), "district": district, "querystring": params.urlencode()},
            "sort": sort,
            "changeable": changeable,
            "can_import": scoping.agencies_for(request.user, for_change=True).exists(),
        },
    )


@login_required
def adoption_agency(request: HttpRequest, pk: int) -> HttpResponse:
    """One agency: every update (the trend), and a form to add today's figures."""
    agency = get_object_or_404(scoping.agencies_for(request.user).select_related("district"), pk=pk)
    can_change = scoping.agencies_for(request.user, for_change=True).filter(pk=pk).exists()
    history = adoption_history(agency)
    latest = history[0] if history else None
    form = None
    if can_change:
        initial = {"reported_on": local_today(), "staff_headcount": latest.staff_headcount if latest else None}
        if latest is None and agency.staff_headcount:
            initial["staff_headcount"] = agency.staff_headcount
        form = AdoptionForm(request.POST or None, initial=initial)
        if request.method == "POST" and form.is_valid():
            try:
                service.adoption_update_record(by=request.user, agency=agency, data=form.as_input())
            except ValidationError as exc:
                for field, errors in exc.message_dict.items():
                    form.add_error(field if field in form.fields else None, errors)
            else:
                messages.success(request, _("Figures saved."))
                return redirect("platforms:adoption-agency", pk=agency.pk)
    elif request.method == "POST":
        raise PermissionDenied
    trend = list(reversed(history))
    chart = Chart(
        "adoption",
        _("Installs, share of staff (%)"),
        [u.reported_on.strftime("%d/%m/%Y") for u in trend],
        [
            {"label": _("PC-Covid"), "data": [percent(u.pc_covid, u.staff_headcount) for u in trend]},
            {"label": _("Electronic Health Book"), "data": [percent(u.health_book, u.staff_headcount) for u in trend]},
            {"label": _("VNEID"), "data": [percent(u.vneid, u.staff_headcount) for u in trend]},
        ],
        percent=True,
    )
    return render(
        request,
        "platforms/adoption_agency.html",
        {"agency": agency, "history": history, "form": form, "chart": chart if len(trend) > 1 else None},
    )


def _require_importer(request: HttpRequest) -> None:
    if not scoping.agencies_for(request.user, for_change=True).exists():
        raise PermissionDenied


@login_required
def adoption_import(request: HttpRequest) -> HttpResponse:
    """Upload a sheet; its page shows every row checked, then the confirmation: nothing is saved before."""
    _require_importer(request)
    posted = request.method == "POST"
    form = TableUploadForm(request.POST if posted else None, request.FILES if posted else None)
    if posted:
        job = import_upload(request, form, kind="adoption")
        if job is not None:
            return redirect("import-job", pk=job.pk)
    return render(request, "platforms/adoption_import.html", {"form": form}, status=400 if form.errors else 200)


@login_required
def adoption_template(request: HttpRequest) -> HttpResponse:
    """The import template, pre-filled with one row per agency the user may update (latest figures)."""
    _require_importer(request)
    agencies = scoping.agencies_for(request.user, for_change=True).filter(is_active=True)
    rows = sorted(agency_adoption_list(agencies), key=lambda r: (r.agency.district_id, r.agency.name_search))
    wb = template_workbook(
        service.import_columns(),
        sheet_title=_("Adoption"),
        instructions=[
            _("One agency per row; the rows are pre-filled with your agencies and their latest figures."),
            _("Change the figures, set the date they are as of (empty: today), then upload the file."),
            _("Installs cannot exceed the staff headcount. Every upload is kept, so the trend shows."),
        ],
        lists={
            _("Agencies"): [(_("Code"), _("Name"), _("District"))]
            + [(r.agency.pk, r.agency.name, r.agency.district_name) for r in rows]
        },
    )
    ws = wb.worksheets[0]
    today = local_today()
    for i, r in enumerate(rows, start=2):
        values = [r.agency.pk, r.agency.name, today, r.staff_headcount or r.agency.staff_headcount]
        values += [r.pc_covid, r.health_book, r.vneid]
        for col, value in enumerate(values, start=1):
            put(ws, i, col, value, **({"number_format": "dd/mm/yyyy"} if isinstance(value, date) else {}))
    return download_response(workbook_bytes(wb), filename=f"{fold(_('adoption template')).replace(' ', '-')}.xlsx")
