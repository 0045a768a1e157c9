"""Template filters for figures: percentages and signed changes in the active language's format."""

from __future__ import annotations

from django import template
from django.template.defaultfilters import floatformat

register = template.Library()


@register.filter
def pct(value: float | None, digits: int = 1) -> str:
    """78.5 -> "78,5%" (Vietnamese) or "78.5%"; None (nothing to divide by) -> "—"."""
    if value is None:
        return "—"
    return f"{floatformat(value, digits)}%"
