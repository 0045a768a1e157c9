"""``{% load permissions %}`` … ``{% if user|can:"reports.review" %}``: the permission table in templates."""

from django import template

from rollout import permissions

register = template.Library()


@register.filter
def can(user, capability: str) -> bool:
    return permissions.can(user, capability)
