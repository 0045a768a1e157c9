"""A real Celery worker process for tests about jobs: same code, real Redis broker, the test database.

Use the ``celery_worker`` fixture (transactional database: the worker is another process and sees only
committed rows). ``worker.kill()`` sends SIGKILL mid-task; ``worker.start()`` brings a new one up.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from django.conf import settings
from django.db import connection

from rollout.celery import app as celery_app

ROOT = Path(__file__).resolve().parents[1]


class WorkerProcess:
    def __init__(self, var_dir: Path, *, queues: list[str] | None = None, **env: str) -> None:
        self.var_dir = var_dir
        self.queues = queues  # None: every queue (CELERY_TASK_QUEUES), as `make run`'s worker
        self.env_extra = env  # settings of this worker, e.g. HEARTBEAT_SECONDS
        self.log_path = var_dir / "worker.log"
        self.process: subprocess.Popen | None = None

    @property
    def env(self) -> dict[str, str]:
        db = connection.settings_dict
        url = f"postgres://{db['USER'] or 'postgres'}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"
        return (
            os.environ
            | {
                "DATABASE_URL": url,  # the test database, not the development one
                "VAR_DIR": str(self.var_dir),
                "PRIVATE_FILES_ROOT": str(settings.PRIVATE_FILES_ROOT),
                "EMAIL_BACKEND": "django.core.mail.backends.filebased.EmailBackend",
                "CELERY_TASK_ALWAYS_EAGER": "0",
            }
            | self.env_extra
        )

    def start(self, *, wait: float = 30) -> None:
        log = self.log_path.open("a")
        self.process = subprocess.Popen(
            [sys.executable, "-m", "celery", "-A", "rollout", "worker", "--pool=solo", "--loglevel=INFO",
             "--without-gossip", "--without-mingle", "--without-heartbeat",
             *(["-Q", ",".join(self.queues)] if self.queues else [])],
            cwd=ROOT, env=self.env, stdout=log, stderr=subprocess.STDOUT,
        )  # fmt: skip
        deadline = time.monotonic() + wait
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"worker exited at start:\n{self.log_path.read_text()[-3000:]}")
            if "ready." in self.log_path.read_text():
                return
            time.sleep(0.2)
        raise RuntimeError(f"worker not ready after {wait}s:\n{self.log_path.read_text()[-3000:]}")

    def kill(self) -> None:
        """SIGKILL: no cleanup, no acknowledgement, as when a machine dies."""
        if self.process and self.process.poll() is None:
            self.process.send_signal(signal.SIGKILL)
            self.process.wait(10)

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(15)
            except subprocess.TimeoutExpired:
                self.kill()

    @property
    def mail_dir(self) -> Path:
        return self.var_dir / "mail"

    def mail_text(self) -> str:
        """The e-mails the worker has finished writing, "" while none is complete: Django's file backend
        creates the file before it writes the message and ends each message with a line of 79 dashes."""
        text = "".join(path.read_text() for path in sorted(self.mail_dir.glob("*.log")))
        return text if "-" * 79 in text else ""

    def log(self) -> str:
        return self.log_path.read_text() if self.log_path.exists() else ""

    def succeeded(self, task_name: str) -> bool:
        """Whether the log shows ``task_name`` finished. Celery logs this after the task returns, so after
        anything the task wrote: wait for it rather than read the log once."""
        return any(task_name in line and " succeeded in " in line for line in self.log().splitlines())


def purge_broker() -> None:
    """Drop messages left in the test broker by earlier runs, in every queue."""
    with celery_app.connection_for_write() as conn:
        for queue in [*settings.CELERY_QUEUE_LIMITS, "celery"]:
            conn.default_channel.queue_purge(queue)


def waiting_in_queue(queue: str) -> int:
    """Messages waiting in a queue of the broker (every priority step)."""
    with celery_app.connection_for_write() as conn:
        return conn.default_channel.queue_declare(queue=queue).message_count


def wait_for(predicate, *, timeout: float = 30, interval: float = 0.2, message: str = "condition"):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(interval)
    raise AssertionError(f"timed out after {timeout}s waiting for {message}")
