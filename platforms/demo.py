"""Demo activity for the platforms: adoption histories, testing statuses, vaccination logs (idempotent:
fills what is missing)."""

from __future__ import annotations

import random
from datetime import date, datetime, time, timedelta

from django.conf import settings
from django.db import transaction

from platforms.models import AdoptionUpdate, VaccinationUpdate
from rollout.demo import DemoContext
from rollout.models import Agency, HealthFacility
from rollout.models.org import FacilityKind, TestingStatus
from rollout.timeutils import local_datetime, local_now, local_today

ADOPTION_WEEKS = 10


def seed_platform_activity(ctx: DemoContext) -> None:
    adoption = _seed_adoption(ctx)
    testing = _seed_testing_dates(ctx)
    vaccination = _seed_vaccination(ctx)
    ctx.out.write(
        f"platforms: adoption updates={adoption} testing dates fixed={testing} vaccination logs={vaccination}\n"
    )


def _seed_adoption(ctx: DemoContext) -> int:
    """Several updates per agency over ten weeks, installs rising; a few agencies never report."""
    if AdoptionUpdate.objects.exists():
        return 0
    rng = random.Random(5279)
    today = local_today()
    rows = []
    agencies = list(Agency.objects.filter(is_active=True).order_by("pk"))
    for agency in agencies:
        if rng.random() < 0.07:
            continue  # never reported: top of the laggard list
        headcount = agency.staff_headcount or rng.randint(10, 60)
        laggard = rng.random() < 0.15
        start = {"pc": rng.uniform(0.25, 0.6), "hb": rng.uniform(0.05, 0.3), "vn": rng.uniform(0.1, 0.4)}
        goal = (
            {"pc": rng.uniform(0.35, 0.6), "hb": rng.uniform(0.15, 0.35), "vn": rng.uniform(0.2, 0.45)}
            if laggard
            else {"pc": rng.uniform(0.8, 0.99), "hb": rng.uniform(0.45, 0.85), "vn": rng.uniform(0.55, 0.92)}
        )
        updates = rng.randint(3, 6)
        first_day = today - timedelta(weeks=ADOPTION_WEEKS) + timedelta(days=rng.randint(0, 10))
        last_day = today - timedelta(days=rng.randint(0, 24))
        step = (last_day - first_day) / max(updates - 1, 1)
        for i in range(updates):
            share = i / max(updates - 1, 1)
            installs = {
                app: min(headcount, round(headcount * (start[app] + (max(goal[app], start[app]) - start[app]) * share)))
                for app in start
            }
            rows.append(
                AdoptionUpdate(
                    agency=agency,
                    reported_on=first_day + step * i,
                    staff_headcount=headcount,
                    pc_covid=installs["pc"],
                    health_book=installs["hb"],
                    vneid=installs["vn"],
                )
            )
    AdoptionUpdate.objects.bulk_create(rows, batch_size=1000)
    return len(rows)


def _seed_testing_dates(ctx: DemoContext) -> int:
    """Every live facility has the date of its first result on the platform."""
    rng = random.Random(31)
    today = local_today()
    fixed = 0
    for f in HealthFacility.objects.filter(testing_status=TestingStatus.LIVE, testing_first_result_on__isnull=True):
        f.testing_first_result_on = today - timedelta(days=rng.randint(3, 60))
        f.save(update_fields=["testing_first_result_on"])
        fixed += 1
    return fixed


def _seed_vaccination(ctx: DemoContext) -> int:
    """Daily logs of the vaccinating facilities over the last ``ctx.days`` days (only days that have
    none yet), punctuality improving over the month; today only up to the current time."""
    today = local_today()
    now = local_now()
    facilities = list(HealthFacility.objects.filter(does_vaccination=True, is_active=True).order_by("pk"))
    days = [today - timedelta(days=i) for i in range(ctx.days - 1, -1, -1)]
    have = set(VaccinationUpdate.objects.filter(day__gte=days[0]).values_list("day", flat=True).distinct())
    rows = []
    for n, day in enumerate(days):
        if day in have:
            continue
        rng = random.Random(day.toordinal())
        progress = n / max(len(days) - 1, 1)  # 0 a month ago, 1 today
        for f in facilities:
            if rng.random() > 0.78 + 0.16 * progress:
                continue  # did not log that day
            logged_at = _moment(rng, day, on_time=rng.random() < 0.7 + 0.25 * progress)
            if day == today and logged_at > now:
                continue
            updated = rng.random() < 0.9
            big = f.kind in {FacilityKind.HOSPITAL, FacilityKind.DISTRICT_CENTRE}
            doses = rng.randint(40, 400) if big else rng.randint(0, 120)
            rows.append(
                VaccinationUpdate(
                    facility=f,
                    day=day,
                    doses_given=doses,
                    updated_on_platform=updated,
                    platform_updated_at=logged_at if updated else None,
                )
            )
    with transaction.atomic():
        VaccinationUpdate.objects.bulk_create(rows, batch_size=1000, ignore_conflicts=True)
    return len(rows)


def _moment(rng: random.Random, day: date, *, on_time: bool) -> datetime:
    """A local time on ``day``: from 14:00 to the cut-off, or up to two hours after it."""
    cutoff = settings.VACCINATION_UPDATE_CUTOFF.hour * 60 + settings.VACCINATION_UPDATE_CUTOFF.minute
    if on_time:
        minutes = rng.randint(min(14 * 60, cutoff - 1), cutoff - 1)
    else:
        minutes = rng.randint(min(cutoff + 1, 23 * 60 + 59), min(cutoff + 120, 23 * 60 + 59))
    return local_datetime(day, time(minutes // 60, minutes % 60))
