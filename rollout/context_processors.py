"""Template context every page gets."""

from __future__ import annotations

from django.http import HttpRequest

from rollout.selectors.units import home_province


def home_province_context(request: HttpRequest) -> dict:
    """``home_province.name`` ("Tỉnh Lào Cai") and ``home_province.short_name`` ("Lào Cai") from the units data."""
    return {"home_province": home_province()}
