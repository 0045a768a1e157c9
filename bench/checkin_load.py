"""Check-in throughput under gunicorn + PostgreSQL: the real public check-in against an ORM-insert ceiling.

    .venv/bin/python bench/checkin_load.py [--seconds 20] [--rounds 2] [--connections 8] [--workers 4]

What it does:
1. Prepares a PostgreSQL bench database (DATABASE_URL, default .../rollout_bench_checkin): migrate, the
   2021 units, the demo province with a month of check-ins (once), and collectstatic.
2. Starts gunicorn (sync workers) with the real production settings (DJANGO_DEBUG=0, a SECRET_KEY,
   ALLOWED_HOSTS, Redis cache for the rate limits) plus one bench-only URL, /bench/ceiling/, a minimal
   view that inserts the same row through the ORM (bench/checkin_bench_*.py; never loaded in production).
   The check-in rate limits are raised so they never trip, but every request still counts them.
3. Drives both endpoints with N client threads (keep-alive http.client; gunicorn's sync workers close
   each connection, so each request reconnects, as phones do). The real path is used like a browser:
   GET the venue's /c/<token>/ page once for the CSRF cookie and token, then POST check-ins, every one
   with a new phone number at a random venue. Ceiling and real phases alternate (noise on a shared
   machine hits both), and each phase counts its rows in the database afterwards.
4. Prints, per phase and in total: requests/s, p50/p99 latency, 2xx answers vs rows stored.

Goal: real >= 70 % of the ceiling's requests/s, p99 <= 50 ms at 8 connections, 0 rows lost.
"""

from __future__ import annotations

import argparse
import http.client
import itertools
import os
import random
import re
import secrets
import signal
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlencode, urlsplit

ROOT = Path(__file__).resolve().parent.parent
PY = str(ROOT / ".venv" / "bin" / "python")
GUNICORN = str(ROOT / ".venv" / "bin" / "gunicorn")
OUT = ROOT / "bench" / "out"
CSRF_INPUT = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


def bench_env(args: argparse.Namespace) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        {
            "DJANGO_DEBUG": "0",
            "SECRET_KEY": env.get("SECRET_KEY") or "bench-" + secrets.token_urlsafe(32),
            "ALLOWED_HOSTS": "127.0.0.1,localhost",
            "SECURE_SSL_REDIRECT": "0",
            "SECURE_COOKIES": "0",
            "SECURE_HSTS_SECONDS": "0",
            "DATABASE_URL": args.database_url,
            "REDIS_URL": args.redis_url,
            "CELERY_BROKER_URL": args.redis_url,
            "VAR_DIR": str(OUT / "var"),
            # Never trip, but still count: the cost of counting is part of the real path.
            "CHECKIN_RATE_PER_IP": "100000000/m",
            "CHECKIN_RATE_PER_VENUE": "100000000/m",
            "CHECKIN_PAGE_RATE_PER_IP": "100000000/m",
            "PYTHONPATH": os.pathsep.join([str(ROOT), str(ROOT / "bench")]),
            "LOG_LEVEL": "WARNING",
        }
    )
    return env


def manage(env: dict[str, str], *command: str) -> str:
    result = subprocess.run([PY, "manage.py", *command], cwd=ROOT, env=env, check=True, capture_output=True, text=True)
    return result.stdout


def prepare_database(env: dict[str, str], database_url: str) -> None:
    import psycopg

    url = urlsplit(database_url)
    name = url.path.lstrip("/")
    admin = url._replace(path="/postgres").geturl()
    with psycopg.connect(admin, autocommit=True) as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
            conn.execute(f'CREATE DATABASE "{name}"')
    started = time.monotonic()
    manage(env, "migrate", "--noinput", "-v0")
    manage(env, "load_admin_units")
    seeded = manage(env, "seed_demo")
    manage(env, "collectstatic", "--noinput", "-v0")
    print(f"database {name} ready in {time.monotonic() - started:.0f}s: {seeded.strip().splitlines()[-1]}")


def venue_targets(env: dict[str, str], count: int) -> list[tuple[int, str]]:
    """(venue id, /c/<token>/ path) for active venues, computed with the server's SECRET_KEY."""
    os.environ.update({k: env[k] for k in ("DJANGO_DEBUG", "SECRET_KEY", "ALLOWED_HOSTS", "DATABASE_URL", "REDIS_URL")})
    os.environ["DJANGO_SETTINGS_MODULE"] = "rollout.settings"
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from rollout.models import Venue
    from venues.services.checkins import venue_token

    venues = list(Venue.objects.filter(is_active=True).order_by("pk")[:count])
    return [(v.pk, f"/c/{venue_token(v)}/") for v in venues]


def rows_named(name: str) -> int:
    from venues.models import CheckIn

    return CheckIn.objects.filter(full_name=name).count()


# --- Server -------------------------------------------------------------------------------------


def start_gunicorn(env: dict[str, str], port: int, workers: int) -> subprocess.Popen:
    server_env = dict(env, DJANGO_SETTINGS_MODULE="checkin_bench_settings")
    OUT.mkdir(parents=True, exist_ok=True)
    log = open(OUT / "gunicorn.log", "w")  # noqa: SIM115 (closed with the process)
    process = subprocess.Popen(
        [GUNICORN, "rollout.wsgi:application", "-k", "sync", "-w", str(workers), "-b", f"127.0.0.1:{port}"],
        cwd=ROOT,
        env=server_env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            conn.request("GET", "/healthz")
            if conn.getresponse().status in (200, 503):
                return process
        except OSError:
            time.sleep(0.3)
    stop(process)
    raise SystemExit(f"gunicorn did not start; see {OUT / 'gunicorn.log'}")


def stop(process: subprocess.Popen) -> None:
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)


# --- Load ---------------------------------------------------------------------------------------


@dataclass
class Result:
    name: str
    seconds: float = 0.0
    latencies: list[float] = field(default_factory=list)
    codes: dict[int, int] = field(default_factory=dict)
    rows: int = 0
    errors: int = 0

    @property
    def ok(self) -> int:
        return sum(n for code, n in self.codes.items() if 200 <= code < 300)

    @property
    def rps(self) -> float:
        return len(self.latencies) / self.seconds if self.seconds else 0.0

    def percentile(self, p: float) -> float:
        if not self.latencies:
            return 0.0
        ordered = sorted(self.latencies)
        return ordered[min(len(ordered) - 1, int(p / 100 * len(ordered)))] * 1000

    def line(self) -> str:
        lost = self.ok - self.rows
        return (
            f"{self.name:<9} {self.rps:8.0f} req/s   p50 {self.percentile(50):6.1f} ms"
            f"   p99 {self.percentile(99):6.1f} ms   2xx {self.ok:6d}   rows {self.rows:6d}   lost {lost:3d}"
            f"   other {self.codes_other()}"
        )

    def codes_other(self) -> str:
        other = {c: n for c, n in self.codes.items() if not 200 <= c < 300}
        return (
            ",".join(f"{c}:{n}" for c, n in sorted(other.items())) + (f" errors:{self.errors}" if self.errors else "")
            or "-"
        )

    def merge(self, other: Result) -> None:
        self.seconds += other.seconds
        self.latencies += other.latencies
        self.rows += other.rows
        self.errors += other.errors
        for code, n in other.codes.items():
            self.codes[code] = self.codes.get(code, 0) + n


PHONES = itertools.count(random.randrange(10_000_000, 80_000_000))  # next() is atomic under the GIL


def next_phone() -> str:
    return f"09{next(PHONES):08d}"


class Client(threading.Thread):
    """One connection's worth of load: its own socket, cookies and CSRF token, like one browser."""

    def __init__(self, port, kind, targets, stop_at, result, lock, marker):
        super().__init__(daemon=True)
        self.port, self.kind, self.targets, self.stop_at = port, kind, targets, stop_at
        self.result, self.lock, self.marker = result, lock, marker
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        self.cookie = ""
        self.token = ""
        self.origin = f"http://127.0.0.1:{port}"

    def prepare(self) -> None:
        if self.kind == "real":
            self.conn.request("GET", self.targets[0][1])
            response = self.conn.getresponse()
            page = response.read().decode()
            self.cookie = response.getheader("Set-Cookie", "").split(";")[0]
            self.token = CSRF_INPUT.search(page).group(1)

    def run(self) -> None:
        latencies, codes, errors = [], {}, 0
        while time.monotonic() < self.stop_at:
            venue_id, path = random.choice(self.targets)
            fields = {"full_name": self.marker, "phone": next_phone()}
            if self.kind == "real":
                fields |= {"csrfmiddlewaretoken": self.token, "has_fever": "no", "has_cough": "no"}
                fields |= {"has_breathing_difficulty": "no", "had_contact": "no"}
                headers = {"Cookie": self.cookie, "Origin": self.origin, "Referer": self.origin + path}
            else:
                path = "/bench/ceiling/"
                fields["venue"] = str(venue_id)
                headers = {}
            body = urlencode(fields)
            headers |= {"Content-Type": "application/x-www-form-urlencoded", "Host": f"127.0.0.1:{self.port}"}
            started = time.perf_counter()
            try:
                self.conn.request("POST", path, body=body, headers=headers)
                response = self.conn.getresponse()
                response.read()
                code = response.status
            except (OSError, http.client.HTTPException):
                errors += 1
                self.conn.close()
                continue
            latencies.append(time.perf_counter() - started)
            codes[code] = codes.get(code, 0) + 1
        with self.lock:
            self.result.latencies += latencies
            self.result.errors += errors
            for code, n in codes.items():
                self.result.codes[code] = self.result.codes.get(code, 0) + n


def run_phase(port: int, kind: str, targets, seconds: float, connections: int, marker: str) -> Result:
    result, lock = Result(kind), threading.Lock()
    clients = [Client(port, kind, targets, 0.0, result, lock, marker) for _ in range(connections)]
    for client in clients:
        client.prepare()
    before = rows_named(marker)
    started = time.monotonic()
    for client in clients:
        client.stop_at = started + seconds
        client.start()
    for client in clients:
        client.join()
    result.seconds = time.monotonic() - started
    time.sleep(0.2)  # the last answers were sent after their commit; nothing is in flight now
    result.rows = rows_named(marker) - before
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=20, help="length of each phase (default 20)")
    parser.add_argument("--rounds", type=int, default=2, help="ceiling/real pairs (default 2)")
    parser.add_argument("--connections", type=int, default=8)
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--port", type=int, default=8093)
    parser.add_argument("--venues", type=int, default=900)
    parser.add_argument(
        "--database-url",
        default=os.environ.get("BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/rollout_bench_checkin"),
    )
    parser.add_argument("--redis-url", default=os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/13"))
    parser.add_argument("--skip-prepare", action="store_true", help="the database is already prepared")
    args = parser.parse_args()

    env = bench_env(args)
    if not args.skip_prepare:
        prepare_database(env, args.database_url)
    targets = venue_targets(env, args.venues)
    print(
        f"gunicorn {args.workers} sync workers, {args.connections} connections, {len(targets)} venues, "
        f"{args.rounds} x ({args.seconds:.0f}s ceiling + {args.seconds:.0f}s real check-in), cpus={os.cpu_count()}"
    )
    server = start_gunicorn(env, args.port, args.workers)
    try:
        for kind in ("ceiling", "real"):  # warm-up: imports, connections, template cache
            run_phase(args.port, kind, targets, 2, args.connections, f"Bench warm-up {kind}")
        totals = {"ceiling": Result("ceiling"), "real": Result("real")}
        for i in range(args.rounds):
            for kind in ("ceiling", "real"):
                result = run_phase(args.port, kind, targets, args.seconds, args.connections, f"Bench {kind}")
                print(f"round {i + 1}  {result.line()}")
                totals[kind].merge(result)
    finally:
        stop(server)
    print("total    ", totals["ceiling"].line()[10:])
    print("total    ", totals["real"].line()[10:])
    ratio = totals["real"].rps / totals["ceiling"].rps if totals["ceiling"].rps else 0
    real = totals["real"]
    lost = real.ok - real.rows + totals["ceiling"].ok - totals["ceiling"].rows
    print(
        f"real/ceiling {ratio:.0%} (goal >= 70%)   real p99 {real.percentile(99):.1f} ms (goal <= 50)   "
        f"lost rows {lost} (goal 0)"
    )


if __name__ == "__main__":
    main()
