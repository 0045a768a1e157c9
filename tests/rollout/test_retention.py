"""Personal data is deleted after the retention (SPEC §9); the daily figures outlive it."""

from __future__ import annotations

import io
import uuid
from datetime import date, time, timedelta
from pathlib import Path

import pytest
from django.core.management import call_command

from checkpoints.models import Arrival, DailyList, Declaration, DeclarationKind
from checkpoints.services.daily_lists import daily_list_build
from dashboard.models import DistrictDay
from dashboard.services.stats import daily_stats_recompute
from rollout.models import AuditEvent, JobRun
from rollout.services.retention import personal_data_purge
from rollout.timeutils import local_datetime, local_today
from tests.factories import ArrivalFactory, CheckInFactory, VenueFactory
from venues.models import CheckIn

pytestmark = pytest.mark.django_db

TODAY = date(2021, 11, 30)
FIRST_KEPT = date(2021, 11, 10)  # 21 days kept, today included
LAST_PURGED = FIRST_KEPT - timedelta(days=1)


@pytest.fixture
def files_root(settings, tmp_path) -> Path:
    settings.PERSONAL_DATA_RETENTION_DAYS = 21
    settings.PRIVATE_FILES_ROOT = tmp_path / "files"
    return settings.PRIVATE_FILES_ROOT


def _declaration(bat_xat, day: date) -> Declaration:
    declaration = Declaration.objects.create(
        kind=DeclarationKind.TRAVEL, full_name="Giàng A Páo", phone="0987654321", destination_district=bat_xat,
        token=uuid.uuid4().hex,
    )  # fmt: skip
    Declaration.objects.filter(pk=declaration.pk).update(created_at=local_datetime(day, time(23, 59)))
    return declaration


@pytest.fixture
def world(bat_xat, files_root):
    """On each side of the retention's edge (local midnight starting FIRST_KEPT): one check-in, one
    arrival with its declaration, and the day's list for Bát Xát; the kept arrival is flagged as a
    possible duplicate of the purged one."""
    venue = VenueFactory(district=bat_xat)
    old = {
        "checkin": CheckInFactory(venue=venue, checked_in_at=local_datetime(LAST_PURGED, time(23, 59))),
        "declaration": (declaration := _declaration(bat_xat, LAST_PURGED)),
        "arrival": (old_arrival := ArrivalFactory(
            arrived_at=local_datetime(LAST_PURGED, time(23, 59)), declaration=declaration
        )),
    }  # fmt: skip
    kept = {
        "checkin": CheckInFactory(venue=venue, checked_in_at=local_datetime(FIRST_KEPT, time(0, 1))),
        "declaration": (declaration := _declaration(bat_xat, FIRST_KEPT)),
        "arrival": ArrivalFactory(
            arrived_at=local_datetime(FIRST_KEPT, time(0, 1)),
            declaration=declaration,
            possible_duplicate_of=old_arrival,
        ),
    }
    daily_stats_recompute(first=LAST_PURGED, last=FIRST_KEPT, district_ids=[bat_xat.pk], force=True)
    old["list"] = daily_list_build(district=bat_xat, day=LAST_PURGED, notify=False)
    kept["list"] = daily_list_build(district=bat_xat, day=FIRST_KEPT, notify=False)
    return old, kept


def test_personal_data_before_the_oldest_kept_day_is_deleted_and_the_figures_are_kept(world, bat_xat, files_root):
    old, kept = world
    result = personal_data_purge(today=TODAY)

    assert result.first_kept_day == FIRST_KEPT
    assert result.deleted == {
        "check-ins": 1,
        "arrivals": 1,
        "declarations": 1,
        "daily lists": 1,
        "tracing lists": 0,
        "tracing searches": 0,
        "import jobs": 0,
        "sync receipts": 0,
    }
    assert list(CheckIn.objects.all()) == [kept["checkin"]]
    assert list(Arrival.objects.all()) == [kept["arrival"]]
    assert list(Declaration.objects.all()) == [kept["declaration"]]
    assert list(DailyList.objects.all()) == [kept["list"]]
    assert not (files_root / old["list"].file).exists() and (files_root / kept["list"].file).exists()
    # A kept arrival that pointed at a purged one keeps everything but that link.
    survivor = Arrival.objects.get()
    assert survivor.possible_duplicate_of is None and survivor.declaration == kept["declaration"]
    # The figures of the purged day stay as they were.
    figures = DistrictDay.objects.get(district=bat_xat, day=LAST_PURGED)
    assert (figures.checkins, figures.arrivals) == (1, 1)


def test_the_run_is_recorded_and_audited_with_counts_only_and_a_second_run_deletes_nothing(world):
    personal_data_purge(today=TODAY)
    run = JobRun.objects.get(job="purge_personal_data")
    assert run.status == JobRun.Status.SUCCEEDED and "1 lượt quét QR" in run.result
    event = AuditEvent.objects.get(action="personal_data_purge")
    assert event.detail == {
        "before": "2021-11-10",
        "check-ins": 1,
        "arrivals": 1,
        "declarations": 1,
        "daily lists": 1,
        "tracing lists": 0,
        "tracing searches": 0,
        "import jobs": 0,
        "sync receipts": 0,
    }
    assert "Giàng" not in str(event.detail) and "0987" not in str(event.detail)

    again = personal_data_purge(today=TODAY)
    assert set(again.deleted.values()) == {0}
    assert (CheckIn.objects.count(), Arrival.objects.count(), DailyList.objects.count()) == (1, 1, 1)


def test_a_dry_run_counts_and_deletes_nothing(world, files_root):
    old, _kept = world
    result = personal_data_purge(today=TODAY, dry_run=True)
    assert result.deleted == {
        "check-ins": 1,
        "arrivals": 1,
        "declarations": 1,
        "daily lists": 1,
        "tracing lists": 0,
        "tracing searches": 0,
        "import jobs": 0,
        "sync receipts": 0,
    }
    assert (CheckIn.objects.count(), Arrival.objects.count(), Declaration.objects.count()) == (2, 2, 2)
    assert (files_root / old["list"].file).exists() and not AuditEvent.objects.filter(action="personal_data_purge")


def test_rows_go_in_batches(bat_xat, files_root, monkeypatch):
    monkeypatch.setattr("rollout.services.retention.BATCH", 2)
    venue = VenueFactory(district=bat_xat)
    for minute in range(5):
        CheckInFactory(venue=venue, checked_in_at=local_datetime(LAST_PURGED, time(12, minute)))
    assert personal_data_purge(today=TODAY).deleted["check-ins"] == 5 and not CheckIn.objects.exists()


def test_the_command_prints_each_deleted_list_file_with_its_rows(bat_xat, files_root):
    today = local_today()
    old_day = today - timedelta(days=21)
    ArrivalFactory(arrived_at=local_datetime(old_day, time(9, 0)))
    ArrivalFactory(arrived_at=local_datetime(today, time(0, 0)))
    old_list = daily_list_build(district=bat_xat, day=old_day, notify=False)
    out = io.StringIO()
    call_command("purge_personal_data", stdout=out)
    lines = out.getvalue().splitlines()
    assert lines[0] == f"{files_root / old_list.file} 1"
    assert lines[1].startswith(f"before {today - timedelta(days=20):%d/%m/%Y}: deleted 0 check-ins, 1 arrivals")
    assert Arrival.objects.count() == 1


def test_the_purge_runs_nightly_from_celery_beat(settings):
    entry = settings.CELERY_BEAT_SCHEDULE["purge-personal-data"]
    assert entry["task"] == "rollout.tasks.personal_data_purge_task"
    assert entry["schedule"]._orig_hour == 2 and entry["schedule"]._orig_minute == 0


def test_receipts_of_records_sent_from_devices_go_with_the_retention(bat_xat, files_root):
    from rollout.models import SyncReceipt

    old = SyncReceipt.objects.create(key="a" * 64, kind="arrival", created_at=local_datetime(LAST_PURGED, time(23, 0)))
    kept = SyncReceipt.objects.create(key="b" * 64, kind="arrival", created_at=local_datetime(FIRST_KEPT, time(0, 1)))
    assert personal_data_purge(today=TODAY).deleted["sync receipts"] == 1
    assert list(SyncReceipt.objects.all()) == [kept] and old.pk != kept.pk
