"""Backups: the seeded database and its files backed up, restored into a fresh database (created here on the
local PostgreSQL, dropped after), found the same; backups past the retention deleted; SQLite (make run) too."""

from __future__ import annotations

import hashlib
import json
import os
import sqlite3
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path
from uuid import uuid4

import psycopg
import pytest
from django.conf import settings as django_settings
from django.core.management import CommandError, call_command
from django.db import connection
from django.urls import reverse
from psycopg import sql

from checkpoints.services.daily_lists import daily_list_build
from rollout.errors import ApplicationError
from rollout.models import JobRun
from rollout.services.backups import backup_create, backup_restore, backup_write, backups_list, backups_prune
from rollout.services.jobs import JOBS
from rollout.timeutils import local_today
from tests.factories import ArrivalFactory, CheckInFactory, district
from tests.worker import ROOT


def _server_url(name: str) -> str:
    db = connection.settings_dict
    password = f":{db['PASSWORD']}" if db["PASSWORD"] else ""
    return f"postgres://{db['USER'] or 'postgres'}{password}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{name}"


@pytest.fixture
def fresh_database():
    """An empty database on the local PostgreSQL, with a name of its own; dropped after the test."""
    name = f"rollout_restore_{uuid4().hex[:12]}"
    with psycopg.connect(_server_url("postgres"), autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    yield _server_url(name)
    with psycopg.connect(_server_url("postgres"), autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _row_counts(url: str) -> dict[str, int]:
    with psycopg.connect(url) as conn:
        tables = [
            row[0] for row in conn.execute("SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY 1")
        ]
        count = sql.SQL("SELECT count(*) FROM {}")
        return {table: conn.execute(count.format(sql.Identifier(table))).fetchone()[0] for table in tables}


def _download_sha(client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200
    return hashlib.sha256(b"".join(response.streaming_content)).hexdigest()


def _download_sha_from(database_url: str, files: Path, var: Path, user_id: int, url: str) -> str:
    """The same download, served by another process from the restored database and files."""
    script = (
        "import hashlib; from django.test import Client; from rollout.models import User; "
        f"c = Client(); c.force_login(User.objects.get(pk={user_id})); r = c.get({url!r}); "
        "print(r.status_code, hashlib.sha256(b''.join(r.streaming_content)).hexdigest())"
    )
    env = os.environ | {
        "DJANGO_DEBUG": "1",
        "DATABASE_URL": database_url,
        "PRIVATE_FILES_ROOT": str(files),
        "VAR_DIR": str(var),
        "DATABASE_REPLICA_URL": "",
    }
    result = subprocess.run(
        [sys.executable, "manage.py", "shell", "-v0", "-c", script], cwd=ROOT, env=env, capture_output=True, text=True
    )
    status, sha = result.stdout.split()[-2:]
    assert status == "200", result.stderr
    return sha


@pytest.mark.django_db(transaction=True)
def test_a_backup_restored_into_a_fresh_database_has_the_same_rows_and_the_same_daily_list(
    units, settings, tmp_path, client_for, province_admin, fresh_database
):
    settings.PRIVATE_FILES_ROOT = tmp_path / "files"
    yesterday = local_today() - timedelta(days=1)
    noon = datetime.combine(yesterday, datetime.min.time(), tzinfo=UTC) + timedelta(hours=5)
    for n in range(12):
        ArrivalFactory(destination_district=district("bat_xat"), arrived_at=noon + timedelta(minutes=n))
    for _n in range(5):
        CheckInFactory()
    daily_list = daily_list_build(district=district("bat_xat"), day=yesterday, notify=False)
    assert daily_list.rows == 12
    download = reverse("checkpoints:daily-list-download", args=[daily_list.pk])
    original_sha = _download_sha(client_for(province_admin), download)

    backup = backup_create(directory=tmp_path / "backups")

    manifest = json.loads((backup.path / "manifest.json").read_text())
    assert set(manifest["files"]) == {"database.dump", "files.tar.gz"} and manifest["engine"] == "postgresql"
    assert (backup.path / "SHA256SUMS").read_text().count("\n") == 2
    assert oct(backup.path.stat().st_mode)[-3:] == "700"
    run = JobRun.objects.get(job="backup")
    assert run.status == JobRun.Status.SUCCEEDED and backup.name in run.result
    original = _row_counts(_server_url(connection.settings_dict["NAME"]))
    assert original["checkpoints_arrival"] == 12 and original["venues_checkin"] == 5

    restored_files = tmp_path / "restored-files"
    call_command("restore", str(backup.path), database_url=fresh_database, files_dir=restored_files)

    assert _row_counts(fresh_database) == original
    stored = (settings.PRIVATE_FILES_ROOT / daily_list.file).read_bytes()
    assert (restored_files / daily_list.file).read_bytes() == stored
    restored_sha = _download_sha_from(fresh_database, restored_files, tmp_path, province_admin.pk, download)
    assert restored_sha == original_sha

    # Never over data in use, and never from a damaged backup: both said before anything is written.
    with pytest.raises(CommandError, match=r"Cơ sở dữ liệu đã có \d+ bảng: hãy khôi phục vào một cơ sở dữ liệu trống"):
        call_command("restore", str(backup.path), database_url=fresh_database, files_dir=tmp_path / "other")
    with (backup.path / "files.tar.gz").open("r+b") as archive:
        archive.seek(100)
        archive.write(b"\x00\x01\x02")
    with pytest.raises(CommandError, match=r"Tệp files.tar.gz của bản sao lưu bị thiếu hoặc hỏng"):
        call_command("restore", str(backup.path), database_url=fresh_database, files_dir=tmp_path / "other", force=True)
    assert not (tmp_path / "other").exists()


def _sqlite_database(path: Path, rows: int) -> dict:
    with sqlite3.connect(path) as conn:
        conn.execute("CREATE TABLE IF NOT EXISTS visit (id INTEGER PRIMARY KEY, name TEXT)")
        conn.executemany("INSERT INTO visit (name) VALUES (?)", [(f"Khách {n}",) for n in range(rows)])
    conn.close()
    return {"ENGINE": "django.db.backends.sqlite3", "NAME": str(path)}


def test_backups_older_than_the_personal_data_retention_are_deleted(settings, tmp_path):
    settings.PRIVATE_FILES_ROOT = tmp_path / "files"
    (settings.PRIVATE_FILES_ROOT / "lists").mkdir(parents=True)
    (settings.PRIVATE_FILES_ROOT / "lists" / "a.xlsx").write_bytes(b"xlsx")
    settings.PERSONAL_DATA_RETENTION_DAYS = 21
    database = _sqlite_database(tmp_path / "app.sqlite3", 3)
    directory = tmp_path / "backups"
    now = datetime(2026, 12, 1, 20, 0, tzinfo=UTC)
    ages = [30, 22, 21.01, 20.99, 7, 0]
    for days in ages:
        backup_write(directory=directory, now=now - timedelta(days=days), database=database)
    (directory / "notes").mkdir()  # not a backup: left alone
    assert len(backups_list(directory)) == len(ages)

    deleted = backups_prune(directory=directory, now=now)

    assert sorted(now - b.created_at > timedelta(days=21) for b in deleted) == [True, True, True]
    kept = backups_list(directory)
    assert [round((now - b.created_at).total_seconds() / 86400, 2) for b in kept] == [20.99, 7, 0]
    assert (directory / "notes").is_dir()


def test_make_run_sqlite_database_is_backed_up_and_restored(settings, tmp_path):
    settings.PRIVATE_FILES_ROOT = tmp_path / "files"
    settings.PRIVATE_FILES_ROOT.mkdir()
    (settings.PRIVATE_FILES_ROOT / "roll-up.xlsx").write_bytes(b"roll-up")
    database = _sqlite_database(tmp_path / "app.sqlite3", 40)
    backup = backup_write(directory=tmp_path / "backups", database=database)
    assert (backup.path / "database.sqlite3").is_file()

    target = tmp_path / "restored" / "rollout.sqlite3"
    result = backup_restore(backup.path, database_url=f"sqlite:///{target}", files_dir=tmp_path / "restored-files")

    assert result == {"created_at": backup.created_at.isoformat(), "engine": "sqlite", "files": 1}
    with sqlite3.connect(target) as conn:
        assert conn.execute("SELECT count(*), max(name) FROM visit").fetchone() == (40, "Khách 9")
    conn.close()
    assert (tmp_path / "restored-files" / "roll-up.xlsx").read_bytes() == b"roll-up"
    with pytest.raises(ApplicationError, match="là của cơ sở dữ liệu sqlite; không thể khôi phục vào postgresql"):
        backup_restore(backup.path, database_url=_server_url("x"), files_dir=tmp_path / "x")


def test_the_backup_runs_nightly_after_the_purge_on_the_jobs_panel():
    entry = django_settings.CELERY_BEAT_SCHEDULE[JOBS["backup"].beat]
    assert entry["task"] == "rollout.tasks.backup_task"
    assert django_settings.BACKUP_AT > django_settings.PERSONAL_DATA_PURGE_AT
    assert django_settings.BACKUP_DIR == django_settings.VAR_DIR / "backups"
