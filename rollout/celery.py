"""The Celery application: worker and beat read their settings from Django's (CELERY_*).

Every task is a ``rollout.background.Task``: claimed through the outbox, retried by it, and kept alive
by a heartbeat (see that module).
"""

import os
from fnmatch import fnmatchcase

from celery import Celery
from celery.signals import task_postrun, task_prerun, worker_process_init, worker_ready

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "rollout.settings")

app = Celery("rollout", task_cls="rollout.background:Task")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


def queue_of(task_name: str) -> str | None:
    """The queue a task is routed to (CELERY_TASK_QUEUE_OF: its name, else the first matching pattern)."""
    from django.conf import settings

    table = settings.CELERY_TASK_QUEUE_OF
    if task_name in table:
        return table[task_name]
    return next((queue for pattern, queue in table.items() if "*" in pattern and fnmatchcase(task_name, pattern)), None)


class QueueLimits:
    """Celery annotation (CELERY_TASK_ANNOTATIONS): every task gets the time limits of its queue."""

    def annotate(self, task) -> dict | None:
        from django.conf import settings

        queue = queue_of(task.name)
        if queue is None:
            return None
        limits = settings.CELERY_QUEUE_LIMITS[queue]
        return {"soft_time_limit": limits["soft_time_limit"], "time_limit": limits["time_limit"]}

    def annotate_any(self) -> None:
        return None


@worker_ready.connect
def _worker_ready(**kwargs):
    from rollout.background import on_worker_ready

    on_worker_ready(**kwargs)


# Each task starts with nothing written: its reads may use the replica until it writes (rollout.dbrouter).
_units: dict[str, object] = {}


@task_prerun.connect
def _task_prerun(task_id=None, **kwargs):
    from rollout.dbrouter import start_unit

    _units[task_id] = start_unit()


@task_postrun.connect
def _task_postrun(task_id=None, **kwargs):
    from rollout.dbrouter import end_unit

    token = _units.pop(task_id, None)
    if token is not None:
        end_unit(token)


@worker_process_init.connect
def _worker_process_init(**kwargs):
    """A pool process (prefork) runs tasks: it keeps its own heartbeat."""
    from rollout.background import start_heartbeat

    start_heartbeat()
