"""Arrivals queued on a device offline and sent later: exactly once, per-record answers, the declaration."""

from __future__ import annotations

import json
import threading
import uuid
from datetime import timedelta

import pytest
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from checkpoints.models import Arrival, DeclarationKind, PcCovid
from checkpoints.services.arrivals import ArrivalInput
from checkpoints.services.declarations import DeclarationInput, declaration_qr_text, declaration_submit
from checkpoints.services.offline import arrival_sync
from rollout.models import SyncReceipt
from rollout.sync import receipt_key
from tests.factories import CheckpointFactory, district

pytestmark = pytest.mark.django_db

URL = "/checkpoints/arrivals/sync/"


def _fields(checkpoint, **overrides) -> dict:
    moment = timezone.localtime(timezone.now() - timedelta(minutes=30)).strftime("%Y-%m-%dT%H:%M")
    values = {
        "checkpoint": str(checkpoint.pk),
        "arrived_at": moment,
        "full_name": "Giàng A Páo",
        "phone": "0912345678",
        "id_number": "010203004567",
        "destination_district": str(district("bat_xat").pk),
        "latest_test": "none",
        "test_at_checkpoint": "none",
        "vaccine_doses": "2",
        "pc_covid": "installed",
    }
    return values | overrides


def _send(client, body: dict):
    return client.post(URL, json.dumps(body), content_type="application/json", HTTP_ACCEPT="application/json")


def test_resending_the_same_client_id_stores_one_arrival_and_answers_saved_again(client_for, checkpoint,
                                                                                 checkpoint_staff):  # fmt: skip
    client = client_for(checkpoint_staff)
    body = {"client_id": str(uuid.uuid4()), "fields": _fields(checkpoint)}
    first = _send(client, body)
    assert first.status_code == 201 and first.json()["status"] == "saved" and "Giàng A Páo" in first.json()["message"]
    again = _send(client, body)
    assert again.status_code == 200 and again.json() | {"message": ""} == {
        "status": "saved", "id": first.json()["id"], "again": True, "message": "",
    }  # fmt: skip
    arrival = Arrival.objects.get()
    assert arrival.recorded_by == checkpoint_staff and arrival.pc_covid == PcCovid.INSTALLED
    # The device's recorded time is kept, not the moment the record reached the server.
    assert timezone.localtime(arrival.arrived_at).strftime("%Y-%m-%dT%H:%M") == body["fields"]["arrived_at"]
    receipt = SyncReceipt.objects.get()
    assert (receipt.kind, receipt.object_id, receipt.object_at) == ("arrival", arrival.pk, arrival.arrived_at)
    assert receipt.key == receipt_key(kind="arrival", user=checkpoint_staff, client_id=body["client_id"])
    assert len(receipt.key) == 64 and body["client_id"] not in receipt.key


def test_a_refused_record_keeps_nothing_names_the_field_and_saves_once_fixed(client_for, checkpoint, checkpoint_staff):
    client = client_for(checkpoint_staff)
    client_id = str(uuid.uuid4())
    refused = _send(client, {"client_id": client_id, "fields": _fields(checkpoint, phone="12345")})
    body = refused.json()
    assert refused.status_code == 400 and body["status"] == "refused"
    assert list(body["fields"]) == ["phone"] and body["labels"]["phone"] == "Số điện thoại"
    assert not Arrival.objects.exists() and not SyncReceipt.objects.exists()
    fixed = _send(client, {"client_id": client_id, "fields": _fields(checkpoint, phone="0912 345 678")})
    assert fixed.status_code == 201 and Arrival.objects.get().phone == "0912345678"


def test_a_likely_duplicate_asks_with_the_online_forms_choices_then_confirm_stores_it_flagged(
    client_for, checkpoint, checkpoint_staff
):
    client = client_for(checkpoint_staff)
    _send(client, {"client_id": str(uuid.uuid4()), "fields": _fields(checkpoint)})
    second = {"client_id": str(uuid.uuid4()), "fields": _fields(checkpoint, full_name="Giàng A Páo")}
    asked = _send(client, second)
    assert asked.status_code == 409 and asked.json()["status"] == "duplicate"
    assert [c["value"] for c in asked.json()["choices"]] == ["confirm", "merge"]
    assert asked.json()["earlier"]["phone"] == "0912***678"  # masked, as on the page
    assert Arrival.objects.count() == 1
    confirmed = _send(client, second | {"on_duplicate": "confirm"})
    assert confirmed.status_code == 201
    first, flagged = Arrival.objects.order_by("pk")
    assert flagged.possible_duplicate_of == first
    assert _send(client, second | {"on_duplicate": "confirm"}).json()["again"] is True
    assert Arrival.objects.count() == 2


def test_a_personal_qr_kept_offline_is_resolved_at_sync(client_for, checkpoint, checkpoint_staff, settings):
    settings.SITE_URL = "https://example.test"
    declaration = declaration_submit(
        data=DeclarationInput(
            kind=DeclarationKind.TRAVEL, full_name="Vàng Thị Dợ", phone="0386123456", origin_province=1,
            origin_district=1, destination_district=district("sa_pa").pk, travel_date=timezone.localdate(),
            vehicle="coach", plate="29B-111.22",
        )
    )  # fmt: skip
    fields = _fields(checkpoint, full_name="", phone="", id_number="", destination_district="",
                     declaration=declaration_qr_text(declaration))  # fmt: skip
    response = _send(client_for(checkpoint_staff), {"client_id": str(uuid.uuid4()), "fields": fields})
    assert response.status_code == 201, response.json()
    arrival = Arrival.objects.get()
    assert (arrival.full_name, arrival.phone, arrival.plate) == ("Vàng Thị Dợ", "0386123456", "29B-111.22")
    assert (arrival.declaration, arrival.destination_district_id) == (declaration, district("sa_pa").pk)


def test_a_forged_qr_is_refused_by_its_field(client_for, checkpoint, checkpoint_staff):
    fields = _fields(checkpoint, declaration="https://example.test/p/forged:token/")
    body = _send(client_for(checkpoint_staff), {"client_id": str(uuid.uuid4()), "fields": fields}).json()
    assert body["status"] == "refused" and list(body["fields"]) == ["declaration"]


def test_signed_out_gets_401_json_not_the_sign_in_page(client, checkpoint):
    response = _send(client, {"client_id": str(uuid.uuid4()), "fields": _fields(checkpoint)})
    assert response.status_code == 401 and response.json()["login_url"] == reverse("accounts:login")
    assert not Arrival.objects.exists()


def test_other_checkpoint_and_outsider_are_refused(client_for, checkpoint, checkpoint_staff, outsider):
    other = CheckpointFactory()
    body = {"client_id": str(uuid.uuid4()), "fields": _fields(other)}
    refused = _send(client_for(checkpoint_staff), body)
    assert refused.status_code == 400 and "checkpoint" in refused.json()["fields"]  # not a choice of theirs
    assert _send(client_for(outsider), body).status_code == 403
    assert not Arrival.objects.exists()


@pytest.mark.parametrize("client_id", ["", "short", "x" * 65, "a b c d e f g h", None, 12345678])
def test_a_missing_or_malformed_client_id_is_refused(client_for, checkpoint, checkpoint_staff, client_id):
    body = _send(client_for(checkpoint_staff), {"client_id": client_id, "fields": _fields(checkpoint)}).json()
    assert body["status"] == "refused" and list(body["fields"]) == ["client_id"]
    assert not Arrival.objects.exists()


def test_not_json_is_refused(client_for, checkpoint_staff):
    response = client_for(checkpoint_staff).post(URL, "fields=1", content_type="text/plain")
    assert response.status_code == 400 and response.json()["status"] == "refused"


def test_the_same_client_id_from_another_user_is_another_record(checkpoint, checkpoint_staff):
    from rollout.models import Role
    from tests.factories import UserFactory

    colleague = UserFactory.with_role(Role.CHECKPOINT_STAFF, checkpoint=checkpoint)
    data = ArrivalInput(checkpoint=checkpoint.pk, arrived_at=timezone.now(), full_name="A", phone="0912345678",
                        destination_district=district("bat_xat").pk)  # fmt: skip
    arrival_sync(by=checkpoint_staff, client_id="same-id-123", data=data)
    other = ArrivalInput(**(vars(data) | {"phone": "0987654321", "id_number": ""}))
    arrival_sync(by=colleague, client_id="same-id-123", data=other)
    assert Arrival.objects.count() == 2


@pytest.mark.django_db(transaction=True)
def test_two_sends_racing_store_one_arrival(checkpoint, checkpoint_staff):
    data = ArrivalInput(checkpoint=checkpoint.pk, arrived_at=timezone.now(), full_name="A", phone="0912345678",
                        destination_district=district("bat_xat").pk)  # fmt: skip
    results, barrier = [], threading.Barrier(2)

    def send():
        barrier.wait()
        try:
            results.append(arrival_sync(by=checkpoint_staff, client_id="race-id-123", data=data))
        finally:
            connection.close()

    threads = [threading.Thread(target=send) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert Arrival.objects.count() == 1
    assert sorted(r.again for r in results) == [False, True]
    assert {r.arrival.pk for r in results} == {Arrival.objects.get().pk}
