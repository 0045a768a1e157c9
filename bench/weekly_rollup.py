"""Weekly reports at province scale: the system-figures query, the roll-up build, the template round trip.

A synthetic week of the demo province (900 venues, 300 agencies) at SPEC §10 volumes: 50,000 check-ins
and 5,000 arrivals a day for the 7 days of one reporting week (350,000 check-ins, 35,000 arrivals),
plus inspections and adoption updates, and a report from each of the nine districts. Prints figures:

    DJANGO_DEBUG=0 SECRET_KEY=bench DATABASE_URL=postgres://postgres@127.0.0.1:5432/rollout_bench_i5 \\
      PRIVATE_FILES_ROOT=/tmp/bench-files .venv/bin/python bench/weekly_rollup.py [--checkins-per-day 50000]

The database is created and filled on the first run and reused afterwards (delete it to start again).
"""

from __future__ import annotations

import argparse
import io
import os
import random
import statistics
import sys
import time
from datetime import date, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "rollout.settings")

import django

django.setup()

from django.core.management import call_command
from django.db import connection

WEEK = date(2021, 11, 5)


def _create_database() -> None:
    import psycopg

    db = connection.settings_dict
    name = db["NAME"]
    dsn = f"host={db['HOST'] or '127.0.0.1'} user={db['USER'] or 'postgres'}"
    with psycopg.connect(dsn + " dbname=postgres", autocommit=True) as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
            conn.execute(f'CREATE DATABASE "{name}"')


def _fill(checkins_per_day: int, arrivals_per_day: int) -> None:
    from checkpoints.models import Arrival
    from platforms.models import AdoptionUpdate
    from reports import weeks
    from reports.services.submissions import report_submit
    from rollout.demo import DemoContext
    from rollout.demo.masterdata import seed_master_data, seed_users
    from rollout.models import Agency, Checkpoint, District, User, Venue
    from venues.models import CheckIn, Inspection

    call_command("migrate", verbosity=0)
    call_command("load_admin_units", verbosity=0, stdout=io.StringIO())
    ctx = DemoContext(out=io.StringIO())
    seed_master_data(ctx)
    seed_users(ctx)
    start, end = weeks.week_bounds(WEEK)
    if CheckIn.objects.filter(checked_in_at__gte=start, checked_in_at__lt=end).exists():
        return
    rng = random.Random(10)
    Venue.objects.update(created_at=start - timedelta(days=30))
    venues = list(Venue.objects.values_list("pk", flat=True))
    checkpoints = list(Checkpoint.objects.values_list("pk", flat=True))
    districts = list(District.objects.filter(province_id=10).values_list("pk", flat=True))
    t0 = time.perf_counter()
    for day in range(7):
        base = start + timedelta(days=day)
        rows = [
            CheckIn(
                venue_id=rng.choice(venues),
                full_name="Khách thử nghiệm",
                phone=f"09{rng.randrange(10**8):08d}",
                checked_in_at=base + timedelta(seconds=rng.randrange(86400)),
            )
            for _ in range(checkins_per_day)
        ]
        CheckIn.objects.bulk_create(rows, batch_size=5000)
        Arrival.objects.bulk_create(
            [
                Arrival(
                    checkpoint_id=rng.choice(checkpoints),
                    full_name="Người đến thử nghiệm",
                    destination_district_id=rng.choice(districts),
                    arrived_at=base + timedelta(seconds=rng.randrange(86400)),
                )
                for _ in range(arrivals_per_day)
            ],
            batch_size=5000,
        )
    Inspection.objects.bulk_create(
        [
            Inspection(
                venue_id=rng.choice(venues),
                inspected_on=WEEK - timedelta(days=rng.randrange(7)),
                inspector="Đoàn kiểm tra",
                compliant=rng.random() < 0.8,
            )
            for _ in range(400)
        ]
    )
    for agency in Agency.objects.all():
        for ago in (14, 7, 1):
            staff = agency.staff_headcount or 10
            AdoptionUpdate.objects.create(
                agency=agency,
                reported_on=WEEK - timedelta(days=ago),
                staff_headcount=staff,
                pc_covid=staff * 8 // 10,
                health_book=staff // 2,
                vneid=staff // 3,
            )
    print(f"filled one week: {7 * checkins_per_day:,} check-ins, {7 * arrivals_per_day:,} arrivals "
          f"in {time.perf_counter() - t0:.0f} s")  # fmt: skip
    values = {
        "agencies_with_qr": 30, "venues_with_qr": 100, "venues_inspected": 10, "violations_found": 2,
        "sanctions_imposed": 1, "communication_sessions": 5, "people_guided": 300, "pc_covid_installs": 20000,
        "health_book_installs": 9000, "vneid_installs": 7000, "difficulties": "—", "proposals": "—",
        "focal_officer_confirmed": True,
    }  # fmt: skip
    import time_machine

    with time_machine.travel(weeks.due_at(WEEK) - timedelta(hours=3), tick=False):
        for d in District.objects.filter(province_id=10):
            officer = User.objects.get(username=f"district_{d.short_codename}")
            report_submit(by=officer, district=d, week_ending=WEEK, values=values)


def _timed(fn, repeat: int) -> tuple[float, float]:
    samples = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        samples.append(time.perf_counter() - t0)
    return statistics.median(samples), max(samples)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--checkins-per-day", type=int, default=50_000)
    parser.add_argument("--arrivals-per-day", type=int, default=5_000)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    _create_database()
    _fill(args.checkins_per_day, args.arrivals_per_day)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")  # as autovacuum would have done on a live database

    from reports.figures import district_week_figures
    from reports.models import RollupReason
    from reports.services.rollups import rollup_build
    from reports.template_xlsx import template_build, template_read
    from rollout.models import District, FocalOfficer

    ids = list(District.objects.filter(province_id=10).values_list("pk", flat=True))
    median, worst = _timed(lambda: district_week_figures(WEEK, ids), args.repeat)
    print(f"system figures, 9 districts x 1 week: median {median * 1000:.0f} ms, max {worst * 1000:.0f} ms")
    median, worst = _timed(lambda: district_week_figures(WEEK, ids[:1]), args.repeat)
    print(f"system figures, 1 district x 1 week: median {median * 1000:.0f} ms, max {worst * 1000:.0f} ms")
    outcomes = []
    median, worst = _timed(
        lambda: outcomes.append(rollup_build(week_ending=WEEK, reason=RollupReason.MANUAL, force=True)), args.repeat
    )
    size = outcomes[-1].path.stat().st_size
    print(f"roll-up build (figures + workbook + file): median {median:.2f} s, max {worst:.2f} s, {size:,} bytes")
    district = District.objects.get(pk=ids[0])
    system = district_week_figures(WEEK, [district.pk])[district.pk]
    officer = FocalOfficer.objects.filter(district=district).first()
    from reports.models import WeeklyReport

    sent = WeeklyReport.objects.get(district=district, week_ending=WEEK).values()
    built = template_build(district=district, week_ending=WEEK, values=sent, system=system, officer=officer)
    median, worst = _timed(
        lambda: template_build(district=district, week_ending=WEEK, values=None, system=system, officer=officer),
        args.repeat,
    )
    print(f"template build: median {median * 1000:.0f} ms, {len(built.content):,} bytes")

    median, worst = _timed(
        lambda: template_read(io.BytesIO(built.content), district=district, week_ending=WEEK), args.repeat
    )
    print(f"template read and validate: median {median * 1000:.0f} ms")


if __name__ == "__main__":
    main()
