"""Recording venue inspections (directive 6.iii)."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied

from rollout.hooks import district_day_changed
from rollout.models import User, Venue
from venues.models import Inspection
from venues.scoping import inspection_venues_for, inspections_for


def inspection_record(*, by: User, venue: Venue, inspection: Inspection) -> Inspection:
    """Save an inspection of ``venue`` (new, or a correction of one the user may change)."""
    if not inspection_venues_for(by).filter(pk=venue.pk).exists():
        raise PermissionDenied
    if inspection.pk is not None and not inspections_for(by, for_change=True).filter(pk=inspection.pk).exists():
        raise PermissionDenied
    inspection.venue = venue
    if inspection.pk is None:
        inspection.recorded_by = by
    inspection.full_clean()
    inspection.save()
    district_day_changed(day=inspection.inspected_on, district_id=venue.district_id)
    return inspection
