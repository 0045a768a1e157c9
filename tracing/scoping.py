"""Who reads which tracing searches: the searcher their own, province admins all (SPEC §8, §9).

Who may search at all is ``tracing.search`` in ``rollout.permissions``; this says which rows.
"""

from __future__ import annotations

from django.db.models import Q, QuerySet

from rollout.models import Role, User
from rollout.scoping import ALL, visible
from tracing.models import TracingSearch


def searches_for(user: User) -> QuerySet[TracingSearch]:
    return visible(
        user,
        TracingSearch.objects.all(),
        {
            Role.PROVINCE_ADMIN: ALL,
            Role.HEALTH_OFFICER: lambda u: Q(by=u),
        },
    )
