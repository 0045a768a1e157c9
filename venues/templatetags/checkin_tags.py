"""Check-in panels for pages owned by other features (venue detail, role homes), scope checked here."""

from __future__ import annotations

from django import template
from django.db.models import Count, Q

from rollout import scoping
from rollout.models import Venue
from rollout.timeutils import day_bounds, local_today
from venues import selectors as sel
from venues.scoping import checkin_venues_for, checkins_for, inspection_venues_for, inspections_for
from venues.services import checkins as svc

register = template.Library()


@register.inclusion_tag("venue_qr/_venue_panel.html", takes_context=True)
def venue_checkin_panel(context, venue: Venue) -> dict:
    """QR code, scanning, activity and inspections of one venue, for what the user may do with it."""
    user = context["request"].user
    in_scope = scoping.venues_for(user).filter(pk=venue.pk).exists()
    annotated = sel.venue_activity_queryset(Venue.objects.filter(pk=venue.pk))
    return {
        "request": context["request"],
        "csrf_token": context.get("csrf_token"),
        "venue": venue,
        "show_qr": in_scope,
        "checkin_url": svc.venue_checkin_url(venue) if in_scope else "",
        "can_manage": checkin_venues_for(user).filter(pk=venue.pk).exists(),
        "can_see_log": checkins_for(user).filter(venue=venue).query.is_empty() is False,
        "can_inspect": inspection_venues_for(user).filter(pk=venue.pk).exists(),
        "activity": sel.venue_activity_rows(user, list(annotated))[0],
        "inspections": sel.inspection_list_for(user, venue=venue)[:10],
        "show_inspections": inspections_for(user).query.is_empty() is False,
    }


@register.inclusion_tag("venue_qr/_home_agency.html", takes_context=True)
def agency_checkin_home(context) -> dict:
    """The agency admin's venues with today's entries and flagged check-ins."""
    user = context["request"].user
    start, end = day_bounds(local_today())
    today = Q(checkins__checked_in_at__gte=start, checkins__checked_in_at__lt=end, checkins__day=local_today())
    venues = (
        checkin_venues_for(user)
        .filter(agency__in=user.scoped_agency_ids())
        .annotate(
            today=Count("checkins", filter=today), flagged=Count("checkins", filter=today & Q(checkins__flagged=True))
        )
        .order_by("name")
    )
    return {"venues": venues[:20], "more": max(venues.count() - 20, 0)}
