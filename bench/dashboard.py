"""Dashboard benchmark: a full-size province, its daily figures, and the overview's response time.

Seeds a PostgreSQL bench database with the demo province (900 venues, 300 agencies, 12 checkpoints,
183 facilities), then 60 days of 50,000 check-ins and 5,000 arrivals a day (COPY), computes the daily
figures, and times the overview pages with Django's test client: median and p95 response time and SQL
queries per page, for the province overview (province viewer) and a district's (district officer).
Goals: p95 <= 150 ms and <= 25 queries per page.

    .venv/bin/python bench/dashboard.py [--db rollout_bench_dashboard] [--days 60] [--checkins 50000]
                                        [--arrivals 5000] [--requests 60] [--reuse]

``--reuse`` keeps an already seeded bench database (only the timings are run again). The database is
dropped and created otherwise. Run with nothing else heavy on the machine if the figures matter.
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
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--db", default="rollout_bench_dashboard")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--days", type=int, default=60)
    parser.add_argument("--checkins", type=int, default=50_000, help="check-ins per day")
    parser.add_argument("--arrivals", type=int, default=5_000, help="arrivals per day")
    parser.add_argument("--requests", type=int, default=60, help="timed requests per page")
    parser.add_argument("--reuse", action="store_true", help="keep an already seeded database")
    return parser.parse_args()


ARGS = parse_args()
# Production-like settings: DEBUG off (no query log kept), manifest static files, a local cache.
os.environ.update(
    {
        "DJANGO_SETTINGS_MODULE": "rollout.settings",
        "DJANGO_DEBUG": "0",
        "SECRET_KEY": "bench-only-not-secret",
        "ALLOWED_HOSTS": "testserver",
        "SECURE_SSL_REDIRECT": "0",
        "SECURE_COOKIES": "0",
        "DATABASE_URL": f"postgres://postgres@{ARGS.host}:5432/{ARGS.db}",
        "VAR_DIR": "/tmp/rollout-bench-dashboard",
        "CELERY_TASK_ALWAYS_EAGER": "1",
        "LOG_LEVEL": "WARNING",
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

from checkpoints.models import Arrival
from dashboard.services.stats import daily_stats_recompute, daily_stats_refresh
from platforms.demo import seed_platform_activity
from rollout.demo import DemoContext
from rollout.demo.masterdata import seed_master_data, seed_users
from rollout.models import Checkpoint, Commune, District, User, Venue
from rollout.timeutils import local_datetime, local_today
from venues.models import CheckIn


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


def _copy_columns(model, given: dict[str, str]) -> tuple[list[str], str]:
    """Every concrete column of ``model`` except the id, with a COPY text value for those not given."""
    columns, defaults = [], []
    for field in model._meta.concrete_fields:
        if field.primary_key:
            continue
        columns.append(field.column)
        if field.column in given:
            defaults.append(None)
        elif field.null:
            defaults.append("\\N")
        elif field.has_default():
            value = field.get_default()
            defaults.append("t" if value is True else "f" if value is False else str(value))
        elif getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False):
            defaults.append(datetime.now(UTC).isoformat())
        else:
            defaults.append("")
    return columns, defaults


def _with_day(model, given: list[str], rows_of_day):
    """Add the local ``day`` of the partitioned person tables, from the row's moment (ISO text)."""
    from rollout.models.people import LocalDayPartitioned
    from rollout.timeutils import local_date

    if not issubclass(model, LocalDayPartitioned) or "day" in given:
        return given, rows_of_day
    at = given.index(model.DAY_OF)

    def days(rows):
        return ((*row, local_date(datetime.fromisoformat(row[at])).isoformat()) for row in rows)

    return [*given, "day"], (days(rows) for rows in rows_of_day)


def copy_rows(model, given: list[str], rows_of_day) -> int:
    """COPY the rows (tuples of the ``given`` columns, already text) with defaults for the others."""
    given, rows_of_day = _with_day(model, given, rows_of_day)
    columns, defaults = _copy_columns(model, dict.fromkeys(given))
    positions = [given.index(c) if c in given else None for c in columns]
    total = 0
    with (
        connection.cursor() as cursor,
        cursor.connection.cursor().copy(f"COPY {model._meta.db_table} ({', '.join(columns)}) FROM STDIN") as copy,
    ):
        for rows in rows_of_day:
            buffer = io.StringIO()
            for row in rows:
                buffer.write(
                    "\t".join(row[p] if p is not None else defaults[i] for i, p in enumerate(positions)) + "\n"
                )
                total += 1
            copy.write(buffer.getvalue())
    return total


def seed() -> None:
    recreate_database()
    with step("migrate, units, demo province (900 venues)"):
        call_command("migrate", verbosity=0)
        call_command("load_admin_units", verbosity=0)
        ctx = DemoContext(out=io.StringIO(), days=ARGS.days)
        seed_master_data(ctx)
        seed_users(ctx)
        seed_platform_activity(ctx)  # adoption histories, testing dates, vaccination logs
    rng = random.Random(2021)
    today = local_today()
    venues = list(Venue.objects.values_list("pk", flat=True))
    weights = [rng.random() ** 2 + 0.01 for _ in venues]  # busy markets and stations, quiet shops
    checkpoints = list(Checkpoint.objects.values_list("pk", flat=True))
    districts = list(District.objects.filter(province_id=settings.HOME_PROVINCE_CODE).values_list("pk", flat=True))
    communes: dict[int, list[int]] = {}
    for code, d in Commune.objects.filter(district__in=districts).values_list("pk", "district"):
        communes.setdefault(d, []).append(code)
    days = [today - timedelta(days=i) for i in range(ARGS.days - 1, -1, -1)]

    def checkin_rows():
        for day in days:
            start = local_datetime(day).astimezone(UTC)
            chosen = rng.choices(venues, weights=weights, k=ARGS.checkins)
            seconds = sorted(rng.randrange(6 * 3600, 22 * 3600) for _ in range(ARGS.checkins))
            yield (
                (str(v), "Nguyễn Văn An", f"09{rng.randrange(10**8):08d}", "t" if rng.random() < 0.01 else "f",
                 (start + timedelta(seconds=s)).isoformat())
                for v, s in zip(chosen, seconds, strict=True)
            )  # fmt: skip

    def arrival_rows():
        for day in days:
            start = local_datetime(day).astimezone(UTC)
            for _ in range(1):
                rows = []
                for _ in range(ARGS.arrivals):
                    d = rng.choice(districts)
                    rows.append(
                        (str(rng.choice(checkpoints)), "Giàng A Páo", f"09{rng.randrange(10**8):08d}", str(d),
                         str(rng.choice(communes[d])), (start + timedelta(seconds=rng.randrange(86400))).isoformat())
                    )  # fmt: skip
                yield rows

    with step(f"COPY {ARGS.days} days x {ARGS.checkins:,} check-ins"):
        n = copy_rows(CheckIn, ["venue_id", "full_name", "phone", "flagged", "checked_in_at"], checkin_rows())
    print(f"  {n:,} check-ins")
    with step(f"COPY {ARGS.days} days x {ARGS.arrivals:,} arrivals"):
        n = copy_rows(
            Arrival,
            ["checkpoint_id", "full_name", "phone", "destination_district_id", "destination_commune_id", "arrived_at"],
            arrival_rows(),
        )
    print(f"  {n:,} arrivals")
    with step("VACUUM ANALYZE"), connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")


def compute() -> None:
    today = local_today()
    with step(f"daily figures for {ARGS.days} days (9 districts)") as timer:
        totals = daily_stats_recompute(first=today - timedelta(days=ARGS.days - 1), last=today, force=True)
    print(f"  {timer.seconds / len(totals) * 1000:.0f} ms per day; {sum(t.checkins for t in totals):,} check-ins")
    # The figure tables were empty at the first ANALYZE; in production autovacuum keeps their statistics.
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    samples = []
    for _ in range(5):
        start = time.perf_counter()
        daily_stats_refresh(day=today)
        samples.append(time.perf_counter() - start)
    print(f"  refresh of today, every district: median {statistics.median(samples) * 1000:.0f} ms")
    samples = []
    district = District.objects.get(province_id=settings.HOME_PROVINCE_CODE, short_codename="lao_cai")
    for _ in range(5):
        start = time.perf_counter()
        daily_stats_refresh(day=today, district_ids=[district.pk])
        samples.append(time.perf_counter() - start)
    print(f"  refresh of today, one district (a bump): median {statistics.median(samples) * 1000:.0f} ms")


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


def measure(label: str, username: str, path: str) -> tuple[float, float, int]:
    client = Client()
    client.force_login(User.objects.get(username=username))
    for _ in range(3):  # warm-up: connection, templates, translations
        assert client.get(path).status_code == 200
    times, cpu, db, queries = [], [], [], []
    for _ in range(ARGS.requests):
        with CaptureQueriesContext(connection) as captured:
            start, start_cpu = time.perf_counter(), time.process_time()
            response = client.get(path)
            times.append((time.perf_counter() - start) * 1000)
            # This process's CPU only (no database time): a figure other load on the machine barely moves.
            cpu.append((time.process_time() - start_cpu) * 1000)
        assert response.status_code == 200, response.status_code
        queries.append(len(captured.captured_queries))
        db.append(sum(float(q["time"]) for q in captured.captured_queries) * 1000)
    median, p95 = statistics.median(times), percentile(times, 95)
    print(
        f"{label:<40} {path:<38} median {median:6.1f} ms  p95 {p95:6.1f} ms  "
        f"(median CPU {statistics.median(cpu):4.1f} ms, SQL {statistics.median(db):4.1f} ms)  queries {max(queries):3d}"
    )
    return median, p95, max(queries)


def main() -> None:
    print(f"database {ARGS.db}; {ARGS.days} days x {ARGS.checkins:,} check-ins + {ARGS.arrivals:,} arrivals")
    if not ARGS.reuse or not Venue.objects.exists():
        seed()
        compute()
    call_command("collectstatic", interactive=False, verbosity=0)
    print(
        f"venues {Venue.objects.count():,}  check-ins {CheckIn.objects.count():,}  arrivals {Arrival.objects.count():,}"
    )
    lao_cai = District.objects.get(province_id=settings.HOME_PROVINCE_CODE, short_codename="lao_cai")
    commune = Venue.objects.filter(district=lao_cai).values_list("commune", flat=True).first()
    district_page = f"/dashboard/district/{lao_cai.pk}/"
    pages = [
        ("province overview (province viewer)", "province_viewer", "/dashboard/"),
        ("province overview, 90 days", "province_viewer", "/dashboard/?days=90"),
        ("district overview (district officer)", "district_lao_cai", "/dashboard/"),
        ("district drill-down (province viewer)", "province_viewer", district_page),
        ("commune drill-down (province viewer)", "province_viewer", f"{district_page}commune/{commune}/"),
    ]
    results = [measure(*page) for page in pages]
    worst_p95 = max(r[1] for r in results)
    worst_queries = max(r[2] for r in results)
    verdict = "meets" if worst_p95 <= 150 and worst_queries <= 25 else "MISSES"
    print(f"goals p95 <= 150 ms and <= 25 queries per page: {verdict}", end=" ")
    print(f"(worst p95 {worst_p95:.1f} ms, {worst_queries} queries)")


if __name__ == "__main__":
    main()
