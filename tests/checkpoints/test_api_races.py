"""Two retries of one arrivals batch at the same moment, each on its own PostgreSQL connection.

A barrier holds both requests right after each has looked for an earlier arrival with its ``external_id`` and
found none, so both go on to insert: the interleaving that used to answer one of them with a 500 (a unique-key
violation) or a 400 (its twin taken for a likely duplicate). Nothing is faked: real requests, real
transactions, the real unique index.
"""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from django.db import connection, connections
from django.test import Client
from django.utils import timezone

from checkpoints.models import Arrival
from checkpoints.services import arrivals as arrival_services
from tests.factories import district

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="two concurrent transactions on PostgreSQL"),
]
URL = "/api/v1/arrivals/"


def _item(external_id: str, phone: str) -> dict:
    return {
        "full_name": "Hà Thị Vân",
        "phone": phone,
        "destination_district": district("bat_xat").pk,
        "arrived_at": (timezone.now() - timedelta(minutes=3)).isoformat(),
        "external_id": external_id,
    }


def _post_together(monkeypatch, user, body) -> list:
    """POST ``body`` twice at once; both pass the external_id look-up before either inserts."""
    barrier = threading.Barrier(2, timeout=20)
    waited = threading.local()
    real_find = arrival_services.arrival_duplicate_find

    def find_after_both_looked(**kwargs):
        if not getattr(waited, "done", False):
            waited.done = True
            barrier.wait()
        return real_find(**kwargs)

    monkeypatch.setattr(arrival_services, "arrival_duplicate_find", find_after_both_looked)
    responses: list = [None, None]
    errors: list[BaseException] = []

    def post(index: int) -> None:
        try:
            client = Client(raise_request_exception=False)
            client.force_login(user)
            responses[index] = client.post(URL, body, content_type="application/json")
        except BaseException as exc:
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=post, args=(i,)) for i in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert errors == []
    return responses


def test_two_concurrent_retries_of_one_arrival_store_it_once(monkeypatch, checkpoint_staff):
    responses = _post_together(monkeypatch, checkpoint_staff, _item("device-7:123", "0912345678"))
    statuses = sorted(r.status_code for r in responses)
    assert statuses == [200, 201], [r.content for r in responses]
    assert Arrival.objects.count() == 1
    assert {r.json()["id"] for r in responses} == {Arrival.objects.get().pk}


def test_two_concurrent_retries_of_a_batch_store_each_arrival_once(monkeypatch, checkpoint_staff):
    batch = [_item("device-7:1", "0912345678"), _item("device-7:2", "0987654321")]
    responses = _post_together(monkeypatch, checkpoint_staff, batch)
    statuses = sorted(r.status_code for r in responses)
    assert statuses == [200, 201], [r.content for r in responses]
    assert Arrival.objects.count() == 2
    first, second = (r.json() for r in responses)
    assert [a["id"] for a in first] == [a["id"] for a in second]
    assert sorted(a["id"] for a in first) == sorted(Arrival.objects.values_list("pk", flat=True))
