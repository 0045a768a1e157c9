"""Who reads which tracing searches (the searcher their own, province admins all) and which tracing lists
(a district's officers their district's, health officers and province admins all) (SPEC §8, §9).

Who may search at all is ``tracing.search`` in ``rollout.permissions``, who may see the lists
``tracing.lists``; this says which rows.
"""

from __future__ import annotations

from django.db.models import Q, QuerySet

from rollout.models import Role, User
from rollout.scoping import ALL, in_districts, visible
from tracing.models import TracingList, TracingSearch


def searches_for(user: User) -> QuerySet[TracingSearch]:
    return visible(
        user,
        TracingSearch.objects.all(),
        {
            Role.PROVINCE_ADMIN: ALL,
            Role.HEALTH_OFFICER: lambda u: Q(by=u),
        },
    )


def tracing_lists_for(user: User) -> QuerySet[TracingList]:
    """Tracing lists (personal data): a district's officers their district's, health officers and
    province admins every district's."""
    return visible(
        user,
        TracingList.objects.all(),
        {
            Role.PROVINCE_ADMIN: ALL,
            Role.HEALTH_OFFICER: ALL,
            Role.DISTRICT_OFFICER: in_districts("district"),
        },
    )
