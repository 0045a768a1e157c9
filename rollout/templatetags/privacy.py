"""``{% load privacy %}{% privacy_notice %}``: what the public pages say about the personal data they collect."""

from __future__ import annotations

from django import template
from django.conf import settings

register = template.Library()


@register.inclusion_tag("includes/privacy_notice.html")
def privacy_notice() -> dict[str, int]:
    """How long the data is kept comes from the retention setting, so the notice never says one thing while
    the purge does another."""
    return {"retention_days": settings.PERSONAL_DATA_RETENTION_DAYS}
