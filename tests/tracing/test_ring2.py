"""The second ring (F2) on the hand-built scenario: exactly the expected people, through the right F1."""

from __future__ import annotations

import json

import pytest
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.test.utils import CaptureQueriesContext

from rollout.errors import ApplicationError
from rollout.models import AuditEvent, Role, Venue
from rollout.services.audit import Action
from tests.factories import CheckInFactory, UserFactory
from tests.tracing.conftest import EXPECTED, F0_ID
from tests.tracing.ring2_scenario import EXPECTED_RING2, HA, MAI, add_ring2
from tracing.services.ring2 import ring2_request
from tracing.services.search import tracing_search

pytestmark = pytest.mark.django_db


@pytest.fixture
def searched(scenario, health_officer):
    add_ring2(scenario)
    return tracing_search(by=health_officer, id_number=F0_ID, reason="Ca dương tính")


def ring2(search) -> list[tuple]:
    return [
        (c.full_name, c.source, c.exposure_minutes, c.via.full_name)
        for c in search.candidates.filter(ring=2).select_related("via").order_by("rank")
    ]


def test_the_f1_set_is_unchanged_by_the_second_ring_records(searched):
    assert [(c.full_name, c.source, c.exposure_minutes) for c in searched.candidates.all()] == EXPECTED


def test_second_ring_is_exactly_the_expected_people_ranked_and_numbered_after_the_f1s(searched, health_officer):
    created = ring2_request(searched, by=health_officer, ranks=[MAI, HA])
    assert ring2(searched) == EXPECTED_RING2
    assert [c.rank for c in created] == list(range(len(EXPECTED) + 1, len(EXPECTED) + 1 + len(EXPECTED_RING2)))
    assert all(c.ring == 2 for c in created)
    dung = next(c for c in created if c.full_name == "Chu Văn Dũng")
    assert dung.first_contact_at == searched.candidates.get(rank=HA).first_contact_at.replace(hour=2, minute=30)
    assert dung.reasons[0]["via"] == HA
    asked = searched.candidates.filter(ring2_asked_at__isnull=False)
    assert sorted(asked.values_list("rank", flat=True)) == [HA, MAI]
    searched.refresh_from_db()
    assert searched.candidate_count == len(EXPECTED)  # the F1s: the fixed API's count


def test_second_ring_leaves_out_the_f0_every_f1_and_contacts_before_the_first_contact(searched, health_officer):
    ring2_request(searched, by=health_officer, ranks=[MAI])
    names = {c.full_name for c in searched.candidates.filter(ring=2)}
    assert names == {"Sùng A Lử", "Phan Văn Xuân"}
    everyone = set(searched.candidates.values_list("full_name", flat=True))
    assert "Nguyễn Văn An" not in everyone  # the F0, at venue A with Mai
    assert "Triệu Thị Yến" not in everyone  # with Mai the day before she met the F0
    assert "Bàn Văn Quý" not in everyone  # after Mai left (and her buffer)
    assert searched.candidates.filter(full_name="Trần Văn Bình").count() == 1  # an F1, not again an F2


def test_asking_later_for_another_f1_appends_and_never_lists_a_person_twice(searched, health_officer):
    ring2_request(searched, by=health_officer, ranks=[MAI])
    later = ring2_request(searched, by=health_officer, ranks=[HA, MAI])  # Mai already asked: skipped
    assert [c.full_name for c in later] == ["Lê Văn Sơn", "Chu Văn Dũng"]
    assert [c.rank for c in later] == [len(EXPECTED) + 3, len(EXPECTED) + 4]
    with pytest.raises(ApplicationError) as error:
        ring2_request(searched, by=health_officer, ranks=[HA])
    assert "ranks" in error.value.extra["fields"]


def test_bad_ranks_are_refused_with_a_message_and_nothing_saved(searched, health_officer):
    for ranks in ([], [99], [len(EXPECTED) + 1]):
        with pytest.raises(ApplicationError) as error:
            ring2_request(searched, by=health_officer, ranks=ranks)
        assert error.value.extra["fields"]["ranks"]
    assert not searched.candidates.filter(ring=2).exists()


def test_second_ring_is_audited_with_ranks_and_counts_only(searched, health_officer):
    ring2_request(searched, by=health_officer, ranks=[MAI, HA])
    event = AuditEvent.objects.get(action=Action.TRACING_RING2)
    assert event.detail == {"f1_ranks": [HA, MAI], "candidates": len(EXPECTED_RING2)}
    assert event.object_id == str(searched.pk)


def test_the_query_count_does_not_grow_with_the_f1s_asked_for(searched, health_officer):
    other = tracing_search(by=health_officer, id_number=F0_ID, reason="Ca dương tính")
    with CaptureQueriesContext(connection) as one:
        ring2_request(searched, by=health_officer, ranks=[HA])  # a check-in and an arrival: every kind of query
    with CaptureQueriesContext(connection) as every:
        ring2_request(other, by=health_officer, ranks=range(1, len(EXPECTED) + 1))
    assert len(every) == len(one) <= 25
    assert {"Lê Văn Sơn", "Sùng A Lử"} <= set(other.candidates.filter(ring=2).values_list("full_name", flat=True))


def test_another_health_officer_cannot_ask_for_the_second_ring(searched):
    other = UserFactory.with_role(Role.HEALTH_OFFICER)
    with pytest.raises(PermissionDenied):
        ring2_request(searched, by=other, ranks=[MAI])


def test_api_asks_for_the_second_ring(searched, client_for, health_officer, province_admin, district_officer):
    url = f"/api/v1/tracing/searches/{searched.pk}/ring2/"
    body = json.dumps({"ranks": [MAI, HA]})
    assert client_for(district_officer).post(url, body, content_type="application/json").status_code == 403
    response = client_for(province_admin).post(url, body, content_type="application/json")
    assert response.status_code == 201
    data = response.json()
    assert [(c["full_name"], c["ring"], c["via_rank"]) for c in data["candidates"]] == [
        (name, 2, HA if via == "Nguyễn Thị Hà" else MAI) for name, _s, _m, via in EXPECTED_RING2
    ]
    again = client_for(province_admin).post(url, body, content_type="application/json")
    assert again.status_code == 400 and again.json()["extra"]["fields"]["ranks"]
    bad = client_for(province_admin).post(url, json.dumps({"ranks": "x"}), content_type="application/json")
    assert bad.status_code == 400


def test_someone_met_through_two_f1s_is_one_f2_through_the_f1_with_the_most_minutes(scenario, health_officer):
    add_ring2(scenario)
    venue_d = Venue.objects.get(name="Chợ Cốc Lếu")
    CheckInFactory(
        venue=venue_d, full_name="Phan Văn Xuân", phone="0912000041",
        checked_in_at=scenario.at("09:50"), checked_out_at=scenario.at("10:30"),
    )  # fmt: skip
    search = tracing_search(by=health_officer, id_number=F0_ID, reason="Ca dương tính")
    ring2_request(search, by=health_officer, ranks=[MAI, HA])
    [xuan] = search.candidates.filter(ring=2, full_name="Phan Văn Xuân")
    assert xuan.exposure_minutes == 30  # 20 with Mai + 10 with Hà
    assert xuan.via.full_name == "Lò Thị Mai"
    assert [r["via"] for r in xuan.reasons] == [HA, MAI]  # first contact first: Hà in the morning
    assert xuan.first_contact_at == scenario.at("09:50")
