"""Staff side of venue check-in: scanning mode at the entrance, the visitor log and its export."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache

from rollout import scoping
from rollout.dbrouter import reading_from_replica
from rollout.downloads import download_response
from rollout.errors import ApplicationError
from rollout.figures import duration
from rollout.middleware import allow_features
from rollout.models import User, Venue
from rollout.services.audit import Action, audit_personal_view, audit_record
from rollout.text import fold
from rollout.validators import mask_phone
from venues import selectors as sel
from venues.forms import HEALTH_QUESTIONS, LogFilterForm, StaffEntryForm, VisitorLookupForm
from venues.models import CheckIn, CheckInMethod
from venues.scoping import checkin_venues_for, checkins_for
from venues.services import checkins as svc
from venues.services.visitor_log import visitor_log_workbook

MAX_VENUE_CHOICES = 300
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


# --- Staff scanning mode ----------------------------------------------------------------------


@dataclass
class Found:
    """A visitor identified at the entrance, and whether they are inside this venue now."""

    full_name: str
    phone: str
    id_number: str
    qr: str = ""  # the scanned text, re-verified when staff record the entry
    open_checkin: CheckIn | None = None

    @property
    def masked_phone(self) -> str:
        return mask_phone(self.phone) if self.phone else ""


def _open_checkin(venue: Venue, *, phone: str = "", id_number: str = "") -> CheckIn | None:
    inside = sel.checkins_open_at_venue(venue)
    if phone:
        return inside.filter(phone=phone).first()
    if id_number:
        return inside.filter(id_number=id_number).first()
    return None


def _health_from_post(request: HttpRequest) -> dict[str, bool]:
    return {name: request.POST.get(name) == "yes" for name, _label in HEALTH_QUESTIONS}


def _entry_recorded(request: HttpRequest, checkin: CheckIn, created: bool) -> None:
    at = date_format(timezone.localtime(checkin.checked_in_at), "H:i")
    if created:
        messages.success(request, _("Entry recorded: %(name)s at %(time)s.") % {"name": checkin.full_name, "time": at})
    else:
        messages.info(
            request, _("%(name)s is already inside (since %(time)s).") % {"name": checkin.full_name, "time": at}
        )
    if checkin.flagged:
        messages.warning(request, _("This visitor answered yes to a health question: follow the venue's procedure."))


@never_cache
@login_required
@allow_features("camera")
def venue_scan(request: HttpRequest, pk: int) -> HttpResponse:
    """Staff scan a visitor's QR (or look them up by phone / ID) and record entry or exit in one tap."""
    venue = get_object_or_404(checkin_venues_for(request.user).select_related("district"), pk=pk)
    if not venue.is_active:
        raise Http404
    action = request.POST.get("action", "") if request.method == "POST" else ""
    found: Found | None = None
    lookup = VisitorLookupForm(request.POST if action == "lookup" else None)
    entry = StaffEntryForm(request.POST if action == "enter" else None)

    if action in ("scan", "enter-scan"):
        visitor = svc.visitor_from_qr(request.POST.get("qr", ""))
        if visitor is None:
            messages.error(request, _("This QR code is not a visitor pass or a personal QR code of this system."))
            return redirect("venues:venue-scan", pk=venue.pk)
        found = Found(
            visitor.full_name,
            visitor.phone,
            visitor.id_number,
            qr=request.POST["qr"],
            open_checkin=_open_checkin(venue, phone=visitor.phone, id_number=visitor.id_number),
        )
        if action == "enter-scan":
            data = svc.CheckInInput(visitor.full_name, visitor.phone, visitor.id_number, **_health_from_post(request))
            checkin, created = svc.checkin_create(venue=venue, data=data, method=CheckInMethod.STAFF_SCAN)
            _entry_recorded(request, checkin, created)
            return redirect("venues:venue-scan", pk=venue.pk)
    elif action == "lookup" and lookup.is_valid():
        query = lookup.cleaned_data["query"]
        known = checkins_for(request.user).filter(venue=venue, **query).order_by("-checked_in_at").first()
        found = Found(
            known.full_name if known else "",
            known.phone if known else query.get("phone", ""),
            known.id_number if known else query.get("id_number", ""),
            open_checkin=_open_checkin(venue, **query),
        )
        entry = StaffEntryForm(
            initial={"full_name": found.full_name, "phone": found.phone, "id_number": found.id_number}
        )
    elif action == "enter" and entry.is_valid():
        checkin, created = svc.checkin_create(venue=venue, data=entry.as_input(), method=CheckInMethod.MANUAL)
        _entry_recorded(request, checkin, created)
        return redirect("venues:venue-scan", pk=venue.pk)
    elif action == "exit":
        checkin = get_object_or_404(checkins_for(request.user).filter(venue=venue), pk=request.POST.get("checkin") or 0)
        try:
            svc.checkin_checkout(checkin=checkin)
        except ApplicationError as exc:
            messages.error(request, exc.message)
        else:
            at = date_format(timezone.localtime(checkin.checked_out_at), "H:i")
            messages.success(
                request, _("Exit recorded: %(name)s at %(time)s.") % {"name": checkin.full_name, "time": at}
            )
        return redirect("venues:venue-scan", pk=venue.pk)

    inside = list(sel.checkins_open_at_venue(venue)[:200])
    for c in inside:
        c.masked_phone = mask_phone(c.phone)
    audit_personal_view(request, "venue_scan", obj=venue, inside=len(inside), found=found is not None)
    return render(
        request,
        "venue_qr/scan.html",
        {
            "venue": venue,
            "found": found,
            "lookup": lookup,
            "entry": entry,
            "show_entry": action in ("lookup", "enter") and (found is None or found.open_checkin is None),
            "inside": inside,
            "questions": HEALTH_QUESTIONS,
            "stay": duration(settings.CHECKIN_DEFAULT_STAY_MINUTES),
        },
    )


# --- Visitor log ------------------------------------------------------------------------------


def _log_scope(request: HttpRequest) -> tuple[LogFilterForm, list[Venue]]:
    if checkins_for(request.user).query.is_empty():
        raise Http404  # a role that never sees people (province viewer, checkpoint staff…)
    venues = list(scoping.venues_for(request.user).order_by("name")[: MAX_VENUE_CHOICES + 1])
    form = LogFilterForm(request.GET or None, venues=venues[:MAX_VENUE_CHOICES])
    if not form.is_bound:
        form = LogFilterForm({"first": "", "last": ""}, venues=venues[:MAX_VENUE_CHOICES])
    return form, venues


def _scope_label(user: User, venue_id: int | None) -> str:
    if venue_id is not None:
        venue = scoping.venues_for(user).filter(pk=venue_id).first()
        if venue is not None:
            return venue.name
    agencies = list(scoping.agencies_for(user).filter(pk__in=user.scoped_agency_ids()).values_list("name", flat=True))
    return ", ".join(agencies) or _("All venues you can see")


@login_required
def visit_list(request: HttpRequest) -> HttpResponse:
    form, venues = _log_scope(request)
    if not form.is_valid():
        return render(request, "venue_qr/visit_list.html", {"form": form, "page": None})
    first, last, venue_id = form.cleaned_data["first"], form.cleaned_data["last"], form.cleaned_data["venue"]
    counts_first = first if first < last else last - timedelta(days=13)
    days = sel.checkin_daily_counts_for(request.user, first=counts_first, last=last, venue_id=venue_id)
    in_range = [d for d in days if first <= d.day <= last]
    totals = {
        "entries": sum(d.entries for d in in_range),
        "exits": sum(d.exits for d in in_range),
        "flagged": sum(d.flagged for d in in_range),
    }
    checkins = sel.checkin_list_for(request.user, first=first, last=last, venue_id=venue_id)
    page = Paginator(checkins, 100).get_page(request.GET.get("page"))
    for c in page:
        c.masked_phone = mask_phone(c.phone)
    audit_personal_view(
        request,
        "visitor_log",
        obj=_chosen_venue(venues, venue_id),
        first=first.isoformat(),
        last=last.isoformat(),
        venue=venue_id,
        page=page.number,
        rows=len(page.object_list),
    )
    params = request.GET.copy()
    params.pop("page", None)
    return render(
        request,
        "venue_qr/visit_list.html",
        {
            "form": form,
            "page": page,
            "days": days,
            "totals": totals,
            "first": first,
            "last": last,
            "many_venues": venue_id is None and len(venues) != 1,
            "too_many_venues": len(venues) > MAX_VENUE_CHOICES,
            "querystring": params.urlencode(),
            "filters": {"querystring": params.urlencode()},
        },
    )


def _chosen_venue(venues: list[Venue], venue_id: int | None) -> Venue | None:
    return next((v for v in venues if v.pk == venue_id), None) if venue_id is not None else None


@login_required
def visit_export(request: HttpRequest) -> HttpResponse:
    form, venues = _log_scope(request)
    if not form.is_valid():
        messages.error(request, " ".join(form.errors.get("__all__", [])) or _("Check the dates."))
        return redirect("venues:visit-list")
    first, last, venue_id = form.cleaned_data["first"], form.cleaned_data["last"], form.cleaned_data["venue"]
    checkins = sel.checkin_list_for(request.user, first=first, last=last, venue_id=venue_id).order_by(
        "checked_in_at", "pk"
    )
    with reading_from_replica():
        content, rows = visitor_log_workbook(
            checkins.iterator(chunk_size=2000), scope_label=_scope_label(request.user, venue_id), first=first, last=last
        )
    audit_record(
        Action.EXPORT,
        request=request,
        obj=_chosen_venue(venues, venue_id),
        detail={
            "export": "visitor_log",
            "rows": rows,
            "first": first.isoformat(),
            "last": last.isoformat(),
            "venue": venue_id,
        },
    )
    name = fold(_("visitor log")).replace(" ", "-")
    return download_response(content, filename=f"{name}-{first:%Y%m%d}-{last:%Y%m%d}.xlsx")
