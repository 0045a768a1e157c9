"""Imports of every kind in two steps, one code path: check the uploaded file, then store it on confirmation.

``import_start`` bounds the file (``rollout.uploads``: size, sheets, rows, columns; refused at once with
the limit in words), keeps it under ``PRIVATE_FILES_ROOT/imports/`` and records an ``ImportJob``. A file of
up to ``IMPORT_BACKGROUND_ROWS`` rows is checked right away, in the request; a larger one by a worker
(recorded in the outbox with the job, so a broker that is down only delays it), which moves the job's
progress on. The check's result (the rows to show, the rows to store) stays in the job, never in the
session. ``import_confirm`` stores it the same way, in the request or by a worker: all or nothing, in one
transaction with the job marked done.

Each app plugs its import in at start-up (``register_importer``): how to check a file and how to store
what was checked; the core never imports the apps.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import IO, Any

from django.conf import settings
from django.core.files import File
from django.db import DatabaseError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from rollout import outbox
from rollout.errors import ApplicationError
from rollout.models import ImportJob, User
from rollout.timeutils import day_bounds
from rollout.uploads import check_upload, max_rows
from rollout.workbooks import atomic_path, unreadable

logger = logging.getLogger(__name__)

Status = ImportJob.Status
TASK = "rollout.tasks.import_job_task"
# The progress is written every this many rows (one short UPDATE).
PROGRESS_EVERY = 250

Progress = Callable[[int], None]


@dataclass(frozen=True)
class Importer:
    kind: str  # a key of settings.IMPORT_MAX_ROWS
    title: Any  # the page's title, translated lazily
    upload_url: str  # URL name of the upload page (the way back)
    preview_template: str  # renders ``result`` on the job page
    # Check the file: the ``result`` to keep (JSON), with "errors" (rows with problems) and "can_store".
    # Raises ApplicationError when the file as a whole cannot be taken (a header missing…).
    check: Callable[[ImportJob, IO[bytes], Progress], dict[str, Any]]
    # Store what was checked, in the caller's transaction: (message, URL to go to next).
    store: Callable[[ImportJob, Any], tuple[str, str]]


_IMPORTERS: dict[str, Importer] = {}


def register_importer(importer: Importer) -> None:
    """Each app adds its import here in ``AppConfig.ready()``."""
    _IMPORTERS[importer.kind] = importer


def importer_for(kind: str) -> Importer:
    return _IMPORTERS[kind]


def _root() -> Path:
    return Path(settings.PRIVATE_FILES_ROOT)


def _store_file(upload: IO[bytes], name: str) -> str:
    relative = f"imports/{uuid.uuid4().hex}{Path(name).suffix.lower()[:8]}"
    upload.seek(0)
    with atomic_path(_root() / relative) as tmp, tmp.open("wb") as fh:
        chunks = upload.chunks() if hasattr(upload, "chunks") else iter(lambda: upload.read(1 << 20), b"")
        for chunk in chunks:
            fh.write(chunk)
    return relative


def _delete_file(job: ImportJob) -> None:
    if job.file:
        (_root() / job.file).unlink(missing_ok=True)
        job.file = ""


def import_start(*, kind: str, by: User, upload: IO[bytes], params: dict[str, Any] | None = None) -> ImportJob:
    """Bound, keep and check (or have checked) an uploaded file. Raises ApplicationError when it is refused:
    over a limit, or (checked right away) not the import's table at all; nothing is kept then."""
    importer_for(kind)  # an unknown kind fails here, not in a worker
    rows = check_upload(upload, rows=max_rows(kind))
    name = Path(getattr(upload, "name", "") or "upload").name[:255]
    background = rows > settings.IMPORT_BACKGROUND_ROWS
    relative = _store_file(upload, name)
    try:
        with transaction.atomic():
            job = ImportJob.objects.create(
                kind=kind, user=by, file=relative, file_name=name, params=params or {}, rows_total=rows,
                background=background,
            )  # fmt: skip
            if background:
                outbox.enqueue(TASK, job_id=job.pk, step="check")
    except BaseException:
        (_root() / relative).unlink(missing_ok=True)  # no job points at it: nothing would ever delete it
        raise
    if not background:
        job = import_job_check(job.pk)
        if job.status == Status.FAILED:
            message = job.message
            job.delete()
            raise ApplicationError(message)
    return job


def import_job_check(job_id: int) -> ImportJob:
    """Check a job's file (the worker's step, or the request's for a small file). Stores nothing."""
    job = ImportJob.objects.select_related("user").get(pk=job_id)
    if job.status not in (Status.QUEUED, Status.CHECKING):
        return job  # done already: a duplicate delivery
    ImportJob.objects.filter(pk=job.pk).update(status=Status.CHECKING, rows_done=0)
    importer = importer_for(job.kind)

    def progress(done: int) -> None:
        if done % PROGRESS_EVERY == 0:
            ImportJob.objects.filter(pk=job.pk).update(rows_done=done)

    try:
        with (_root() / job.file).open("rb") as fh:
            result = importer.check(job, File(fh, name=job.file_name), progress)
    except ApplicationError as exc:
        job.status, job.message = Status.FAILED, exc.message
        _delete_file(job)
    except FileNotFoundError:
        job.status, job.message = Status.FAILED, _("The uploaded file is no longer available: upload it again.")
        job.file = ""
    except DatabaseError:
        raise  # the database is away: the outbox sends the check again later
    except Exception as exc:
        # A file that makes a reader fail in a way it does not foresee: refused, never a job left running.
        # The kind of failure only: a reader's message may quote a cell.
        logger.error("import job %s: the check failed (%s)", job.pk, type(exc).__name__)
        job.status, job.message = Status.FAILED, unreadable().message
        _delete_file(job)
    else:
        job.status = Status.READY
        job.errors = result.pop("errors", [])
        job.result = result
        job.rows_done = job.rows_total
    job.finished_at = timezone.now()
    job.save(update_fields=["status", "message", "file", "errors", "result", "rows_done", "finished_at"])
    return job


def import_confirm(job: ImportJob, *, by: User, request=None) -> ImportJob:
    """The uploader confirms a checked job: stored now (a small file) or by a worker (a large one).
    Raises ApplicationError when there is nothing (more) to store."""
    if job.user_id != by.pk or not job.result.get("can_store"):
        raise ApplicationError(_("Nothing to import: upload the file again."))
    with transaction.atomic():
        claimed = ImportJob.objects.filter(pk=job.pk, status=Status.READY).update(status=Status.STORING, rows_done=0)
        if not claimed:
            raise ApplicationError(_("Nothing to import: upload the file again."))
        if job.background:
            outbox.enqueue(TASK, job_id=job.pk, step="store")
    if job.background:
        job.refresh_from_db()
        return job
    return import_job_store(job.pk, request=request)


def import_job_store(job_id: int, *, request=None) -> ImportJob:
    """Store a confirmed job, all or nothing, and mark it done in the same transaction."""
    job = ImportJob.objects.select_related("user").get(pk=job_id)
    if job.status != Status.STORING:
        return job  # stored already: a duplicate delivery
    importer = importer_for(job.kind)
    try:
        with transaction.atomic():
            message, next_url = importer.store(job, request)
            job.status, job.message = Status.DONE, message
            job.result = {"next": next_url}  # the rows are stored now: they need not wait here any more
            job.errors = []
            job.rows_done = job.rows_total
            job.finished_at = timezone.now()
            job.save(update_fields=["status", "message", "result", "errors", "rows_done", "finished_at"])
    except ApplicationError as exc:
        job.status, job.message, job.result = Status.FAILED, exc.message, {}
        job.finished_at = timezone.now()
        job.save(update_fields=["status", "message", "result", "finished_at"])
    _delete_file(job)
    ImportJob.objects.filter(pk=job.pk).update(file="")
    return job


def job_file(job: ImportJob) -> File:
    """The job's stored file, open for reading (the caller closes it)."""
    fh = (_root() / job.file).open("rb")
    return File(fh, name=job.file_name)


# --- Retention ------------------------------------------------------------------------------------


def import_jobs_purge(first_kept: date, dry_run: bool = False) -> tuple[int, list[tuple[str, int]]]:
    """Delete import jobs and their files: those of days before the retention, and any older than
    ``IMPORT_JOB_KEEP_HOURS`` (an upload waits that long for its confirmation at most)."""
    cutoff, _end = day_bounds(first_kept)
    cutoff = max(cutoff, timezone.now() - timedelta(hours=settings.IMPORT_JOB_KEEP_HOURS))
    old = list(ImportJob.objects.filter(created_at__lt=cutoff).values_list("pk", "file", "rows_total"))
    files = [(file, rows) for _pk, file, rows in old if file]
    # Files of the folder no job points at (an upload of an earlier version, a job deleted by hand) go too.
    folder = _root() / "imports"
    known = set(ImportJob.objects.exclude(file="").values_list("file", flat=True))
    if folder.is_dir():
        for path in folder.iterdir():
            relative = f"imports/{path.name}"
            if path.is_file() and relative not in known and path.stat().st_mtime < cutoff.timestamp():
                files.append((relative, 0))
    if dry_run:
        return len(old), files
    for file, _rows in files:
        (_root() / file).unlink(missing_ok=True)
    ImportJob.objects.filter(pk__in=[pk for pk, _file, _rows in old]).delete()
    return len(old), files
