"""Demo step: a confirmed case (F0) whose F1s are known, so a newcomer can try a tracing search.

The F0 (fictional) ate at a restaurant and shopped at a market in the last days, and came into the province
by car through a checkpoint. Around them, on purpose:
  - F1s: two people whose visits overlapped theirs at the restaurant (one checked out, one on the default
    stay), one at the market, one of those two again at the market (one person, two visits: their exposure
    adds up), and two fellow passengers of the car (same plate, same checkpoint, within 30 minutes);
  - not F1s: someone at the restaurant two days earlier, someone who left the market just before the buffer
    began, someone who came in after it ended, the same plate at the same checkpoint just beyond the limit,
    and another car at the same moment.
The venues are ones nobody else scanned in the demo, so the F1 set is exactly the planned one. Times follow
the settings (buffer, default stay, same-vehicle limit) so the plan holds whatever they are.

Idempotent: a scenario already placed in the last week is kept; an older one (moving out of the default
search window) is replaced by a new one around today.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Q

from checkpoints.models import Arrival, Vehicle
from rollout.demo import DemoContext
from rollout.models import Checkpoint, District, Venue
from rollout.models.org import VenueKind
from rollout.timeutils import local_datetime, local_today
from venues.models import CheckIn

F0_NAME = "Lý Văn Thành"
# 096 (Cà Mau) is the province part of no other demo ID number, and no demo plate has the 000 series.
F0_ID = "096190000100"
F0_PHONE = "0868000100"
PLATE = "24A-000.01"
KEEP_DAYS = 7  # a scenario younger than this is kept by a new seed_demo


@dataclass(frozen=True)
class Person:
    name: str
    phone: str
    f1: bool  # in the planned F1 set
    why: str  # for the output: why they are, or are not, a contact


LAN = Person("Trần Thị Lan", "0868000101", True, "restaurant, stayed after the F0 arrived; market too")
HUNG = Person("Phạm Văn Hùng", "0868000102", True, "restaurant, no check-out (default stay)")
MY = Person("Vàng Thị Mỷ", "0868000103", True, "market, overlapping")
DUNG = Person("Hoàng Văn Dũng", "0868000104", True, "same car (driver)")
NGA = Person("Lý Thị Nga", "0868000105", True, "same car, 15 minutes later")
TAI = Person("Nông Văn Tài", "0868000111", False, "restaurant, two days earlier")
PAO = Person("Lù Văn Páo", "0868000112", False, "market, left just before the buffer")
HANH = Person("Đỗ Thị Hạnh", "0868000113", False, "restaurant, came just after the buffer")
CHU = Person("Giàng Seo Chứ", "0868000114", False, "same plate, just beyond the time limit")
SINH = Person("Ma Văn Sinh", "0868000115", False, "another car at the same moment")
PEOPLE = [LAN, HUNG, MY, DUNG, NGA, TAI, PAO, HANH, CHU, SINH]
F1_NAMES = {p.name for p in PEOPLE if p.f1}


def seed_tracing_scenario(ctx: DemoContext) -> None:
    recent = local_datetime(local_today() - timedelta(days=KEEP_DAYS))
    if CheckIn.objects.filter(id_number=F0_ID, checked_in_at__gte=recent).on_days_of(recent).exists():
        ctx.out.write("tracing scenario: already present, kept\n")
        _how_to_try(ctx)
        return
    with transaction.atomic():
        _forget_old()
        placed = _place(local_today())
    if placed:
        ctx.out.write(f"tracing scenario: {placed}\n")
        _how_to_try(ctx)
    else:
        ctx.out.write("tracing scenario: skipped (no venues or checkpoints yet)\n")


def _forget_old() -> None:
    """An older scenario's rows: a new one replaces them (they would otherwise linger until the purge)."""
    phones = [F0_PHONE, *(p.phone for p in PEOPLE)]
    CheckIn.objects.filter(Q(id_number=F0_ID) | Q(phone__in=phones)).delete()
    Arrival.objects.filter(Q(id_number=F0_ID) | Q(phone__in=phones)).delete()


def _quiet_venue(kind: str) -> Venue | None:
    """A venue of that kind that nobody scanned in the demo (so the F1s are exactly the planned ones)."""
    quiet = Venue.objects.filter(is_active=True).exclude(pk__in=CheckIn.objects.values("venue_id")).order_by("pk")
    return quiet.filter(kind=kind).first() or quiet.first()


def _place(today: date) -> str:
    restaurant = _quiet_venue(VenueKind.RESTAURANT)
    market = _quiet_venue(VenueKind.MARKET) if restaurant else None
    if market is None or market == restaurant:
        return ""
    checkpoint = Checkpoint.objects.filter(is_active=True).order_by("pk").first()
    if checkpoint is None:
        return ""
    home = District.objects.filter(province_id=settings.HOME_PROVINCE_CODE)
    bat_xat = home.filter(short_codename="bat_xat").first() or home.order_by("pk").first()
    sa_pa = home.filter(short_codename="sa_pa").first() or bat_xat
    buffer = timedelta(minutes=settings.TRACING_BUFFER_MINUTES)
    within = timedelta(minutes=settings.TRACING_SAME_VEHICLE_MINUTES)
    minutes = timedelta(minutes=1)

    def at(days_ago: int, hhmm: str) -> datetime:
        h, m = map(int, hhmm.split(":"))
        return local_datetime(today - timedelta(days=days_ago), time(h, m))

    def visit(venue: Venue, who: Person | None, came: datetime, left: datetime | None) -> CheckIn:
        name, phone, id_number = (who.name, who.phone, "") if who else (F0_NAME, F0_PHONE, F0_ID)
        return CheckIn(
            venue=venue, full_name=name, phone=phone, id_number=id_number, checked_in_at=came, checked_out_at=left
        )

    # The restaurant, lunch three days ago: the F0 from 11:30 to 12:45.
    came, left = at(3, "11:30"), at(3, "12:45")
    market_came, market_left = at(2, "07:30"), at(2, "08:10")
    checkins = [
        visit(restaurant, None, came, left),
        visit(restaurant, LAN, at(3, "12:00"), at(3, "13:00")),
        visit(restaurant, HUNG, at(3, "11:00"), None),  # the default stay
        visit(restaurant, HANH, left + buffer + 5 * minutes, left + buffer + 40 * minutes),
        visit(restaurant, TAI, at(5, "11:30"), at(5, "12:30")),
        # The market, two days ago, early morning.
        visit(market, None, market_came, market_left),
        visit(market, MY, at(2, "07:50"), at(2, "08:30")),
        visit(market, LAN, at(2, "07:40"), at(2, "07:55")),
        visit(market, PAO, market_came - buffer - 25 * minutes, market_came - buffer - 5 * minutes),
    ]
    CheckIn.objects.bulk_create(checkins)

    # Four days ago the F0 came into the province by car through the checkpoint.
    arrived = at(4, "06:40")

    def arrival(who: Person | None, moment: datetime, plate: str, destination: District) -> Arrival:
        name, phone, id_number = (who.name, who.phone, "") if who else (F0_NAME, F0_PHONE, F0_ID)
        return Arrival(
            checkpoint=checkpoint, arrived_at=moment, full_name=name, phone=phone, id_number=id_number,
            destination_district=destination, vehicle=Vehicle.CAR, plate=plate, purpose="Về quê",
        )  # fmt: skip

    Arrival.objects.bulk_create(
        [
            arrival(None, arrived, PLATE, bat_xat),
            arrival(DUNG, arrived, PLATE, sa_pa),
            arrival(NGA, arrived + 15 * minutes, PLATE, bat_xat),
            arrival(CHU, arrived + within + 5 * minutes, PLATE, sa_pa),
            arrival(SINH, arrived, "24A-000.02", sa_pa),
        ]
    )
    return (
        f"F0 {F0_NAME} at {restaurant.name} and {market.name}, by car {PLATE} through {checkpoint.name}; "
        f"{len(F1_NAMES)} planned F1s, {len(PEOPLE) - len(F1_NAMES)} planned non-contacts"
    )


def _how_to_try(ctx: DemoContext) -> None:
    f1 = ", ".join(sorted(F1_NAMES))
    ctx.out.write(
        f"  try it: as health_officer (or province_admin), search ID number {F0_ID} (or phone {F0_PHONE} with "
        f"the name {F0_NAME}) on the contact tracing page, with POST /api/v1/tracing/searches/, or with "
        f'manage.py trace_contacts --id-number {F0_ID} --reason "demo"; the F1 candidates are exactly: {f1}\n'
    )
