"""Weekly report fixtures: a frozen clock in the directive's weeks, and helpers to send reports.

The clock is frozen on Wednesday 10/11/2021 10:00 (Hà Nội), so the week in progress ends on Friday
12/11/2021, and the week ending Friday 05/11/2021 is the latest one past its deadline.
"""

from __future__ import annotations

from datetime import date, datetime, time
from zoneinfo import ZoneInfo

import pytest
import time_machine

from reports.models import Source
from reports.services.submissions import report_submit
from rollout.models import FocalOfficer

HANOI = ZoneInfo("Asia/Ho_Chi_Minh")
NOW = datetime(2021, 11, 10, 10, 0, tzinfo=HANOI)
CURRENT_WEEK = date(2021, 11, 12)
LAST_WEEK = date(2021, 11, 5)


def local(day: date | str, hh_mm: str = "12:00") -> datetime:
    if isinstance(day, str):
        day = date.fromisoformat(day)
    return datetime.combine(day, time.fromisoformat(hh_mm), tzinfo=HANOI)


def values(**overrides) -> dict:
    base = {
        "agencies_with_qr": 12,
        "venues_with_qr": 40,
        "venues_inspected": 6,
        "violations_found": 2,
        "sanctions_imposed": 1,
        "communication_sessions": 3,
        "people_guided": 250,
        "pc_covid_installs": 21000,
        "health_book_installs": 9000,
        "vneid_installs": 7000,
        "difficulties": "Sóng di động yếu ở các thôn vùng cao.",
        "proposals": "Đề nghị hỗ trợ in mã QR khổ lớn.",
        "focal_officer_confirmed": True,
    }
    return base | overrides


@pytest.fixture
def clock():
    """Frozen at NOW; ``clock.move_to(local(...))`` moves it."""
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


@pytest.fixture
def send(clock):
    """``send(user, district, week, at=local(...), **figures)`` -> Submission, sent at that moment."""

    def make(user, district, week, at=None, source=Source.WEB, **overrides):
        if at is not None:
            clock.move_to(at)
        try:
            return report_submit(
                by=user, district=district, week_ending=week, values=values(**overrides), source=source
            )
        finally:
            clock.move_to(NOW)

    return make


@pytest.fixture
def focal_officer(bat_xat):
    return FocalOfficer.objects.create(
        full_name="Vàng Thị Mỷ", phone="0912000111", email="vhtt.batxat@laocai.gov.vn", district=bat_xat
    )


@pytest.fixture(autouse=True)
def _private_files(settings, tmp_path):
    settings.PRIVATE_FILES_ROOT = tmp_path / "files"
