"""``{% load figures %}``: the ``num`` and ``pct`` filters of ``rollout.figures``."""

from __future__ import annotations

from django import template

from rollout import figures

register = template.Library()
register.filter("num", figures.num)
register.filter("pct", figures.pct)
