"""Backups of the database and the private files, kept no longer than the personal data they hold.

``backup_create`` writes one folder per backup into ``BACKUP_DIR``, named by its UTC time
(``backup-20261201T030000Z``): ``database.dump`` (``pg_dump`` custom format; on SQLite, as ``make run`` uses,
``database.sqlite3``, a copy by SQLite's backup API), ``files.tar.gz`` (everything under
``PRIVATE_FILES_ROOT``: daily lists, roll-ups, tracing lists) and ``manifest.json`` with each file's size and
SHA-256, and the same checksums as ``SHA256SUMS`` (``sha256sum -c SHA256SUMS`` checks them by hand). The
folder is written under a temporary name and renamed when complete, readable by its owner only.

A backup is personal data too (SPEC §9): every run deletes the backups older than
``PERSONAL_DATA_RETENTION_DAYS`` (``backups_prune``). Nightly at ``BACKUP_AT`` (after the purge at
``PERSONAL_DATA_PURGE_AT``, so a backup holds nothing the purge just deleted), through the jobs panel.

``backup_restore`` checks the checksums, then restores into a database given by its URL (refusing one that
has tables, unless ``force``) and the files into a folder (refusing a non-empty one, unless ``force``);
``pg_restore`` runs in one transaction, so a failed restore leaves the database as it was.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import re
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import dj_database_url
import psycopg
from django.conf import settings
from django.db import connections
from django.utils.translation import gettext as _

from rollout.errors import ApplicationError
from rollout.figures import num
from rollout.services.jobs import job_run

logger = logging.getLogger(__name__)

JOB = "backup"
NAME = re.compile(r"^backup-(\d{8}T\d{6}Z)$")
TIME_FORMAT = "%Y%m%dT%H%M%SZ"
PG_DUMP_FILE = "database.dump"
SQLITE_FILE = "database.sqlite3"
FILES_ARCHIVE = "files.tar.gz"
MANIFEST = "manifest.json"
CHECKSUMS = "SHA256SUMS"


@dataclass
class Backup:
    path: Path
    created_at: datetime
    size: int

    @property
    def name(self) -> str:
        return self.path.name


# --- Writing a backup ------------------------------------------------------------------------------


def backup_create(*, directory: Path | None = None, now: datetime | None = None) -> Backup:
    """The nightly job: a new backup, then the backups past the retention deleted. Recorded on the jobs panel."""
    directory = Path(directory or settings.BACKUP_DIR)
    with job_run(JOB) as run:
        backup = backup_write(directory=directory, now=now)
        pruned = backups_prune(directory=directory, now=now)
        run.result = _("Backup %(name)s (%(size)s MB); %(pruned)s older backups deleted") % {
            "name": backup.name,
            "size": num(round(backup.size / 1_000_000, 1)),
            "pruned": num(len(pruned)),
        }
    logger.info("backup %s written (%s bytes), %s old backups deleted", backup.name, backup.size, len(pruned))
    return backup


def backup_write(*, directory: Path, now: datetime | None = None, database: dict | None = None) -> Backup:
    """Write one backup of ``database`` (the settings of a connection; default: the app's) and the files."""
    database = database or connections["default"].settings_dict
    created = (now or datetime.now(UTC)).astimezone(UTC).replace(microsecond=0)
    final = directory / f"backup-{created:{TIME_FORMAT}}"
    if final.exists():
        raise ApplicationError(_("A backup named %(name)s already exists.") % {"name": final.name})
    directory.mkdir(parents=True, exist_ok=True)
    os.chmod(directory, 0o700)
    work = Path(tempfile.mkdtemp(prefix=f".{final.name}.", suffix=".part", dir=directory))
    try:
        if database["ENGINE"] == "django.db.backends.sqlite3":
            _sqlite_copy(Path(database["NAME"]), work / SQLITE_FILE)
        else:
            _pg_dump(database, work / PG_DUMP_FILE)
        _files_archive(Path(settings.PRIVATE_FILES_ROOT), work / FILES_ARCHIVE)
        files = {path.name: _digest(path) for path in sorted(work.iterdir())}
        manifest = {
            "created_at": created.isoformat(),
            "engine": "sqlite" if database["ENGINE"] == "django.db.backends.sqlite3" else "postgresql",
            "files": {name: {"size": size, "sha256": sha} for name, (size, sha) in files.items()},
        }
        (work / MANIFEST).write_text(json.dumps(manifest, indent=2) + "\n")
        (work / CHECKSUMS).write_text("".join(f"{sha}  {name}\n" for name, (_size, sha) in files.items()))
        for path in work.iterdir():
            os.chmod(path, 0o600)
        os.replace(work, final)
    except BaseException:
        shutil.rmtree(work, ignore_errors=True)
        raise
    return Backup(path=final, created_at=created, size=sum(size for size, _sha in files.values()))


def _pg_env(database: dict) -> dict[str, str]:
    """libpq's variables: the password never appears on a command line (``ps`` shows those)."""
    values = {
        "PGHOST": database.get("HOST") or "",
        "PGPORT": str(database.get("PORT") or ""),
        "PGUSER": database.get("USER") or "",
        "PGPASSWORD": database.get("PASSWORD") or "",
        "PGDATABASE": database["NAME"],
        "PGCONNECT_TIMEOUT": "10",
    }
    return os.environ | {key: value for key, value in values.items() if value}


def _pg_program(name: str) -> str:
    return str(Path(settings.PG_BIN) / name) if settings.PG_BIN else name


def _run(command: list[str], env: dict[str, str]) -> None:
    result = subprocess.run(command, env=env, capture_output=True, text=True, check=False)  # noqa: S603 (our arguments)
    if result.returncode != 0:
        # pg_dump and pg_restore name tables and settings in their errors, never rows.
        raise ApplicationError(
            _("%(program)s failed: %(error)s")
            % {"program": Path(command[0]).name, "error": result.stderr.strip()[-1000:]}
        )


def _pg_dump(database: dict, target: Path) -> None:
    _run(
        [_pg_program("pg_dump"), "--format=custom", "--no-owner", "--no-privileges", f"--file={target}"],
        _pg_env(database),
    )


def _sqlite_copy(source: Path, target: Path) -> None:
    """A consistent copy while the app writes (SQLite's online backup API), never a file copy."""
    with sqlite3.connect(source) as src, sqlite3.connect(target) as dst:
        src.backup(dst)
    dst.close()
    src.close()


def _files_archive(root: Path, target: Path) -> None:
    with tarfile.open(target, "w:gz") as archive:
        if root.is_dir():
            for path in sorted(root.rglob("*")):
                # Temporary files of a write in progress are not files yet.
                if path.is_file() and not path.name.endswith(".part"):
                    archive.add(path, arcname=str(path.relative_to(root)), recursive=False)


def _digest(path: Path) -> tuple[int, str]:
    sha = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            sha.update(block)
    return path.stat().st_size, sha.hexdigest()


# --- Keeping them no longer than the personal data ---------------------------------------------------


def backups_list(directory: Path | None = None) -> list[Backup]:
    """The complete backups in ``directory``, oldest first (other folders and files are not ours)."""
    directory = Path(directory or settings.BACKUP_DIR)
    found = []
    for path in directory.iterdir() if directory.is_dir() else []:
        match = NAME.match(path.name)
        if match and path.is_dir():
            created = datetime.strptime(match.group(1), TIME_FORMAT).replace(tzinfo=UTC)
            size = sum(f.stat().st_size for f in path.iterdir() if f.is_file())
            found.append(Backup(path=path, created_at=created, size=size))
    return sorted(found, key=lambda b: b.created_at)


def backups_prune(*, directory: Path | None = None, now: datetime | None = None) -> list[Backup]:
    """Delete backups older than PERSONAL_DATA_RETENTION_DAYS, and unfinished ones older than a day."""
    directory = Path(directory or settings.BACKUP_DIR)
    now = now or datetime.now(UTC)
    oldest_kept = now - timedelta(days=settings.PERSONAL_DATA_RETENTION_DAYS)
    deleted = [backup for backup in backups_list(directory) if backup.created_at < oldest_kept]
    for backup in deleted:
        shutil.rmtree(backup.path)
    for partial in directory.glob(".backup-*.part") if directory.is_dir() else []:
        if datetime.fromtimestamp(partial.stat().st_mtime, UTC) < now - timedelta(days=1):
            shutil.rmtree(partial, ignore_errors=True)
    return deleted


# --- Restoring one ---------------------------------------------------------------------------------


def backup_verify(backup: Path) -> dict[str, Any]:
    """The manifest, once every file it lists is there with its size and checksum."""
    manifest_path = backup / MANIFEST
    if not manifest_path.is_file():
        raise ApplicationError(_("%(path)s is not a backup: it has no manifest.json.") % {"path": backup})
    manifest = json.loads(manifest_path.read_text())
    for name, expected in manifest["files"].items():
        path = backup / name
        if not path.is_file() or _digest(path) != (expected["size"], expected["sha256"]):
            raise ApplicationError(
                _("The backup file %(name)s is missing or damaged (its checksum does not match).") % {"name": name}
            )
    return manifest


def backup_restore(backup: Path, *, database_url: str, files_dir: Path, force: bool = False) -> dict[str, Any]:
    """Restore ``backup`` into the database at ``database_url`` and its files into ``files_dir``.

    Everything is checked before anything is written: the checksums, that the database is of the backup's
    kind and empty, that the folder is empty (``force`` restores over what is there).
    """
    manifest = backup_verify(backup)
    database = dj_database_url.parse(database_url)
    engine = "sqlite" if database["ENGINE"] == "django.db.backends.sqlite3" else "postgresql"
    if engine != manifest["engine"]:
        raise ApplicationError(
            _("This backup is of a %(backup)s database; it cannot be restored into %(target)s.")
            % {"backup": manifest["engine"], "target": engine}
        )
    tables = _sqlite_tables(Path(database["NAME"])) if engine == "sqlite" else _pg_tables(database)
    if tables and not force:
        raise ApplicationError(
            _("The database already has %(count)s tables: restore into an empty database, or add --force.")
            % {"count": tables}
        )
    if files_dir.is_dir() and any(files_dir.iterdir()) and not force:
        raise ApplicationError(
            _("The folder %(path)s is not empty: restore the files into an empty folder, or add --force.")
            % {"path": files_dir}
        )
    if engine == "sqlite":
        target = Path(database["NAME"])
        target.parent.mkdir(parents=True, exist_ok=True)
        target.unlink(missing_ok=True)
        _sqlite_copy(backup / SQLITE_FILE, target)
    else:
        command = [_pg_program("pg_restore"), "--no-owner", "--no-privileges", "--exit-on-error"]
        if tables:
            command += ["--clean", "--if-exists"]
        _run(
            [*command, "--single-transaction", f"--dbname={database['NAME']}", str(backup / PG_DUMP_FILE)],
            _pg_env(database),
        )
    files_dir.mkdir(parents=True, exist_ok=True)
    with tarfile.open(backup / FILES_ARCHIVE, "r:gz") as archive:
        archive.extractall(files_dir, filter="data")  # no absolute paths, links out or devices
        restored_files = sum(1 for member in archive.getmembers() if member.isfile())
    return {"created_at": manifest["created_at"], "engine": engine, "files": restored_files}


def _pg_tables(database: dict) -> int:
    params = {
        "host": database.get("HOST") or None,
        "port": database.get("PORT") or None,
        "user": database.get("USER") or None,
        "password": database.get("PASSWORD") or None,
        "dbname": database["NAME"],
        "connect_timeout": 10,
    }
    with psycopg.connect(**{k: v for k, v in params.items() if v is not None}) as conn:
        return conn.execute(
            "SELECT count(*) FROM pg_tables WHERE schemaname NOT IN ('pg_catalog', 'information_schema')"
        ).fetchone()[0]


def _sqlite_tables(path: Path) -> int:
    if not path.exists():
        return 0
    with sqlite3.connect(path) as conn:
        count = conn.execute("SELECT count(*) FROM sqlite_master WHERE type = 'table'").fetchone()[0]
    conn.close()
    return count
