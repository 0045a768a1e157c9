"""The outbox: follow-up work recorded with the change that causes it, sent to the broker after commit.

``enqueue("app.tasks.some_task", key=..., delay=..., **kwargs)`` writes a ``FollowUp`` row in the current
transaction (so the follow-up exists exactly when the change does) and, for work due now, sends it after
commit. Sending never raises: with the broker down the row waits, and ``sweep()`` (beat, every
``OUTBOX_SWEEP_SECONDS``, and each worker's start) sends what is due. Work with a delay (a dashboard
rebuild, a list refresh after late arrivals) is never held by a worker as a countdown message: the row's
``not_before`` holds it, and the sweep sends it when due. A ``key`` coalesces: while a row with that key
waits, more enqueues of it add nothing.

Delivery is at least once. The task claims its row before working (``claim``), so a duplicate message
(a re-send by the sweep, a broker redelivery) finds it taken and does nothing; the worker keeps the row's
heartbeat fresh while it runs, and the sweep gives the work of a worker that died to the next one.
Tasks are named by string, so a service never imports the tasks module that imports it back.
"""

from __future__ import annotations

import importlib
import logging
from collections.abc import Iterable
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.http import HttpRequest
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from rollout.breaker import Breaker
from rollout.models import FollowUp, JobRun

logger = logging.getLogger(__name__)

# The keyword that carries a follow-up's id in the task message (popped by the task base class).
FOLLOWUP_KWARG = "_followup"
State = FollowUp.State
broker = Breaker("broker", cooldown=10)


def enqueue(task: str, *, key: str = "", delay: float = 0, **kwargs: Any) -> FollowUp | None:
    """Record a follow-up; it is sent after the current transaction commits (or when due).

    Returns None when a row with the same ``key`` is already waiting (coalesced).
    """
    row = FollowUp(task=task, kwargs=kwargs, key=key, not_before=timezone.now() + timedelta(seconds=delay))
    if key:
        if FollowUp.objects.filter(key=key, state=State.PENDING).exists():
            return None
        try:
            with transaction.atomic():
                row.save()
        except IntegrityError:  # another request recorded it between the check and the insert
            return None
    else:
        row.save()
    if delay <= 0:
        transaction.on_commit(lambda: dispatch([row]))
    return row


def dispatch(rows: Iterable[FollowUp]) -> int:
    """Send rows to the broker; never raises. Returns how many were sent.

    While the broker is failing (the breaker is open) nothing is tried: the sweep sends them later,
    and a request does not wait on a broker that is down.
    """
    rows = list(rows)
    if not rows or not broker.allow():
        return 0
    # Marked before sending: a task that runs (and fails) at once must find its own state, not ours.
    now = timezone.now()
    FollowUp.objects.filter(pk__in=[r.pk for r in rows], state=State.PENDING).update(dispatched_at=now)
    sent = 0
    for row in rows:
        if not broker.allow():
            break
        try:
            # apply_async honours task_always_eager (tests, CELERY_TASK_ALWAYS_EAGER); send_task does not.
            _task(row.task).apply_async(kwargs={**row.kwargs, FOLLOWUP_KWARG: row.pk}, retry=False)
        except Exception as exc:
            broker.failed(exc)
            break
        broker.succeeded()
        row.dispatched_at = now
        sent += 1
    if sent < len(rows):
        unsent = [r.pk for r in rows[sent:]]
        FollowUp.objects.filter(pk__in=unsent, dispatched_at=now).update(dispatched_at=None)
    return sent


def _task(name: str):
    """The task object, importing its module first in a process that has not (tasks load lazily)."""
    from rollout.celery import app

    if name not in app.tasks:
        importlib.import_module(name.rpartition(".")[0])
    return app.tasks[name]


def notify_if_waiting(request: HttpRequest) -> None:
    """Tell the user when the work their action recorded waits for the background service."""
    if broker.is_open:
        messages.warning(
            request, _("The background service is not answering: this will be done as soon as it is back.")
        )


# --- In the worker ----------------------------------------------------------------------------


def claim(followup_id: int) -> bool:
    """Take a follow-up for this worker: True once, for the first message that arrives."""
    now = timezone.now()
    return bool(
        FollowUp.objects.filter(pk=followup_id, state=State.PENDING).update(
            state=State.RUNNING, claimed_at=now, heartbeat_at=now, attempts=F("attempts") + 1
        )
    )


def start(task: str, kwargs: dict[str, Any]) -> int:
    """A task that arrived without a follow-up (beat, a command): record it as running, for the sweep."""
    now = timezone.now()
    row = FollowUp.objects.create(
        task=task, kwargs=kwargs, state=State.RUNNING, claimed_at=now, heartbeat_at=now, attempts=1
    )
    return row.pk


def complete(followup_id: int) -> None:
    FollowUp.objects.filter(pk=followup_id).update(state=State.DONE, finished_at=timezone.now())


def fail(followup_id: int, exc: BaseException, *, retry: bool = True) -> None:
    """The task raised: try again later with backoff, or give up after ``OUTBOX_MAX_ATTEMPTS``."""
    row = FollowUp.objects.filter(pk=followup_id).first()
    if row is None:
        return
    row.last_error = f"{type(exc).__name__}: {exc}"[:500]
    if not retry or row.attempts >= settings.OUTBOX_MAX_ATTEMPTS:
        row.state, row.finished_at = State.FAILED, timezone.now()
        row.save(update_fields=["state", "finished_at", "last_error"])
        logger.error("follow-up %s (%s) failed for good after %s attempts", row.pk, row.task, row.attempts)
        return
    backoff = min(settings.OUTBOX_RETRY_BASE_SECONDS * 2 ** (row.attempts - 1), settings.OUTBOX_RETRY_MAX_SECONDS)
    _back_to_pending(row, not_before=timezone.now() + timedelta(seconds=backoff))
    logger.warning("follow-up %s (%s) failed (%s); retrying in %s s", row.pk, row.task, type(exc).__name__, backoff)


def _back_to_pending(row: FollowUp, *, not_before) -> None:
    """Wait again; if a newer row with the same key already waits, that one does the same work."""
    try:
        with transaction.atomic():
            FollowUp.objects.filter(pk=row.pk).update(
                state=State.PENDING, not_before=not_before, dispatched_at=None, last_error=row.last_error
            )
    except IntegrityError:
        FollowUp.objects.filter(pk=row.pk).update(state=State.DONE, finished_at=timezone.now())


# --- The sweep --------------------------------------------------------------------------------


def sweep(*, limit: int = 500) -> dict[str, int]:
    """Give the work of dead workers to live ones, send what is due, forget old rows.

    Runs every ``OUTBOX_SWEEP_SECONDS`` (beat) and when a worker starts. Idempotent and cheap when
    there is nothing to do (three queries).
    """
    now = timezone.now()
    lost_before = now - timedelta(seconds=settings.WORKER_LOST_SECONDS)
    # Runs without a heartbeat are a command's, run by hand: nobody renews it, and none is expected.
    interrupted = JobRun.objects.filter(status=JobRun.Status.RUNNING, heartbeat_at__lt=lost_before)
    with translation.override(settings.LANGUAGE_CODE):
        error = _("The worker running this job stopped; the job was queued again.")
    runs = interrupted.update(status=JobRun.Status.INTERRUPTED, finished_at=now, error=error)
    requeued = 0
    for row in FollowUp.objects.filter(state=State.RUNNING, heartbeat_at__lt=lost_before):
        row.last_error = "worker lost"
        _back_to_pending(row, not_before=now)
        requeued += 1
    if runs or requeued:
        logger.warning("sweep: %s job runs interrupted, %s follow-ups queued again", runs, requeued)
    resend_before = now - timedelta(seconds=settings.OUTBOX_RESEND_SECONDS)
    due = list(
        FollowUp.objects.filter(state=State.PENDING, not_before__lte=now)
        .filter(Q(dispatched_at__isnull=True) | Q(dispatched_at__lt=resend_before))
        .order_by("not_before", "pk")[:limit]
    )
    sent = dispatch(due)
    return {"interrupted": runs, "requeued": requeued, "due": len(due), "sent": sent}


def forget_finished(*, days: int) -> int:
    """Delete follow-ups finished more than ``days`` ago (nightly, with the retention purge)."""
    deleted, _ = FollowUp.objects.filter(
        state__in=[State.DONE, State.FAILED], finished_at__lt=timezone.now() - timedelta(days=days)
    ).delete()
    return deleted


def backlog() -> dict[str, int]:
    """Follow-ups waiting to be sent and those that failed for good (health and the jobs panel)."""
    now = timezone.now()
    return {
        "waiting": FollowUp.objects.filter(state=State.PENDING, not_before__lte=now).count(),
        "failed": FollowUp.objects.filter(state=State.FAILED).count(),
    }
