"""The demo's platform activity: adoption histories, vaccination logs, and the daily figures."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command
from django.db.models import Count

from dashboard.models import DistrictDay
from platforms.models import AdoptionUpdate, VaccinationUpdate
from rollout.models import Agency, HealthFacility, Venue
from rollout.models.org import TestingStatus as Status
from rollout.timeutils import local_today

pytestmark = pytest.mark.django_db


@pytest.fixture
def seeded(units, settings):
    settings.DEMO_PASSWORD = "demo-pass-for-tests"
    out = io.StringIO()
    call_command("seed_demo", stdout=out)
    return out.getvalue()


def test_demo_fills_adoption_histories_vaccination_logs_and_figures(seeded):
    per_agency = AdoptionUpdate.objects.values("agency").annotate(n=Count("id"))
    assert per_agency.count() >= 0.9 * Agency.objects.count()  # a few never report: the laggards
    assert min(a["n"] for a in per_agency) >= 3
    assert AdoptionUpdate.objects.values("reported_on").distinct().count() > 20  # spread over weeks
    days = VaccinationUpdate.objects.values("day").distinct().count()
    assert days >= 29  # 30 days (today only once facilities have started logging)
    assert not HealthFacility.objects.filter(testing_status=Status.LIVE, testing_first_result_on__isnull=True).exists()
    assert DistrictDay.objects.values("day").distinct().count() == 30
    assert DistrictDay.objects.filter(day=local_today(), venues_with_qr__gt=0).count() == 9
    assert Venue.objects.values("created_at__date").distinct().count() > 30  # QR codes issued over time
    assert "daily figures: 30 days" in seeded


def test_demo_activity_is_idempotent(seeded):
    counts = (AdoptionUpdate.objects.count(), VaccinationUpdate.objects.count(), DistrictDay.objects.count())
    out = io.StringIO()
    call_command("seed_demo", stdout=out)
    assert (AdoptionUpdate.objects.count(), VaccinationUpdate.objects.count(), DistrictDay.objects.count()) == counts
    assert "adoption updates=0" in out.getvalue()
