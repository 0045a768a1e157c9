"""seed_demo's tracing scenario: a search for the demo F0 finds exactly the planned F1s, nobody else."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command

from rollout.models import User
from tracing.demo import F0_ID, F0_NAME, F0_PHONE, F1_NAMES, PEOPLE
from tracing.services.search import tracing_search
from venues.models import CheckIn

pytestmark = pytest.mark.django_db


@pytest.fixture
def seeded(units, settings, tmp_path):
    settings.DEMO_PASSWORD = "demo-pass-for-tests"
    settings.PRIVATE_FILES_ROOT = tmp_path / "files"  # the demo days' daily lists
    # Six days cover the scenario's (the last five) with the demo's own visitors and travellers around it;
    # few arrivals a day keep it quick.
    settings.DEMO_ARRIVALS_PER_DAY = 60
    out = io.StringIO()
    call_command("seed_demo", "--days", "6", stdout=out)
    return out.getvalue()


def test_a_search_for_the_demo_f0_finds_exactly_the_planned_f1s(seeded):
    officer = User.objects.get(username="health_officer")
    by_id = tracing_search(by=officer, id_number=F0_ID, reason="Thử bản demo")
    assert {c.full_name for c in by_id.candidates.all()} == F1_NAMES
    assert by_id.record_count == 3  # two visits and the arrival by car
    assert CheckIn.objects.filter(checked_in_at__date__gte=by_id.start).count() > 1000  # among the demo's visitors
    ranked = list(by_id.candidates.order_by("rank"))
    assert {c.full_name for c in ranked[:2]} == {"Hoàng Văn Dũng", "Lý Thị Nga"} and ranked[0].same_vehicle
    lan = next(c for c in ranked if c.full_name == "Trần Thị Lan")
    assert len(lan.reasons) == 2 and lan.exposure_minutes == 45 + 15  # restaurant and market, one person
    by_phone = tracing_search(by=officer, phone=F0_PHONE, full_name=F0_NAME, reason="Thử bản demo")
    assert {c.full_name for c in by_phone.candidates.all()} == F1_NAMES
    assert not {p.name for p in PEOPLE if not p.f1} & {c.full_name for c in by_phone.candidates.all()}


def test_the_output_says_how_to_try_it_and_a_second_run_keeps_the_scenario(seeded):
    assert f"search ID number {F0_ID}" in seeded and "health_officer" in seeded
    assert all(name in seeded for name in F1_NAMES)
    rows = CheckIn.objects.filter(id_number=F0_ID).count()
    out = io.StringIO()
    call_command("seed_demo", "--days", "6", stdout=out)
    assert "tracing scenario: already present, kept" in out.getvalue()
    assert CheckIn.objects.filter(id_number=F0_ID).count() == rows == 2
