"""Home-page sections of the weekly reports (``{% load reports_home %}`` in templates/rollout/home/)."""

from __future__ import annotations

from django import template

from reports import selectors, weeks
from reports.models import ReportState, Rollup
from reports.scoping import report_districts_for, rollups_for

register = template.Library()


@register.inclusion_tag("reports/home_district.html", takes_context=True)
def district_report_panel(context) -> dict:
    """This week's report of each of the officer's districts, and any returned report to correct."""
    user = context["request"].user
    week = weeks.current_week()
    items = []
    for district in report_districts_for(user, for_change=True).order_by("code"):
        history = selectors.district_history(user, district, weeks.recent_weeks(4))
        items.append((history[0], [h for h in history[1:] if h.state == ReportState.RETURNED or h.is_missing]))
    return {"items": items, "week": week, "due_at": weeks.due_at(week)}


@register.inclusion_tag("reports/home_province.html", takes_context=True)
def province_report_panel(context) -> dict:
    """This week's completeness, reports waiting for review, and the latest roll-up."""
    user = context["request"].user
    latest = rollups_for(user).order_by("-week_ending", "-revision").first()
    due_week = weeks.last_due_week()
    return {
        "user": user,
        "now": selectors.week_completeness(user),
        "last": selectors.week_completeness(user, due_week),
        "latest_rollup": latest,
        "rollup_missing": not Rollup.objects.filter(week_ending=due_week, status=Rollup.Status.READY).exists(),
    }
