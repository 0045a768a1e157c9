"""Adoption figures follow the agency, vaccination logs the facility.

The rules of this app's rows, applied by the one engine in ``rollout.scoping`` (``visible``): which roles
see them, through which field paths.
"""

from __future__ import annotations

from django.db.models import QuerySet

from platforms.models import AdoptionUpdate, VaccinationUpdate
from rollout import scoping
from rollout.models import User


def adoption_updates_for(user: User) -> QuerySet[AdoptionUpdate]:
    """Adoption figures follow the agency: whoever may see an agency sees its updates. Who may add an
    update is ``agencies_for(user, for_change=True)``."""
    return AdoptionUpdate.objects.filter(agency__in=scoping.agencies_for(user))


def vaccination_updates_for(user: User) -> QuerySet[VaccinationUpdate]:
    """Vaccination logs follow the facility. Who may log for a facility is
    ``facilities_for(user, for_change=True)``."""
    return VaccinationUpdate.objects.filter(facility__in=scoping.facilities_for(user))
