"""Who may DO what: one table of capabilities per role. Scoping (``rollout.scoping`` and each app's
``scoping.py``) still decides WHICH rows; a capability says whether the user may use a page or an action
at all. Views declare the capability they need (``capability_required``), API views through
``HasCapability``, templates through the ``can`` filter (``{% load permissions %}``): no role names there.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from rest_framework.permissions import BasePermission

from rollout.models import Role, User

_PA, _PV, _HO = Role.PROVINCE_ADMIN, Role.PROVINCE_VIEWER, Role.HEALTH_OFFICER
_DO, _CS, _AA, _FS = Role.DISTRICT_OFFICER, Role.CHECKPOINT_STAFF, Role.AGENCY_ADMIN, Role.FACILITY_STAFF

CAPABILITIES: dict[str, frozenset[str]] = {
    # Administration
    "accounts.manage": frozenset({_PA}),
    "jobs.view": frozenset({_PA}),
    "audit.read_all": frozenset({_PA}),  # everyone's audit events (each user reads their own anyway)
    # Master data
    "agencies.add": frozenset({_PA, _DO}),
    "venues.add": frozenset({_PA, _DO, _AA}),
    "venues.add_without_agency": frozenset({_PA, _DO}),  # an agency admin's venue belongs to an agency
    "districts.all": frozenset({_PA}),  # work on (not only read) every district's master data
    # Checkpoints, arrivals, daily lists (personal data: not for province viewers)
    "arrivals.read": frozenset({_PA, _HO, _DO, _CS}),
    "daily_lists.read": frozenset({_PA, _HO, _DO}),
    "daily_lists.build": frozenset({_PA}),
    # Weekly reports and roll-ups
    "reports.read_all": frozenset({_PA, _PV}),  # every district's reports, week by week
    "reports.review": frozenset({_PA}),
    "reports.reminders": frozenset({_PA}),
    "rollups.read": frozenset({_PA, _PV}),
    "rollups.build": frozenset({_PA}),
    # The weekly report to the Provincial People's Committee as a document (DOCX, PDF)
    "report_documents.read": frozenset({_PA, _PV}),
    "report_documents.edit": frozenset({_PA}),  # free-text parts, then final
    # The directive scorecard: where the province stands on each clause (aggregates only, no people)
    "scorecard.view": frozenset({_PA, _PV, _HO}),
    # Dashboard and platforms
    "adoption.view": frozenset({_PA, _PV, _DO, _AA}),
    "vaccination.trend": frozenset({_PA, _PV, _HO, _DO}),
    # Contact tracing
    "tracing.search": frozenset({_HO, _PA}),
    # The tracing lists sent to the districts: their own district's for district officers, all for the others
    "tracing.lists": frozenset({_HO, _PA, _DO}),
}


def can(user: User, capability: str) -> bool:
    """Whether any role the user holds has the capability. An unknown name is a programming error."""
    roles = CAPABILITIES[capability]
    return bool(getattr(user, "is_authenticated", False)) and user.is_active and user.has_role(*roles)


def capability_required(capability: str) -> Callable:
    """A view only for users with ``capability``: sign-in first, then 403 for everyone else."""
    CAPABILITIES[capability]  # fail at import time on a typo

    def decorator(view: Callable) -> Callable:
        @login_required
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            if not can(request.user, capability):
                raise PermissionDenied
            return view(request, *args, **kwargs)

        return wrapped

    return decorator


def HasCapability(capability: str) -> type[BasePermission]:
    """A DRF permission class for ``capability``."""
    CAPABILITIES[capability]

    class _HasCapability(BasePermission):
        def has_permission(self, request, view) -> bool:
            return can(request.user, capability)

    _HasCapability.__name__ = f"HasCapability[{capability}]"
    return _HasCapability
