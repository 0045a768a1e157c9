"""The ``trace_contacts`` command, the purge of searches, and the folded name on every write path."""

from __future__ import annotations

from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import timezone

from checkpoints.bulk import insert_rows
from checkpoints.models import Arrival
from rollout.models import AuditEvent
from rollout.services.audit import Action
from rollout.services.retention import personal_data_purge
from tests.factories import ArrivalFactory, CheckInFactory, CheckpointFactory, district
from tests.tracing.conftest import EXPECTED, F0_ID
from tracing.models import Candidate, TracingSearch
from venues.models import CheckIn

pytestmark = pytest.mark.django_db


def test_trace_contacts_prints_one_line_per_candidate_then_the_count(scenario):
    out = StringIO()
    start, end = scenario.day - timedelta(days=1), scenario.day + timedelta(days=1)
    call_command(
        "trace_contacts", "--id-number", F0_ID, "--from", f"{start}", "--to", f"{end}", "--reason", "Kiểm tra",
        stdout=out,
    )  # fmt: skip
    lines = out.getvalue().splitlines()
    assert len(lines) == len(EXPECTED) + 1
    assert [line.split("\t")[1] for line in lines[:-1]] == [name for name, _s, _m in EXPECTED]
    assert lines[-1].startswith(f"candidates: {len(EXPECTED)}")
    event = AuditEvent.objects.get(action=Action.TRACING_SEARCH)
    assert event.actor is None and event.detail["reason"] == "Kiểm tra"


def test_searches_and_candidates_are_purged_with_the_retention(health_officer, scenario):
    from tracing.services.search import tracing_search

    old = tracing_search(by=health_officer, id_number=F0_ID, reason="cũ")
    kept = tracing_search(by=health_officer, id_number=F0_ID, reason="mới")
    TracingSearch.objects.filter(pk=old.pk).update(created_at=timezone.now() - timedelta(days=40))
    result = personal_data_purge()
    assert result.deleted["tracing searches"] == 1
    assert list(TracingSearch.objects.values_list("pk", flat=True)) == [kept.pk]
    assert not Candidate.objects.filter(search_id=old.pk).exists()


def test_the_folded_name_is_written_by_save_bulk_create_and_insert_rows(units):
    checkin = CheckInFactory(full_name="Đặng  Thị Ánh")
    assert checkin.name_folded == "dang thi anh"
    [bulk] = CheckIn.objects.bulk_create([CheckIn(venue=checkin.venue, full_name="Lò Văn Đức", phone="0912000099",
                                                  checked_in_at=timezone.now())])  # fmt: skip
    assert CheckIn.objects.get(pk=bulk.pk).name_folded == "lo van duc"
    arrival = ArrivalFactory(full_name="Giàng Thị Sở")
    assert Arrival.objects.get(pk=arrival.pk).name_folded == "giang thi so"
    insert_rows(
        Arrival,
        [{"full_name": "Vừ A Dính", "checkpoint_id": CheckpointFactory().pk, "arrived_at": timezone.now(),
          "destination_district_id": district("sa_pa").pk}],
    )  # fmt: skip
    assert Arrival.objects.get(full_name="Vừ A Dính").name_folded == "vu a dinh"
