"""Who sees and writes weekly reports, who reviews them, who sees roll-ups.

The rules of this app's rows, applied by the one engine in ``rollout.scoping`` (``visible``): which roles
see them, through which field paths.
"""

from __future__ import annotations

from django.conf import settings
from django.db.models import QuerySet

from reports.models import Rollup, WeeklyReport
from rollout.models import District, Role, User
from rollout.permissions import CAPABILITIES
from rollout.scoping import ALL, Rule, in_districts, visible


def report_districts_for(user: User, *, for_change: bool = False) -> QuerySet[District]:
    """Districts whose weekly reports the user may see (or, ``for_change``, write and submit)."""
    home = District.objects.filter(province_id=settings.HOME_PROVINCE_CODE)
    rules: dict[str, Rule] = {Role.DISTRICT_OFFICER: in_districts("pk")}
    if not for_change:
        rules |= {Role.PROVINCE_ADMIN: ALL, Role.PROVINCE_VIEWER: ALL}
    return visible(user, home, rules)


def weekly_reports_for(user: User, *, for_change: bool = False) -> QuerySet[WeeklyReport]:
    return WeeklyReport.objects.filter(district__in=report_districts_for(user, for_change=for_change))


def weekly_reports_for_review(user: User) -> QuerySet[WeeklyReport]:
    """Reports the user may approve or return."""
    return visible(user, WeeklyReport.objects.all(), dict.fromkeys(CAPABILITIES["reports.review"], ALL))


def rollups_for(user: User) -> QuerySet[Rollup]:
    ready = Rollup.objects.filter(status=Rollup.Status.READY)
    return visible(user, ready, {Role.PROVINCE_ADMIN: ALL, Role.PROVINCE_VIEWER: ALL})
