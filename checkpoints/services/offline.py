"""Arrivals recorded on a device while the network was down, sent when it returns (SPEC §4).

Each record carries the device's id for it (see ``rollout.sync``): a resend after a cut connection stores
nothing new and answers as the first send did. The rules are the online form's (``arrival_record``).
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import transaction

from checkpoints.models import Arrival
from checkpoints.services.arrivals import ArrivalInput, OnDuplicate, arrival_record
from rollout.models import User
from rollout.sync import receipt_claim, receipt_settle

RECEIPT_KIND = "arrival"


@dataclass(frozen=True)
class SyncedArrival:
    arrival: Arrival | None  # None only when a resent record's row was purged since
    created: bool
    merged: bool = False
    again: bool = False  # this client id was stored before: nothing new


def arrival_sync(*, by: User, client_id: str, data: ArrivalInput, on_duplicate: str = OnDuplicate.ASK) -> SyncedArrival:
    """Store one queued arrival exactly once. Raises as ``arrival_record`` does (a likely duplicate, a
    refused field); then nothing is kept and the corrected record may be sent again with the same id."""
    with transaction.atomic():
        claim = receipt_claim(kind=RECEIPT_KIND, user=by, client_id=client_id)
        if not claim.first:
            return SyncedArrival(Arrival.objects.filter(pk=claim.object_id).first(), created=False, again=True)
        outcome = arrival_record(by=by, data=data, on_duplicate=on_duplicate)
        receipt_settle(claim, object_id=outcome.arrival.pk, object_at=outcome.arrival.arrived_at)
    return SyncedArrival(outcome.arrival, created=outcome.created, merged=outcome.merged)
