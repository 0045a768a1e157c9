"""The one place that knows what a local day is.

Everything is stored in UTC. A "day" in this product (daily lists, counts, reports) is a calendar day
in the province's time zone (Asia/Ho_Chi_Minh), from local 00:00 to the next local 00:00.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings
from django.utils import timezone


def local_tz() -> ZoneInfo:
    return ZoneInfo(settings.TIME_ZONE)


def local_now() -> datetime:
    return timezone.now().astimezone(local_tz())


def local_today() -> date:
    return local_now().date()


def local_date(moment: datetime) -> date:
    """The local calendar day an aware datetime falls on."""
    return moment.astimezone(local_tz()).date()


def local_datetime(day: date, at: time = time(0, 0)) -> datetime:
    """An aware datetime for a local wall-clock time on ``day``."""
    return datetime.combine(day, at, tzinfo=local_tz())


def day_bounds(day: date) -> tuple[datetime, datetime]:
    """[start, end) of a local day as aware datetimes, for ``field__gte=start, field__lt=end``."""
    start = local_datetime(day)
    return start, local_datetime(day + timedelta(days=1))


def days_bounds(first: date, last: date) -> tuple[datetime, datetime]:
    """[start, end) covering the local days ``first`` to ``last`` inclusive."""
    return local_datetime(first), local_datetime(last + timedelta(days=1))


def oldest_kept_day(today: date | None = None) -> date:
    """The oldest local day whose personal data is still kept (PERSONAL_DATA_RETENTION_DAYS, today included)."""
    today = today or local_today()
    return today - timedelta(days=settings.PERSONAL_DATA_RETENTION_DAYS - 1)
