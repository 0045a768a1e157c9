"""Every page, download and API answer of checkpoints that shows people writes one audit event, without
their data (names, phones, ID numbers)."""

from __future__ import annotations

import json
from datetime import date

import pytest
from django.urls import reverse

from checkpoints.models import Declaration, DeclarationKind
from checkpoints.services.daily_lists import daily_list_build
from checkpoints.services.declarations import declaration_qr_text
from rollout.models import AuditEvent
from rollout.selectors.audit import AuditFilters, audit_events, audit_lines
from rollout.services.audit import Action
from tests.factories import district

pytestmark = pytest.mark.django_db
NAME, PHONE, ID_NUMBER = "Giàng A Páo", "0987654321", "012345678901"
DAY = date(2021, 11, 2)


def _events(action: str = Action.VIEW_PERSONAL_DATA) -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(action=action))


def _holds_no_personal_data(event: AuditEvent) -> None:
    stored = json.dumps([event.detail, event.object_type, event.object_id], ensure_ascii=False)
    for value in (NAME, PHONE, ID_NUMBER):
        assert value not in stored


def test_arrival_list_page_writes_one_event_per_page_view(client_for, district_officer, arrival):
    arrival("bat_xat", at="2021-11-02 10:00", full_name=NAME, phone=PHONE, id_number=ID_NUMBER)
    client = client_for(district_officer)
    page = client.get(reverse("checkpoints:arrival-list"), {"date": "2021-11-02", "district": district("bat_xat").pk})
    assert NAME in page.content.decode()
    client.get(reverse("checkpoints:arrival-list"), {"date": "2021-11-03"})
    first, second = sorted(_events(), key=lambda e: e.pk)
    assert (first.object_type, first.object_id) == ("rollout.district", str(district("bat_xat").pk))
    assert first.detail == {
        "view": "arrivals", "day": "2021-11-02", "checkpoint": None, "district": district("bat_xat").pk,
        "page": 1, "rows": 1,
    }  # fmt: skip
    assert second.detail["rows"] == 0 and second.object_id == ""
    for event in (first, second):
        _holds_no_personal_data(event)


def test_arrival_list_says_in_words_whose_list_was_seen(client_for, district_officer, arrival):
    arrival("bat_xat", full_name=NAME)
    client_for(district_officer).get(
        reverse("checkpoints:arrival-list"), {"date": "2021-11-02", "district": district("bat_xat").pk}
    )
    [line] = audit_lines(list(audit_events(AuditFilters(action=Action.VIEW_PERSONAL_DATA))))
    who, where = district_officer.get_full_name(), district("bat_xat").name
    assert line.sentence == f"{who} đã xem danh sách người đến của {where}"
    assert line.facts == ["ngày 02/11/2021", "1 dòng"]


def test_recording_page_shows_todays_arrivals_and_is_audited(client_for, checkpoint_staff, checkpoint):
    client_for(checkpoint_staff).get(reverse("checkpoints:arrival-record"))
    [event] = _events()
    assert event.detail["view"] == "arrival_record" and event.object_id == str(checkpoint.pk)


def test_prefill_from_a_personal_qr_is_audited_as_a_declaration_viewed(client_for, checkpoint_staff):
    declaration = Declaration.objects.create(
        kind=DeclarationKind.TRAVEL, full_name=NAME, phone=PHONE, id_number=ID_NUMBER,
        destination_district=district("sa_pa"), token="t" * 20,
    )  # fmt: skip
    response = client_for(checkpoint_staff).get(
        reverse("checkpoints:arrival-prefill"), {"qr": declaration_qr_text(declaration)}
    )
    assert response.status_code == 200
    [event] = _events()
    assert (event.object_type, event.object_id) == ("checkpoints.declaration", str(declaration.pk))
    _holds_no_personal_data(event)


def test_checkpoint_export_is_audited(client_for, checkpoint_staff, checkpoint, arrival):
    arrival(checkpoint=checkpoint, full_name=NAME, phone=PHONE, id_number=ID_NUMBER)
    response = client_for(checkpoint_staff).get(
        reverse("checkpoints:checkpoint-export", args=[checkpoint.pk]), {"date": "2021-11-02"}
    )
    b"".join(response.streaming_content)
    [event] = _events(Action.EXPORT)
    assert event.detail == {"list": "checkpoint_arrivals", "day": "2021-11-02", "rows": 1}
    _holds_no_personal_data(event)


def test_daily_list_download_is_audited_and_said_in_words(client_for, district_officer, arrival):
    arrival("bat_xat", full_name=NAME, phone=PHONE, id_number=ID_NUMBER)
    daily_list = daily_list_build(district=district("bat_xat"), day=DAY, notify=False)
    response = client_for(district_officer).get(reverse("checkpoints:daily-list-download", args=[daily_list.pk]))
    b"".join(response.streaming_content)
    [event] = _events(Action.DOWNLOAD)
    _holds_no_personal_data(event)
    [line] = audit_lines([event])
    name = district_officer.get_full_name()
    assert line.sentence == f"{name} đã tải danh sách người đến về {district('bat_xat').name} ngày 02/11/2021"


def test_api_arrival_list_and_detail_each_write_one_event(client_for, district_officer, arrival):
    one = arrival("bat_xat", full_name=NAME, phone=PHONE, id_number=ID_NUMBER)
    client = client_for(district_officer)
    assert client.get("/api/v1/arrivals/", {"date": "2021-11-02"}).json()["count"] == 1
    assert client.get(f"/api/v1/arrivals/{one.pk}/").json()["full_name"] == NAME
    listed, detailed = sorted(_events(), key=lambda e: e.pk)
    assert listed.detail == {
        "view": "arrivals_api", "day": "2021-11-02", "checkpoint": None, "district": None, "page": 1, "rows": 1,
    }  # fmt: skip
    assert (detailed.object_type, detailed.object_id) == ("checkpoints.arrival", str(one.pk))
    for event in (listed, detailed):
        _holds_no_personal_data(event)
    assert all(e.actor == district_officer for e in (listed, detailed))


def test_the_api_schema_and_a_refused_request_are_not_audited(client_for, district_officer, checkpoint_staff):
    client_for(district_officer).get("/api/schema/")
    client_for(None).get("/api/v1/arrivals/")
    assert not AuditEvent.objects.filter(action=Action.VIEW_PERSONAL_DATA).exists()
