"""Reporting weeks and the on-time rule: the one place that knows them (SPEC §6).

A reporting week runs from Saturday 00:00 to Friday 24:00, local time (``rollout.timeutils``), and is
named by its Friday ("the week ending 05/11/2021"). A district's report is due on that Friday at
``settings.WEEKLY_REPORT_DUE_TIME``. A report is *on time* when it was FIRST submitted no later than
the deadline; a report returned for correction and sent again keeps that first submission time, so a
province officer asking for a fix never makes a district late.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

from django.conf import settings
from django.utils import formats
from django.utils.translation import gettext as _

from rollout.timeutils import local_datetime, local_now, local_today

FRIDAY = 4  # date.weekday()


def week_ending_for(day: date) -> date:
    """The Friday that names the reporting week ``day`` falls in (Saturday starts the next week)."""
    return day + timedelta(days=(FRIDAY - day.weekday()) % 7)


def is_week_ending(day: date) -> bool:
    return day.weekday() == FRIDAY


def week_start(week_ending: date) -> date:
    """The Saturday the week begins on."""
    return week_ending - timedelta(days=6)


def week_bounds(week_ending: date) -> tuple[datetime, datetime]:
    """[start, end) of the week as aware datetimes: Saturday 00:00 to the next Saturday 00:00."""
    return local_datetime(week_start(week_ending)), local_datetime(week_ending + timedelta(days=1))


def due_at(week_ending: date) -> datetime:
    """When the week's report is due: Friday at the configured time."""
    return local_datetime(week_ending, settings.WEEKLY_REPORT_DUE_TIME)


def rollup_at(week_ending: date) -> datetime:
    """When the week's provincial roll-up is built: Friday at the configured time."""
    return local_datetime(week_ending, settings.WEEKLY_ROLLUP_TIME)


def is_on_time(first_submitted_at: datetime, week_ending: date) -> bool:
    """THE timeliness rule: first submitted no later than the deadline."""
    return first_submitted_at <= due_at(week_ending)


def current_week() -> date:
    """The week in progress today (ending this Friday; on a Saturday, the next Friday)."""
    return week_ending_for(local_today())


def has_started(week_ending: date, now: datetime | None = None) -> bool:
    return (now or local_now()) >= week_bounds(week_ending)[0]


def last_due_week(now: datetime | None = None) -> date:
    """The latest week whose deadline has passed (this Friday after 17:00, else last Friday)."""
    now = now or local_now()
    week = week_ending_for(now.date())
    return week if now >= due_at(week) else week - timedelta(days=7)


def recent_weeks(count: int, *, last: date | None = None) -> list[date]:
    """``count`` week endings, oldest first, ending with ``last`` (default: the current week)."""
    last = last or current_week()
    return [last - timedelta(days=7 * i) for i in range(count - 1, -1, -1)]


def week_label(week_ending: date) -> str:
    """ "05/11/2021" style label of the whole week: "30/10–05/11/2021"."""
    start = week_start(week_ending)
    return f"{start:%d/%m}–{week_ending:%d/%m/%Y}"


def timeliness_rule_text(week_ending: date | None = None) -> str:
    """The rule in plain words, shown wherever a report's timeliness is shown."""
    time = formats.time_format(settings.WEEKLY_REPORT_DUE_TIME, "H:i")
    if week_ending is None:
        return _(
            "The reporting week runs from Saturday 00:00 to Friday 24:00. The report is due on the Friday "
            "at %(time)s. A report first sent by then is on time; sent later, it is late. A report returned "
            "for correction keeps the time it was first sent."
        ) % {"time": time}
    return _(
        "This week runs from Saturday %(start)s to Friday %(end)s. The report is due on Friday %(end)s at "
        "%(time)s. A report first sent by then is on time; sent later, it is late. A report returned for "
        "correction keeps the time it was first sent."
    ) % {
        "start": f"{week_start(week_ending):%d/%m/%Y}",
        "end": f"{week_ending:%d/%m/%Y}",
        "time": time,
    }
