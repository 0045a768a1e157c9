"""Recording job runs for the jobs panel: every scheduled job and its command go through here."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from django.utils import timezone

from rollout.models import JobRun

logger = logging.getLogger(__name__)


@contextmanager
def job_run(job: str, **params: Any) -> Iterator[JobRun]:
    """Record a run: started now, then succeeded or failed (with the error) when the block ends.

    The block may set ``run.result`` (a short human summary) and ``run.output_url``. Exceptions
    are recorded and re-raised, so Celery can retry.
    """
    run = JobRun.objects.create(job=job, params=_jsonable(params))
    try:
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
