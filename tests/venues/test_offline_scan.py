"""Entries and exits recorded by venue staff offline and sent later: by the visitor and the time, once."""

from __future__ import annotations

import json
import uuid
from datetime import timedelta

import pytest
from django.utils import timezone

from rollout.models import SyncReceipt
from tests.factories import CheckInFactory, VenueFactory
from venues.models import CheckIn, CheckInMethod
from venues.services import checkins as svc

pytestmark = pytest.mark.django_db


@pytest.fixture
def pass_text(sa_pa_venue):
    checkin = CheckInFactory(venue=sa_pa_venue, full_name="Giàng Thị Sính", phone="0987654321", id_number="")
    return svc.visitor_pass_text(checkin)


def _send(client, venue, body: dict):
    url = f"/venues/{venue.pk}/scan/sync/"
    return client.post(url, json.dumps({"client_id": str(uuid.uuid4())} | body), content_type="application/json")


def _ago(minutes: int) -> str:
    return (timezone.now() - timedelta(minutes=minutes)).isoformat()


def test_offline_entry_then_exit_by_the_same_qr_close_the_visit_at_the_recorded_times(
    client_for, agency_admin, venue, pass_text
):
    client = client_for(agency_admin)
    entered = _send(client, venue, {"action": "enter", "qr": pass_text, "at": _ago(40), "answers": {"has_cough": True}})
    assert entered.status_code == 201 and entered.json()["message"].startswith("Đã ghi nhận vào: Giàng Thị Sính")
    left = _send(client, venue, {"action": "exit", "qr": pass_text, "at": _ago(10)})
    assert left.status_code == 201, left.json()
    visit = CheckIn.objects.get(venue=venue)
    assert visit.method == CheckInMethod.STAFF_SCAN and visit.has_cough and visit.flagged
    assert abs((visit.checked_in_at - (timezone.now() - timedelta(minutes=40))).total_seconds()) < 5
    assert abs((visit.checked_out_at - (timezone.now() - timedelta(minutes=10))).total_seconds()) < 5
    assert left.json()["id"] == visit.pk


def test_a_resent_exit_or_entry_changes_nothing(client_for, agency_admin, venue, pass_text):
    client = client_for(agency_admin)
    entry = {"client_id": str(uuid.uuid4()), "action": "enter", "qr": pass_text, "at": _ago(40)}
    exit_ = {"client_id": str(uuid.uuid4()), "action": "exit", "qr": pass_text, "at": _ago(10)}
    for body in (entry, entry, exit_, exit_):
        assert _send(client, venue, body).json()["status"] == "saved"
    assert CheckIn.objects.filter(venue=venue).count() == 1
    assert SyncReceipt.objects.count() == 2


def test_exit_by_phone_typed_offline_closes_the_visit_open_at_that_time(client_for, agency_admin, venue):
    visit = CheckInFactory(venue=venue, phone="0912345678", checked_in_at=timezone.now() - timedelta(hours=1))
    response = _send(client_for(agency_admin), venue, {"action": "exit", "query": "0912 345 678", "at": _ago(5)})
    assert response.status_code == 201
    visit.refresh_from_db()
    assert visit.checked_out_at is not None


def test_exit_of_someone_not_inside_is_refused_and_nothing_is_kept(client_for, agency_admin, venue, pass_text):
    response = _send(client_for(agency_admin), venue, {"action": "exit", "qr": pass_text, "at": _ago(5)})
    assert response.status_code == 400 and "không có lượt" in response.json()["message"].lower()
    assert not SyncReceipt.objects.exists()


def test_manual_entry_offline_is_checked_like_the_form(client_for, agency_admin, venue):
    client = client_for(agency_admin)
    bad = _send(client, venue, {"action": "enter", "full_name": "Lò Văn Sáng", "phone": "123", "at": _ago(3)})
    assert bad.status_code == 400 and list(bad.json()["fields"]) == ["phone"] and bad.json()["labels"]["phone"]
    good = _send(client, venue, {"action": "enter", "full_name": "Lò Văn Sáng", "id_number": "012345678",
                                 "at": _ago(3)})  # fmt: skip
    assert good.status_code == 201
    assert CheckIn.objects.get(venue=venue).method == CheckInMethod.MANUAL


TYPED = {"action": "enter", "full_name": "Lò Văn Sáng", "phone": "0912345678"}


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"action": "enter", "qr": "https://example.com/", "at": "now"}, "qr"),
        (TYPED | {"at": "yesterday"}, "at"),
        (TYPED | {"at": "2026-01-01T10:00"}, "at"),  # no time zone
        (TYPED | {"at": (timezone.now() + timedelta(hours=1)).isoformat()}, "at"),
    ],
)
def test_bad_records_are_refused_by_field(client_for, agency_admin, venue, body, field):
    response = _send(client_for(agency_admin), venue, body)
    assert response.status_code == 400 and list(response.json()["fields"]) == [field]
    assert not CheckIn.objects.exists()


def test_other_agencys_venue_and_signed_out_are_refused(client, client_for, agency_admin, sa_pa_venue, pass_text):
    body = {"action": "enter", "qr": pass_text, "at": _ago(1)}
    assert _send(client_for(agency_admin), sa_pa_venue, body).status_code == 403
    assert _send(client, sa_pa_venue, body).status_code == 401
    assert CheckIn.objects.count() == 1  # only the fixture's own visit elsewhere


def test_inactive_venue_is_refused(client_for, agency_admin, agency, bat_xat):
    closed = VenueFactory(agency=agency, district=bat_xat, is_active=False)
    body = {"action": "enter", "full_name": "Lò Văn Sáng", "phone": "0912345678", "at": _ago(1)}
    assert _send(client_for(agency_admin), closed, body).status_code == 403
