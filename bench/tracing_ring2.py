"""Second-ring (F2) benchmark: the contacts of chosen F1s at full province size.

Seeds a PostgreSQL bench database with the demo province (900 venues, 12 checkpoints), then ``--days`` days
of 50,000 check-ins and 5,000 arrivals a day (COPY) by a pool of ``--people`` people who come back (so an
F1 has later visits, and F2s), and an F0 with 40 visits in 14 days at busy venues and one trip by car.
Runs the F0's search once, then times ``ring2_request`` (the code the page and the API call) for the
first 10, 50 and 200 F1s: median and worst of ``--repeat`` runs, this process's CPU and the SQL time, SQL
queries, F2s found. Goal: <= 2 s.

    .venv/bin/python bench/tracing_ring2.py [--db rollout_bench_tracing_ring2] [--days 60] [--people 200000]
                                            [--repeat 3] [--reuse]

``--reuse`` keeps an already seeded database. The database is dropped and created otherwise.
"""

from __future__ import annotations

import argparse
import io
import os
import random
import statistics
import sys
import time
from datetime import UTC, datetime, timedelta
from datetime import time as dtime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--db", default="rollout_bench_tracing_ring2")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--days", type=int, default=60)
    parser.add_argument("--checkins", type=int, default=50_000, help="check-ins per day")
    parser.add_argument("--arrivals", type=int, default=5_000, help="arrivals per day")
    parser.add_argument("--people", type=int, default=200_000, help="distinct people who check in")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--f1s", type=int, nargs="+", default=[10, 50, 200], help="how many F1s to ask about")
    parser.add_argument("--reuse", action="store_true", help="keep an already seeded database")
    parser.add_argument("--explain", action="store_true", help="print the slowest queries of each run")
    return parser.parse_args()


ARGS = parse_args()
os.environ.update(
    {
        "DJANGO_SETTINGS_MODULE": "rollout.settings",
        "DJANGO_DEBUG": "0",
        "SECRET_KEY": "bench-only-not-secret",
        "ALLOWED_HOSTS": "testserver",
        "DATABASE_URL": f"postgres://postgres@{ARGS.host}:5432/{ARGS.db}",
        "VAR_DIR": "/tmp/rollout-bench-tracing-ring2",
        "CELERY_TASK_ALWAYS_EAGER": "1",
        "LOG_LEVEL": "WARNING",
        "PERSONAL_DATA_RETENTION_DAYS": str(max(ARGS.days, 21)),
    }
)

import django
import psycopg

django.setup()

from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from checkpoints.models import Arrival
from rollout import partitions
from rollout.demo import DemoContext
from rollout.demo.masterdata import seed_master_data, seed_users
from rollout.models import Checkpoint, District, User, Venue
from rollout.text import fold
from rollout.timeutils import local_datetime, local_today
from tracing.models import Candidate
from tracing.services.ring2 import ring2_request
from tracing.services.search import tracing_search
from venues.models import CheckIn

F0_ID = "001090999999"
FAMILY = ["Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Vũ", "Đặng", "Bùi", "Lò", "Giàng"]
MIDDLE = ["Văn", "Thị", "Đức", "Minh", "Thu", "A"]
GIVEN = ["An", "Bình", "Cúc", "Dũng", "Hà", "Lan", "Mai", "Nam", "Páo", "Sơn", "Tú", "Xuân", "Yến"]


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


def recreate_database() -> None:
    with psycopg.connect(f"host={ARGS.host} user=postgres dbname=postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{ARGS.db}"')
        conn.execute(f'CREATE DATABASE "{ARGS.db}"')


def copy_rows(model, given: list[str], rows) -> int:
    """COPY rows (tuples of the ``given`` columns, as text); every other column gets its default."""
    from rollout.models.people import LocalDayPartitioned
    from rollout.timeutils import local_date

    if issubclass(model, LocalDayPartitioned) and "day" not in given:  # the partition key, from the moment
        at, given = given.index(model.DAY_OF), [*given, "day"]
        rows = ((*row, local_date(datetime.fromisoformat(row[at])).isoformat()) for row in rows)
    columns, values = [], []
    for field in model._meta.concrete_fields:
        if field.primary_key:
            continue
        columns.append(field.column)
        if field.column in given:
            values.append(None)
        elif field.null:
            values.append("\\N")
        elif field.has_default():
            value = field.get_default()
            values.append("t" if value is True else "f" if value is False else str(value))
        elif getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False):
            values.append(datetime.now(UTC).isoformat())
        else:
            values.append("")
    positions = [given.index(c) if c in given else None for c in columns]
    total = 0
    table = model._meta.db_table
    with (
        connection.cursor() as cursor,
        cursor.connection.cursor().copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy,
    ):
        buffer = io.StringIO()
        for row in rows:
            buffer.write("\t".join(row[p] if p is not None else values[i] for i, p in enumerate(positions)) + "\n")
            total += 1
            if total % 50_000 == 0:
                copy.write(buffer.getvalue())
                buffer = io.StringIO()
        copy.write(buffer.getvalue())
    return total


def seed() -> None:
    recreate_database()
    with step("migrate, units, demo province"):
        call_command("migrate", verbosity=0)
        call_command("load_admin_units", verbosity=0)
        ctx = DemoContext(out=io.StringIO(), days=2)
        seed_master_data(ctx)
        seed_users(ctx)
    rng = random.Random(2021)
    today = local_today()
    venues = list(Venue.objects.order_by("pk").values_list("pk", flat=True))
    weights = [rng.random() ** 2 + 0.01 for _ in venues]  # busy markets and stations, quiet shops
    checkpoints = list(Checkpoint.objects.values_list("pk", flat=True))
    districts = list(District.objects.filter(venues__isnull=False).distinct().values_list("pk", flat=True))
    people = []
    for i in range(ARGS.people):
        name = f"{rng.choice(FAMILY)} {rng.choice(MIDDLE)} {rng.choice(GIVEN)}"
        id_number = f"0010{i:08d}" if rng.random() < 0.5 else ""
        people.append((name, fold(name), f"09{i:08d}", id_number))
    days = [today - timedelta(days=i) for i in range(ARGS.days - 1, -1, -1)]
    for model in (CheckIn, Arrival):  # every day in its own partition, as in production
        if partitions.is_partitioned(model._meta.db_table):
            partitions.ensure_days(model._meta.db_table, days[0], today + timedelta(days=1))

    def checkins():
        for day in days:
            start = local_datetime(day).astimezone(UTC)
            for venue in rng.choices(venues, weights=weights, k=ARGS.checkins):
                name, folded, phone, id_number = rng.choice(people)
                came = start + timedelta(seconds=rng.randrange(6 * 3600, 22 * 3600))
                left = (came + timedelta(minutes=rng.randrange(15, 150))).isoformat() if rng.random() < 0.5 else "\\N"
                yield (str(venue), name, folded, phone, id_number, came.isoformat(), left)

    def arrivals():
        for day in days:
            start = local_datetime(day).astimezone(UTC)
            for _ in range(ARGS.arrivals):
                name, folded, phone, id_number = rng.choice(people)
                at = start + timedelta(seconds=rng.randrange(86400))
                plate = f"24A-{rng.randrange(1000):03d}.{rng.randrange(100):02d}"
                yield (str(rng.choice(checkpoints)), name, folded, phone, id_number, str(rng.choice(districts)),
                       "car", plate, at.isoformat())  # fmt: skip

    with step(f"COPY {ARGS.days} days x {ARGS.checkins:,} check-ins"):
        n = copy_rows(
            CheckIn,
            ["venue_id", "full_name", "name_folded", "phone", "id_number", "checked_in_at", "checked_out_at"],
            checkins(),
        )
    print(f"  {n:,} check-ins")
    with step(f"COPY {ARGS.days} days x {ARGS.arrivals:,} arrivals"):
        n = copy_rows(
            Arrival,
            ["checkpoint_id", "full_name", "name_folded", "phone", "id_number", "destination_district_id",
             "vehicle", "plate", "arrived_at"],
            arrivals(),
        )  # fmt: skip
    print(f"  {n:,} arrivals")
    busy = [v for _w, v in sorted(zip(weights, venues, strict=True), reverse=True)[:40]]
    for i, venue in enumerate(busy):  # the F0: 40 visits in 14 days at busy venues
        came = local_datetime(today - timedelta(days=i % 14), dtime(9 + i % 10, 0))
        CheckIn.objects.create(venue_id=venue, full_name="Bệnh Nhân Không", phone="0999999999", id_number=F0_ID,
                               checked_in_at=came, checked_out_at=came + timedelta(minutes=60))  # fmt: skip
    with step("VACUUM ANALYZE"), connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")


def main() -> None:
    print(f"database {ARGS.db}; {ARGS.days} days x {ARGS.checkins:,} check-ins + {ARGS.arrivals:,} arrivals")
    if not ARGS.reuse or not Venue.objects.exists():
        seed()
    else:
        with step("migrate (a database filled by an older checkout)"):
            call_command("migrate", verbosity=0)
    print(f"check-ins {CheckIn.objects.count():,}  arrivals {Arrival.objects.count():,}")
    officer = User.objects.get(username="health_officer")
    with step("the F0's search (F1s)"):
        search = tracing_search(by=officer, id_number=F0_ID, reason="bench")
    print(f"  {search.record_count} records of the F0, {search.candidate_count:,} F1 candidates")
    worst_all = 0.0
    for count in ARGS.f1s:
        ranks = list(range(1, min(count, search.candidate_count) + 1))
        times, cpu, sql, queries, found = [], [], [], 0, 0
        for _ in range(ARGS.repeat):
            Candidate.objects.filter(search=search, ring=2).delete()
            Candidate.objects.filter(search=search).update(ring2_asked_at=None)
            with CaptureQueriesContext(connection) as captured:
                start, start_cpu = time.perf_counter(), time.process_time()
                found = ring2_request(search, by=officer, ranks=ranks).count()
                times.append(time.perf_counter() - start)
                # This process's CPU (no database time) and the database's: what other load barely moves.
                cpu.append(time.process_time() - start_cpu)
            queries = len(captured.captured_queries)
            sql.append(sum(float(q["time"]) for q in captured.captured_queries))
            slowest = sorted(captured.captured_queries, key=lambda q: -float(q["time"]))[:3]
        if ARGS.explain:
            for q in slowest:
                print(f"    {float(q['time']) * 1000:6.0f} ms  {q['sql'][:160]}")
        worst_all = max(worst_all, max(times))
        print(
            f"ring 2 of {len(ranks):4d} F1s: median {statistics.median(times) * 1000:6.0f} ms  "
            f"worst {max(times) * 1000:6.0f} ms  (median CPU {statistics.median(cpu) * 1000:5.0f} ms, "
            f"SQL {statistics.median(sql) * 1000:5.0f} ms)  queries {queries:3d}  F2 found {found:,}"
        )
    print(f"goal: ring 2 <= 2 s -> {'met' if worst_all <= 2 else 'NOT met'} (worst {worst_all:.2f} s)")


if __name__ == "__main__":
    main()
