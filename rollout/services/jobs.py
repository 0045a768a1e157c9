"""Recording job runs for the jobs panel: every scheduled job and its command go through here."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.utils import timezone, translation

from rollout.background import has_heartbeat, working_on
from rollout.models import JobRun

logger = logging.getLogger(__name__)


@contextmanager
def job_run(job: str, **params: Any) -> Iterator[JobRun]:
    """Record a run: started now, then succeeded or failed (with the error) when the block ends.

    The block may set ``run.result`` (a short summary in words, translated: it runs in the official
    language) and ``run.output_url``. Exceptions are recorded and re-raised, so the task is retried.
    """
    # Only a process with a heartbeat (a worker) gives its runs one: a command run by hand has none, and
    # the sweep must not take its long run for a dead worker's.
    heartbeat = timezone.now() if has_heartbeat() else None
    run = JobRun.objects.create(job=job, params=_jsonable(params), heartbeat_at=heartbeat)
    try:
        # Results are written once, for every reader: in the official language. The worker's heartbeat
        # keeps the run from being taken for dead.
        with working_on(runs=[run.pk]), translation.override(settings.LANGUAGE_CODE):
            yield run
    except BaseException as exc:
        run.status = JobRun.Status.FAILED
        run.error = f"{type(exc).__name__}: {exc}"[:2000]
        run.finished_at = timezone.now()
        run.save(update_fields=["status", "error", "finished_at", "result", "output_url"])
        logger.warning("job %s run %s failed: %s", job, run.pk, type(exc).__name__)
        raise
    run.status = JobRun.Status.SUCCEEDED
    run.finished_at = timezone.now()
    run.save(update_fields=["status", "finished_at", "result", "output_url"])


def _jsonable(params: dict[str, Any]) -> dict[str, Any]:
    return {k: v if isinstance(v, (int, float, str, bool, type(None))) else str(v) for k, v in params.items()}


# --- The catalogue of jobs ----------------------------------------------------------------------


@dataclass(frozen=True)
class Job:
    key: str  # JobRun.job of its runs, scheduled or by hand
    label: str  # in words, for the jobs panel
    beat: str = ""  # its CELERY_BEAT_SCHEDULE entry, if it runs on a schedule
    trigger: str = ""  # in words, when it runs without a schedule


JOBS: dict[str, Job] = {}


def register_job(key: str, label: str, *, beat: str = "", trigger: str = "") -> None:
    """Each app names its jobs at start-up (``AppConfig.ready``): one row each on the jobs panel."""
    JOBS[key] = Job(key=key, label=label, beat=beat, trigger=trigger)
