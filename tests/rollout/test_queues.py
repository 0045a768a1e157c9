"""Queues per kind of work: every task routed in one table, and a slow export never delays an invitation."""

from __future__ import annotations

import importlib

import pytest
import yaml
from django.apps import apps
from django.conf import settings
from django.db import transaction
from django.urls import reverse

from rollout import outbox
from rollout.celery import app as celery_app
from rollout.celery import queue_of
from rollout.models import FollowUp, Role
from tests.worker import ROOT, WorkerProcess, purge_broker, wait_for, waiting_in_queue


def _project_tasks() -> list[str]:
    for config in apps.get_app_configs():
        if (ROOT / config.label / "tasks.py").exists():
            importlib.import_module(f"{config.name}.tasks")
    return sorted(name for name in celery_app.tasks if not name.startswith("celery."))


def test_every_project_task_is_routed_to_a_declared_queue_with_its_priority_and_time_limits():
    tasks = _project_tasks()
    assert len(tasks) >= 16  # every app's tasks were found, not an empty list passing by itself
    declared = {queue.name for queue in celery_app.conf.task_queues}
    assert declared == set(settings.CELERY_QUEUE_LIMITS)
    for name in tasks:
        queue = queue_of(name)
        assert queue in declared, f"{name} has no route in CELERY_TASK_QUEUE_OF"
        route = celery_app.amqp.router.route({}, name)
        limits = settings.CELERY_QUEUE_LIMITS[queue]
        assert route["queue"].name == queue and route["priority"] == limits["priority"], name
        task = celery_app.tasks[name]
        assert (task.soft_time_limit, task.time_limit) == (limits["soft_time_limit"], limits["time_limit"]), name
        assert task.soft_time_limit < task.time_limit


def test_each_kind_of_work_has_its_queue():
    assert queue_of("rollout.tasks.invitation_send_task") == "mail"
    assert queue_of("checkpoints.tasks.daily_lists_build_task") == "exports"
    assert queue_of("dashboard.tasks.daily_stats_bump_task") == "figures"
    # An import task, whichever app adds it, lands on the imports queue without a new line here.
    assert queue_of("checkpoints.tasks.arrivals_import_task") == "imports"
    assert celery_app.amqp.router.route({}, "checkpoints.tasks.arrivals_import_task")["queue"].name == "imports"
    # Each queue is bound by its own key: a message for one queue never lands in another.
    keys = {queue.name: queue.routing_key for queue in celery_app.conf.task_queues}
    assert all(key == name for name, key in keys.items())
    # Mail comes first on a worker that listens to every queue (Redis: 0 is the highest priority).
    priorities = {queue: limits["priority"] for queue, limits in settings.CELERY_QUEUE_LIMITS.items()}
    assert priorities["mail"] == min(priorities.values()) and priorities["exports"] == max(priorities.values())


def test_compose_runs_one_worker_pool_per_queue():
    services = yaml.safe_load((ROOT / "docker-compose.yml").read_text())["services"]
    listened = []
    for name, service in services.items():
        command = service.get("command") or []
        if command[:4] == ["celery", "-A", "rollout", "worker"]:
            queues = command[command.index("-Q") + 1].split(",")
            assert name == f"worker-{queues[0]}"
            listened += queues
    assert sorted(listened) == sorted(settings.CELERY_QUEUE_LIMITS)


@pytest.fixture
def mail_worker(transactional_db, units, tmp_path, settings):
    """A real worker listening on the mail queue only: nobody takes the other queues' work."""
    if settings.CELERY_BROKER_URL.startswith("filesystem://"):
        pytest.fail("worker tests need CELERY_BROKER_URL=redis://… (make test sets it)")
    settings.PRIVATE_FILES_ROOT = tmp_path / "files"
    celery_app.conf.task_always_eager = False
    purge_broker()
    worker = WorkerProcess(tmp_path, queues=["mail"])
    worker.start()
    yield worker
    worker.stop()
    purge_broker()


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_an_export_waiting_for_its_workers_never_delays_an_invitation(mail_worker, client_for, province_admin, bat_xat):
    with transaction.atomic():
        export = outbox.enqueue("checkpoints.tasks.daily_lists_build_task")
    wait_for(lambda: waiting_in_queue("exports") == 1, message="the export in its queue")

    response = client_for(province_admin).post(
        reverse("accounts:user-create"),
        {
            "username": "bx.queues",
            "full_name": "Hà Thị Vân",
            "email": "van.queues@laocai.gov.vn",
            "role": Role.DISTRICT_OFFICER,
            "district": bat_xat.pk,
        },
    )
    assert response.status_code == 302
    body = wait_for(mail_worker.mail_text, message="the invitation e-mail")
    assert "To: van.queues@laocai.gov.vn" in body
    wait_for(lambda: mail_worker.succeeded("invitation_send_task"), message="the invitation task's success")
    # The export is still where it was sent: queued for the exports pool, untouched by the mail worker.
    assert waiting_in_queue("exports") == 1
    assert waiting_in_queue("mail") == 0
    export.refresh_from_db()
    assert export.state == FollowUp.State.PENDING and export.dispatched_at is not None
    assert "Task checkpoints.tasks.daily_lists_build_task" not in mail_worker.log()
    assert "Task rollout.tasks.invitation_send_task" in mail_worker.log()
