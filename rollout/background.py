"""How every Celery task runs: claimed through the outbox, retried by it, and watched by a heartbeat.

``Task`` is the base class of every task (``rollout.celery``). A task that arrives with a follow-up id
claims that row first (a duplicate message finds it taken and does nothing); one that arrives without
(beat, a command's ``delay``) records a row of its own. Either way, a failure goes back to the outbox
with a backoff instead of a Celery retry: a worker never holds a countdown message, which is what made
it exit when Redis went away. A thread in each worker process renews the heartbeat of the process and
of the rows and job runs it is working on; the sweep treats a silent one as dead and queues its work
again.
"""

from __future__ import annotations

import logging
import os
import socket
import threading
import time
from typing import Any

import celery
from django.conf import settings

logger = logging.getLogger(__name__)

_lock = threading.Lock()
_followups: set[int] = set()
_runs: set[int] = set()
_started_in_pid: int | None = None


class Task(celery.Task):
    # False for the sweep itself: it is how rows get sent, so it is not one of them.
    tracked = True
    # The follow-up id travels as an extra keyword that ``__call__`` takes off before the task runs, so
    # Celery's check of the arguments against the signature at sending time is off.
    typing = False

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        from rollout import outbox
        from rollout.errors import ApplicationError

        followup_id = kwargs.pop(outbox.FOLLOWUP_KWARG, None)
        if not self.tracked:
            return super().__call__(*args, **kwargs)
        if followup_id is None:
            followup_id = outbox.start(self.name, kwargs)
        elif not outbox.claim(followup_id):
            logger.info("%s: follow-up %s already taken or done; nothing to do", self.name, followup_id)
            return None
        with working_on(followups=[followup_id]):
            try:
                result = super().__call__(*args, **kwargs)
            except ApplicationError as exc:  # expected and final: retrying changes nothing
                outbox.fail(followup_id, exc, retry=False)
                raise
            except Exception as exc:
                outbox.fail(followup_id, exc)
                raise
        outbox.complete(followup_id)
        return result


class working_on:
    """Mark rows of this process as being worked on, so the heartbeat keeps them alive."""

    def __init__(self, *, followups: list[int] = (), runs: list[int] = ()) -> None:
        self.followups, self.runs = set(followups), set(runs)

    def __enter__(self) -> None:
        with _lock:
            _followups.update(self.followups)
            _runs.update(self.runs)

    def __exit__(self, *exc: object) -> None:
        with _lock:
            _followups.difference_update(self.followups)
            _runs.difference_update(self.runs)


def process_name() -> str:
    return f"worker:{socket.gethostname()}:{os.getpid()}"


def beat_once(name: str) -> None:
    """One heartbeat: this process is alive, and so is the work it holds."""
    from django.utils import timezone

    from rollout.models import FollowUp, Heartbeat, JobRun

    now = timezone.now()
    Heartbeat.objects.update_or_create(name=name, defaults={"seen_at": now})
    with _lock:
        followups, runs = list(_followups), list(_runs)
    if followups:
        FollowUp.objects.filter(pk__in=followups, state=FollowUp.State.RUNNING).update(heartbeat_at=now)
    if runs:
        JobRun.objects.filter(pk__in=runs, status=JobRun.Status.RUNNING).update(heartbeat_at=now)


def _heartbeat_loop() -> None:
    from django.db import close_old_connections, connection

    name = process_name()
    while True:
        try:
            close_old_connections()
            beat_once(name)
        except Exception as exc:  # the database is down: try again at the next beat
            logger.warning("heartbeat not recorded (%s)", type(exc).__name__)
            connection.close()
        time.sleep(settings.HEARTBEAT_SECONDS)


def has_heartbeat() -> bool:
    """Whether this process keeps a heartbeat (a worker process), so the work it holds is watched."""
    return _started_in_pid == os.getpid()


def start_heartbeat() -> None:
    """Start this process's heartbeat thread (once per process)."""
    global _started_in_pid
    if _started_in_pid == os.getpid():
        return
    _started_in_pid = os.getpid()
    with _lock:  # a forked child inherits its parent's sets, not its work
        _followups.clear()
        _runs.clear()
    threading.Thread(target=_heartbeat_loop, name="heartbeat", daemon=True).start()


def on_worker_ready(**_kwargs: Any) -> None:
    """A worker came up: start its heartbeat and send what waited while no worker ran."""
    from rollout import outbox

    start_heartbeat()
    try:
        outbox.sweep()
    except Exception as exc:
        logger.warning("start-up sweep failed (%s); beat's sweep will retry", type(exc).__name__)
