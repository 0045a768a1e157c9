"""Demo activity of checkpoints: declarations and ~5,000 arrivals a day for the last 30 days, and
the daily lists of those days (``DEMO_ARRIVALS_PER_DAY`` sets the volume).

Idempotent and incremental: a day that already has arrivals is left alone, so running seed_demo again
(``make run`` does it on every start) only adds the days that passed since, and builds only the lists
that are missing.
"""

from __future__ import annotations

import os
import random
import time
from datetime import date, timedelta
from decimal import Decimal
from itertools import accumulate
from multiprocessing import get_context

from django.conf import settings
from django.db import connection, connections, transaction
from django.utils.translation import gettext as _

from checkpoints.bulk import insert_rows
from checkpoints.models import Arrival, DailyList, Declaration, DeclarationKind, PcCovid, TestKind, Vehicle
from checkpoints.services.daily_lists import daily_list_build, home_districts
from checkpoints.units import unit_index
from rollout import qr
from rollout.demo import DemoContext
from rollout.demo import places as demo_places
from rollout.demo.names import address, person_name
from rollout.models import Checkpoint, Commune, District
from rollout.models.org import CheckpointKind
from rollout.services.jobs import job_run
from rollout.timeutils import day_bounds, local_datetime, local_now, local_today

# Where travellers come from (GSO province code: weight): neighbours and the big cities first.
ORIGINS = {
    1: 26, 15: 12, 12: 7, 2: 6, 25: 6, 26: 5, 79: 5, 31: 4, 27: 4, 14: 3, 19: 3, 22: 3, 38: 3, 8: 3, 30: 3,
    11: 2, 24: 2, 36: 2, 40: 2, 33: 1, 34: 1, 35: 1, 37: 1, 17: 1, 20: 1, 48: 1, 56: 1, 74: 1, 75: 1, 92: 1,
}  # fmt: skip
PLATES = {1: "29", 15: "21", 12: "25", 2: "23", 25: "19", 26: "88", 79: "51", 31: "15", 27: "99", 14: "26",
          19: "20", 22: "14", 38: "36", 8: "22", 30: "34", 10: "24"}  # fmt: skip
# Share of a day's arrivals by local hour: quiet nights, morning and late-afternoon peaks.
HOURS = [1, 0.6, 0.4, 0.4, 0.6, 1.5, 3, 5, 6, 6, 5, 4, 3.5, 3.5, 4.5, 5.5, 6, 6, 5, 4, 3, 2.5, 2, 1.5]
CHECKPOINT_WEIGHT = {CheckpointKind.BORDER: 5, CheckpointKind.RAIL: 4, CheckpointKind.ROAD: 3}
VEHICLES = {
    CheckpointKind.RAIL: ([Vehicle.TRAIN], [1]),
    CheckpointKind.BORDER: ([Vehicle.CAR, Vehicle.TRUCK, Vehicle.MOTORBIKE, Vehicle.COACH], [40, 30, 20, 10]),
    CheckpointKind.ROAD: ([Vehicle.CAR, Vehicle.COACH, Vehicle.MOTORBIKE, Vehicle.TRUCK], [35, 25, 25, 15]),
}
MOBILE_PREFIXES = ["091", "094", "097", "098", "086", "096", "083", "088", "035", "038", "070", "077", "039", "081"]
TEMPERATURES = [Decimal(t) for t in ("36.2", "36.4", "36.5", "36.6", "36.7", "36.8", "37.0", "37.1")]
TESTS = [(TestKind.RAPID, "negative"), (TestKind.PCR, "pending"), (TestKind.NONE, "")]
PURPOSES = ["Công tác", "Du lịch", "Thăm thân", "Về quê", "Vận chuyển hàng hóa", "Làm việc", "Học tập", "Khám bệnh"]


class _Places:
    """Units loaded once: origin districts/communes per province, destination communes per district."""

    def __init__(self) -> None:
        self.districts: dict[int, list[int]] = {}
        for code, province in District.objects.filter(province_id__in=ORIGINS).values_list("code", "province_id"):
            self.districts.setdefault(province, []).append(code)
        self.communes: dict[int, list[int]] = {}
        wanted = [d for ds in self.districts.values() for d in ds]
        for code, district in Commune.objects.filter(district_id__in=wanted).values_list("code", "district_id"):
            self.communes.setdefault(district, []).append(code)
        self.home = {d.short_codename: d for d in home_districts()}
        self.weights = demo_places.demo_province().weights
        self.home_communes = {d.pk: list(d.communes.all()) for d in self.home.values()}


def _plate(rng: random.Random, province: int | None, vehicle: str) -> str:
    if vehicle in ("", Vehicle.TRAIN, Vehicle.PLANE):
        return ""
    prefix = PLATES.get(province or 10, "29")
    if vehicle == Vehicle.MOTORBIKE:
        series = f"{rng.choice('BCDEFGHKLMNPSTUVX')}{rng.randint(1, 9)}"
        return f"{prefix}-{series} {rng.randint(100, 999)}.{rng.randint(10, 99)}"
    letter = "C" if vehicle == Vehicle.TRUCK else rng.choice("ABDEFGH")
    return f"{prefix}{letter}-{rng.randint(100, 999)}.{rng.randint(10, 99)}"


def _id_number(rng: random.Random, province: int, born: int) -> str:
    if rng.random() < 0.15:
        return "".join(str(rng.randrange(10)) for _ in range(9))
    century = (0 if born < 2000 else 2) + rng.randint(0, 1)
    return f"{province:03d}{century}{born % 100:02d}{rng.randrange(10**6):06d}"


# Most travellers already have PC-Covid; some install it with the officer's help; a few have no smartphone.
PC_COVID_ANSWERS = (PcCovid.HAD, PcCovid.INSTALLED, PcCovid.NO_SMARTPHONE, PcCovid.UNKNOWN)
PC_COVID_WEIGHTS = (70, 18, 8, 4)


def _day_rows(rng: random.Random, day: date, places: _Places, checkpoints: list[Checkpoint], count: int, until=None):
    """(arrival values, declaration values or None) for one day, in time order."""
    cp_cum = list(accumulate(CHECKPOINT_WEIGHT.get(c.kind, 2) for c in checkpoints))
    names = list(places.weights)
    d_cum = list(accumulate(places.weights[n] for n in names))
    origins, o_cum = list(ORIGINS), list(accumulate(ORIGINS.values()))
    vehicle_cum = {kind: (vehicles, list(accumulate(weights))) for kind, (vehicles, weights) in VEHICLES.items()}
    test_cum, dose_cum = list(accumulate([60, 5, 35])), list(accumulate([10, 30, 60]))
    midnight = local_datetime(day)
    # A generator of its own: the PC-Covid answers leave every other demo value as it was.
    answers = random.Random(f"pc-covid-{day}")
    hours = rng.choices(range(24), cum_weights=list(accumulate(HOURS)), k=count)
    seconds = sorted(hour * 3600 + rng.randrange(3600) for hour in hours)
    rows = []
    for second in seconds:
        moment = midnight + timedelta(seconds=second)
        if until is not None and moment > until:
            break
        checkpoint = rng.choices(checkpoints, cum_weights=cp_cum)[0]
        province = rng.choices(origins, cum_weights=o_cum)[0]
        district = rng.choice(places.districts[province])
        commune = rng.choice(places.communes.get(district) or [None])
        destination = places.home[rng.choices(names, cum_weights=d_cum)[0]]
        dest_commune = rng.choice(places.home_communes[destination.pk])
        vehicles, cum = vehicle_cum.get(checkpoint.kind, vehicle_cum[CheckpointKind.ROAD])
        vehicle = rng.choices(vehicles, cum_weights=cum)[0]
        born = rng.randint(1950, 2008)
        test, result = rng.choices(TESTS, cum_weights=test_cum)[0]
        fever = rng.random() < 0.004
        values = {
            "full_name": person_name(rng),
            "phone": f"{rng.choice(MOBILE_PREFIXES)}{rng.randrange(10**7):07d}" if rng.random() < 0.95 else "",
            "id_number": _id_number(rng, province, born),
            "birth_year": born,
            "origin_province_id": province,
            "origin_district_id": district,
            "origin_commune_id": commune,
            "destination_district_id": destination.pk,
            "destination_commune_id": dest_commune.pk,
            "destination_address": address(rng, dest_commune),
            "vehicle": vehicle,
            "plate": _plate(rng, province, vehicle),
            "purpose": rng.choice(PURPOSES),
            "vaccine_doses": rng.choices((0, 1, 2), cum_weights=dose_cum)[0],
            "symptoms": "Sốt" if fever else "",
        }
        arrival = values | {
            "checkpoint_id": checkpoint.pk,
            "arrived_at": moment,
            "temperature": Decimal("37.9") if fever else rng.choice(TEMPERATURES),
            "test_at_checkpoint": test,
            "test_at_checkpoint_result": result,
            "pc_covid": answers.choices(PC_COVID_ANSWERS, weights=PC_COVID_WEIGHTS)[0],
        }
        declaration = None
        if rng.random() < 0.25:  # a quarter showed the personal QR of their declaration
            declaration = values | {"kind": DeclarationKind.TRAVEL, "travel_date": day, "token": qr.new_key()}
        rows.append((arrival, declaration))
    return rows


def seed_arrivals(ctx: DemoContext) -> None:
    """Arrivals and declarations for every demo day that has none yet; then the missing daily lists."""
    per_day = settings.DEMO_ARRIVALS_PER_DAY
    checkpoints = list(Checkpoint.objects.filter(is_active=True).order_by("pk"))
    if not checkpoints or per_day <= 0:
        ctx.out.write("arrivals: skipped (no checkpoints, or DEMO_ARRIVALS_PER_DAY=0)\n")
        return
    started = time.monotonic()
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:  # a bigger page cache: index inserts stop thrashing
            cursor.execute("PRAGMA cache_size=-65536")
    rng = random.Random(f"arrivals-{local_today()}")
    places = _Places()
    today = local_today()
    days = [today - timedelta(days=n) for n in range(ctx.days, -1, -1)]
    created = 0
    for day in days:
        start, end = day_bounds(day)
        if Arrival.objects.between(start, end).exists():
            continue
        weekend = 1.15 if day.weekday() >= 5 else 1.0
        count = int(per_day * weekend * rng.uniform(0.9, 1.1))
        until = local_now() if day == today else None
        created += _store_day(rng, day, _day_rows(rng, day, places, checkpoints, count, until))
    seeded = time.monotonic()
    built = _build_lists(days[:-1])
    ctx.out.write(
        f"arrivals: {created} added over {len(days)} days in {seeded - started:.1f} s; "
        f"daily lists built: {built} in {time.monotonic() - seeded:.1f} s\n"
    )


def _store_day(rng: random.Random, day: date, rows: list) -> int:
    with transaction.atomic():
        declarations = [d for _a, d in rows if d is not None]
        insert_rows(Declaration, declarations)
        by_token = dict(
            Declaration.objects.filter(token__in=[d["token"] for d in declarations]).values_list("token", "pk")
        )
        for arrival, declaration in rows:
            if declaration is not None:
                arrival["declaration_id"] = by_token[declaration["token"]]
        insert_rows(Arrival, [a for a, _d in rows])
        # A few likely duplicates: the same person recorded again within minutes, flagged.
        start, end = day_bounds(day)
        pks = list(Arrival.objects.between(start, end).values_list("pk", flat=True))
        copies = []
        fields = [f.attname for f in Arrival._meta.concrete_fields if not f.primary_key]
        for original in Arrival.objects.filter(pk__in=rng.sample(pks, k=len(pks) // 400)).values(*fields, "pk"):
            moment = min(original["arrived_at"] + timedelta(minutes=rng.randint(2, 40)), end - timedelta(seconds=1))
            copies.append(
                original
                | {"arrived_at": moment, "possible_duplicate_of_id": original["pk"], "notes": "Quay lại chốt lần hai"}
            )
        insert_rows(Arrival, copies)
    return len(rows) + len(copies)


def _build_lists(days: list[date]) -> int:
    """Lists for past demo days that have none (no e-mails: the demo is not news to anyone).

    The writer (openpyxl) is CPU-bound, so a first seeding builds the ~270 files on every core.
    """
    have = set(DailyList.objects.filter(day__in=days).values_list("day", "district_id"))
    districts = list(home_districts())
    todo = [(day.isoformat(), d.pk) for day in days for d in districts if (day, d.pk) not in have]
    if not todo:
        return 0
    workers = min(os.cpu_count() or 1, 4)
    with job_run("daily_lists_build", day="demo", district=None) as run:
        # Workers need committed rows and their own connections: never inside a transaction (tests).
        if workers > 1 and len(todo) >= 20 and not connection.in_atomic_block:
            unit_index()  # loaded once, inherited by the workers
            connections.close_all()  # each worker opens its own connection
            with get_context("fork").Pool(workers) as pool:
                pool.map(_build_one, todo, chunksize=1)
        else:
            for item in todo:
                _build_one(item)
        run.result = _("%(lists)s lists of the demo") % {"lists": len(todo)}
    return len(todo)


def _build_one(item: tuple[str, int]) -> None:
    day, district = item
    daily_list_build(district=District.objects.get(pk=district), day=date.fromisoformat(day), notify=False)
