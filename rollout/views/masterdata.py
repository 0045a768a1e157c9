"""Agencies, venues and health facilities, always through the scoping rule."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from rollout import scoping
from rollout.forms import AgencyForm, VenueForm
from rollout.models import Agency, Venue
from rollout.models.org import AgencyKind, FacilityKind, VenueKind
from rollout.permissions import can
from rollout.services.masterdata import agency_save, venue_save
from rollout.views.listing import search_filter_page


def _district_choices(request: HttpRequest):
    return scoping.districts_for(request.user)


@login_required
def agency_list(request: HttpRequest) -> HttpResponse:
    agencies = scoping.agencies_for(request.user).select_related("district", "commune")
    page, filters = search_filter_page(request, agencies, districts=_district_choices(request))
    return render(
        request,
        "rollout/agency_list.html",
        {
            "page": page,
            "filters": filters,
            "districts": _district_choices(request),
            "kinds": AgencyKind.choices,
            "can_add": can(request.user, "agencies.add"),
        },
    )


@login_required
def agency_detail(request: HttpRequest, pk: int) -> HttpResponse:
    agency = get_object_or_404(scoping.agencies_for(request.user).select_related("district", "commune"), pk=pk)
    can_change = scoping.agencies_for(request.user, for_change=True).filter(pk=pk).exists()
    venues = scoping.venues_for(request.user).filter(agency=agency).select_related("district")
    return render(
        request,
        "rollout/agency_detail.html",
        {"agency": agency, "venues": venues, "can_change": can_change, "focal_officers": agency.focal_officers.all()},
    )


@login_required
def agency_edit(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    if pk is None:
        if not can(request.user, "agencies.add"):
            raise Http404
        agency = Agency()
    else:
        agency = get_object_or_404(scoping.agencies_for(request.user, for_change=True), pk=pk)
    districts = _changeable_districts(request)
    form = AgencyForm(request.POST or None, instance=agency, districts=districts)
    if request.method == "POST" and form.is_valid():
        agency_save(by=request.user, agency=form.instance)
        messages.success(request, _("Saved."))
        return redirect("rollout:agency-detail", pk=agency.pk)
    cancel_url = reverse("rollout:agency-detail", args=[agency.pk]) if agency.pk else reverse("rollout:agency-list")
    return render(
        request,
        "rollout/object_form.html",
        {"form": form, "object": agency, "kind": _("agency"), "cancel_url": cancel_url},
    )


@login_required
def venue_list(request: HttpRequest) -> HttpResponse:
    venues = scoping.venues_for(request.user).select_related("district", "commune", "agency")
    page, filters = search_filter_page(request, venues, districts=_district_choices(request))
    return render(
        request,
        "rollout/venue_list.html",
        {
            "page": page,
            "filters": filters,
            "districts": _district_choices(request),
            "kinds": VenueKind.choices,
            "can_add": can(request.user, "venues.add"),
        },
    )


@login_required
def venue_detail(request: HttpRequest, pk: int) -> HttpResponse:
    venue = get_object_or_404(scoping.venues_for(request.user).select_related("district", "commune", "agency"), pk=pk)
    can_change = scoping.venues_for(request.user, for_change=True).filter(pk=pk).exists()
    return render(request, "rollout/venue_detail.html", {"venue": venue, "can_change": can_change})


@login_required
def venue_edit(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    if pk is None:
        if not can(request.user, "venues.add"):
            raise Http404
        venue = Venue()
    else:
        venue = get_object_or_404(scoping.venues_for(request.user, for_change=True), pk=pk)
    agencies = scoping.agencies_for(request.user, for_change=True)
    form = VenueForm(request.POST or None, instance=venue, districts=_district_choices(request), agencies=agencies)
    if not can(request.user, "venues.add_without_agency"):
        form.fields["agency"].required = True
    if request.method == "POST" and form.is_valid():
        venue_save(by=request.user, venue=form.instance)
        messages.success(request, _("Saved."))
        return redirect("rollout:venue-detail", pk=venue.pk)
    cancel_url = reverse("rollout:venue-detail", args=[venue.pk]) if venue.pk else reverse("rollout:venue-list")
    return render(
        request,
        "rollout/object_form.html",
        {"form": form, "object": venue, "kind": _("venue"), "cancel_url": cancel_url},
    )


def _changeable_districts(request: HttpRequest):
    return scoping.districts_for(request.user, for_change=True)


@login_required
def facility_list(request: HttpRequest) -> HttpResponse:
    facilities = scoping.facilities_for(request.user).select_related("district", "commune")
    page, filters = search_filter_page(request, facilities, districts=_district_choices(request))
    return render(
        request,
        "rollout/facility_list.html",
        {"page": page, "filters": filters, "districts": _district_choices(request), "kinds": FacilityKind.choices},
    )


@login_required
def facility_detail(request: HttpRequest, pk: int) -> HttpResponse:
    facility = get_object_or_404(scoping.facilities_for(request.user).select_related("district", "commune"), pk=pk)
    return render(request, "rollout/facility_detail.html", {"facility": facility})
