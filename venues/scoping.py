"""Who sees check-ins and inspections, and on which venues one may scan or inspect.

The rules of this app's rows, applied by the one engine in ``rollout.scoping`` (``visible``): which roles
see them, through which field paths.
"""

from __future__ import annotations

from django.db.models import QuerySet

from rollout import scoping
from rollout.models import Role, User, Venue
from rollout.scoping import ALL, Rule, in_agencies, in_districts, visible
from venues.models import CheckIn, Inspection


def checkins_for(user: User) -> QuerySet[CheckIn]:
    return visible(
        user,
        CheckIn.objects.all(),
        {
            Role.PROVINCE_ADMIN: ALL,
            Role.HEALTH_OFFICER: ALL,
            Role.DISTRICT_OFFICER: in_districts("venue__district"),
            Role.AGENCY_ADMIN: in_agencies("venue__agency"),
        },
    )


def inspections_for(user: User, *, for_change: bool = False) -> QuerySet[Inspection]:
    rules: dict[str, Rule] = {
        Role.PROVINCE_ADMIN: ALL,
        Role.DISTRICT_OFFICER: in_districts("venue__district"),
    }
    if not for_change:
        rules[Role.PROVINCE_VIEWER] = ALL
    return visible(user, Inspection.objects.all(), rules)


def checkin_venues_for(user: User) -> QuerySet[Venue]:
    """Venues whose QR code the user manages (rotation) and where the user records entries and exits
    (staff scanning mode): the venues the user may change."""
    return scoping.venues_for(user, for_change=True)


def inspection_venues_for(user: User) -> QuerySet[Venue]:
    """Venues on which the user may record an inspection (directive 6.iii): a district's officers for
    their district's venues, province admins for all."""
    return visible(
        user,
        Venue.objects.all(),
        {Role.PROVINCE_ADMIN: ALL, Role.DISTRICT_OFFICER: in_districts("district")},
    )
