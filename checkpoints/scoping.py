"""Who sees arrivals and daily lists (personal data), and at which checkpoints one may record.

The rules of this app's rows, applied by the one engine in ``rollout.scoping`` (``visible``): which roles
see them, through which field paths.
"""

from __future__ import annotations

from django.db.models import QuerySet

from checkpoints.models import Arrival, DailyList
from rollout.models import Checkpoint, Role, User
from rollout.scoping import ALL, in_checkpoints, in_districts, visible


def arrivals_for(user: User) -> QuerySet[Arrival]:
    return visible(
        user,
        Arrival.objects.all(),
        {
            Role.PROVINCE_ADMIN: ALL,
            Role.HEALTH_OFFICER: ALL,
            Role.DISTRICT_OFFICER: in_districts("destination_district"),
            Role.CHECKPOINT_STAFF: in_checkpoints("checkpoint"),
        },
    )


def checkpoints_for_arrivals(user: User) -> QuerySet[Checkpoint]:
    """Checkpoints at which the user may record or import arrivals."""
    return visible(
        user,
        Checkpoint.objects.filter(is_active=True),
        {
            Role.PROVINCE_ADMIN: ALL,
            Role.CHECKPOINT_STAFF: in_checkpoints("pk"),
        },
    )


def checkpoint_lists_for(user: User) -> QuerySet[Checkpoint]:
    """Checkpoints whose whole list of arrivals (every destination) the user may export."""
    return visible(
        user,
        Checkpoint.objects.all(),
        {
            Role.PROVINCE_ADMIN: ALL,
            Role.HEALTH_OFFICER: ALL,
            Role.CHECKPOINT_STAFF: in_checkpoints("pk"),
        },
    )


def daily_lists_for(user: User) -> QuerySet[DailyList]:
    """Daily arrival lists (personal data): the district's own officers and province staff who work
    with people (province admins, health officers). Province viewers get figures, not lists."""
    return visible(
        user,
        DailyList.objects.all(),
        {
            Role.PROVINCE_ADMIN: ALL,
            Role.HEALTH_OFFICER: ALL,
            Role.DISTRICT_OFFICER: in_districts("district"),
        },
    )
