"""Outages under load: public check-ins and background work while Redis, PostgreSQL or the worker go away.

    .venv/bin/python bench/faults.py [--quick] [--rate 20] [--clients 4] [--workers 3]

Everything runs on servers of the bench's own, started here and stopped by their pids in ``finally``:
a PostgreSQL (``tests/postgres_server.py``, initdb on a free port) and a Redis (``tests/redis_server.py``)
on 127.0.0.1, gunicorn in production mode (DJANGO_DEBUG=0) and a real Celery worker with embedded beat
(``--beat``, ``OUTBOX_SWEEP_SECONDS=2``, ``HEARTBEAT_SECONDS=1``, ``WORKER_LOST_SECONDS=4``). The
machine's own PostgreSQL (5432) and Redis (6379) are never touched.

1. ceiling: check-ins as fast as ``--clients`` threads get answers, no fault (the machine's own figure).
2. Redis down 15 s (broker and cache): check-ins at a steady ``--rate`` 5 s before, during, 10 s after.
   Goal: no 5xx. Also the dashboard rebuilds recorded with the check-ins during the outage (``FollowUp``):
   how many waited, how many were delivered after, how long that took, and whether the worker (same pid)
   lived through it.
3. PostgreSQL restart, 4. PostgreSQL down 10 s: goal no 500 (503 with Retry-After allowed), every 2xx a
   stored row, no row twice; seconds from PostgreSQL accepting connections to the first 2xx.
5. Worker killed (SIGKILL of its main process and of its beat child) while it writes a daily list made
   slow by ``DAILY_LISTS_TEST_ROW_DELAY_MS``; a new worker is started at once. Seconds until the run is
   ``interrupted`` and until a run succeeds; no ``*.part`` file left.

Every check-in carries a new phone number (the "same phone, same venue" mark never merges two) at a
random venue among a few districts, from a few client addresses (``PROXY_COUNT=1``); the rate limits
are raised so they never trip. Rows are counted per phone afterwards: "lost" is a 2xx phone with no
row, "twice" a phone with two rows, "stored w/o 2xx" a row whose request got no 2xx.
"""

from __future__ import annotations

import argparse
import contextlib
import http.client
import itertools
import json
import os
import random
import re
import secrets
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.postgres_server import PostgresServer
from tests.redis_server import RedisServer, free_port

PY = str(ROOT / ".venv" / "bin" / "python")
CSRF_INPUT = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
DISTRICTS = ("bat_xat", "sa_pa", "bao_yen", "lao_cai")

# Venues spread over four districts, and the arrivals the killed worker's daily lists are built from:
# Sa Pa's 120 rows take ~5 s at 40 ms a row, long enough to kill the worker in the middle.
SETUP = f"""
import json
from datetime import time as clock, timedelta
from venues.services.checkins import venue_token
from rollout.timeutils import local_datetime, local_today
from tests.factories import ArrivalFactory, CheckpointFactory, VenueFactory, district
venues = [VenueFactory(district=district(d)) for d in {DISTRICTS!r} for _ in range(3)]
yesterday = local_today() - timedelta(days=1)
checkpoint = CheckpointFactory()
noon, eight = local_datetime(yesterday, clock(12, 0)), local_datetime(yesterday, clock(8, 0))
ArrivalFactory.create_batch(120, checkpoint=checkpoint, destination_district=district("sa_pa"), arrived_at=noon)
ArrivalFactory.create_batch(3, checkpoint=checkpoint, destination_district=district("bat_xat"), arrived_at=eight)
print(json.dumps({{"tokens": [venue_token(v) for v in venues], "yesterday": yesterday.isoformat()}}))
"""

# Exactly what beat queues at 06:30 (the test of the killed worker does the same).
SEND_DAILY_LISTS = """
from django.conf import settings
from rollout.celery import app
entry = settings.CELERY_BEAT_SCHEDULE["daily-lists"]
app.send_task(entry["task"], args=entry.get("args", ()), kwargs=entry.get("kwargs", {}))
"""


# --- Servers ------------------------------------------------------------------------------------


class Stack:
    """The bench's own PostgreSQL, Redis, gunicorn and worker; ``close()`` stops each by its pid."""

    def __init__(self, args: argparse.Namespace) -> None:
        self.args = args
        self.tmp = Path(tempfile.mkdtemp(prefix="bench-faults-"))
        self.postgres: PostgresServer | None = None
        self.redis: RedisServer | None = None
        self.gunicorn: subprocess.Popen | None = None
        self.worker: subprocess.Popen | None = None
        self.worker_children: list[int] = []
        self.port = free_port()
        self.env: dict[str, str] = {}
        self.db_url = ""

    def prepare(self) -> dict:
        self.postgres = PostgresServer().start()
        self.redis = RedisServer().start()
        self.db_url = self.postgres.create_database("rollout_faults")
        self.env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "rollout.settings",
            "DJANGO_DEBUG": "0",
            "SECRET_KEY": "bench-faults-" + secrets.token_urlsafe(32),
            "ALLOWED_HOSTS": "127.0.0.1",
            "SECURE_SSL_REDIRECT": "0",
            "SECURE_COOKIES": "0",
            "SECURE_HSTS_SECONDS": "0",
            "DATABASE_URL": self.db_url,
            "REDIS_URL": self.redis.url,
            "CELERY_BROKER_URL": self.redis.url,
            "VAR_DIR": str(self.tmp / "var"),
            "STATIC_ROOT": str(self.tmp / "static"),
            "PRIVATE_FILES_ROOT": str(self.files),
            "EMAIL_BACKEND": "django.core.mail.backends.filebased.EmailBackend",
            "PROXY_COUNT": "1",
            "CHECKIN_RATE_PER_IP": "100000000/m",
            "CHECKIN_RATE_PER_VENUE": "100000000/m",
            "CHECKIN_PAGE_RATE_PER_IP": "100000000/m",
            # The real sweep, often; dashboard rebuilds due 2 s after a check-in, so the ones recorded
            # during an outage are due while it lasts.
            "OUTBOX_SWEEP_SECONDS": "2",
            "DAILY_STATS_BUMP_DELAY_SECONDS": "2",
            "HEARTBEAT_SECONDS": "1",
            "WORKER_LOST_SECONDS": "4",
            "DAILY_LISTS_TEST_ROW_DELAY_MS": "40",
            "DAILY_LISTS_CATCH_UP_DAYS": "0",
            "LOG_LEVEL": "WARNING",
        }
        self.manage("collectstatic", "--noinput", "-v0")
        self.manage("migrate", "--noinput", "-v0")
        self.manage("load_admin_units")
        return json.loads(self.manage("shell", "-c", SETUP).strip().splitlines()[-1])

    @property
    def files(self) -> Path:
        return self.tmp / "files"

    def manage(self, *command: str) -> str:
        result = subprocess.run(
            [PY, "manage.py", *command], cwd=ROOT, env=self.env, capture_output=True, text=True, check=False
        )
        if result.returncode != 0:
            raise SystemExit(f"manage.py {command[0]} failed:\n{result.stderr[-3000:]}")
        return result.stdout

    def start_gunicorn(self) -> None:
        log = (self.tmp / "gunicorn.log").open("w")
        self.gunicorn = subprocess.Popen(
            [
                PY,
                "-m",
                "gunicorn",
                "rollout.wsgi:application",
                "-k",
                "sync",
                "-w",
                str(self.args.workers),
                "-b",
                f"127.0.0.1:{self.port}",
            ],
            cwd=ROOT,
            env=self.env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        wait_for(lambda: request_status(self.port, "/healthz") in (200, 503), 60, "gunicorn to answer")

    def start_worker(self) -> None:
        offset = len(self.worker_log())  # the log is shared with the previous worker: read only what is new
        log = (self.tmp / "worker.log").open("a")
        self.worker = subprocess.Popen(
            [
                PY,
                "-m",
                "celery",
                "-A",
                "rollout",
                "worker",
                "--beat",
                "--schedule",
                str(self.tmp / "beat-schedule"),
                "--pool=solo",
                "--loglevel=INFO",
                "--without-gossip",
                "--without-mingle",
                "--without-heartbeat",
            ],
            cwd=ROOT,
            env=self.env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        wait_for(lambda: "ready." in self.worker_log()[offset:], 60, "the worker to be ready")
        # The embedded beat is a child process: it must go with its worker when that one is killed.
        self.worker_children = child_pids(self.worker.pid)

    def errors_logged(self) -> str:
        """Tracebacks in the web and worker logs (counts only: a log line may quote a request's data)."""
        counts = []
        for name in ("gunicorn.log", "worker.log"):
            path = self.tmp / name
            text = path.read_text(errors="replace") if path.exists() else ""
            counts.append(f"{name}: {text.count('Traceback')}")
        return ", ".join(counts)

    def worker_log(self) -> str:
        path = self.tmp / "worker.log"
        return path.read_text(errors="replace") if path.exists() else ""

    def kill_worker(self) -> None:
        """SIGKILL, as when a machine dies: the main process, then its beat child (by pids known before)."""
        if self.worker and self.worker.poll() is None:
            self.worker.send_signal(signal.SIGKILL)
            self.worker.wait(10)
        for pid in self.worker_children:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
        self.worker_children = []

    def stop_worker(self) -> None:
        if self.worker and self.worker.poll() is None:
            self.worker.terminate()
            with contextlib.suppress(subprocess.TimeoutExpired):
                self.worker.wait(20)
        self.kill_worker()

    def close(self) -> None:
        for step in (self.stop_worker, self._stop_gunicorn):
            try:
                step()
            except Exception as exc:  # keep stopping the rest
                print(f"stopping: {type(exc).__name__}: {exc}")
        if self.redis:
            self.redis.close()
        if self.postgres:
            self.postgres.close()
        if not self.args.keep:
            shutil.rmtree(self.tmp, ignore_errors=True)

    def _stop_gunicorn(self) -> None:
        if self.gunicorn and self.gunicorn.poll() is None:
            self.gunicorn.terminate()
            try:
                self.gunicorn.wait(30)
            except subprocess.TimeoutExpired:
                self.gunicorn.kill()
                self.gunicorn.wait(10)

    def sql(self, query: str, params: tuple = ()) -> list[tuple]:
        """A fresh connection per question: the bench's own reads must not be broken by the outages."""
        import psycopg

        with psycopg.connect(self.db_url, autocommit=True, connect_timeout=3) as conn:
            return conn.execute(query, params).fetchall()


def child_pids(pid: int) -> list[int]:
    found = []
    for task in Path(f"/proc/{pid}/task").glob("*/children"):
        found += [int(p) for p in task.read_text().split()]
    return found


def request_status(port: int, path: str) -> int | None:
    try:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
        conn.request("GET", path)
        return conn.getresponse().status
    except OSError:
        return None


def wait_for(predicate, timeout: float, what: str, interval: float = 0.2):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(interval)
    raise SystemExit(f"gave up after {timeout:.0f} s waiting for {what}")


# --- Load ---------------------------------------------------------------------------------------

PHONES = itertools.count(random.randrange(10_000_000, 80_000_000))  # next() is atomic under the GIL


@dataclass
class Sent:
    at: float  # monotonic, when sent
    answered: float
    status: int | None  # None: no answer (connection refused, reset, timeout)
    phone: str
    retry_after: bool = False


@dataclass
class Load:
    marker: str
    sent: list[Sent] = field(default_factory=list)
    seconds: float = 0.0

    def codes(self) -> dict[str, int]:
        out: dict[str, int] = {}
        for s in self.sent:
            key = str(s.status) if s.status is not None else "no answer"
            out[key] = out.get(key, 0) + 1
        return dict(sorted(out.items()))

    def ok_phones(self) -> set[str]:
        return {s.phone for s in self.sent if s.status is not None and 200 <= s.status < 300}


class Client(threading.Thread):
    """One browser: its CSRF cookie, its own address (X-Forwarded-For), a request every ``interval`` s
    (0: as fast as answers come). Each request is a new connection, as phones make."""

    def __init__(self, port: int, targets: list[str], ip: str, interval: float, until: float, load: Load) -> None:
        super().__init__(daemon=True)
        self.port, self.targets, self.ip, self.load = port, targets, ip, load
        self.interval, self.until = interval, until
        self.cookie = self.token = ""
        self.sent: list[Sent] = []

    def prepare(self) -> None:
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=10)
        conn.request("GET", f"/c/{self.targets[0]}/", headers={"X-Forwarded-For": self.ip})
        response = conn.getresponse()
        page = response.read().decode()
        self.cookie = response.getheader("Set-Cookie", "").split(";")[0]
        self.token = CSRF_INPUT.search(page).group(1)
        conn.close()

    def run(self) -> None:
        origin = f"http://127.0.0.1:{self.port}"
        next_at = time.monotonic()
        while next_at < self.until:
            delay = next_at - time.monotonic()
            if delay > 0:
                time.sleep(delay)
            path = f"/c/{random.choice(self.targets)}/"
            phone = f"09{next(PHONES):08d}"
            body = urlencode(
                {
                    "csrfmiddlewaretoken": self.token,
                    "full_name": self.load.marker,
                    "phone": phone,
                    "has_fever": "no",
                    "has_cough": "no",
                    "has_breathing_difficulty": "no",
                    "had_contact": "no",
                }
            )
            headers = {
                "Cookie": self.cookie,
                "Origin": origin,
                "Referer": origin + path,
                "X-Forwarded-For": self.ip,
                "Content-Type": "application/x-www-form-urlencoded",
            }
            started = time.monotonic()
            status, retry_after = None, False
            try:
                conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=15)
                conn.request("POST", path, body=body, headers=headers)
                response = conn.getresponse()
                response.read()
                status, retry_after = response.status, response.getheader("Retry-After") is not None
                conn.close()
            except (OSError, http.client.HTTPException):
                pass
            self.sent.append(Sent(started, time.monotonic(), status, phone, retry_after))
            # Steady pace; a slot missed while an answer was slow is skipped, not made up in a burst.
            next_at = max(next_at + self.interval, time.monotonic()) if self.interval else time.monotonic()


def run_load(stack: Stack, targets: list[str], marker: str, seconds: float, rate: float, during=None) -> Load:
    """Check-ins for ``seconds`` (``rate`` per second in all, 0: closed loop); ``during(started)`` runs the
    fault in this thread meanwhile."""
    load = Load(marker)
    clients_n = stack.args.clients
    interval = clients_n / rate if rate else 0.0
    started = time.monotonic()
    clients = [
        Client(stack.port, targets, f"10.0.{n}.{random.randrange(1, 250)}", interval, started + seconds, load)
        for n in range(clients_n)
    ]
    for client in clients:
        client.prepare()
    started = time.monotonic()
    for client in clients:
        client.until = started + seconds
        client.start()
        time.sleep(interval / clients_n if interval else 0)  # spread the threads over the interval
    try:
        if during is not None:
            during(started)
    finally:
        for client in clients:
            client.join()
    load.seconds = time.monotonic() - started
    for client in clients:
        load.sent += client.sent
    return load


@dataclass
class Stored:
    rows: int
    lost: int  # 2xx answered, no row
    twice: int  # phones with more than one row
    without_ok: int  # rows whose request got no 2xx


def stored(stack: Stack, load: Load) -> Stored:
    time.sleep(0.5)  # an answer is sent after its commit; nothing is in flight now
    counts = dict(
        stack.sql("SELECT phone, count(*) FROM venues_checkin WHERE full_name = %s GROUP BY phone", (load.marker,))
    )
    ok = load.ok_phones()
    return Stored(
        rows=sum(counts.values()),
        lost=len(ok - counts.keys()),
        twice=sum(1 for n in counts.values() if n > 1),
        without_ok=len(counts.keys() - ok),
    )


def print_table(title: str, load: Load, rows: Stored, extra: list[tuple[str, str]]) -> None:
    ok = len(load.ok_phones())
    print(f"\n== {title}")
    lines = [
        ("requests sent", f"{len(load.sent)} in {load.seconds:.1f} s ({len(load.sent) / load.seconds:.1f}/s)"),
        ("answers by status", ", ".join(f"{k}: {v}" for k, v in load.codes().items())),
        ("2xx answers / rows stored", f"{ok} / {rows.rows}"),
        ("lost / twice / stored w/o 2xx", f"{rows.lost} / {rows.twice} / {rows.without_ok}"),
        *extra,
    ]
    for name, value in lines:
        print(f"  {name:<34} {value}")


def verdict(name: str, met: bool, detail: str) -> bool:
    print(f"  VERDICT {name}: {'MET' if met else 'NOT MET'} ({detail})")
    return met


def count_5xx(load: Load, *, allowed: tuple[int, ...] = ()) -> int:
    return sum(1 for s in load.sent if s.status is not None and s.status >= 500 and s.status not in allowed)


def first_ok_after(load: Load, moment: float) -> float | None:
    answered = [s.answered for s in load.sent if s.at >= moment and s.status is not None and 200 <= s.status < 300]
    return min(answered) - moment if answered else None


# --- Faults -------------------------------------------------------------------------------------


def fault_redis(stack: Stack, targets: list[str], phases: tuple[float, float, float], rate: float) -> bool:
    before, down, after = phases
    pid = stack.worker.pid
    marks: dict[str, float] = {}

    def outage(started: float) -> None:
        time.sleep(max(0.0, started + before - time.monotonic()))
        marks["down_wall"] = stack.sql("SELECT now()")[0][0]
        stack.redis.stop()
        marks["down"] = time.monotonic()
        time.sleep(max(0.0, marks["down"] + down - time.monotonic()))
        marks["up_wall"] = stack.sql("SELECT now()")[0][0]
        stack.redis.start()
        marks["up"] = time.monotonic()

    load = run_load(stack, targets, "Bench redis", before + down + after, rate, outage)
    rows = stored(stack, load)
    # Rebuilds are coalesced per district and day: while one waits, more check-ins add nothing. So the
    # ones to follow are those alive during the outage: recorded before Redis was back, not finished
    # before it went away.
    alive = (
        "FROM rollout_followup WHERE task = 'dashboard.tasks.daily_stats_bump_task' AND created_at < %s "
        "AND (finished_at IS NULL OR finished_at > %s)"
    )
    window = (marks["up_wall"], marks["down_wall"])
    waited = stack.sql(f"SELECT count(*) {alive}", window)[0][0]

    def undelivered() -> int:
        return stack.sql(f"SELECT count(*) {alive} AND state <> 'done'", window)[0][0]

    try:
        wait_for(lambda: undelivered() == 0, 60, "the follow-ups recorded during the outage", interval=0.5)
        last = stack.sql(f"SELECT max(finished_at) - %s {alive}", (marks["up_wall"], *window))[0][0]
        delivered_in = last.total_seconds() if last is not None else 0.0
        delivered = f"all {waited}, the last {delivered_in:.1f} s after Redis was back"
    except SystemExit:
        delivered_in = None
        delivered = f"{waited - undelivered()} of {waited} after 60 s"
    survived = stack.worker.poll() is None and stack.worker.pid == pid
    beat_alive = all(Path(f"/proc/{child}").exists() for child in stack.worker_children)
    during = [s for s in load.sent if marks["down"] <= s.at < marks["up"]]
    during_codes = Load("", during).codes()
    print_table(
        f"Redis down {down:.0f} s (broker + cache), check-ins at {rate:.0f}/s",
        load,
        rows,
        [
            ("answers while Redis was down", ", ".join(f"{k}: {v}" for k, v in during_codes.items()) or "-"),
            ("dashboard rebuilds waiting", str(waited)),
            ("  delivered once Redis was back", delivered),
            ("worker survived (same pid)", "yes" if survived else "NO"),
            ("its beat child alive", "yes" if beat_alive else "NO"),
        ],
    )
    fives = count_5xx(load)
    no_answer = load.codes().get("no answer", 0)
    met = verdict("0 x 5xx on check-ins", fives == 0 and no_answer == 0, f"{fives} x 5xx, {no_answer} unanswered")
    met &= verdict(
        "0 lost, 0 twice",
        rows.lost == rows.twice == rows.without_ok == 0,
        f"{rows.lost} lost, {rows.twice} twice, {rows.without_ok} stored w/o 2xx",
    )
    met &= verdict(
        "follow-ups delivered, worker alive", delivered_in is not None and survived and beat_alive, delivered
    )
    return met


def fault_postgres(stack: Stack, targets: list[str], title: str, phases, rate: float, down: float | None) -> bool:
    """``down`` None: ``restart()`` (stop fast + start); else stopped that many seconds."""
    before, after = phases
    marks: dict[str, float] = {}

    def outage(started: float) -> None:
        time.sleep(max(0.0, started + before - time.monotonic()))
        marks["stop"] = time.monotonic()
        if down is None:
            stack.postgres.restart()
        else:
            stack.postgres.stop()
            time.sleep(down)
            stack.postgres.start()
        marks["back"] = time.monotonic()  # pg_ctl -w returned: it accepts connections

    total = before + (down or 0) + after + 2
    load = run_load(stack, targets, f"Bench {title}", total, rate, outage)
    rows = stored(stack, load)
    recovered = first_ok_after(load, marks["back"])
    fives = [s for s in load.sent if s.status is not None and s.status >= 500]
    without_retry_after = sum(1 for s in fives if s.status == 503 and not s.retry_after)
    print_table(
        f"{title}, check-ins at {rate:.0f}/s",
        load,
        rows,
        [
            ("fault lasted (stop to accepting)", f"{marks['back'] - marks['stop']:.1f} s"),
            ("first 2xx after accepting", "none" if recovered is None else f"{recovered:.2f} s"),
            ("503 without Retry-After", str(without_retry_after)),
            ("worker alive", "yes" if stack.worker.poll() is None else "NO"),
        ],
    )
    others = count_5xx(load, allowed=(503,))
    no_answer = load.codes().get("no answer", 0)
    met = verdict(
        "0 x 500 (503 + Retry-After allowed)",
        others == 0 and without_retry_after == 0 and no_answer == 0,
        f"{others} x 5xx other than 503, {no_answer} unanswered",
    )
    met &= verdict(
        "0 lost, 0 twice",
        rows.lost == rows.twice == rows.without_ok == 0,
        f"{rows.lost} lost, {rows.twice} twice, {rows.without_ok} stored w/o 2xx",
    )
    met &= verdict(
        "serves again",
        recovered is not None,
        "first 2xx " + ("never" if recovered is None else f"{recovered:.2f} s after PostgreSQL accepts connections"),
    )
    return met


def fault_worker(stack: Stack, yesterday: str) -> bool:
    folder = stack.files / "daily-lists" / yesterday[:4] / yesterday
    runs = "SELECT status, count(*) FROM rollout_jobrun WHERE job = 'daily_lists_build' GROUP BY status"
    stack.manage("shell", "-c", SEND_DAILY_LISTS)
    wait_for(lambda: list(folder.glob(".*sa-pa*.part")), 60, "Sa Pa's list being written")
    time.sleep(1)  # well inside the ~5 s its 120 rows take
    old_pid = stack.worker.pid
    stack.kill_worker()
    killed = time.monotonic()
    parts_at_kill = len(list(folder.glob("*.part")))
    stack.start_worker()
    started_in = time.monotonic() - killed
    interrupted = wait_for(lambda: dict(stack.sql(runs)).get("interrupted"), 60, "the run seen as interrupted")
    interrupted_in = time.monotonic() - killed
    wait_for(lambda: dict(stack.sql(runs)).get("succeeded"), 120, "a run that succeeds", interval=0.5)
    succeeded_in = time.monotonic() - killed
    lists = stack.sql(
        "SELECT count(*), count(DISTINCT district_id), max(revision) FROM checkpoints_dailylist WHERE day = %s",
        (yesterday,),
    )[0]
    parts_left = len(list(stack.files.rglob("*.part")))
    statuses = [
        s for (s,) in stack.sql("SELECT status FROM rollout_jobrun WHERE job = 'daily_lists_build' ORDER BY started_at")
    ]
    print("\n== Worker killed (SIGKILL) mid daily-list build, new worker started at once")
    for name, value in [
        ("killed pid / new pid", f"{old_pid} / {stack.worker.pid} (new one ready {started_in:.1f} s after)"),
        (".part files at the kill", str(parts_at_kill)),
        ("run shown interrupted after", f"{interrupted_in:.1f} s ({interrupted} run)"),
        ("a run succeeded after", f"{succeeded_in:.1f} s"),
        ("job runs, in order", ", ".join(statuses)),
        ("lists / districts / max revision", " / ".join(str(v) for v in lists)),
        ("*.part files left", str(parts_left)),
    ]:
        print(f"  {name:<34} {value}")
    met = verdict(
        "interrupted, then succeeded",
        statuses[:1] == ["interrupted"] and "succeeded" in statuses,
        f"{interrupted_in:.1f} s / {succeeded_in:.1f} s after the kill",
    )
    met &= verdict(
        "no *.part left, every list once",
        parts_left == 0 and lists[0] == lists[1] and lists[2] == 1,
        f"{parts_left} .part, {lists[0]} lists",
    )
    return met


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="shorter phases: a smoke run")
    parser.add_argument("--rate", type=float, default=20, help="check-ins per second during faults (default 20)")
    parser.add_argument("--clients", type=int, default=4, help="client threads (default 4)")
    parser.add_argument("--workers", type=int, default=3, help="gunicorn sync workers (default 3)")
    parser.add_argument("--keep", action="store_true", help="keep the temporary folder with the logs")
    args = parser.parse_args()
    q = args.quick
    started = time.monotonic()
    stack = Stack(args)
    results: dict[str, bool] = {}
    try:
        setup = stack.prepare()
        targets = setup["tokens"]
        stack.start_gunicorn()
        stack.start_worker()
        print(
            f"prepared in {time.monotonic() - started:.0f} s: PostgreSQL :{stack.postgres.port}, Redis "
            f":{stack.redis.port}, gunicorn :{stack.port} ({args.workers} sync workers), worker pid "
            f"{stack.worker.pid} (--beat, solo), {len(targets)} venues, {args.clients} clients, "
            f"cpus={os.cpu_count()}"
        )

        run_load(stack, targets, "Bench warm-up", 2, 0)
        ceiling = run_load(stack, targets, "Bench ceiling", 4 if q else 8, 0)
        rows = stored(stack, ceiling)
        print_table("Ceiling: no fault, closed loop", ceiling, rows, [])
        ceiling_rps = len(ceiling.sent) / ceiling.seconds
        print(
            f"  ceiling {ceiling_rps:.0f} check-ins/s; faults below run at {args.rate:.0f}/s "
            f"({args.rate / ceiling_rps:.0%} of it)"
        )

        results["Redis down"] = fault_redis(stack, targets, (3, 6, 5) if q else (5, 15, 10), args.rate)
        time.sleep(2)
        results["PostgreSQL restart"] = fault_postgres(
            stack, targets, "PostgreSQL restart", (3, 4) if q else (5, 10), args.rate, None
        )
        time.sleep(2)
        down = 4 if q else 10
        results[f"PostgreSQL down {down} s"] = fault_postgres(
            stack, targets, f"PostgreSQL down {down} s", (3, 4) if q else (5, 10), args.rate, down
        )
        results["Worker killed"] = fault_worker(stack, setup["yesterday"])
        kept = f" (logs kept in {stack.tmp})" if args.keep else ""
        print(f"\ntracebacks logged: {stack.errors_logged()}{kept}")
    finally:
        stack.close()
    print(
        f"\nSummary ({time.monotonic() - started:.0f} s in all): "
        + ", ".join(f"{name}: {'MET' if ok else 'NOT MET'}" for name, ok in results.items())
    )
    if not all(results.values()):
        sys.exit(1)


if __name__ == "__main__":
    main()
