"""The demo step: eight past weeks of reports for the nine districts, with their roll-ups; idempotent."""

from __future__ import annotations

import io
from datetime import timedelta

import pytest
from django.core.management import call_command

from reports import weeks
from reports.models import ReportReview, ReportState, Rollup, WeeklyReport
from reports.selectors import completeness_grid
from rollout.models import User

pytestmark = pytest.mark.django_db


def test_seed_demo_adds_eight_past_weeks_with_late_missing_and_returned_reports(units, settings):
    settings.DEMO_PASSWORD = "demo-pass-for-tests"
    call_command("seed_demo", stdout=io.StringIO())
    current = weeks.current_week()
    past = [current - timedelta(days=7 * i) for i in range(8, 0, -1)]
    reports = WeeklyReport.objects.filter(week_ending__in=past)
    assert reports.count() == 8 * 9 - 1  # one district missed one week
    states = [r.state for r in reports]
    assert sum(not r.on_time for r in reports) >= 3
    assert ReportState.APPROVED in states and ReportState.ON_TIME in states
    returned = ReportReview.objects.filter(decision="returned").select_related("report").get()
    assert returned.report.versions.count() == 2 and returned.comment
    assert sorted(Rollup.objects.filter(status="ready").values_list("week_ending", flat=True)) == past
    grid = completeness_grid(User.objects.get(username="province_admin"))
    assert grid.sent_rate is not None and 0.95 < grid.sent_rate < 1

    out = io.StringIO()
    call_command("seed_demo", stdout=out)
    assert "weekly reports: already present, kept" in out.getvalue()
    assert WeeklyReport.objects.filter(week_ending__in=past).count() == 8 * 9 - 1
    assert Rollup.objects.count() == 8
