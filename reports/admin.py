"""Admin views of weekly reports: read-only records (changes go through the report pages)."""

from __future__ import annotations

from django.contrib import admin

from reports.models import DistrictReportSetting, Rollup, WeeklyReport
from rollout.admin import ProvinceAdminOnly, ReadOnly


@admin.register(WeeklyReport)
class WeeklyReportAdmin(ReadOnly):
    list_display = ["district", "week_ending", "status", "first_submitted_at", "submitted_at"]
    list_filter = ["status", "week_ending", "district"]
    list_select_related = ["district"]
    date_hierarchy = "week_ending"


@admin.register(Rollup)
class RollupAdmin(ReadOnly):
    list_display = ["week_ending", "revision", "status", "reason", "created_at", "rows"]
    list_filter = ["status", "reason"]


@admin.register(DistrictReportSetting)
class DistrictReportSettingAdmin(ProvinceAdminOnly):
    list_display = ["district", "reminders_enabled", "updated_at"]
