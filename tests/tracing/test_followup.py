"""Marking the follow-up of a candidate: the service and PATCH /api/v1/tracing/searches/<id>/candidates/<rank>/."""

from __future__ import annotations

import json

import pytest
from django.core.exceptions import PermissionDenied

from rollout.errors import ApplicationError
from rollout.models import AuditEvent, Role
from rollout.services.audit import Action
from tests.factories import UserFactory
from tests.tracing.conftest import F0_ID
from tracing.models import CandidateStatus
from tracing.services.followup import mark_candidate
from tracing.services.search import tracing_search

pytestmark = pytest.mark.django_db


@pytest.fixture
def searched(scenario, health_officer):
    return tracing_search(by=health_officer, id_number=F0_ID, reason="Ca dương tính")


def patch(client, search, rank, **body):
    url = f"/api/v1/tracing/searches/{search.pk}/candidates/{rank}/"
    return client.patch(url, data=json.dumps(body), content_type="application/json")


def test_marking_saves_status_note_who_and_when_and_audits_ids_only(searched, health_officer):
    candidate = searched.candidates.get(rank=2)
    mark_candidate(candidate, by=health_officer, status=CandidateStatus.CONTACTED, note="Đã gọi, hẹn test\x00 ngày mai")
    candidate.refresh_from_db()
    assert (candidate.status, candidate.note) == ("contacted", "Đã gọi, hẹn test ngày mai")
    assert candidate.followed_up_by == health_officer and candidate.followed_up_at is not None
    event = AuditEvent.objects.get(action=Action.TRACING_FOLLOWUP)
    assert event.detail == {"candidate": candidate.pk, "rank": 2, "ring": 1, "status": "contacted"}
    assert "test" not in json.dumps(event.detail)


def test_an_unknown_status_or_a_huge_note_is_refused_and_nothing_changes(searched, health_officer):
    candidate = searched.candidates.get(rank=1)
    with pytest.raises(ApplicationError) as error:
        mark_candidate(candidate, by=health_officer, status="cured")
    assert "status" in error.value.extra["fields"]
    with pytest.raises(ApplicationError) as error:
        mark_candidate(candidate, by=health_officer, status="contacted", note="x" * 2001)
    assert "note" in error.value.extra["fields"]
    candidate.refresh_from_db()
    assert candidate.status == "new" and not AuditEvent.objects.filter(action=Action.TRACING_FOLLOWUP).exists()


def test_only_who_reads_the_search_may_mark(searched, province_admin, district_officer):
    candidate = searched.candidates.get(rank=1)
    for user in (UserFactory.with_role(Role.HEALTH_OFFICER), district_officer):
        with pytest.raises(PermissionDenied):
            mark_candidate(candidate, by=user, status="contacted")
    mark_candidate(candidate, by=province_admin, status="handed_to_district")
    candidate.refresh_from_db()
    assert candidate.status == "handed_to_district"


def test_api_patch_marks_by_rank_and_keeps_what_is_not_sent(searched, client_for, health_officer):
    client = client_for(health_officer)
    response = patch(client, searched, 3, status="unreachable", note="Máy bận")
    assert response.status_code == 200
    assert (response.json()["status"], response.json()["note"]) == ("unreachable", "Máy bận")
    assert patch(client, searched, 3, note="Gọi lại lúc 17h").json()["status"] == "unreachable"
    candidate = searched.candidates.get(rank=3)
    assert (candidate.status, candidate.note) == ("unreachable", "Gọi lại lúc 17h")


def test_api_patch_answers_field_errors_404_and_403(searched, client_for, health_officer, district_officer):
    client = client_for(health_officer)
    bad = patch(client, searched, 1, status="cured")
    assert bad.status_code == 400 and "status" in bad.json()["extra"]["fields"]
    assert patch(client, searched, 99, status="contacted").status_code == 404
    other = client_for(UserFactory.with_role(Role.HEALTH_OFFICER))
    assert patch(other, searched, 1, status="contacted").status_code == 404  # not their search
    assert patch(client_for(district_officer), searched, 1, status="contacted").status_code == 403
    assert searched.candidates.get(rank=1).status == "new"
