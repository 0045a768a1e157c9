"""The jobs panel: each scheduled or manual job's last run, duration, result, output and failures."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.db.models import Count, Max, Q
from django.utils import timezone

from rollout import scoping
from rollout.models import JobRun, User

FAILED, SUCCEEDED = JobRun.Status.FAILED, JobRun.Status.SUCCEEDED
# A run still "running" after this long has most likely died with its worker.
STUCK_AFTER = timedelta(hours=2)


def _normal(name: str) -> str:
    return name.replace("-", "_")


@dataclass
class JobSummary:
    job: str
    schedule: str = ""
    task: str = ""
    last: JobRun | None = None
    last_success: JobRun | None = None
    last_failure: JobRun | None = None
    runs_7d: int = 0
    failures_7d: int = 0

    @property
    def stuck(self) -> bool:
        last = self.last
        return bool(last and last.status == JobRun.Status.RUNNING and timezone.now() - last.started_at > STUCK_AFTER)

    @property
    def failing(self) -> bool:
        return bool(self.last and self.last.status == FAILED)


def job_summaries(user: User) -> list[JobSummary]:
    """Every job that ran or is scheduled (Celery beat), failing ones first. Three queries."""
    runs = scoping.job_runs_for(user)
    since = timezone.now() - timedelta(days=7)
    stats = list(
        runs.order_by()
        .values("job")
        .annotate(
            last_id=Max("id"),
            success_id=Max("id", filter=Q(status=SUCCEEDED)),
            failure_id=Max("id", filter=Q(status=FAILED)),
            runs=Count("id", filter=Q(started_at__gte=since)),
            failures=Count("id", filter=Q(status=FAILED, started_at__gte=since)),
        )
    )
    ids = {s[k] for s in stats for k in ("last_id", "success_id", "failure_id") if s[k]}
    by_id = runs.in_bulk(list(ids))
    summaries = {
        _normal(s["job"]): JobSummary(
            job=s["job"],
            last=by_id.get(s["last_id"]),
            last_success=by_id.get(s["success_id"]),
            last_failure=by_id.get(s["failure_id"]),
            runs_7d=s["runs"],
            failures_7d=s["failures"],
        )
        for s in stats
    }
    if user.is_province_admin:
        for name, entry in settings.CELERY_BEAT_SCHEDULE.items():
            summary = summaries.setdefault(_normal(name), JobSummary(job=name))
            summary.schedule = _describe(entry["schedule"])
            summary.task = entry["task"]
    return sorted(summaries.values(), key=lambda s: (not s.failing, not s.stuck, s.job))


def _describe(schedule: object) -> str:
    """A crontab or interval as people read it: "*/10 * * * *", "every 600 s"."""
    if isinstance(schedule, timedelta):
        return f"every {int(schedule.total_seconds())} s"
    parts = [getattr(schedule, f"_orig_{p}", None) for p in ("minute", "hour", "day_of_month", "month_of_year")]
    if all(p is not None for p in parts):
        dow = getattr(schedule, "_orig_day_of_week", "*")
        return " ".join(str(p) for p in [*parts, dow])
    return str(schedule)


def job_runs(user: User, job: str, *, limit: int = 100) -> list[JobRun]:
    return list(scoping.job_runs_for(user).filter(job=job)[:limit])
