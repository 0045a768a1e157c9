"""Scale benchmark: a Hà Nội-shaped province (code 01) at a chosen fraction, on partitioned person tables.

Hà Nội in late 2021 (SPEC §13): 637,533 venue QR codes, 30 districts, 579 communes (526 in the units
data), ~5 million check-ins and 100,000 arrivals a day, 21 days kept. ``--scale 0.1`` (the default) is a
tenth of it: ~63,750 venues, 500,000 check-ins and 10,000 arrivals a day for 21 days (10.5 million
check-ins), generated inside PostgreSQL (INSERT … SELECT generate_series), on the real 2021 units of Hà Nội.

Measured side by side in one run, on the same data (``--parts``, default all of them in this order):
- ``inserts``: check-in inserts/s into the partitioned table vs a plain table with the same columns and
  indexes (a fifth of a day's rows in one statement, and single-row INSERTs each committed, as the public
  page does);
- ``pages``: the province overview, a district page and a district officer's overview at that size (goal:
  p95 <= 150 ms, <= 25 queries), each beside its own SELECTs sent alone by psycopg (the ceiling);
- ``lists``: the 06:30 job's lists of yesterday for the 30 districts (``daily_lists_run``), time and rows/s,
  beside openpyxl writing the same rows from memory (bench/daily_lists.py's ceiling);
- ``purge``: the oldest days one by one: dropping the partition (``rollout.partitions.purge_before``) vs
  ``DELETE`` from the plain table and the VACUUM after it (goal: >= 100x faster); then one more day while
  another process requests the province overview (goal: its p95 unchanged);
- ``replica``: replica lag under check-in load, on a primary and a streaming replica the bench starts and
  stops itself (the machine's PostgreSQL is root's cluster): the router's view and pg_stat_replication's.

Seeding 1/10 takes ~13 minutes on a quiet 2-core machine; ``--seed-only`` once, then ``--reuse``. Each purge
drops days for good: a database reused many times runs out of old days (reseed).

    .venv/bin/python bench/scale.py [--scale 0.1] [--days 21] [--db rollout_bench_scale] [--reuse] [--seed-only]
        [--parts inserts,pages,lists,purge,replica] [--requests 40] [--singles 2000] [--purge-days 3]
        [--replica-seconds 20]
"""

from __future__ import annotations

import argparse
import io
import multiprocessing
import os
import statistics
import sys
import threading
import time
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

HANOI = {"venues": 637_533, "checkins": 5_000_000, "arrivals": 100_000}


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--db", default="rollout_bench_scale")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--scale", type=float, default=0.1, help="fraction of Hà Nội (0.1 = a tenth)")
    parser.add_argument("--days", type=int, default=21)
    parser.add_argument("--requests", type=int, default=40, help="timed requests per page")
    parser.add_argument("--singles", type=int, default=2000, help="single-row inserts timed per table")
    parser.add_argument("--reuse", action="store_true", help="keep an already seeded database")
    parser.add_argument("--purge-only", action="store_true", help="with --reuse: only the purge comparison")
    parser.add_argument("--seed-only", action="store_true", help="seed (or check) the database, measure nothing")
    parser.add_argument("--parts", default=",".join(PARTS), help=f"what to measure, of {','.join(PARTS)}")
    parser.add_argument("--purge-days", type=int, default=3, help="days purged one after the other (then one more)")
    parser.add_argument("--replica-seconds", type=float, default=20, help="seconds of each check-in load")
    parser.add_argument("--replica-child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    args.parts = ["purge"] if args.purge_only else [p for p in args.parts.split(",") if p]
    return args


PARTS = ("inserts", "pages", "lists", "purge", "replica")
ARGS = parse_args()
DATABASE_URL = f"postgres://postgres@{ARGS.host}:5432/{ARGS.db}"
if ARGS.replica_child:
    # The replica part runs in a child process on a primary and a streaming replica of its own: the
    # machine's PostgreSQL is root's cluster, not ours to reconfigure or copy (see replica() below).
    import atexit

    from tests.postgres_server import PostgresReplica, PostgresServer

    PRIMARY = PostgresServer(fsync=True)
    atexit.register(PRIMARY.close)
    PRIMARY.start()
    REPLICA = PostgresReplica(PRIMARY)
    atexit.register(REPLICA.close)  # runs first: a standby stopped after its primary would wait for it
    REPLICA.start()
    DATABASE_URL = PRIMARY.create_database("rollout_scale_replica_bench")
    os.environ["DATABASE_REPLICA_URL"] = REPLICA.database_url("rollout_scale_replica_bench")
os.environ.update(
    {
        "DJANGO_SETTINGS_MODULE": "rollout.settings",
        "DJANGO_DEBUG": "0",
        "SECRET_KEY": "bench-only-not-secret",
        "ALLOWED_HOSTS": "testserver",
        "SECURE_SSL_REDIRECT": "0",
        "SECURE_COOKIES": "0",
        "DATABASE_URL": DATABASE_URL,
        "VAR_DIR": "/tmp/rollout-bench-scale",
        "CELERY_TASK_ALWAYS_EAGER": "1",
        "LOG_LEVEL": "WARNING",
        "HOME_PROVINCE_CODE": "1",
    }
)

import django
import psycopg

django.setup()

from django.conf import settings
from django.core.management import call_command
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from dashboard.services.stats import daily_stats_recompute
from rollout import partitions
from rollout.demo import DemoContext
from rollout.demo.masterdata import seed_master_data, seed_users
from rollout.models import Checkpoint, Commune, District, User, Venue
from rollout.timeutils import local_datetime, local_today
from venues.models import CheckIn

PLAIN = "bench_checkin_plain"
PER_DAY = round(HANOI["checkins"] * ARGS.scale)
ARRIVALS_PER_DAY = round(HANOI["arrivals"] * ARGS.scale)
VENUES = round(HANOI["venues"] * ARGS.scale)


def step(label: str):
    class Timer:
        def __enter__(self):
            self.start = time.perf_counter()
            print(f"{label}…", end=" ", flush=True)
            return self

        def __exit__(self, *exc):
            self.seconds = time.perf_counter() - self.start
            print(f"{self.seconds:.1f} s", flush=True)

    return Timer()


def sql(statement: str, params=None):
    with connection.cursor() as cursor:
        cursor.execute(statement, params)
        return cursor.fetchall() if cursor.description else cursor.rowcount


CHECKINS_OF_DAY = """
INSERT INTO {table} (venue_id, full_name, name_folded, phone, id_number, has_fever, has_cough,
    has_breathing_difficulty, had_contact, flagged, method, checked_in_at, checked_out_at, day)
SELECT %(first_venue)s + floor(random() * %(venues)s)::bigint, 'Nguyễn Văn An', 'nguyen van an',
    '09' || lpad(floor(random() * 1e8)::bigint::text, 8, '0'),
    CASE WHEN random() < 0.4 THEN lpad(floor(random() * 1e12)::bigint::text, 12, '0') ELSE '' END,
    false, false, false, false, random() < 0.01, 'self', t.at,
    CASE WHEN random() < 0.3 THEN t.at + (10 + random() * 70) * interval '1 minute' END, %(day)s
FROM (SELECT %(start)s::timestamptz + (21600 + random() * 57600) * interval '1 second' AS at
      FROM generate_series(1, %(rows)s)) t
"""


def checkins_of_day(table: str, day, rows: int, venue_range) -> int:
    return sql(
        CHECKINS_OF_DAY.format(table=table),
        {"first_venue": venue_range[0], "venues": venue_range[1] - venue_range[0] + 1, "day": day,
         "start": local_datetime(day), "rows": rows},
    )  # fmt: skip


def seed() -> None:
    with psycopg.connect(f"host={ARGS.host} user=postgres dbname=postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{ARGS.db}"')
        conn.execute(f'CREATE DATABASE "{ARGS.db}"')
    with step("migrate, units, Hà Nội master data and users"):
        call_command("migrate", verbosity=0)
        call_command("load_admin_units", verbosity=0)
        ctx = DemoContext(out=io.StringIO(), days=ARGS.days)
        seed_master_data(ctx)
        seed_users(ctx)
    base = Venue.objects.count()
    with step(f"{VENUES - base:,} more venues across the 30 districts"):
        sql(
            """
            INSERT INTO rollout_venue (name, name_search, kind, owner_name, owner_phone, address, is_active, qr_key,
                created_at, updated_at, agency_id, commune_id, district_id, short_code)
            SELECT 'Cơ sở ' || g, 'co so ' || g, 'shop', '', '', 'Số ' || g, true, md5('q' || g),
                now() - interval '60 days', now(), NULL, c.code, c.district_id, 'B' || lpad(upper(to_hex(g)), 7, '0')
            FROM generate_series(1, %(n)s) g
            JOIN LATERAL (SELECT code, district_id FROM rollout_commune
                          WHERE district_id IN (SELECT code FROM rollout_district WHERE province_id = 1)
                          ORDER BY code OFFSET (g %% %(communes)s) LIMIT 1) c ON true
            """,
            {"n": max(VENUES - base, 0), "communes": Commune.objects.filter(district__province_id=1).count()},
        )
    venue_range = sql("SELECT min(id), max(id) FROM rollout_venue")[0]
    today = local_today()
    days = [today - timedelta(days=i) for i in range(ARGS.days - 1, -1, -1)]
    partitions.ensure_days(CheckIn._meta.db_table, days[0] - timedelta(days=1), today + timedelta(days=7))
    partitions.ensure_days("checkpoints_arrival", days[0] - timedelta(days=1), today + timedelta(days=7))
    with step(f"{ARGS.days} days x {PER_DAY:,} check-ins (partitioned)") as timer:
        for day in days:
            checkins_of_day(CheckIn._meta.db_table, day, PER_DAY, venue_range)
    print(f"  {ARGS.days * PER_DAY / timer.seconds:,.0f} rows/s")
    with step(f"the same rows into the plain table {PLAIN}") as timer:
        sql(f"CREATE TABLE {PLAIN} (LIKE venues_checkin INCLUDING ALL)")
        sql(f"INSERT INTO {PLAIN} SELECT * FROM venues_checkin")  # noqa: S608
    checkpoints = list(Checkpoint.objects.values_list("pk", flat=True))
    districts = list(District.objects.filter(province_id=1).values_list("pk", flat=True))
    with step(f"{ARGS.days} days x {ARRIVALS_PER_DAY:,} arrivals"):
        for day in days:
            sql(
                """
                INSERT INTO checkpoints_arrival (checkpoint_id, arrived_at, full_name, name_folded, phone, id_number,
                    destination_district_id, destination_address, vehicle, plate, purpose, vaccine_doses,
                    latest_test, latest_test_result, symptoms, test_at_checkpoint, test_at_checkpoint_result, notes,
                    pc_covid, created_at, day)
                SELECT (%(cps)s::bigint[])[1 + floor(random() * %(ncp)s)::int],
                    %(start)s::timestamptz + random() * interval '86399 seconds', 'Giàng A Páo', 'giang a pao',
                    '0987654321', '', (%(ds)s::int[])[1 + floor(random() * %(nd)s)::int], '', 'car', '', '', 2,
                    'none', '', '', 'none', '', '', '', now(), %(day)s
                FROM generate_series(1, %(rows)s)
                """,
                {"cps": checkpoints, "ncp": len(checkpoints), "ds": districts, "nd": len(districts),
                 "start": local_datetime(day), "day": day, "rows": ARRIVALS_PER_DAY},
            )  # fmt: skip
    with step(f"daily figures, {ARGS.days} days x 30 districts"):
        daily_stats_recompute(first=days[0], last=today, force=True)
    with step("VACUUM ANALYZE"):
        sql("VACUUM ANALYZE")


def inserts() -> None:
    """Check-in inserts/s: one day's rows in one statement, then single-row INSERTs, each table in turn."""
    venue_range = sql("SELECT min(id), max(id) FROM rollout_venue")[0]
    ahead = local_today() + timedelta(days=3)  # an empty day partition, as every morning
    rows = PER_DAY // 5
    print(f"check-in inserts, {rows:,} rows in one statement and {ARGS.singles:,} single-row INSERTs:")
    for label, table in (("partitioned", CheckIn._meta.db_table), ("plain", PLAIN)):
        start = time.perf_counter()
        checkins_of_day(table, ahead, rows, venue_range)
        bulk = rows / (time.perf_counter() - start)
        params = {"first_venue": venue_range[0], "venues": venue_range[1] - venue_range[0] + 1, "day": ahead,
                  "start": local_datetime(ahead), "rows": 1}  # fmt: skip
        statement = CHECKINS_OF_DAY.format(table=table)
        with psycopg.connect(f"host={ARGS.host} user=postgres dbname={ARGS.db}", autocommit=True) as conn:
            start = time.perf_counter()
            for _ in range(ARGS.singles):
                conn.execute(statement, params)
            single = ARGS.singles / (time.perf_counter() - start)
        print(f"  {label:<12} bulk {bulk:10,.0f} rows/s   single-row (committed each) {single:7,.0f} rows/s")


class Traffic:
    """Dashboard requests one after another in a process of its own (its own database connection, and its
    own interpreter: a thread of this one would hold the GIL for most of each request and stretch the
    purge's many short statements, not the DELETE's one long one). Each request is recorded with when it
    started and ended (CLOCK_MONOTONIC: the same clock in both processes)."""

    def __init__(self, username: str, path: str) -> None:
        context = multiprocessing.get_context("fork")
        self.halt = context.Event()
        self.samples: list[tuple[float, float]] = []  # (start, end), perf_counter seconds
        self._receive, send = context.Pipe(duplex=False)
        connection.close()  # the child opens its own
        self.process = context.Process(target=self._run, args=(username, path, self.halt, send), daemon=True)

    def start(self) -> None:
        self.process.start()

    def stop(self) -> None:
        self.halt.set()
        self.samples = self._receive.recv()
        self.process.join()

    @staticmethod
    def _run(username: str, path: str, halt, send) -> None:
        client = Client()
        client.force_login(User.objects.get(username=username))
        samples = []
        while not halt.is_set():
            start = time.perf_counter()
            assert client.get(path).status_code == 200
            samples.append((start, time.perf_counter()))
        send.send(samples)

    def during(self, start: float, end: float) -> list[float]:
        """Milliseconds of the requests that overlapped [start, end]."""
        return [(b - a) * 1000 for a, b in self.samples if a < end and b > start]


def _p95_line(label: str, times: list[float]) -> str:
    if not times:
        return f"  {label:<44} no request overlapped it"
    return (
        f"  {label:<44} {len(times):4d} requests  median {statistics.median(times):6.1f} ms  "
        f"p95 {percentile(times, 95):6.1f} ms  max {max(times):6.1f} ms"
    )


def _explain_wal(statement: str, params) -> tuple[int, int]:
    """Run a DELETE under EXPLAIN (ANALYZE, WAL): rows and bytes of WAL it wrote (this statement's own,
    where pg_current_wal_lsn() would count every database of the machine's cluster)."""
    plan = sql(f"EXPLAIN (ANALYZE, WAL, TIMING OFF, FORMAT JSON) {statement}", params)[0][0][0]["Plan"]
    return plan["Plans"][0]["Actual Rows"] if plan.get("Plans") else plan["Actual Rows"], plan.get("WAL Bytes", 0)


def _purge_day(day: date) -> tuple[tuple[float, float], tuple[float, float], float, partitions.Dropped, int, int]:
    """Drop the day's partition, then DELETE the same day from the plain table (its WAL), then VACUUM it."""
    name = partitions.partition_name(CheckIn._meta.db_table, day)
    size = int(sql(
        "SELECT sum(pg_total_relation_size(oid)) FROM pg_class WHERE oid = %s::regclass "
        "OR oid IN (SELECT indexrelid FROM pg_index WHERE indrelid = %s::regclass)",
        [name, name],
    )[0][0])  # fmt: skip
    start = time.perf_counter()
    dropped = partitions.purge_before(CheckIn, day + timedelta(days=1))  # counts, links, detach, DROP
    drop = (start, time.perf_counter())
    time.sleep(2)
    start = time.perf_counter()
    deleted, wal = _explain_wal(
        f"DELETE FROM {PLAIN} WHERE checked_in_at >= %s AND checked_in_at < %s",  # noqa: S608
        [local_datetime(day), local_datetime(day + timedelta(days=1))],
    )
    delete = (start, time.perf_counter())
    time.sleep(2)
    start = time.perf_counter()
    sql(f"VACUUM {PLAIN}")  # what the DELETE leaves behind: dead rows, out of the table and its indexes
    vacuum = time.perf_counter() - start
    time.sleep(2)
    drop_s, delete_s = drop[1] - drop[0], delete[1] - delete[0]
    kind = "estimated from the statistics" if dropped.estimated else "counted"
    print(f"  {day:%d/%m/%Y}: {deleted:,} check-ins; the partition and its indexes {size / 1e6:,.0f} MB")
    print(
        f"    drop (purge_before)  {drop_s * 1000:8.1f} ms ({dropped.rows:,} rows, {kind}; the table locked "
        f"{dropped.lock_seconds * 1000:.1f} ms of it, the rest is the DROP releasing the files)"
    )
    print(
        f"    DELETE (plain table) {delete_s * 1000:8.1f} ms, {wal / 1e6:,.0f} MB of WAL; "
        f"VACUUM after it {vacuum * 1000:,.0f} ms"
    )
    print(
        f"    DELETE / drop {delete_s / drop_s:,.0f}x; (DELETE + VACUUM) / drop {(delete_s + vacuum) / drop_s:,.0f}x; "
        f"DELETE / time the table was locked {delete_s / dropped.lock_seconds:,.0f}x"
    )
    return drop, delete, vacuum, dropped, deleted, size


def purge() -> None:
    """Days out, oldest first: dropping each day's partition vs DELETE of the same day from the plain table
    (and the VACUUM that DELETE calls for); then one more day while another process keeps requesting the
    province overview (its p95 before, during the drop and during the DELETE)."""
    table = CheckIn._meta.db_table
    # The oldest days with rows (the seeding created an empty partition before its first day). Their rows
    # are not counted here: reading them would bring them into memory, which a 21-day-old day is not.
    days = [
        day
        for day, name in sorted(partitions.day_partitions(table).items())
        if sql(f"SELECT EXISTS (SELECT 1 FROM {name})")[0][0]  # noqa: S608 (our own names)
    ][: ARGS.purge_days + 1]
    print(f"purge, {len(days) - 1} days one after the other, nothing else running:")
    ratios = []
    for day in days[:-1]:
        drop, delete, vacuum, dropped, _rows, _size = _purge_day(day)
        drop_s, delete_s = drop[1] - drop[0], delete[1] - delete[0]
        ratios.append((delete_s / drop_s, (delete_s + vacuum) / drop_s, delete_s / dropped.lock_seconds))
    print(
        "  medians: DELETE / drop {:,.0f}x; (DELETE + VACUUM) / drop {:,.0f}x; DELETE / table locked {:,.0f}x "
        "(goal >= 100x)".format(*(statistics.median(r[i] for r in ratios) for i in range(3)))
    )
    call_command("collectstatic", interactive=False, verbosity=0)
    traffic = Traffic("province_viewer", "/dashboard/")
    traffic.start()
    time.sleep(5)  # warm-up, then the baseline
    quiet = (time.perf_counter(), time.perf_counter() + 10)
    time.sleep(10)
    print("one more day while another process requests the province overview without pause:")
    drop, delete, _vacuum, _dropped, _rows, _size = _purge_day(days[-1])
    traffic.stop()
    print("  the province overview meanwhile (goal: p95 unchanged):")
    print(_p95_line("before (10 s, nothing else)", traffic.during(*quiet)))
    print(_p95_line("overlapping the drop", traffic.during(*drop)))
    print(_p95_line("overlapping the DELETE", traffic.during(*delete)))


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


def _bare_sql(statements: list[str], repeat: int) -> float:
    """The ceiling of a page: its own SQL statements, as captured, sent by psycopg with nothing else
    around them (no Django, no template); p95 ms of ``repeat`` runs of the whole set."""
    times = []
    with psycopg.connect(DATABASE_URL.replace("postgres://", "postgresql://"), autocommit=True) as conn:
        for _ in range(repeat + 3):
            start = time.perf_counter()
            for statement in statements:
                conn.execute(statement.replace("%", "%%")).fetchall()
            times.append((time.perf_counter() - start) * 1000)
    return percentile(times[3:], 95)


def measure(label: str, username: str, path: str) -> tuple[float, int]:
    client = Client()
    client.force_login(User.objects.get(username=username))
    for _ in range(3):
        assert client.get(path).status_code == 200
    times, queries = [], []
    for _ in range(ARGS.requests):
        with CaptureQueriesContext(connection) as captured:
            start = time.perf_counter()
            response = client.get(path)
            times.append((time.perf_counter() - start) * 1000)
        assert response.status_code == 200, response.status_code
        queries.append(len(captured.captured_queries))
    statements = [q["sql"] for q in captured.captured_queries if q["sql"].lstrip().upper().startswith("SELECT")]
    ceiling = _bare_sql(statements, ARGS.requests)
    p95 = percentile(times, 95)
    print(
        f"  {label:<38} median {statistics.median(times):6.1f} ms  p95 {p95:6.1f} ms  queries {max(queries):3d}"
        f"   (its {len(statements)} SELECTs alone: p95 {ceiling:5.1f} ms)"
    )
    return p95, max(queries)


def pages() -> None:
    call_command("collectstatic", interactive=False, verbosity=0)
    district = District.objects.filter(province_id=1).order_by("code").first()
    officer = User.objects.filter(role_assignments__district=district).order_by("pk").first()
    print(f"dashboard pages at this size ({ARGS.requests} requests each, after 3 untimed):")
    results = [
        measure("province overview (province viewer)", "province_viewer", "/dashboard/"),
        measure(f"district page ({district.name})", "province_viewer", f"/dashboard/district/{district.pk}/"),
    ]
    if officer is not None:
        results.append(measure("district overview (district officer)", officer.username, "/dashboard/"))
    worst_p95, worst_queries = max(r[0] for r in results), max(r[1] for r in results)
    verdict = "meets" if worst_p95 <= 150 and worst_queries <= 25 else "MISSES"
    print(f"  goals p95 <= 150 ms, <= 25 queries: {verdict} (worst p95 {worst_p95:.1f} ms, {worst_queries} queries)")


def lists() -> None:
    """The 06:30 job's work: yesterday's list for every district (``daily_lists_run``, as the beat task),
    against the ceiling of bench/daily_lists.py (openpyxl write-only writing the same rows from memory)."""
    import contextlib
    import importlib.util
    import json

    from checkpoints.services.daily_lists import daily_lists_run

    yesterday = local_today() - timedelta(days=1)
    started, cpu = time.perf_counter(), time.process_time()
    built = daily_lists_run(day=yesterday, notify=False)
    seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
    rows = sum(b.rows for b in built)
    spec = importlib.util.spec_from_file_location("bench_daily_lists", ROOT / "bench" / "daily_lists.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        module.child_ceiling(yesterday)
    ceiling = json.loads(out.getvalue().strip().splitlines()[-1])
    print(f"06:30 daily lists, {yesterday:%d/%m/%Y}, {len(built)} districts (daily_lists_run):")
    print(f"  {seconds:.1f} s (CPU {cpu:.1f} s) for {rows:,} rows: {rows / seconds:,.0f} rows/s")
    print(
        f"  ceiling (openpyxl write-only, the same rows from memory): {ceiling['seconds']:.1f} s, "
        f"{ceiling['rows'] / ceiling['seconds']:,.0f} rows/s; the build runs at "
        f"{100 * (rows / seconds) / (ceiling['rows'] / ceiling['seconds']):.0f} % of it"
    )


# --- Replica lag (a child process with a primary and a replica of its own) -----------------------


def replica() -> None:
    """Runs this script again as a child that starts its own primary and streaming replica (as a non-root
    user, on ports of their own), loads them with check-ins and prints the lag; both are stopped after."""
    import subprocess

    command = [sys.executable, __file__, "--replica-child", "--scale", str(ARGS.scale),
               "--replica-seconds", str(ARGS.replica_seconds)]  # fmt: skip
    subprocess.run(command, check=True, cwd=ROOT)


def replica_child() -> None:
    from rollout import dbrouter

    with step("replica part: own primary and streaming replica, migrate, Hà Nội master data"):
        call_command("migrate", verbosity=0)
        call_command("load_admin_units", verbosity=0)
        ctx = DemoContext(out=io.StringIO(), days=1)
        seed_master_data(ctx)
    venue_range = sql("SELECT min(id), max(id) FROM rollout_venue")[0]
    today = local_today()
    partitions.ensure_days(CheckIn._meta.db_table, today, today)
    primary_sql = (
        "SELECT COALESCE(EXTRACT(EPOCH FROM replay_lag), 0), pg_wal_lsn_diff(pg_current_wal_lsn(), replay_lsn) "
        "FROM pg_stat_replication"
    )
    params = {"first_venue": venue_range[0], "venues": venue_range[1] - venue_range[0] + 1, "day": today,
              "start": local_datetime(today), "rows": 1}  # fmt: skip
    # Hà Nội's peak hour is ~260 check-ins/s (docs/scale.md); the loads below are well above the scale's share.
    loads = [
        ("single-row INSERTs, each committed, 8 clients as fast as they go", 8, 1),
        ("bulk: 5,000-row INSERT … SELECT statements, 2 clients (an import or a seeding)", 2, 5000),
    ]
    print(f"replica lag under check-in load ({ARGS.replica_seconds:.0f} s each; sampled every 0.2 s):")
    for label, clients, rows in loads:
        halt, done = threading.Event(), []

        def load(rows=rows, halt=halt, done=done) -> None:
            with psycopg.connect(DATABASE_URL.replace("postgres://", "postgresql://"), autocommit=True) as conn:
                statement = CHECKINS_OF_DAY.format(table=CheckIn._meta.db_table)
                n = 0
                while not halt.is_set():
                    conn.execute(statement, params | {"rows": rows})
                    n += rows
                done.append(n)

        threads = [threading.Thread(target=load, daemon=True) for _ in range(clients)]
        router, replay, behind = [], [], []
        start = time.perf_counter()
        for thread in threads:
            thread.start()
        with psycopg.connect(DATABASE_URL.replace("postgres://", "postgresql://"), autocommit=True) as conn:
            while time.perf_counter() - start < ARGS.replica_seconds:
                dbrouter.forget_health()  # a fresh check at every sample, as a process would every 2 s
                dbrouter.replica_usable()
                router.append(dbrouter.replica_lag() or 0.0)
                lag, lsn = conn.execute(primary_sql).fetchone()
                replay.append(float(lag))
                behind.append(float(lsn or 0))
                time.sleep(0.2)
        halt.set()
        for thread in threads:
            thread.join()
        seconds = time.perf_counter() - start
        print(f"  {label}: {sum(done) / seconds:,.0f} check-ins/s")
        print(
            f"    router's lag (rollout.dbrouter): median {statistics.median(router):.3f} s, "
            f"p95 {percentile(router, 95):.3f} s, max {max(router):.3f} s"
        )
        print(
            f"    pg_stat_replication.replay_lag: median {statistics.median(replay):.3f} s, "
            f"p95 {percentile(replay, 95):.3f} s, max {max(replay):.3f} s; WAL not yet replayed "
            f"p95 {percentile(behind, 95) / 1e6:.1f} MB"
        )
    print(
        f"  (REPLICA_MAX_LAG_SECONDS {settings.REPLICA_MAX_LAG_SECONDS}: reads go to the primary past it; "
        "both servers fsync on, on this machine's disk)"
    )


def main() -> None:
    if ARGS.replica_child:
        replica_child()
        return
    print(
        f"Hà Nội x {ARGS.scale}: {VENUES:,} venues, {PER_DAY:,} check-ins and {ARRIVALS_PER_DAY:,} arrivals a day, "
        f"{ARGS.days} days; database {ARGS.db}"
    )
    print(f"load average before: {' '.join(f'{x:.2f}' for x in os.getloadavg())} on {os.cpu_count()} cores")
    if not ARGS.reuse or not sql(f"SELECT to_regclass('{PLAIN}') IS NOT NULL")[0][0]:
        seed()
    size = sql(
        "SELECT pg_size_pretty(sum(pg_total_relation_size(inhrelid))), (SELECT count(*) FROM venues_checkin) "
        "FROM pg_inherits WHERE inhparent = 'venues_checkin'::regclass"
    )
    print(f"check-ins {size[0][1]:,}, partitioned table with indexes {size[0][0]}; venues {Venue.objects.count():,}")
    print(f"database size {sql('SELECT pg_size_pretty(pg_database_size(current_database()))')[0][0]}")
    if ARGS.seed_only:
        return
    for part in ARGS.parts:
        {"inserts": inserts, "pages": pages, "lists": lists, "purge": purge, "replica": replica}[part]()
        print(f"  (load average now: {' '.join(f'{x:.2f}' for x in os.getloadavg())})", flush=True)
    if "purge" in ARGS.parts:
        print(f"(settings.TIME_ZONE {settings.TIME_ZONE}; the purge dropped a day: --reuse keeps a day fewer)")


if __name__ == "__main__":
    main()
