"""Who sees which districts on the overview, and the daily figures (figures, not people).

The rules of this app's rows, applied by the one engine in ``rollout.scoping`` (``visible``): which roles
see them, through which field paths.
"""

from __future__ import annotations

from django.conf import settings
from django.db.models import QuerySet

from dashboard.models import ArrivalDay, DistrictDay, VenueDay
from rollout.models import District, Role, User
from rollout.scoping import ALL, Rule, in_agencies, in_checkpoints, in_districts, visible

# The figures are not people: every province-wide role reads them all, a district officer the district's.
PROVINCE_WIDE: dict[str, Rule] = {Role.PROVINCE_ADMIN: ALL, Role.PROVINCE_VIEWER: ALL, Role.HEALTH_OFFICER: ALL}


def overview_districts_for(user: User) -> QuerySet[District]:
    """Districts shown on the overview (/dashboard/): the province for province-wide roles, the
    officer's own district(s) for district officers, nothing for other roles (they get their home)."""
    home = District.objects.filter(province_id=settings.HOME_PROVINCE_CODE)
    return visible(user, home, PROVINCE_WIDE | {Role.DISTRICT_OFFICER: in_districts("pk")})


def district_days_for(user: User) -> QuerySet[DistrictDay]:
    return visible(user, DistrictDay.objects.all(), PROVINCE_WIDE | {Role.DISTRICT_OFFICER: in_districts("district")})


def venue_days_for(user: User) -> QuerySet[VenueDay]:
    rules = PROVINCE_WIDE | {
        Role.DISTRICT_OFFICER: in_districts("district"),
        Role.AGENCY_ADMIN: in_agencies("venue__agency"),
    }
    return visible(user, VenueDay.objects.all(), rules)


def arrival_days_for(user: User) -> QuerySet[ArrivalDay]:
    rules = PROVINCE_WIDE | {
        Role.DISTRICT_OFFICER: in_districts("district"),
        Role.CHECKPOINT_STAFF: in_checkpoints("checkpoint"),
    }
    return visible(user, ArrivalDay.objects.all(), rules)
