"""Deleting personal data after the retention period (SPEC §9): the nightly job and its command.

Each app registers, at start-up, the personal data it holds (``register``): check-ins, arrivals,
declarations, the daily arrival lists (files and rows)… The purge deletes, for each in the order given,
what belongs to local days before ``oldest_kept_day`` (the last ``PERSONAL_DATA_RETENTION_DAYS`` days
are kept, today included). The daily aggregates are kept: they are what the dashboards and reports show
for older days, and they are never rebuilt for a purged day.

Check-ins and arrivals on PostgreSQL are partitioned by local day: their old days go as whole partitions
(``rollout.partitions.purge_before``), which clears the links into them first. Other rows go in batches
of ``BATCH`` primary keys, each batch in its own transaction, so a large first purge
neither holds one long lock nor loads every row at once; a run stopped half-way is finished by the next.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime

from django.conf import settings
from django.db import models, transaction
from django.utils.translation import gettext as _

from rollout import outbox, partitions
from rollout.figures import num
from rollout.services.audit import Action, audit_record
from rollout.services.jobs import job_run
from rollout.timeutils import day_bounds, local_today, oldest_kept_day

logger = logging.getLogger(__name__)

JOB = "purge_personal_data"
BATCH = 5000


@dataclass
class PurgeResult:
    first_kept_day: date
    dry_run: bool = False
    deleted: dict[str, int] = field(default_factory=dict)  # model label -> rows
    # Labels whose count is PostgreSQL's estimate: days dropped whole are not counted row by row.
    estimated: set[str] = field(default_factory=set)
    # Daily-list files removed: (path relative to PRIVATE_FILES_ROOT, rows in it).
    files: list[tuple[str, int]] = field(default_factory=list)

    def __str__(self) -> str:
        counts = ", ".join(f"{n} {label}" for label, n in self.deleted.items())
        verb = "would delete" if self.dry_run else "deleted"
        return f"before {self.first_kept_day:%d/%m/%Y}: {verb} {counts}"

    def in_words(self) -> str:
        """For the jobs panel, in the active language: "Before 11/11/2026, deleted 3 check-ins and …"."""
        words = [
            (_("about %(n)s") % {"n": num(n)} if kind.label in self.estimated else num(n)) + f" {kind.words}"
            for kind in sorted_kinds()
            for n in [self.deleted.get(kind.label, 0)]
        ]
        items = (
            words[0]
            if len(words) == 1
            else _("%(first)s and %(last)s")
            % {
                "first": ", ".join(words[:-1]),
                "last": words[-1],
            }
        )
        day = f"{self.first_kept_day:%d/%m/%Y}"
        if self.dry_run:
            return _("Before %(day)s, would delete %(items)s") % {"day": day, "items": items}
        return _("Before %(day)s, deleted %(items)s") % {"day": day, "items": items}


# --- What the apps hold ---------------------------------------------------------------------------


@dataclass(frozen=True)
class PersonalData:
    """One kind of personal data an app holds, and how to delete what is older than the retention.

    ``rows(cutoff, first_kept)`` gives the queryset to delete in batches (``cutoff`` is the local midnight
    starting ``first_kept``, the oldest kept day); or ``purge(first_kept, dry_run)`` does it all and
    returns (count, [(file, rows)]) when there is more than rows to delete (files).
    """

    label: str  # a key for counts, the command and the audit log: "check-ins"
    words: str  # how the jobs panel says it, translated: "lượt quét QR"
    order: int  # lower first: what points at something goes before it (arrivals before declarations)
    rows: Callable[[datetime, date], models.QuerySet] | None = None
    purge: Callable[[date, bool], tuple[int, list[tuple[str, int]]]] | None = None


_KINDS: dict[str, PersonalData] = {}


def register(kind: PersonalData) -> None:
    """Each app adds its personal data here in ``AppConfig.ready()``."""
    _KINDS[kind.label] = kind


def sorted_kinds() -> list[PersonalData]:
    return sorted(_KINDS.values(), key=lambda k: (k.order, k.label))


def personal_data_purge(*, today: date | None = None, dry_run: bool = False) -> PurgeResult:
    """Delete the personal data of days older than the retention; with ``dry_run``, only count it."""
    first_kept = oldest_kept_day(today or local_today())
    cutoff, _end = day_bounds(first_kept)  # local midnight starting the oldest kept day
    result = PurgeResult(first_kept_day=first_kept, dry_run=dry_run)
    with job_run(JOB, before=first_kept.isoformat(), dry_run=dry_run) as run:
        for kind in sorted_kinds():
            if kind.purge is not None:
                count, files = kind.purge(first_kept, dry_run)
                result.files += files
            else:
                count, estimated = _purge_rows(kind.rows(cutoff, first_kept), first_kept, dry_run)
                if estimated:
                    result.estimated.add(kind.label)
            result.deleted[kind.label] = count
        if not dry_run:  # housekeeping of the same night: finished follow-ups are not kept either
            outbox.forget_finished(days=settings.OUTBOX_KEEP_DAYS)
        run.result = result.in_words()
        if not dry_run:
            # Counts only: the audit log never holds personal data.
            # On the run, so the jobs panel shows the counts of its last run.
            detail = {"before": first_kept.isoformat(), **result.deleted}
            if result.estimated:  # which counts are estimates, so that the panel says so
                detail["estimated"] = sorted(result.estimated)
            audit_record(Action.PURGE, obj=run, detail=detail)
    logger.info("personal data purge: %s", result)
    return result


def _purge_rows(rows: models.QuerySet, first_kept: date, dry_run: bool) -> tuple[int, bool]:
    """Drop the old days' partitions where the table is partitioned by day (PostgreSQL), then delete the
    rows left (all of them on a plain table; on a partitioned one, old rows in its default partition).
    Returns the rows, and whether that count is an estimate (days dropped whole, counted from PostgreSQL's
    statistics: ``partitions.purge_before``)."""
    dropped = None
    if rows.model in partitions.registered():
        dropped = partitions.purge_before(rows.model, first_kept, dry_run=dry_run)
        if dropped is not None:
            # Lets PostgreSQL look only at the partitions concerned: the default one (a dry run leaves the
            # days it counted in place).
            rows = rows.filter(day__lt=first_kept).exclude(day__in=dropped.days)
    left = rows.count() if dry_run else _delete_in_batches(rows)
    if dropped is None:
        return left, False
    return dropped.rows + left, dropped.estimated


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
