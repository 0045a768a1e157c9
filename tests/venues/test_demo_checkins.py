"""The demo step's check-ins look like real weeks: volumes, weekly and daily rhythm, quiet venues."""

from __future__ import annotations

import io
from collections import Counter, defaultdict

import pytest
from django.core.management import call_command
from django.db.models import F
from django.utils import timezone

from rollout.models import Venue
from rollout.models.org import VenueKind
from rollout.timeutils import local_date, local_today
from venues.models import CheckIn, Inspection

pytestmark = pytest.mark.django_db
DAYS = 15  # two weekends at least; `make run` seeds 30


def _mean(values) -> float:
    return sum(values) / max(len(values), 1)


def test_demo_check_ins_are_believable_and_seeding_twice_adds_nothing(units, settings):
    settings.DEMO_PASSWORD = "demo-pass-for-tests"
    out = io.StringIO()
    call_command("seed_demo", "--days", str(DAYS), stdout=out)
    assert f"over {DAYS} days" in out.getvalue()
    rows = list(CheckIn.objects.values_list("venue__kind", "checked_in_at", "checked_out_at", "flagged"))
    today = local_today()

    # Volume: every day, ~3-8k a day, nothing in the future, check-outs after check-ins.
    per_day = Counter(local_date(at) for _kind, at, _out, _flag in rows)
    assert len(per_day) >= DAYS - 1  # today may not have begun
    full_days = [n for day, n in per_day.items() if day != today]
    assert 3000 <= _mean(full_days) <= 8000
    assert not CheckIn.objects.filter(checked_in_at__gt=timezone.now()).exists()
    assert not CheckIn.objects.filter(checked_out_at__lt=F("checked_in_at")).exists()

    # Some venues never scanned; most visitors check out; a few flagged.
    active = Venue.objects.filter(is_active=True)
    never = active.exclude(pk__in=CheckIn.objects.values("venue")).count()
    assert 0.05 * active.count() <= never <= 0.2 * active.count()
    assert 0.6 <= sum(1 for r in rows if r[2]) / len(rows) <= 0.9
    assert 0 < sum(1 for r in rows if r[3]) <= 0.01 * len(rows)

    # Weekly rhythm: tourist sites busier, offices quiet at weekends.
    counts: Counter = Counter((kind, local_date(at)) for kind, at, _out, _flag in rows)
    by_kind: dict[str, dict[bool, list[int]]] = defaultdict(lambda: {True: [], False: []})
    for (kind, day), n in counts.items():
        if day != today:
            by_kind[kind][day.weekday() >= 5].append(n)
    assert _mean(by_kind[VenueKind.TOURIST][True]) > 1.5 * _mean(by_kind[VenueKind.TOURIST][False])
    assert _mean(by_kind[VenueKind.AGENCY_OFFICE][True]) < 0.2 * _mean(by_kind[VenueKind.AGENCY_OFFICE][False])

    # Hour of day: markets at dawn, nobody at 2 a.m.
    hours = Counter(timezone.localtime(at).hour for kind, at, _out, _flag in rows if kind == VenueKind.MARKET)
    assert hours[7] > 5 * max(hours[23], 1) and hours[2] == 0

    # Inspections, with violations, for the district view.
    assert Inspection.objects.filter(compliant=False).exclude(violations="").exists()

    counts_before = (CheckIn.objects.count(), Inspection.objects.count())
    again = io.StringIO()
    call_command("seed_demo", stdout=again)
    assert "check-ins: already present, kept" in again.getvalue()
    assert (CheckIn.objects.count(), Inspection.objects.count()) == counts_before
