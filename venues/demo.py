"""Demo step: realistic venue check-ins for the last ``ctx.days`` days, and some inspections.

Patterns: each venue type has its own daily volume and hour-of-day profile; offices and schools go
quiet at weekends while tourist sites, hotels and restaurants get busier (Sa Pa at the weekend); some
venues were never scanned and some stopped scanning a while ago (the inspection view lists them
first); most visitors check out; a few answer yes to a health question. About 4,000 check-ins a day
across 900 venues, written in batches (COPY on PostgreSQL, one prepared INSERT on SQLite), so
``make run`` stays quick.
"""

from __future__ import annotations

import random
import time as clock
from datetime import UTC, date, datetime, timedelta

from django.db import connection, transaction

from rollout.demo import DemoContext, places
from rollout.demo.names import mobile, person_name
from rollout.models import User, Venue
from rollout.models.org import VenueKind
from rollout.rawsql import copy_rows
from rollout.text import fold
from rollout.timeutils import local_date, local_datetime, local_now
from venues.models import CheckIn, CheckInMethod, Inspection, checkin_closes_at

# Weekday check-ins per venue (before the global scale), weekend factor, hour profile, typical stay (min).
PROFILES: dict[str, tuple[float, float, str, int]] = {
    VenueKind.MARKET: (40, 1.2, "market", 35),
    VenueKind.SUPERMARKET: (22, 1.3, "shop", 25),
    VenueKind.RESTAURANT: (14, 1.5, "meals", 50),
    VenueKind.HOTEL: (8, 1.8, "hotel", 240),
    VenueKind.SCHOOL: (30, 0.03, "office", 300),
    VenueKind.HOSPITAL: (35, 0.6, "office", 90),
    VenueKind.BUS_STATION: (45, 1.4, "travel", 30),
    VenueKind.RELIGIOUS: (10, 2.0, "day", 45),
    VenueKind.TOURIST: (30, 2.3, "day", 120),
    VenueKind.AGENCY_OFFICE: (9, 0.05, "office", 60),
    VenueKind.OTHER: (6, 1.1, "shop", 20),
}
HOURS: dict[str, list[int]] = {  # relative weight per hour 0..23
    "market": [0, 0, 0, 0, 0, 3, 9, 10, 8, 5, 4, 3, 2, 2, 2, 4, 7, 8, 5, 2, 1, 0, 0, 0],
    "shop": [0, 0, 0, 0, 0, 0, 1, 3, 5, 6, 6, 5, 4, 4, 4, 5, 6, 8, 9, 8, 6, 3, 1, 0],
    "meals": [0, 0, 0, 0, 0, 0, 4, 5, 3, 1, 3, 9, 10, 4, 1, 1, 2, 5, 10, 10, 6, 3, 1, 0],
    "hotel": [1, 0, 0, 0, 0, 0, 1, 2, 3, 3, 4, 5, 6, 8, 10, 10, 9, 8, 7, 6, 5, 4, 2, 1],
    "office": [0, 0, 0, 0, 0, 0, 2, 10, 8, 4, 3, 2, 2, 7, 5, 3, 2, 1, 0, 0, 0, 0, 0, 0],
    "travel": [0, 0, 0, 0, 1, 5, 8, 8, 6, 5, 5, 4, 4, 5, 6, 7, 6, 5, 4, 5, 6, 4, 2, 1],
    "day": [0, 0, 0, 0, 0, 1, 3, 5, 8, 10, 10, 8, 5, 6, 8, 9, 8, 6, 3, 1, 0, 0, 0, 0],
}
TOURIST_DISTRICTS = ("sa_pa", "bac_ha", "lao_cai")  # Lào Cai's; another province's by their parts
SCALE = 0.42  # brings the province to roughly 4,000 check-ins a day
NEVER_SCANNED = 0.10  # share of venues that never used their QR code
WENT_QUIET = 0.07  # share that stopped scanning 8-20 days ago
CHECKOUT_SHARE = 0.78
FLAGGED_SHARE = 0.004
PEOPLE = 12_000
BATCH = 5_000
SELF, STAFF_SCAN, MANUAL = CheckInMethod.SELF.value, CheckInMethod.STAFF_SCAN.value, CheckInMethod.MANUAL.value

VIOLATIONS = [
    "Không niêm yết mã QR tại lối vào",
    "Không yêu cầu khách quét mã QR khi vào",
    "Mã QR niêm yết là mã cũ, đã thay thế",
    "Không bố trí người kiểm soát ra vào",
    "Không lưu danh sách khách không có điện thoại thông minh",
]
SANCTIONS = ["Nhắc nhở", "Lập biên bản, yêu cầu khắc phục trong 3 ngày", "Phạt tiền 2.000.000 đồng", "Cảnh cáo"]


# Columns written by the demo (raw executemany: the ORM's per-value preparation costs ~10x more here).
COLUMNS = [
    "venue_id",
    "full_name",
    "name_folded",
    "phone",
    "id_number",
    "has_fever",
    "has_cough",
    "has_breathing_difficulty",
    "had_contact",
    "flagged",
    "method",
    "checked_in_at",
    "checked_out_at",
    "day",  # the local day of checked_in_at: the day generated (LocalDayPartitioned, without a lookup per row)
]


def seed_checkins(ctx: DemoContext) -> None:
    if CheckIn.objects.exists():
        ctx.out.write("check-ins: already present, kept\n")
        return
    started = clock.monotonic()
    rng = random.Random(3021)
    people = _people(rng)
    venues = list(Venue.objects.filter(is_active=True).select_related("district").order_by("pk"))
    place = places.demo_province()
    tourist_districts = {place.like(short) for short in TOURIST_DISTRICTS}
    now = local_now()
    days = max(ctx.days, 0)
    first = now.date() - timedelta(days=days - 1)
    adapt = _datetime_adapter()
    total = 0
    batch: list[tuple] = []
    with transaction.atomic(), connection.cursor() as cursor:
        write = _writer(cursor)
        for venue in venues:
            roll = rng.random()
            if roll < NEVER_SCANNED:
                continue
            quiet_from = now.date() - timedelta(days=rng.randint(8, 20)) if roll < NEVER_SCANNED + WENT_QUIET else None
            popularity = rng.lognormvariate(0, 0.5)
            registered = local_date(venue.created_at)
            touristy = venue.district.short_codename in tourist_districts
            for offset in range(days):
                day = first + timedelta(days=offset)
                if quiet_from and day >= quiet_from:
                    break
                if day < registered:
                    continue
                stored_day = connection.ops.adapt_datefield_value(day)
                for row in _venue_day(rng, venue, day, now, popularity, people, touristy):
                    batch.append((*row[:11], adapt(row[11]), adapt(row[12]), stored_day))
                if len(batch) >= BATCH:
                    write(batch)
                    total += len(batch)
                    batch = []
        if batch:
            write(batch)
            total += len(batch)
    inspections = _seed_inspections(rng, venues, now.date())
    ctx.out.write(
        f"check-ins: {total} over {days} days (~{total // max(days, 1)}/day), inspections: {inspections} "
        f"in {clock.monotonic() - started:.1f}s\n"
    )


def _writer(cursor):
    """A function writing a batch of rows: COPY on PostgreSQL, one prepared INSERT elsewhere."""
    table = connection.ops.quote_name(CheckIn._meta.db_table)
    columns = ", ".join(connection.ops.quote_name(c) for c in COLUMNS)
    if connection.vendor == "postgresql":
        return lambda rows: copy_rows(cursor, CheckIn._meta.db_table, COLUMNS, rows)
    sql = f"INSERT INTO {table} ({columns}) VALUES ({', '.join(['%s'] * len(COLUMNS))})"  # noqa: S608 (model names)
    return lambda rows: cursor.executemany(sql, rows)


def _datetime_adapter():
    """Aware UTC datetime -> what the backend stores (what the ORM would do, without its per-value cost)."""
    if connection.vendor == "sqlite":
        return lambda value: value.replace(tzinfo=None).isoformat(" ") if value is not None else None
    return lambda value: value


def _people(rng: random.Random) -> list[tuple[str, str, str, str]]:
    """A pool of residents and visitors: (full name, its folded copy, phone, ID number or "")."""
    people = []
    for _ in range(PEOPLE):
        id_number = ""
        if rng.random() < 0.4:
            id_number = f"010{rng.choice('0123')}{rng.randint(0, 99):02d}{rng.randrange(10**6):06d}"
        name = person_name(rng)
        people.append((name, fold(name), mobile(rng), id_number))
    return people


def _venue_day(
    rng, venue: Venue, day: date, now: datetime, popularity: float, people, touristy: bool = False
) -> list[tuple]:
    """One venue's check-ins on one day, as tuples in COLUMNS order."""
    base, weekend_factor, profile, stay = PROFILES.get(venue.kind, PROFILES[VenueKind.OTHER])
    weekend = day.weekday() >= 5
    expected = base * SCALE * popularity * (weekend_factor if weekend else 1.0)
    busy_weekend = venue.kind in (VenueKind.TOURIST, VenueKind.HOTEL, VenueKind.RESTAURANT)
    if weekend and busy_weekend and touristy:
        expected *= 1.5  # Sa Pa, Bắc Hà and the city fill up at the weekend
    count = max(int(rng.gauss(expected, expected**0.5)), 0)
    midnight = local_datetime(day).astimezone(UTC)  # UTC arithmetic: no zone lookups per row
    closes = checkin_closes_at(midnight)
    limit = min(now, closes)
    rows = []
    for hour in rng.choices(range(24), weights=HOURS[profile], k=count):
        at = midnight + timedelta(seconds=hour * 3600 + rng.randrange(3600))
        if at > now:
            continue
        name, folded, phone, id_number = rng.choice(people)
        checked_out = None
        if rng.random() < CHECKOUT_SHARE:
            out = at + timedelta(minutes=max(3.0, rng.gauss(stay, stay / 3)))
            if out < limit:
                checked_out = out
        fever = cough = breath = contact = False
        if rng.random() < FLAGGED_SHARE:
            fever, cough, breath, contact = (i == rng.randrange(4) for i in range(4))
        roll = rng.random()
        method = (
            CheckInMethod.MANUAL if roll < 0.03 else CheckInMethod.STAFF_SCAN if roll < 0.10 else CheckInMethod.SELF
        )
        flagged = fever or cough or breath or contact
        rows.append(
            (venue.pk, name, folded, phone, id_number, fever, cough, breath, contact, flagged, method, at, checked_out)
        )
    return rows


def _seed_inspections(rng: random.Random, venues: list[Venue], today: date) -> int:
    if Inspection.objects.exists():
        return 0
    officers = {
        a.district_id: u
        for u in User.objects.filter(username__startswith="district_").prefetch_related("role_assignments")
        for a in u.role_assignments.all()
        if a.district_id
    }
    rows = []
    for venue in rng.sample(venues, k=min(90, len(venues))):
        compliant = rng.random() < 0.7
        officer = officers.get(venue.district_id)
        rows.append(
            Inspection(
                venue=venue,
                inspected_on=today - timedelta(days=rng.randint(0, 27)),
                inspector=officer.full_name if officer else person_name(rng),
                compliant=compliant,
                violations="" if compliant else rng.choice(VIOLATIONS),
                sanction="" if compliant else rng.choice(SANCTIONS),
                notes=rng.choice(["", "", "Chủ cơ sở hợp tác tốt", "Đã hướng dẫn in lại mã QR"]),
                recorded_by=officer,
            )
        )
    Inspection.objects.bulk_create(rows)
    return len(rows)
