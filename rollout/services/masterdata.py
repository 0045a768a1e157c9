"""Saving master data (agencies, venues) within the user's scope."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db import transaction

from rollout import scoping
from rollout.models import Agency, User, Venue


def agency_save(*, by: User, agency: Agency) -> Agency:
    """Create or update an agency; the result must still be one the user may change."""
    return _save_in_scope(agency, lambda: scoping.agencies_for(by, for_change=True))


def venue_save(*, by: User, venue: Venue) -> Venue:
    """Create or update a venue; the result must still be one the user may change.

    Checking after the write, inside the transaction, reuses the scoping rule as it is instead of
    restating it for unsaved objects: a district officer cannot move a venue out of the district.
    """
    return _save_in_scope(venue, lambda: scoping.venues_for(by, for_change=True))


def _save_in_scope(obj, allowed):
    if obj.pk is not None and not allowed().filter(pk=obj.pk).exists():
        raise PermissionDenied
    obj.full_clean()
    with transaction.atomic():
        obj.save()
        if not allowed().filter(pk=obj.pk).exists():
            transaction.set_rollback(True)
            raise PermissionDenied
    return obj
