"""Figures as people read them in the active language: 12.345 and 78,5% in Vietnamese.

Faster than ``intcomma`` and ``floatformat`` (no Decimal, and the language's separators looked up once
per table with ``formatter()``): the overview shows several hundred figures per page. The template
filters ``num`` and ``pct`` (``{% load figures %}``) are ``num`` and ``pct`` below.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.formats import get_format
from django.utils.translation import ngettext


@dataclass(frozen=True)
class Formatter:
    thousands: str
    decimal: str

    def num(self, value: int | float | None) -> str:
        """12345 -> "12.345" (Vietnamese) or "12,345"; None -> "—"."""
        if value is None or value == "":
            return "—"
        if isinstance(value, float) and not value.is_integer():
            whole, _, fraction = f"{value:,.1f}".partition(".")
            return whole.replace(",", self.thousands) + self.decimal + fraction
        return f"{int(value):,}".replace(",", self.thousands)

    def pct(self, value: float | None, digits: int = 1) -> str:
        """78.5 -> "78,5%" (Vietnamese) or "78.5%"; None (nothing to divide by) -> "—"."""
        if value is None:
            return "—"
        return f"{value:.{int(digits)}f}".replace(".", self.decimal) + "%"


def formatter() -> Formatter:
    """The active language's separators, for formatting many figures."""
    return Formatter(get_format("THOUSAND_SEPARATOR"), get_format("DECIMAL_SEPARATOR"))


def num(value: int | float | None) -> str:
    return formatter().num(value)


def duration(minutes: int) -> str:
    """A length of time as people say it: 45 -> "45 phút", 60 -> "1 giờ", 90 -> "1 giờ 30 phút"."""
    hours, rest = divmod(int(minutes), 60)
    parts = []
    if hours:
        parts.append(ngettext("%(n)s hour", "%(n)s hours", hours) % {"n": num(hours)})
    if rest or not hours:
        parts.append(ngettext("%(n)s minute", "%(n)s minutes", rest) % {"n": rest})
    return " ".join(parts)


def pct(value: float | None, digits: int = 1) -> str:
    return formatter().pct(value, digits)
