"""District inspection view (directive 6.iii): venue activity, inactive first, and inspections."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from rollout import scoping
from rollout.models import Venue
from rollout.models.org import VenueKind
from rollout.timeutils import local_today
from rollout.views.listing import search_filter_page
from venues import selectors as sel
from venues.forms import InspectionForm
from venues.models import Inspection
from venues.scoping import inspection_venues_for, inspections_for
from venues.services.inspections import inspection_record


@login_required
def inspection_list(request: HttpRequest) -> HttpResponse:
    """Every venue the user may see with last check-in, 7-day count, days without scans; idlest first."""
    if inspections_for(request.user).query.is_empty():
        raise Http404  # roles that do not inspect or follow inspections
    districts = scoping.districts_for(request.user)
    venues = sel.venue_activity_queryset(
        scoping.venues_for(request.user).filter(is_active=True).select_related("district", "commune", "agency")
    )
    inactive_only = request.GET.get("inactive") == "1"
    if inactive_only:
        venues = venues.filter(checkins_7d=0)
    page, filters = search_filter_page(request, venues, districts=districts)
    filtered = Venue.objects.filter(pk__in=page.paginator.object_list.values("pk"))
    rows = sel.venue_activity_rows(request.user, list(page))
    can_inspect = set(
        inspection_venues_for(request.user).filter(pk__in=[r.venue.pk for r in rows]).values_list("pk", flat=True)
    )
    for row in rows:
        row.can_inspect = row.venue.pk in can_inspect
    return render(
        request,
        "venue_qr/inspection_list.html",
        {
            "page": page,
            "rows": rows,
            "filters": filters,
            "districts": districts,
            "kinds": VenueKind.choices,
            "inactive_only": inactive_only,
            "summary": sel.venue_activity_summary(filtered),
            "active_days": sel.ACTIVE_DAYS,
        },
    )


def _inspection_page(request: HttpRequest, venue: Venue, form: InspectionForm, inspection: Inspection | None):
    annotated = sel.venue_activity_queryset(Venue.objects.filter(pk=venue.pk).select_related("district", "commune"))
    return render(
        request,
        "venue_qr/inspection_form.html",
        {
            "venue": venue,
            "form": form,
            "inspection": inspection,
            "activity": sel.venue_activity_rows(request.user, list(annotated))[0],
            "history": sel.inspection_list_for(request.user, venue=venue)[:20],
        },
    )


@login_required
def inspection_create(request: HttpRequest, pk: int) -> HttpResponse:
    venue = get_object_or_404(inspection_venues_for(request.user).select_related("district", "commune"), pk=pk)
    form = InspectionForm(
        request.POST or None,
        initial={"inspected_on": local_today(), "inspector": request.user.get_full_name()},
    )
    if request.method == "POST" and form.is_valid():
        inspection_record(by=request.user, venue=venue, inspection=form.instance)
        messages.success(request, _("Inspection recorded."))
        return redirect("rollout:venue-detail", pk=venue.pk)
    return _inspection_page(request, venue, form, None)


@login_required
def inspection_edit(request: HttpRequest, pk: int) -> HttpResponse:
    inspection = get_object_or_404(inspections_for(request.user, for_change=True).select_related("venue"), pk=pk)
    venue = inspection.venue
    form = InspectionForm(
        request.POST or None, instance=inspection, initial={"compliant": "yes" if inspection.compliant else "no"}
    )
    if request.method == "POST" and form.is_valid():
        inspection_record(by=request.user, venue=venue, inspection=form.instance)
        messages.success(request, _("Inspection updated."))
        return redirect("rollout:venue-detail", pk=venue.pk)
    return _inspection_page(request, venue, form, inspection)
