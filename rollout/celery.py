"""The Celery application: worker and beat read their settings from Django's (CELERY_*).

Every task is a ``rollout.background.Task``: claimed through the outbox, retried by it, and kept alive
by a heartbeat (see that module).
"""

import os

from celery import Celery
from celery.signals import worker_process_init, worker_ready

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "rollout.settings")

app = Celery("rollout", task_cls="rollout.background:Task")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@worker_ready.connect
def _worker_ready(**kwargs):
    from rollout.background import on_worker_ready

    on_worker_ready(**kwargs)


@worker_process_init.connect
def _worker_process_init(**kwargs):
    """A pool process (prefork) runs tasks: it keeps its own heartbeat."""
    from rollout.background import start_heartbeat

    start_heartbeat()
