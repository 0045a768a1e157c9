"""``{% load text %}``: text shown as people should read it."""

from __future__ import annotations

from django import template
from django.utils.html import conditional_escape, format_html
from django.utils.safestring import SafeString, mark_safe

register = template.Library()

# Names that must not break across lines at their hyphen ("COVID-" at the end of a line, "19" below).
UNBREAKABLE = ("COVID-19",)


@register.filter
def keep_together(text: str) -> SafeString:
    """The text, escaped, with each of UNBREAKABLE kept on one line."""
    html = str(conditional_escape(text))
    for term in UNBREAKABLE:
        html = html.replace(term, format_html('<span class="nowrap">{}</span>', term))
    return mark_safe(html)  # noqa: S308 (escaped above; only our own span is added)
