"""The provincial roll-up (SPEC §6): every district's report for a week in one workbook for Sở TT&TT.

``rollup_build`` is what the Friday job, the catch-up, the late-report/approval rebuilds and the
``build_weekly_rollup`` command all call. Each build is a new *revision* of the week's roll-up; every
revision is kept. The revision number is claimed first (a unique row), then the file is written to a
temporary name and renamed, then the row is marked ready: nobody ever sees a half-written file, and
two builds at once get two different revisions instead of one overwriting the other.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from reports import fields, weeks
from reports.figures import PERSONAL_DATA_FIGURES, SystemFigures, district_week_figures
from reports.models import (
    ReportStatus,
    Rollup,
    RollupReason,
    Timeliness,
    WeeklyReport,
    WeeklyReportVersion,
)
from rollout.models import District, User
from rollout.permissions import can
from rollout.services.jobs import job_run
from rollout.timeutils import local_now
from rollout.workbooks import save_workbook_atomic

JOB = "weekly_rollup"
CATCH_UP_WEEKS = 2  # the scheduled run also builds a roll-up missed while the system was down


@dataclass
class RollupRow:
    district: District
    report: WeeklyReport | None
    version: WeeklyReportVersion | None
    previous: dict | None  # the previous week's submitted figures, if any
    system: SystemFigures

    @property
    def timeliness(self) -> str:
        return self.report.timeliness if self.version else Timeliness.MISSING

    @property
    def values(self) -> dict | None:
        return self.version.values() if self.version else None


@dataclass
class RollupData:
    week_ending: date
    rows: list[RollupRow] = field(default_factory=list)

    @property
    def fingerprint(self) -> str:
        """What the reports were when built: an unchanged week is not built again."""
        state = [
            (r.district.pk, r.report.status if r.report else "", r.version.pk if r.version else None) for r in self.rows
        ]
        return hashlib.sha256(json.dumps(state).encode()).hexdigest()

    def totals(self, source: str = "values") -> dict[str, int]:
        result = dict.fromkeys(fields.NUMBER_KEYS, 0)
        for row in self.rows:
            values = getattr(row, source)
            for key in fields.NUMBER_KEYS:
                result[key] += (values or {}).get(key) or 0
        return result

    def counts(self) -> dict[str, int]:
        counts = dict.fromkeys(Timeliness.values, 0) | {"approved": 0, "returned": 0, "districts": len(self.rows)}
        for row in self.rows:
            counts[row.timeliness] += 1
            if row.report and row.report.status == ReportStatus.APPROVED:
                counts["approved"] += 1
            if row.report and row.report.status == ReportStatus.RETURNED:
                counts["returned"] += 1
        return counts

    def system_total(self) -> SystemFigures:
        total = SystemFigures()
        for row in self.rows:
            total = total + row.system
        return total


def _submitted(week_ending: date, district_ids: list[int]) -> dict[int, WeeklyReport]:
    reports = (
        WeeklyReport.objects.filter(week_ending=week_ending, district__in=district_ids)
        .exclude(status=ReportStatus.DRAFT)
        .select_related("current_version")
    )
    return {r.district_id: r for r in reports}


def rollup_data(week_ending: date, *, frozen: dict | None = None) -> RollupData:
    """Every home-province district's latest submitted report for the week, and the system's figures.

    ``frozen``: the system figures of an earlier revision. Counts taken from personal data keep the
    larger value, because the retention job deletes the rows they were counted from.
    """
    districts = list(District.objects.filter(province_id=settings.HOME_PROVINCE_CODE).order_by("code"))
    ids = [d.pk for d in districts]
    current = _submitted(week_ending, ids)
    previous = _submitted(week_ending - timedelta(days=7), ids)
    system = district_week_figures(week_ending, ids)
    data = RollupData(week_ending)
    for d in districts:
        figures = system[d.pk]
        old = (frozen or {}).get(str(d.pk))
        if old:
            for name in PERSONAL_DATA_FIGURES:
                setattr(figures, name, max(getattr(figures, name), int(old.get(name, 0))))
        report = current.get(d.pk)
        before = previous.get(d.pk)
        data.rows.append(
            RollupRow(
                district=d,
                report=report,
                version=report.current_version if report else None,
                previous=before.current_version.values() if before and before.current_version else None,
                system=figures,
            )
        )
    return data


@dataclass
class RollupOutcome:
    rollup: Rollup
    built: bool  # False: the week had not changed since the latest revision

    @property
    def path(self) -> Path:
        return Path(settings.PRIVATE_FILES_ROOT) / self.rollup.file_path


def rollup_build(
    *, week_ending: date, reason: str = RollupReason.MANUAL, by: User | None = None, force: bool = False
) -> RollupOutcome:
    """Build a new revision of the week's roll-up (unless nothing changed and ``force`` is off)."""
    if by is not None and not can(by, "rollups.build"):
        raise PermissionDenied
    if not weeks.is_week_ending(week_ending):
        raise ValueError(f"{week_ending} is not a Friday")
    with job_run(JOB, week_ending=week_ending.isoformat(), reason=reason) as run:
        run.output_url = reverse("reports:rollup-list")
        latest = (
            Rollup.objects.filter(week_ending=week_ending, status=Rollup.Status.READY).order_by("-revision").first()
        )
        data = rollup_data(week_ending, frozen=latest.system_figures if latest else None)
        if latest is not None and not force and latest.fingerprint == data.fingerprint:
            run.result = _("Week ending %(week)s: unchanged since revision %(revision)s") % {
                "week": f"{week_ending:%d/%m/%Y}",
                "revision": latest.revision,
            }
            return RollupOutcome(latest, built=False)
        rollup = _claim_revision(week_ending, reason, by, data.fingerprint)
        relative = f"rollups/{week_ending:%Y-%m-%d}/{rollup.filename}"
        try:
            _write(data, rollup, Path(settings.PRIVATE_FILES_ROOT) / relative)
        except BaseException as exc:
            Rollup.objects.filter(pk=rollup.pk).update(
                status=Rollup.Status.FAILED, error=f"{type(exc).__name__}: {exc}"[:2000], finished_at=timezone.now()
            )
            raise
        counts = data.counts()
        rollup.status = Rollup.Status.READY
        rollup.file_path = relative
        rollup.rows = len(data.rows)
        rollup.summary = counts | {"totals": data.totals()}
        rollup.system_figures = {str(r.district.pk): r.system.as_dict() for r in data.rows}
        rollup.finished_at = timezone.now()
        rollup.save()
        run.result = _(
            "Week ending %(week)s, revision %(revision)s: %(on_time)s on time, %(late)s late, %(missing)s missing"
        ) % {
            "week": f"{week_ending:%d/%m/%Y}",
            "revision": rollup.revision,
            "on_time": counts["on_time"],
            "late": counts["late"],
            "missing": counts["missing"],
        }
    return RollupOutcome(rollup, built=True)


def _claim_revision(week_ending: date, reason: str, by: User | None, fingerprint: str) -> Rollup:
    for _attempt in range(5):
        try:
            with transaction.atomic():
                top = Rollup.objects.filter(week_ending=week_ending).aggregate(n=Max("revision"))["n"] or 0
                return Rollup.objects.create(
                    week_ending=week_ending, revision=top + 1, reason=reason, built_by=by, fingerprint=fingerprint
                )
        except IntegrityError:
            continue  # another build took that revision number; take the next one
    raise RuntimeError("could not claim a roll-up revision")


def _write(data: RollupData, rollup: Rollup, path: Path) -> None:
    from reports.rollup_xlsx import rollup_workbook

    # The roll-up is the province's official document: always in the official language.
    with translation.override(settings.LANGUAGE_CODE):
        wb = rollup_workbook(data, rollup)
    save_workbook_atomic(wb, path)


def rollups_build_due(*, now: datetime | None = None) -> list[RollupOutcome]:
    """The scheduled job: build each recent week's roll-up whose time has come and that has none yet.

    "None yet" means no revision built at or after the week's roll-up time, so a preview built by hand
    on Friday morning does not stand in for the Friday roll-up; running this twice builds nothing twice.
    """
    now = now or local_now()
    outcomes = []
    for week in weeks.recent_weeks(CATCH_UP_WEEKS, last=weeks.week_ending_for(now.date())):
        due = weeks.rollup_at(week)
        if due > now:
            continue
        built = Rollup.objects.filter(week_ending=week, status=Rollup.Status.READY, created_at__gte=due)
        if not built.exists():
            outcomes.append(rollup_build(week_ending=week, reason=RollupReason.SCHEDULED, force=True))
    if not outcomes:
        with job_run(JOB, scheduled=True) as run:
            run.output_url = reverse("reports:rollup-list")
            run.result = _("No roll-up was due")
    return outcomes
