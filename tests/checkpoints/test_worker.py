"""The daily-lists beat job on a REAL Celery worker (Redis broker, the test database), read back.

Every workbook the worker writes is opened with openpyxl and compared with the database. Killing the
worker (SIGKILL) in the middle of a run leaves no partial list, and the message, acknowledged only
at the end, is redelivered to the next worker, which finishes what is missing.
"""

from __future__ import annotations

import email
import time
from datetime import timedelta

import pytest
from django.conf import settings
from django.test import override_settings
from openpyxl import load_workbook

from checkpoints.models import Arrival, DailyList
from checkpoints.services.daily_lists import daily_lists_run
from rollout import outbox
from rollout.celery import app as celery_app
from rollout.models import FocalOfficer, FollowUp, JobRun
from rollout.timeutils import day_bounds, local_datetime, local_today
from tests.checkpoints.conftest import HEADER_ROW
from tests.factories import ArrivalFactory, CheckpointFactory, district
from tests.worker import wait_for

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]


def _at(day, hour: int, minute: int):
    from datetime import time as clock

    return local_datetime(day, clock(hour, minute))


def _send_beat_task() -> None:
    """Queue exactly what beat queues at 06:30."""
    entry = settings.CELERY_BEAT_SCHEDULE["daily-lists"]
    celery_app.send_task(entry["task"], args=entry.get("args", ()), kwargs=entry.get("kwargs", {}))


def _rows(path):
    ws = load_workbook(path).active
    return ws, [r for r in ws.iter_rows(min_row=HEADER_ROW + 1, values_only=True) if r[0] is not None]


def test_beat_job_on_a_real_worker_builds_lists_that_match_the_database(celery_worker, files_root):
    today = local_today()
    d1, d2, d3 = (today - timedelta(days=n) for n in (1, 2, 3))
    checkpoint = CheckpointFactory()
    for short in ("bat_xat", "sa_pa"):
        FocalOfficer.objects.create(full_name="Đầu mối", phone="0912345678", email=f"{short}@demo.gov.vn",
                                    district=district(short))  # fmt: skip
    with override_settings(PRIVATE_FILES_ROOT=files_root):
        daily_lists_run(day=d3, notify=False)  # the last day built before the system went down
    ArrivalFactory(checkpoint=checkpoint, destination_district=district("bat_xat"), arrived_at=_at(d2, 23, 59),
                   full_name="Trước nửa đêm")  # fmt: skip
    ArrivalFactory(checkpoint=checkpoint, destination_district=district("bat_xat"), arrived_at=_at(d1, 0, 1),
                   full_name="Sau nửa đêm")  # fmt: skip
    ArrivalFactory(checkpoint=checkpoint, destination_district=district("bat_xat"), arrived_at=_at(d1, 9, 0),
                   full_name='=HYPERLINK("http://x","y")')  # fmt: skip
    for n in range(7):
        ArrivalFactory(checkpoint=checkpoint, destination_district=district("sa_pa" if n % 2 else "lao_cai"),
                       arrived_at=_at(d1 if n < 5 else d2, 10 + n, 0), phone=f"09123456{n:02d}")  # fmt: skip

    _send_beat_task()
    wait_for(lambda: DailyList.objects.filter(day__in=[d1, d2]).count() == 18, timeout=90, message="18 lists")
    wait_for(lambda: JobRun.objects.filter(job="daily_lists_build", status="succeeded").count() == 2, timeout=30,
             message="the job run recorded")  # fmt: skip

    for daily_list in DailyList.objects.filter(day__in=[d1, d2]).select_related("district"):
        start, end = day_bounds(daily_list.day)
        expected = Arrival.objects.filter(
            destination_district=daily_list.district, arrived_at__gte=start, arrived_at__lt=end
        ).count()
        ws, rows = _rows(files_root / daily_list.file)
        assert len(rows) == expected == daily_list.rows == ws["B5"].value, daily_list
        assert ws["B2"].value == daily_list.district.name
    bat_xat = {dl.day: dl for dl in DailyList.objects.filter(district=district("bat_xat"))}
    assert [r[2] for r in _rows(files_root / bat_xat[d2].file)[1]] == ["Trước nửa đêm"]
    ws, rows = _rows(files_root / bat_xat[d1].file)
    assert [r[2] for r in rows] == ["Sau nửa đêm", '=HYPERLINK("http://x","y")']
    assert ws.cell(row=HEADER_ROW + 2, column=3).data_type == "s"  # text, not a formula
    assert DailyList.objects.filter(day=d3, revision=1).count() == 9  # left alone

    # One e-mail per list of the two districts with a focal officer, each with the download link.
    mails = wait_for(lambda: len(_mails(celery_worker.mail_dir)) == 4 and _mails(celery_worker.mail_dir),
                     message="e-mails to focal officers")  # fmt: skip
    to_bat_xat = [m for m in mails if m["To"] == "bat_xat@demo.gov.vn"]
    assert len(to_bat_xat) == 2
    assert any(f"/checkpoints/daily-lists/{bat_xat[d1].pk}/download/" in _body(m) for m in to_bat_xat)


def _mails(folder) -> list:
    messages = []
    for path in folder.glob("*.log"):
        for chunk in path.read_bytes().split(b"-" * 79):
            if chunk.strip():
                messages.append(email.message_from_bytes(chunk.strip()))
    return messages


def _body(message) -> str:
    return "".join(
        part.get_payload(decode=True).decode() for part in message.walk() if part.get_content_type() == "text/plain"
    )


def test_killing_the_worker_mid_run_is_seen_by_its_heartbeat_and_a_new_worker_completes_the_run(
    celery_worker, files_root, monkeypatch, settings
):
    # A slow writer (test-only setting) and a heartbeat every second. The broker's visibility timeout
    # stays at its two hours: the sweep, not a redelivery, gives the work to the next worker.
    monkeypatch.setenv("DAILY_LISTS_TEST_ROW_DELAY_MS", "40")
    monkeypatch.setenv("HEARTBEAT_SECONDS", "1")
    monkeypatch.setenv("WORKER_LOST_SECONDS", "4")
    settings.WORKER_LOST_SECONDS = 4
    celery_worker.stop()
    celery_worker.start()
    yesterday = local_today() - timedelta(days=1)
    checkpoint = CheckpointFactory()
    ArrivalFactory.create_batch(
        120, checkpoint=checkpoint, destination_district=district("sa_pa"), arrived_at=_at(yesterday, 12, 0)
    )
    ArrivalFactory.create_batch(
        3, checkpoint=checkpoint, destination_district=district("bat_xat"), arrived_at=_at(yesterday, 8, 0)
    )
    folder = files_root / "daily-lists" / f"{yesterday:%Y}" / f"{yesterday:%Y-%m-%d}"

    _send_beat_task()
    part = wait_for(lambda: list(folder.glob(".*sa-pa*.part")), timeout=60, message="Sa Pa's list being written")
    time.sleep(1)  # well inside the ~5 s it takes to write Sa Pa's 120 rows
    celery_worker.kill()

    # Nothing half-written is ever a list: Sa Pa has no file and no record; what exists opens whole.
    assert part[0].exists() and not list(folder.glob("*sa-pa.xlsx"))
    assert not DailyList.objects.filter(district=district("sa_pa")).exists()
    done_before = set(DailyList.objects.values_list("district_id", flat=True))
    assert district("bat_xat").pk in done_before and len(done_before) < 9
    for path in folder.glob("*.xlsx"):
        load_workbook(path)

    # Its heartbeat is at most a second old: still running. Once it is older than the threshold, the
    # sweep marks the run interrupted and records its work as waiting again.
    run = JobRun.objects.get(job="daily_lists_build")
    assert outbox.sweep()["interrupted"] == 0 and run.status == JobRun.Status.RUNNING
    wait_for(lambda: outbox.sweep()["interrupted"], timeout=30, message="the run seen as interrupted")
    run.refresh_from_db()
    assert run.status == JobRun.Status.INTERRUPTED
    assert timedelta(seconds=4) <= run.finished_at - run.heartbeat_at < timedelta(seconds=10)
    assert FollowUp.objects.get(task="checkpoints.tasks.daily_lists_build_task").state == FollowUp.State.PENDING

    celery_worker.start()  # its start-up sweep sends the waiting run
    wait_for(lambda: DailyList.objects.filter(day=yesterday).count() == 9, timeout=120, message="the retried run")
    sa_pa = DailyList.objects.get(district=district("sa_pa"))
    assert sa_pa.rows == 120 and len(_rows(files_root / sa_pa.file)[1]) == 120
    assert not list(folder.glob("*.part"))  # the killed run's temporary file was cleaned up
    # The retried run built only what was missing: lists finished before the kill keep revision 1.
    assert set(DailyList.objects.values_list("revision", flat=True)) == {1}
    wait_for(lambda: JobRun.objects.filter(job="daily_lists_build", status="succeeded").exists(), timeout=30,
             message="the successful run recorded")  # fmt: skip
    statuses = list(
        JobRun.objects.filter(job="daily_lists_build").order_by("started_at").values_list("status", flat=True)
    )
    assert statuses == [JobRun.Status.INTERRUPTED, JobRun.Status.SUCCEEDED]
