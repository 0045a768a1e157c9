"""Reporting weeks run Saturday 00:00 to Friday 24:00 local time; on time means first sent by Friday 17:00."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest

from reports import weeks
from tests.reports.conftest import HANOI, local


@pytest.mark.parametrize(
    ("day", "friday"),
    [
        ("2021-10-30", "2021-11-05"),  # Saturday starts the week
        ("2021-11-01", "2021-11-05"),
        ("2021-11-05", "2021-11-05"),  # Friday ends it
        ("2021-11-06", "2021-11-12"),  # the next Saturday is the next week
    ],
)
def test_a_day_belongs_to_the_week_named_by_its_friday(day, friday):
    assert weeks.week_ending_for(date.fromisoformat(day)) == date.fromisoformat(friday)


def test_week_bounds_are_local_midnights_saturday_to_saturday():
    start, end = weeks.week_bounds(date(2021, 11, 5))
    assert start == datetime(2021, 10, 30, 0, 0, tzinfo=HANOI)
    assert end == datetime(2021, 11, 6, 0, 0, tzinfo=HANOI)
    # 23:59 local on Friday is 16:59 UTC the same day: still inside.
    assert start <= local("2021-11-05", "23:59") < end


def test_on_time_means_first_sent_by_friday_1700_local():
    week = date(2021, 11, 5)
    assert weeks.due_at(week) == datetime(2021, 11, 5, 17, 0, tzinfo=HANOI)
    assert weeks.is_on_time(local(week, "17:00"), week)
    assert not weeks.is_on_time(local(week, "17:00") + timedelta(seconds=1), week)
    assert weeks.is_on_time(local("2021-11-01", "08:00"), week)


def test_due_time_comes_from_the_setting(settings):
    from datetime import time

    settings.WEEKLY_REPORT_DUE_TIME = time(12, 0)
    week = date(2021, 11, 5)
    assert not weeks.is_on_time(local(week, "13:00"), week)


def test_last_due_week_switches_at_the_deadline():
    assert weeks.last_due_week(local("2021-11-05", "16:59")) == date(2021, 10, 29)
    assert weeks.last_due_week(local("2021-11-05", "17:01")) == date(2021, 11, 5)
    assert weeks.last_due_week(local("2021-11-06", "09:00")) == date(2021, 11, 5)


def test_recent_weeks_end_with_the_given_week_oldest_first():
    assert weeks.recent_weeks(3, last=date(2021, 11, 12)) == [date(2021, 10, 29), date(2021, 11, 5), date(2021, 11, 12)]


def test_the_rule_is_written_in_plain_vietnamese():
    from django.utils import translation

    with translation.override("vi"):
        text = weeks.timeliness_rule_text(date(2021, 11, 5))
    assert "17:00" in text and "05/11/2021" in text and "30/10/2021" in text
    assert "đúng hạn" in text and "muộn" in text
