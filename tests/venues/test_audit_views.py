"""Every page and export of the venues app that shows people writes one audit event, without their data."""

from __future__ import annotations

import json

import pytest
from django.urls import reverse

from rollout.models import AuditEvent
from rollout.services.audit import Action
from tests.factories import CheckInFactory
from tests.venues.helpers import local

pytestmark = pytest.mark.django_db
NAME, PHONE = "Lò Thị Mai", "0912345678"


@pytest.fixture
def visit(venue):
    return CheckInFactory(venue=venue, full_name=NAME, phone=PHONE, checked_in_at=local("2021-11-02 08:15"))


def _only_event(action: str = Action.VIEW_PERSONAL_DATA) -> AuditEvent:
    events = list(AuditEvent.objects.filter(action=action))
    assert len(events) == 1, events
    return events[0]


def _holds_no_personal_data(event: AuditEvent) -> None:
    stored = json.dumps([event.detail, event.object_type, event.object_id], ensure_ascii=False)
    assert NAME not in stored and PHONE not in stored and PHONE[-3:] + '"' not in stored


def test_visitor_log_page_writes_one_event_with_filters_and_rows(client_for, agency_admin, venue, visit):
    response = client_for(agency_admin).get(
        reverse("venues:visit-list"), {"first": "2021-11-02", "last": "2021-11-02", "venue": venue.pk}
    )
    assert NAME in response.content.decode()
    event = _only_event()
    assert event.actor == agency_admin
    assert (event.object_type, event.object_id) == ("rollout.venue", str(venue.pk))
    assert event.detail == {
        "view": "visitor_log", "first": "2021-11-02", "last": "2021-11-02", "venue": venue.pk, "page": 1, "rows": 1,
    }  # fmt: skip
    _holds_no_personal_data(event)


def test_visitor_log_export_is_audited_with_its_venue(client_for, agency_admin, venue, visit):
    response = client_for(agency_admin).get(
        reverse("venues:visit-export"), {"first": "2021-11-02", "last": "2021-11-02", "venue": venue.pk}
    )
    assert response.status_code == 200
    event = _only_event(Action.EXPORT)
    assert event.object_id == str(venue.pk) and event.detail["rows"] == 1
    _holds_no_personal_data(event)


def test_a_refused_visitor_log_writes_nothing(client_for, province_viewer):
    assert client_for(province_viewer).get(reverse("venues:visit-list")).status_code == 404
    assert not AuditEvent.objects.filter(action=Action.VIEW_PERSONAL_DATA).exists()


def test_entrance_scanning_page_is_audited_with_the_count_of_people_inside(client_for, agency_admin, venue):
    CheckInFactory(venue=venue, full_name=NAME, phone=PHONE)
    page = client_for(agency_admin).get(reverse("venues:venue-scan", args=[venue.pk])).content.decode()
    assert NAME in page
    event = _only_event()
    assert event.detail == {"view": "venue_scan", "inside": 1, "found": False}
    assert event.object_id == str(venue.pk)
    _holds_no_personal_data(event)


def test_looking_a_visitor_up_by_phone_is_audited_without_the_phone(client_for, agency_admin, venue, visit):
    client_for(agency_admin).post(reverse("venues:venue-scan", args=[venue.pk]), {"action": "lookup", "query": PHONE})
    event = _only_event()
    assert event.detail["found"] is True
    _holds_no_personal_data(event)
