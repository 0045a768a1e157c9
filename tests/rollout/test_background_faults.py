"""Outages of the broker with a real worker: a Redis of the test's own, stopped and started by its pid.

Saved actions never end in an error while the broker is away; what they recorded is delivered once it
is back, exactly once; and the same worker process lives through the outage.
"""

from __future__ import annotations

import email
import time
from datetime import timedelta

import pytest
from django.urls import reverse

from checkpoints.models import DailyList
from reports.models import Rollup
from reports.services.submissions import report_submit
from reports.weeks import last_due_week
from rollout import outbox
from rollout.celery import app as celery_app
from rollout.models import FocalOfficer, FollowUp, Role
from rollout.timeutils import local_today
from tests.factories import UserFactory
from tests.redis_server import RedisServer
from tests.reports.conftest import values
from tests.worker import WorkerProcess, wait_for

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def own_redis(monkeypatch):
    """The broker of this test (web side and worker): a Redis of its own on a free port."""
    server = RedisServer().start()
    monkeypatch.setenv("CELERY_BROKER_URL", server.url)  # the worker process reads it
    monkeypatch.setattr(celery_app.conf, "broker_url", server.url)
    _forget_broker_connections()
    yield server
    server.close()
    _forget_broker_connections()


def _forget_broker_connections() -> None:
    """Connections to another broker URL are made afresh (the old pool is left to the garbage collector:
    closing it would break whoever still holds it)."""
    celery_app._pool = None
    celery_app.amqp._producer_pool = None


@pytest.fixture
def worker(own_redis, units, tmp_path, settings):
    settings.PRIVATE_FILES_ROOT = tmp_path / "files"
    celery_app.conf.task_always_eager = False
    process = WorkerProcess(tmp_path)
    yield process
    process.stop()


def _mails(folder) -> list:
    found = []
    for path in folder.glob("*.log"):
        for chunk in path.read_bytes().split(b"-" * 79):
            if chunk.strip():
                found.append(email.message_from_bytes(chunk.strip()))
    return found


def test_saved_actions_succeed_while_the_broker_is_down_and_run_once_when_it_is_back(
    own_redis, worker, client_for, province_admin, district_officer, bat_xat
):
    FocalOfficer.objects.create(full_name="Đầu mối", phone="0912345678", email="focal@laocai.gov.vn", district=bat_xat)
    invited = UserFactory.with_role(Role.DISTRICT_OFFICER, district=bat_xat)
    invited.email = "again@laocai.gov.vn"
    invited.save(update_fields=["email"])
    week = last_due_week()
    submitted = report_submit(
        by=district_officer, district=bat_xat, week_ending=week,
        values=values(),
    )  # fmt: skip
    own_redis.stop()  # the broker goes away
    admin = client_for(province_admin)

    answers = {
        "account": admin.post(
            reverse("accounts:user-create"),
            {
                "username": "new.officer",
                "full_name": "Vàng Thị Dợ",
                "email": "new@laocai.gov.vn",
                "phone": "0912 345 678",
                "role": Role.DISTRICT_OFFICER,
                "district": bat_xat.pk,
            },
            follow=True,
        ),
        "invitation": admin.post(reverse("accounts:user-action", args=[invited.pk, "resend"]), follow=True),
        "return": admin.post(
            reverse("reports:report-review", args=[bat_xat.pk, week]),
            {"decision": "returned", "version": submitted.version.number, "comment": "Bổ sung số liệu."},
            follow=True,
        ),
        "lists": admin.post(
            reverse("checkpoints:daily-list-build"), {"date": f"{local_today() - timedelta(1):%Y-%m-%d}"}, follow=True
        ),
        "rollup": admin.post(reverse("reports:rollup-list"), {"week_ending": week.isoformat()}, follow=True),
    }
    for action, response in answers.items():
        assert response.status_code == 200 and response.redirect_chain, action  # saved, then shown: no error
        said = " ".join(str(m) for m in response.context["messages"])
        assert "dịch vụ hoạt động trở lại" in said, (action, said)  # the user is told it will happen later
    assert FollowUp.objects.filter(state=FollowUp.State.PENDING).count() == 5
    assert outbox.sweep()["sent"] == 0  # still down: nothing lost, nothing sent

    own_redis.start()  # back, on the same port
    outbox.broker.reset()
    worker.start()  # its start-up sweep sends what waited
    outbox.sweep()  # and beat's sweep too: duplicates find their row taken
    wait_for(lambda: not FollowUp.objects.exclude(state=FollowUp.State.DONE).exists(), timeout=120,
             message="every follow-up done")  # fmt: skip
    outbox.sweep()
    time.sleep(1)  # a duplicate would have run by now

    mails = _mails(worker.mail_dir)
    # One e-mail per follow-up: the invitation, the one sent again, the return to the focal officer, and the
    # focal officer's daily list (the other districts have none).
    assert sorted(m["To"] for m in mails) == sorted(
        ["new@laocai.gov.vn", "again@laocai.gov.vn", "focal@laocai.gov.vn", "focal@laocai.gov.vn"]
    )
    assert DailyList.objects.filter(day=local_today() - timedelta(1)).count() == 9
    assert Rollup.objects.filter(week_ending=week, status=Rollup.Status.READY).count() == 1
    assert set(FollowUp.objects.values_list("attempts", flat=True)) == {1}


def test_the_worker_lives_through_a_redis_outage_and_runs_the_held_work_once(own_redis, worker, bat_xat):
    worker.start()
    pid = worker.process.pid
    # Dashboard rebuilds due in a few seconds: held by the database, never by the worker.
    for n in range(3):
        outbox.enqueue("dashboard.tasks.daily_stats_bump_task", key=f"bump:{n}", delay=2,
                       day=(local_today() - timedelta(days=n)).isoformat(), district_id=bat_xat.pk)  # fmt: skip
    own_redis.stop()
    time.sleep(6)  # the worker's connection is gone for several of its reconnect attempts
    assert worker.process.poll() is None, worker.log()[-3000:]
    assert outbox.sweep()["sent"] == 0  # due, but the broker is away

    own_redis.start()
    outbox.broker.reset()
    wait_for(lambda: outbox.sweep()["sent"] == 3 or not FollowUp.objects.filter(state="pending").exists(),
             timeout=60, message="the held rebuilds sent")  # fmt: skip
    wait_for(lambda: FollowUp.objects.filter(state=FollowUp.State.DONE).count() == 3, timeout=90,
             message="the held rebuilds run")  # fmt: skip
    assert worker.process.pid == pid and worker.process.poll() is None  # the same process, still alive
    assert list(FollowUp.objects.values_list("attempts", flat=True)) == [1, 1, 1]
    assert "Unrecoverable error" not in worker.log()
