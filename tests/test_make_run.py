"""`make run`'s start-up script on a tree with no var/: the web answers and the worker it starts runs tasks.

This is what a newcomer does first; nothing left over from an earlier run may be needed. The script
runs with the embedded defaults (SQLite, the file-system broker) in a fresh VAR_DIR, as on a clone.
"""

from __future__ import annotations

import os
import re
import signal
import sqlite3
import subprocess
import sys
import threading
import urllib.request
from datetime import timedelta
from pathlib import Path

import pytest

from rollout.timeutils import local_today
from tests.redis_server import free_port
from tests.worker import wait_for
from tracing.demo import F0_ID as TRACING_F0_ID

ROOT = Path(__file__).resolve().parents[1]
pytestmark = pytest.mark.worker
SERVICES = ("DATABASE_URL", "REDIS_URL", "CELERY_BROKER_URL", "VAR_DIR", "PRIVATE_FILES_ROOT", "EMAIL_BACKEND")


def test_make_run_on_a_tree_without_var_starts_a_worker_that_runs_tasks(tmp_path):
    var = tmp_path / "var"
    assert not var.exists()
    port = free_port()
    env = {k: v for k, v in os.environ.items() if k not in SERVICES} | {
        "VAR_DIR": str(var),
        "PORT": str(port),
        "DEMO_ARRIVALS_PER_DAY": "0",
        "OUTBOX_SWEEP_SECONDS": "2",
    }
    process = subprocess.Popen(
        ["./scripts/run-dev.sh"], cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
        start_new_session=True, text=True,
    )  # fmt: skip
    output: list[str] = []
    threading.Thread(target=lambda: output.extend(process.stdout), daemon=True).start()
    try:
        wait_for(lambda: "The app is running" in "".join(output) or process.poll() is not None, timeout=600,
                 message="make run to start")  # fmt: skip
        assert process.poll() is None, "".join(output)[-3000:]
        assert "worker heartbeat at" in "".join(output)  # it said the worker runs only after hearing from it

        # Beat sends the outbox sweep every 2 s; the worker runs it and records beat's heartbeat.
        database = var / "rollout.sqlite3"
        wait_for(lambda: _beat_seen(database), timeout=120, message="a task run by the worker")
        log = (var / "celery.log").read_text()
        assert "rollout.tasks.outbox_sweep_task" in log and " succeeded in " in log
        assert "Unrecoverable error" not in log and "FileNotFoundError" not in log

        wait_for(lambda: _status(f"http://127.0.0.1:{port}/accounts/login/") == 200, timeout=60,
                 message="the web server")  # fmt: skip

        # The search a newcomer tries on the demo's confirmed case, on SQLite as `make run` has it.
        today = local_today()
        traced = subprocess.run(
            [sys.executable, "manage.py", "trace_contacts", "--id-number", TRACING_F0_ID,
             "--from", (today - timedelta(days=13)).isoformat(), "--to", today.isoformat(), "--reason", "Thử"],
            cwd=ROOT, env=env, capture_output=True, text=True, timeout=300,
        )  # fmt: skip
        assert traced.returncode == 0, traced.stderr[-3000:]
        assert int(re.search(r"candidates: (\d+)", traced.stdout).group(1)) >= 3, traced.stdout
        assert process.poll() is None  # still up, worker included
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(30)


def _beat_seen(database: Path) -> bool:
    if not database.exists():
        return False
    try:
        with sqlite3.connect(database, timeout=5) as db:
            return bool(db.execute("SELECT 1 FROM rollout_heartbeat WHERE name = 'beat'").fetchone())
    except sqlite3.OperationalError:  # not migrated yet, or busy
        return False


def _status(url: str) -> int | None:
    try:
        with urllib.request.urlopen(url, timeout=5) as response:  # noqa: S310 (a local test server)
            return response.status
    except OSError:
        return None
