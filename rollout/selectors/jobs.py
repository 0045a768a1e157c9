"""The jobs panel: each job once, in words: its schedule, last run, duration, result, output and failures."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta

from django.conf import settings
from django.db.models import Count, Max, Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy

from rollout import scoping
from rollout.models import AuditEvent, District, JobRun, User
from rollout.services import retention
from rollout.services.audit import Action
from rollout.services.jobs import JOBS, Job

FAILED, SUCCEEDED, INTERRUPTED = JobRun.Status.FAILED, JobRun.Status.SUCCEEDED, JobRun.Status.INTERRUPTED
WEEKDAYS = {
    "mon": pgettext_lazy("weekday", "Monday"),
    "tue": pgettext_lazy("weekday", "Tuesday"),
    "wed": pgettext_lazy("weekday", "Wednesday"),
    "thu": pgettext_lazy("weekday", "Thursday"),
    "fri": pgettext_lazy("weekday", "Friday"),
    "sat": pgettext_lazy("weekday", "Saturday"),
    "sun": pgettext_lazy("weekday", "Sunday"),
}
# How a job's parameters read on its history page; others (internal) are not shown. Spelled gettext_lazy,
# not aliased, so that makemessages finds these strings.
PARAMS = {
    "day": gettext_lazy("Day"),
    "week_ending": gettext_lazy("Week ending"),
    "first": gettext_lazy("From"),
    "last": gettext_lazy("To"),
    "before": gettext_lazy("Before"),
    "district": gettext_lazy("District"),
    "dry_run": gettext_lazy("Dry run"),
}


@dataclass
class JobSummary:
    job: str
    label: str
    schedule: str = ""
    last: JobRun | None = None
    last_success: JobRun | None = None
    last_failure: JobRun | None = None
    runs_7d: int = 0
    failures_7d: int = 0

    @property
    def failing(self) -> bool:
        return bool(self.last and self.last.status in (FAILED, INTERRUPTED))


def job_summaries(user: User) -> list[JobSummary]:
    """Every job of the catalogue (scheduled or not) and any other that ran, failing ones first. Two queries."""
    runs = scoping.job_runs_for(user)
    since = timezone.now() - timedelta(days=7)
    stats = list(
        runs.order_by()
        .values("job")
        .annotate(
            last_id=Max("id"),
            success_id=Max("id", filter=Q(status=SUCCEEDED)),
            failure_id=Max("id", filter=Q(status__in=[FAILED, INTERRUPTED])),
            runs=Count("id", filter=Q(started_at__gte=since)),
            failures=Count("id", filter=Q(status__in=[FAILED, INTERRUPTED], started_at__gte=since)),
        )
    )
    if not stats and not user.is_province_admin:
        return []
    ids = {s[k] for s in stats for k in ("last_id", "success_id", "failure_id") if s[k]}
    by_id = runs.in_bulk(list(ids))
    summaries = {key: _summary(job) for key, job in JOBS.items()}
    for s in stats:
        summary = summaries.setdefault(s["job"], JobSummary(job=s["job"], label=s["job"]))
        summary.last = by_id.get(s["last_id"])
        summary.last_success = by_id.get(s["success_id"])
        summary.last_failure = by_id.get(s["failure_id"])
        summary.runs_7d, summary.failures_7d = s["runs"], s["failures"]
    return sorted(summaries.values(), key=lambda s: (not s.failing, str(s.label)))


def job_label(job: str) -> str:
    entry = JOBS.get(job)
    return str(entry.label) if entry else job


def _summary(job: Job) -> JobSummary:
    entry = settings.CELERY_BEAT_SCHEDULE.get(job.beat) if job.beat else None
    schedule = schedule_in_words(entry["schedule"]) if entry else str(job.trigger or _("By hand"))
    return JobSummary(job=job.key, label=str(job.label), schedule=schedule)


def schedule_in_words(schedule: object) -> str:
    """A beat schedule as people say it: "Hằng ngày lúc 06:30", "10 phút một lần", "Thứ Năm và Thứ Sáu lúc 08:00"."""
    if isinstance(schedule, timedelta):
        return _every(int(schedule.total_seconds()))
    minute, hour = getattr(schedule, "_orig_minute", None), getattr(schedule, "_orig_hour", None)
    day_of_week = str(getattr(schedule, "_orig_day_of_week", "*"))
    if isinstance(minute, str) and minute.startswith("*/") and str(hour) == "*":
        return _every(int(minute[2:]) * 60)
    if str(minute).isdigit() and str(hour).isdigit():
        at = f"{int(hour):02d}:{int(minute):02d}"
        if day_of_week == "*":
            return _("Every day at %(time)s") % {"time": at}
        days = [str(WEEKDAYS.get(d.strip().lower()[:3], d)) for d in day_of_week.split(",")]
        joined = (
            days[0]
            if len(days) == 1
            else _("%(first)s and %(last)s")
            % {
                "first": ", ".join(days[:-1]),
                "last": days[-1],
            }
        )
        return _("%(days)s at %(time)s") % {"days": joined, "time": at}
    return _("On a schedule")


def _every(seconds: int) -> str:
    if seconds % 60 == 0:
        return _("Every %(n)s minutes") % {"n": seconds // 60}
    return _("Every %(n)s seconds") % {"n": seconds}


def job_runs(user: User, job: str, *, limit: int = 100) -> list[JobRun]:
    """A job's runs, newest first, each with ``params_in_words`` for the history page."""
    runs = list(scoping.job_runs_for(user).filter(job=job)[:limit])
    districts = dict(District.objects.filter(pk__in=_district_ids(runs)).values_list("pk", "name"))
    for run in runs:
        run.params_in_words = _params_in_words(run.params, districts)
    return runs


def _district_ids(runs: list[JobRun]) -> set[int]:
    return {r.params["district"] for r in runs if isinstance(r.params.get("district"), int)}


def _params_in_words(params: dict, districts: dict[int, str]) -> list[tuple[str, str]]:
    words = []
    for key, label in PARAMS.items():
        value = params.get(key)
        if value in (None, "", False):
            continue
        if key == "district":
            value = districts.get(value, value)
        elif value is True:
            value = _("yes")
        elif value == "due":
            value = _("every day due")
        elif isinstance(value, str) and len(value) == 10 and value[4] == "-":
            value = f"{value[8:10]}/{value[5:7]}/{value[:4]}"
        words.append((str(label), str(value)))
    return words


# --- The personal data purge ----------------------------------------------------------------------


@dataclass
class PurgeSummary:
    """The last purge that deleted (not a dry run): when, how it went, what it deleted per kind of data."""

    retention_days: int
    last: JobRun | None = None
    first_kept_day: str = ""  # dd/mm/yyyy: data of the days before it was deleted
    counts: list[tuple[str, int]] | None = None  # (kind in words, rows deleted); None: not recorded (failed)
    estimated: set[str] = field(default_factory=set)  # kinds (in words) whose count is an estimate

    @property
    def total(self) -> int:
        return sum(n for _words, n in self.counts or [])


def purge_summary(user: User) -> PurgeSummary:
    """For the jobs panel (its runs as the user may see them). Two queries."""
    summary = PurgeSummary(retention_days=settings.PERSONAL_DATA_RETENTION_DAYS)
    runs = scoping.job_runs_for(user).filter(job=retention.JOB, params__dry_run=False)
    summary.last = runs.order_by("-started_at", "-pk").first()
    if summary.last is None:
        return summary
    before = summary.last.params.get("before", "")
    if isinstance(before, str) and len(before) == 10:
        summary.first_kept_day = f"{before[8:10]}/{before[5:7]}/{before[:4]}"
    event = (
        AuditEvent.objects.filter(action=Action.PURGE, object_type="rollout.jobrun", object_id=str(summary.last.pk))
        .only("detail")
        .first()
    )
    if event is not None:
        words = {kind.label: str(kind.words) for kind in retention.sorted_kinds()}
        counts = {label: n for label, n in event.detail.items() if isinstance(n, int)}
        estimated = event.detail.get("estimated") or []
        summary.estimated = {words.get(label, label) for label in estimated if isinstance(label, str)}
        # Every kind registered today in the purge's order, then any the run deleted that is no longer registered.
        summary.counts = [(words[label], counts.get(label, 0)) for label in words] + [
            (label, n) for label, n in counts.items() if label not in words
        ]
    return summary
