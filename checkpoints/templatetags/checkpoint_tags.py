"""Small blocks of checkpoints for the role sections of /dashboard/ (scoped like every page)."""

from __future__ import annotations

from datetime import timedelta

from django import template

from checkpoints import selectors
from checkpoints.scoping import checkpoints_for_arrivals
from rollout.models import Role
from rollout.timeutils import local_today

register = template.Library()


@register.simple_tag(takes_context=True)
def recent_daily_lists(context, days: int = 7):
    """A district officer's lists of the last ``days`` days; for province staff, the latest day's."""
    user = context["request"].user
    lists = selectors.daily_list_list_for(user)
    if user.has_role(Role.PROVINCE_ADMIN, Role.HEALTH_OFFICER):
        latest = lists.order_by("-day").values_list("day", flat=True).first()
        return list(lists.filter(day=latest)) if latest else []
    return list(lists.filter(day__gte=local_today() - timedelta(days=days))[:60])


@register.simple_tag(takes_context=True)
def checkpoints_today(context):
    """(checkpoint, arrivals recorded today) for each checkpoint the user records at."""
    user = context["request"].user
    today = local_today()
    return [
        (c, selectors.arrival_list_for(user, day=today, checkpoint=c.pk).count())
        for c in checkpoints_for_arrivals(user).filter(pk__in=user.scoped_checkpoint_ids())
    ]
