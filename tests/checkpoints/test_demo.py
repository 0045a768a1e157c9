"""seed_demo's arrivals step: realistic, idempotent, with the daily lists of the demo days."""

from __future__ import annotations

import io
from collections import Counter
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.db.models import Count
from django.utils import timezone

from checkpoints.demo import seed_arrivals
from checkpoints.models import Arrival, DailyList, Declaration
from rollout.demo import DemoContext
from rollout.timeutils import day_bounds, local_today

pytestmark = pytest.mark.django_db


def test_demo_arrivals_are_realistic_idempotent_and_listed(units, settings, files_root):
    settings.DEMO_PASSWORD = "demo-pass-for-tests"
    call_command("seed_demo", stdout=io.StringIO())  # master data and users (arrivals off in tests)
    settings.DEMO_ARRIVALS_PER_DAY = 400
    out = io.StringIO()
    seed_arrivals(DemoContext(out=out, days=3))
    for n in (1, 2, 3):
        start, end = day_bounds(local_today() - timedelta(days=n))
        assert 300 <= Arrival.objects.filter(arrived_at__gte=start, arrived_at__lt=end).count() <= 520
    assert Declaration.objects.exists() and Arrival.objects.filter(declaration__isnull=False).exists()
    assert Arrival.objects.filter(possible_duplicate_of__isnull=False).exists()
    assert Arrival.objects.values("destination_district").distinct().count() == 9
    assert Arrival.objects.values("origin_province").distinct().count() > 10
    # Every PC-Covid answer occurs, mostly "had it" (directive 4.ii).
    answers = dict(Arrival.objects.values_list("pc_covid").annotate(n=Count("pk")).order_by())
    assert set(answers) == {"had", "installed", "no_smartphone", ""} and max(answers, key=answers.get) == "had"
    hours = Counter(timezone.localtime(a).hour for a in Arrival.objects.values_list("arrived_at", flat=True))
    assert hours[8] > 2 * hours[3]  # busy mornings, quiet nights
    assert DailyList.objects.count() == 3 * 9
    for daily_list in DailyList.objects.all():
        start, end = day_bounds(daily_list.day)
        in_db = Arrival.objects.filter(destination_district=daily_list.district, arrived_at__gte=start,
                                       arrived_at__lt=end).count()  # fmt: skip
        assert daily_list.rows == in_db
    counts = (Arrival.objects.count(), DailyList.objects.count())
    seed_arrivals(DemoContext(out=io.StringIO(), days=3))
    assert (Arrival.objects.count(), DailyList.objects.count()) == counts
    assert "arrivals:" in out.getvalue()
