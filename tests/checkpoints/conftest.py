"""Fixtures for checkpoints: local times, arrivals, workbooks read back, a private files root."""

from __future__ import annotations

from datetime import date, datetime, time
from pathlib import Path

import pytest
from openpyxl import load_workbook

from checkpoints.models import DailyList
from rollout.models import FocalOfficer
from rollout.timeutils import local_datetime
from tests.factories import ArrivalFactory, CheckpointFactory, district

# Row of the header in a daily list (title, 4 facts, warning, blank, header).
HEADER_ROW = 8


def local_dt(text: str) -> datetime:
    """ "2021-11-02 23:59" in Asia/Ho_Chi_Minh."""
    day, clock = text.split(" ")
    return local_datetime(date.fromisoformat(day), time.fromisoformat(clock))


@pytest.fixture(autouse=True)
def files_root(settings, tmp_path) -> Path:
    settings.PRIVATE_FILES_ROOT = tmp_path / "files"
    return settings.PRIVATE_FILES_ROOT


@pytest.fixture
def arrival(units):
    """``arrival(district_short="bat_xat", at="2021-11-02 10:00", **fields)``."""

    def make(district_short: str = "bat_xat", at: str = "2021-11-02 10:00", **fields):
        return ArrivalFactory(destination_district=district(district_short), arrived_at=local_dt(at), **fields)

    return make


@pytest.fixture
def focal_officers(units):
    """A primary focal officer with an e-mail for Bát Xát and Sa Pa."""
    return {
        short: FocalOfficer.objects.create(
            full_name=f"Đầu mối {short}", phone="0912345678", email=f"{short}@demo.gov.vn", district=district(short)
        )
        for short in ("bat_xat", "sa_pa")
    }


def read_list(daily_list: DailyList, root: Path):
    """The workbook's sheet and its data rows (below the header) as value tuples."""
    ws = load_workbook(root / daily_list.file).active
    rows = list(ws.iter_rows(min_row=HEADER_ROW + 1, values_only=True))
    return ws, rows


@pytest.fixture
def other_checkpoint(units):
    return CheckpointFactory(district=district("sa_pa"))
