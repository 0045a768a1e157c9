"""Deleting personal data after the retention period (SPEC §9): the nightly job and its command.

Check-ins, arrivals and declarations of local days before ``oldest_kept_day`` (the last
``PERSONAL_DATA_RETENTION_DAYS`` days are kept, today included) are deleted, and so are the daily arrival
lists of those days (files and rows), which hold the same people. The daily aggregates (``DistrictDay``,
``VenueDay``, ``ArrivalDay``) are kept: they are what the dashboards and reports show for older days, and
they are never rebuilt for a purged day (``rollout.services.stats``).

Rows go in batches of ``BATCH`` primary keys, each batch in its own transaction, so a large first purge
neither holds one long lock nor loads every row at once; a run stopped half-way is finished by the next.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import date

from django.db import models, transaction
from django.utils.translation import gettext as _

from checkpoints.models import Arrival, DailyList, Declaration
from checkpoints.services.daily_lists import daily_lists_purge
from rollout.figures import num
from rollout.services.audit import Action, audit_record
from rollout.services.jobs import job_run
from rollout.timeutils import day_bounds, local_today, oldest_kept_day
from venues.models import CheckIn

logger = logging.getLogger(__name__)

JOB = "purge_personal_data"
BATCH = 5000


@dataclass
class PurgeResult:
    first_kept_day: date
    dry_run: bool = False
    deleted: dict[str, int] = field(default_factory=dict)  # model label -> rows
    # Daily-list files removed: (path relative to PRIVATE_FILES_ROOT, rows in it).
    files: list[tuple[str, int]] = field(default_factory=list)

    def __str__(self) -> str:
        counts = ", ".join(f"{n} {label}" for label, n in self.deleted.items())
        verb = "would delete" if self.dry_run else "deleted"
        return f"before {self.first_kept_day:%d/%m/%Y}: {verb} {counts}"

    def in_words(self) -> str:
        """For the jobs panel, in the active language."""
        values = {
            "day": f"{self.first_kept_day:%d/%m/%Y}",
            "checkins": num(self.deleted.get("check-ins", 0)),
            "arrivals": num(self.deleted.get("arrivals", 0)),
            "declarations": num(self.deleted.get("declarations", 0)),
            "lists": num(self.deleted.get("daily lists", 0)),
        }
        if self.dry_run:
            text = _(
                "Before %(day)s, would delete %(checkins)s check-ins, %(arrivals)s arrivals, "
                "%(declarations)s declarations and %(lists)s daily lists"
            )
        else:
            text = _(
                "Before %(day)s, deleted %(checkins)s check-ins, %(arrivals)s arrivals, "
                "%(declarations)s declarations and %(lists)s daily lists"
            )
        return text % values


def personal_data_purge(*, today: date | None = None, dry_run: bool = False) -> PurgeResult:
    """Delete the personal data of days older than the retention; with ``dry_run``, only count it."""
    first_kept = oldest_kept_day(today or local_today())
    cutoff, _end = day_bounds(first_kept)  # local midnight starting the oldest kept day
    result = PurgeResult(first_kept_day=first_kept, dry_run=dry_run)
    with job_run(JOB, before=first_kept.isoformat(), dry_run=dry_run) as run:
        # Arrivals before declarations: an arrival points at its declaration.
        for label, rows in (
            ("check-ins", CheckIn.objects.filter(checked_in_at__lt=cutoff)),
            ("arrivals", Arrival.objects.filter(arrived_at__lt=cutoff)),
            ("declarations", Declaration.objects.filter(created_at__lt=cutoff)),
        ):
            result.deleted[label] = rows.count() if dry_run else _delete_in_batches(rows)
        old_lists = DailyList.objects.filter(day__lt=first_kept)
        result.files = list(old_lists.order_by("day", "district").values_list("file", "rows"))
        result.deleted["daily lists"] = len(result.files) if dry_run else daily_lists_purge(before=first_kept)
        run.result = result.in_words()
        if not dry_run:
            # Counts only: the audit log never holds personal data.
            audit_record(Action.PURGE, detail={"before": first_kept.isoformat(), **result.deleted})
    logger.info("personal data purge: %s", result)
    return result


def _delete_in_batches(rows: models.QuerySet) -> int:
    deleted = 0
    while True:
        batch = list(rows.order_by("pk").values_list("pk", flat=True)[:BATCH])
        if not batch:
            return deleted
        with transaction.atomic():
            # Through the ORM: links to these rows (a kept arrival's possible duplicate, an arrival's
            # declaration) are set to NULL as the models say, not left dangling.
            _count, by_model = rows.model.objects.filter(pk__in=batch).delete()
        deleted += by_model.get(rows.model._meta.label, 0)
