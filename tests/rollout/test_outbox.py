"""The outbox: follow-ups recorded with their change, sent after commit or by the sweep, run once each."""

from __future__ import annotations

from datetime import timedelta
from unittest import mock

import pytest
from django.core import mail
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone

from rollout import outbox
from rollout.models import FollowUp, JobRun, Role, User
from rollout.services.jobs import job_run
from rollout.tasks import invitation_send_task
from tests.factories import UserFactory
from tests.outbox import run_due_followups, waiting

pytestmark = pytest.mark.django_db

BROKER_DOWN = mock.patch("celery.app.task.Task.apply_async", side_effect=ConnectionRefusedError(111, "refused"))
INVITE = "rollout.tasks.invitation_send_task"


def _create_account(client, bat_xat, username: str):
    return client.post(
        reverse("accounts:user-create"),
        {"username": username, "full_name": "Vàng Thị Dợ", "email": f"{username}@laocai.gov.vn",
         "phone": "0912 345 678", "role": Role.DISTRICT_OFFICER, "district": bat_xat.pk},
    )  # fmt: skip


def test_a_follow_up_is_recorded_with_its_change_and_sent_after_commit(
    client_for, province_admin, bat_xat, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = _create_account(client_for(province_admin), bat_xat, "bx.one")
    assert response.status_code == 302
    row = FollowUp.objects.get(task=INVITE)
    assert row.kwargs == {"user_id": User.objects.get(username="bx.one").pk}
    assert (row.state, row.attempts) == (FollowUp.State.DONE, 1)
    assert [m.to for m in mail.outbox] == [["bx.one@laocai.gov.vn"]]


@pytest.mark.django_db(transaction=True)  # commits happen as in production: the dispatch runs in the request
def test_with_the_broker_down_the_action_succeeds_says_so_and_the_sweep_sends_it_later(
    client_for, province_admin, bat_xat
):
    client = client_for(province_admin)
    with BROKER_DOWN:
        response = _create_account(client, bat_xat, "bx.two")
    assert response.status_code == 302  # the account exists: never an error page
    assert User.objects.filter(username="bx.two").exists()
    page = client.get(response.url).content.decode()
    assert "việc này sẽ được thực hiện ngay khi dịch vụ hoạt động trở lại" in page
    assert [r.task for r in waiting()] == [INVITE] and not mail.outbox

    with BROKER_DOWN:
        assert outbox.sweep()["sent"] == 0  # still down: the row waits
    outbox.broker.reset()  # back
    assert outbox.sweep()["sent"] == 1
    assert outbox.sweep()["sent"] == 0  # sent once
    assert [m.to for m in mail.outbox] == [["bx.two@laocai.gov.vn"]]


def test_an_open_breaker_spares_requests_the_broker_until_its_cooldown(
    client_for, province_admin, bat_xat, django_capture_on_commit_callbacks
):
    with BROKER_DOWN as apply_async, django_capture_on_commit_callbacks(execute=True):
        for n in range(3):
            _create_account(client_for(province_admin), bat_xat, f"bx.b{n}")
    assert apply_async.call_count == 1  # one failed try, then the breaker is open
    assert len(waiting(INVITE)) == 3


def test_a_duplicate_message_finds_its_follow_up_taken(province_admin):
    user = UserFactory(email="dup@laocai.gov.vn")
    row = outbox.enqueue(INVITE, user_id=user.pk)
    invitation_send_task.apply(kwargs={"user_id": user.pk, outbox.FOLLOWUP_KWARG: row.pk})
    invitation_send_task.apply(kwargs={"user_id": user.pk, outbox.FOLLOWUP_KWARG: row.pk})  # redelivered
    assert len(mail.outbox) == 1
    row.refresh_from_db()
    assert (row.state, row.attempts) == (FollowUp.State.DONE, 1)


def test_a_keyed_follow_up_waits_once_and_a_new_one_is_recorded_once_it_started():
    first = outbox.enqueue("dashboard.tasks.daily_stats_bump_task", key="k", delay=30, day="2021-11-10", district_id=1)
    assert outbox.enqueue("dashboard.tasks.daily_stats_bump_task", key="k", delay=30) is None
    assert outbox.claim(first.pk)
    assert outbox.enqueue("dashboard.tasks.daily_stats_bump_task", key="k", delay=30) is not None


@override_settings(OUTBOX_MAX_ATTEMPTS=2, OUTBOX_RETRY_BASE_SECONDS=30)
def test_a_failing_task_is_retried_with_backoff_then_given_up(province_admin):
    row = outbox.enqueue(INVITE, user_id=province_admin.pk)
    with mock.patch("rollout.services.accounts.invitation_send", side_effect=OSError("mail server down")):
        run_due_followups()
        row.refresh_from_db()
        assert row.state == FollowUp.State.PENDING and row.attempts == 1
        assert row.not_before > timezone.now() + timedelta(seconds=25)  # backoff, held by the database
        assert "mail server down" in row.last_error
        run_due_followups()
    row.refresh_from_db()
    assert (row.state, row.attempts) == (FollowUp.State.FAILED, 2)
    assert outbox.backlog() == {"waiting": 0, "failed": 1}


@override_settings(WORKER_LOST_SECONDS=60)
def test_the_sweep_marks_runs_of_a_dead_worker_interrupted_and_queues_their_work_again(units):
    with job_run("daily_lists_build") as alive:
        pass
    dead = JobRun.objects.create(job="daily_lists_build", heartbeat_at=timezone.now() - timedelta(seconds=61))
    fresh = JobRun.objects.create(job="daily_lists_build", heartbeat_at=timezone.now() - timedelta(seconds=30))
    lost = outbox.start("checkpoints.tasks.daily_lists_build_task", {})
    FollowUp.objects.filter(pk=lost).update(heartbeat_at=timezone.now() - timedelta(seconds=61))
    with BROKER_DOWN:  # re-queued in the database, sent when the broker answers
        result = outbox.sweep()
    assert (result["interrupted"], result["requeued"]) == (1, 1)
    dead.refresh_from_db(), fresh.refresh_from_db(), alive.refresh_from_db()
    assert (dead.status, fresh.status, alive.status) == ("interrupted", "running", "succeeded")
    assert "đã được xếp chạy lại" in dead.error
    assert FollowUp.objects.get(pk=lost).state == FollowUp.State.PENDING


def test_a_beat_task_records_its_own_follow_up(units):
    from dashboard.tasks import daily_stats_refresh_today_task

    daily_stats_refresh_today_task.apply()
    row = FollowUp.objects.get(task="dashboard.tasks.daily_stats_refresh_today_task")
    assert (row.state, row.attempts) == (FollowUp.State.DONE, 1)


@override_settings(WORKER_LOST_SECONDS=60)
def test_a_long_run_by_hand_is_not_taken_for_a_dead_worker(units):
    """A command run in a shell has no heartbeat thread: its run is not the sweep's to interrupt."""
    with job_run("daily_lists_build") as by_hand:
        JobRun.objects.filter(pk=by_hand.pk).update(started_at=timezone.now() - timedelta(minutes=10))
        assert by_hand.heartbeat_at is None
        assert outbox.sweep()["interrupted"] == 0
    by_hand.refresh_from_db()
    assert by_hand.status == JobRun.Status.SUCCEEDED
