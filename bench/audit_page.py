"""Audit page benchmark: a million audit events, the plan and time of each filter, and the page's response time.

Seeds a PostgreSQL bench database with 400 accounts and 1,000,000 audit events over 180 days (one INSERT …
SELECT generate_series, server-side), then for the default view and each filter prints the plan's first
lines (which index, rows read) and the query's execution time from EXPLAIN ANALYZE, and times the whole page
(province admin, Django's test client): median and p95 response time and SQL queries per page.
Goal: every filter walks an index (no sequential scan of the log), p95 <= 150 ms per page.

    .venv/bin/python bench/audit_page.py [--db rollout_bench_audit] [--events 1000000] [--requests 20] [--reuse]

``--reuse`` keeps an already seeded bench database (only the measurements are run again).
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--db", default="rollout_bench_audit")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--events", type=int, default=1_000_000)
    parser.add_argument("--requests", type=int, default=20, help="timed requests per page")
    parser.add_argument("--reuse", action="store_true", help="keep an already seeded database")
    return parser.parse_args()


ARGS = parse_args()
os.environ.update(
    {
        "DJANGO_SETTINGS_MODULE": "rollout.settings",
        "DJANGO_DEBUG": "0",
        "SECRET_KEY": "bench-only-not-secret",
        "ALLOWED_HOSTS": "testserver",
        "SECURE_SSL_REDIRECT": "0",
        "SECURE_COOKIES": "0",
        "DATABASE_URL": f"postgres://postgres@{ARGS.host}:5432/{ARGS.db}",
        "VAR_DIR": "/tmp/rollout-bench-audit",
        "CELERY_TASK_ALWAYS_EAGER": "1",
        "LOG_LEVEL": "WARNING",
    }
)

import django
import psycopg

django.setup()

from django.core.management import call_command
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from rollout.models import AuditEvent, Role, RoleAssignment, User
from rollout.selectors.audit import AuditFilters, audit_events, audit_object_types
from rollout.timeutils import local_today

SEED_SQL = """
WITH people AS (SELECT id, username, row_number() OVER (ORDER BY id) AS n FROM {users}),
s AS (
    SELECT random() AS r1, random() AS r2, 1 + floor(random() * 400)::int AS who, random() * 180 AS days_ago
    FROM generate_series(1, %(events)s)
)
INSERT INTO {events} (at, actor_id, actor_username, action, object_type, object_id, ip, detail)
SELECT now() - days_ago * interval '1 day', p.id, p.username,
    CASE WHEN r1 < 0.45 THEN 'view_personal_data' WHEN r1 < 0.65 THEN 'login' WHEN r1 < 0.75 THEN 'logout'
         WHEN r1 < 0.85 THEN 'download' WHEN r1 < 0.90 THEN 'export' WHEN r1 < 0.93 THEN 'tracing_search'
         WHEN r1 < 0.96 THEN 'account_change' ELSE 'arrival_import' END,
    CASE WHEN r1 < 0.30 THEN 'rollout.venue' WHEN r1 < 0.45 THEN 'rollout.checkpoint'
         WHEN r1 >= 0.75 AND r1 < 0.85 THEN 'checkpoints.dailylist' WHEN r1 >= 0.93 AND r1 < 0.96 THEN 'rollout.user'
         ELSE '' END,
    CASE WHEN r1 < 0.45 OR (r1 >= 0.75 AND r1 < 0.85) OR (r1 >= 0.93 AND r1 < 0.96)
         THEN (1 + floor(r2 * 900))::int::text ELSE '' END,
    '10.0.0.1',
    CASE WHEN r1 < 0.45 THEN jsonb_build_object('view', 'visitor_log', 'rows', floor(r2 * 100)::int, 'page', 1)
         ELSE '{{}}'::jsonb END
FROM s JOIN people p ON p.n = s.who
"""


def seed() -> None:
    with psycopg.connect(f"host={ARGS.host} user=postgres dbname=postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{ARGS.db}"')
        conn.execute(f'CREATE DATABASE "{ARGS.db}"')
    call_command("migrate", verbosity=0)
    User.objects.bulk_create(
        [User(username=f"user{i:03d}", full_name=f"Cán bộ {i:03d}") for i in range(1, 401)], batch_size=400
    )
    started = time.perf_counter()
    with connection.cursor() as cursor:
        sql = SEED_SQL.format(users=User._meta.db_table, events=AuditEvent._meta.db_table)
        cursor.execute(sql, {"events": ARGS.events})
        cursor.execute(f"VACUUM ANALYZE {AuditEvent._meta.db_table}")
    print(f"seeded {ARGS.events:,} events in {time.perf_counter() - started:.1f} s")


def explain(label: str, queryset) -> None:
    sql, params = queryset.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN (ANALYZE, BUFFERS) {sql}", params)
        plan = [row[0] for row in cursor.fetchall()]
    scans = [line.strip() for line in plan if "Scan" in line]
    took = next((line for line in plan if line.startswith("Execution Time")), "")
    print(f"\n{label}: {took}")
    for line in scans[:3]:
        print(f"    {line[:150]}")
    if any("Seq Scan" in line and AuditEvent._meta.db_table in line for line in plan):
        print("    !! sequential scan of the audit log")


def time_page(client: Client, label: str, params: dict) -> None:
    url = reverse("rollout:audit-list")
    client.get(url, params)  # warm
    times, queries = [], 0
    for _ in range(ARGS.requests):
        with CaptureQueriesContext(connection) as captured:
            started = time.perf_counter()
            response = client.get(url, params)
            times.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200, response.status_code
        queries = len(captured)
    times.sort()
    p95 = times[max(0, int(len(times) * 0.95) - 1)]
    print(f"page {label:<28} median {statistics.median(times):6.1f} ms   p95 {p95:6.1f} ms   {queries} queries")


def main() -> None:
    if not ARGS.reuse:
        seed()
    total = AuditEvent.objects.count()
    print(f"{total:,} audit events")
    today = local_today()
    week = AuditFilters(first=today - timedelta(days=6), last=today)
    cases = [
        ("default (newest first)", AuditFilters()),
        ("one person", AuditFilters(person="user017")),
        ("a username prefix (10 people)", AuditFilters(person="user01")),
        ("action: login", AuditFilters(action="login")),
        ("action: tracing_search (rare)", AuditFilters(action="tracing_search")),
        ("object type: daily list", AuditFilters(object_type="checkpoints.dailylist")),
        ("object: daily list #17", AuditFilters(object_type="checkpoints.dailylist", object_id="17")),
        ("one day", AuditFilters(first=today - timedelta(days=30), last=today - timedelta(days=30))),
        ("last 7 days", week),
        ("action + 7 days", AuditFilters(action="export", first=week.first, last=week.last)),
        ("person + 7 days", AuditFilters(person="user017", first=week.first, last=week.last)),
    ]
    for label, filters in cases:
        explain(label, audit_events(filters)[:51])
    user = User.objects.get(username="user017")
    explain("own history (user017)", audit_events(AuditFilters(), actor=user)[:51])
    started = time.perf_counter()
    types = audit_object_types()
    print(f"\nobject types on offer {types}: {(time.perf_counter() - started) * 1000:.1f} ms")
    started = time.perf_counter()
    capped = audit_events(week)[:100_001].count()
    print(f"export size check, last 7 days ({capped:,} events): {(time.perf_counter() - started) * 1000:.1f} ms")

    admin, _ = User.objects.get_or_create(username="bench_admin")
    RoleAssignment.objects.get_or_create(user=admin, role=Role.PROVINCE_ADMIN)
    call_command("collectstatic", interactive=False, verbosity=0)  # manifest storage, as in production
    client = Client()
    client.force_login(admin)
    print()
    time_page(client, "default", {})
    time_page(client, "one person", {"person": "user017"})
    time_page(client, "action: tracing_search", {"action": "tracing_search"})
    time_page(client, "object type: daily list", {"object_type": "checkpoints.dailylist"})
    time_page(client, "last 7 days", {"first": week.first.isoformat(), "last": week.last.isoformat()})
    time_page(client, "page 100 (default)", {"page": 100})


if __name__ == "__main__":
    main()
