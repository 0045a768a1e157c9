"""The overview (/dashboard/) and its drill-down, read from the daily aggregates only (SPEC §7, §10):
``overview`` (scope, cards, charts, the page), ``areas`` (the tables), ``drilldown`` (communes)."""

from dashboard.selectors.areas import SORT_KEYS, AreaRow, sort_rows, total_row
from dashboard.selectors.drilldown import VenueActivity, commune_arrivals, commune_rows, venue_activity
from dashboard.selectors.overview import (
    CHART_DAYS,
    EXTRA_CHARTS,
    EXTRA_KPIS,
    WEEK,
    Overview,
    OverviewScope,
    overview_build,
    overview_scope_for,
    register_chart,
    register_kpi,
)

__all__ = [
    "CHART_DAYS",
    "EXTRA_CHARTS",
    "EXTRA_KPIS",
    "SORT_KEYS",
    "WEEK",
    "AreaRow",
    "Overview",
    "OverviewScope",
    "VenueActivity",
    "commune_arrivals",
    "commune_rows",
    "overview_build",
    "overview_scope_for",
    "register_chart",
    "register_kpi",
    "sort_rows",
    "total_row",
    "venue_activity",
]
