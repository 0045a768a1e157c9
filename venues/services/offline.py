"""Entries and exits recorded by venue staff while the network was down, sent when it returns.

The device cannot know a check-in's id offline, so an exit names the visitor (phone or ID number, or the
QR they showed) and the time: it closes that visitor's visit open at this venue at that time. Each record
is stored exactly once by the device's id for it (``rollout.sync``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from rollout.errors import ApplicationError
from rollout.models import User, Venue
from rollout.sync import receipt_claim, receipt_settle
from venues.models import CheckIn, CheckInMethod
from venues.services.checkins import CheckInInput, checkin_checkout, checkin_create

ENTER, EXIT = "enter", "exit"
# A device clock a little ahead of the server's is not an error; a time further ahead is.
CLOCK_SLACK = timedelta(minutes=10)


@dataclass(frozen=True)
class SyncedScan:
    checkin: CheckIn | None  # None only when a resent record's row was purged since
    action: str
    again: bool = False


def scan_time_check(at: datetime) -> None:
    if at > timezone.now() + CLOCK_SLACK:
        message = _("The time of the scan is in the future: check the device's clock.")
        raise ApplicationError(message, extra={"fields": {"at": [message]}})


def checkin_open_at(*, venue: Venue, phone: str, id_number: str, at: datetime) -> CheckIn | None:
    """The visitor's latest visit to the venue begun by ``at`` and not yet closed."""
    who = Q()
    if phone:
        who |= Q(phone=phone)
    if id_number:
        who |= Q(id_number=id_number)
    if not who:
        return None
    return (
        CheckIn.objects.filter(who, venue=venue, checked_in_at__lte=at, checked_out_at__isnull=True)
        .order_by("-checked_in_at")
        .first()
    )


def scan_sync(
    *, by: User, venue: Venue, client_id: str, action: str, visitor: CheckInInput, at: datetime, scanned: bool
) -> SyncedScan:
    """Record one queued entry or exit exactly once (``ApplicationError`` when it cannot be: nothing kept)."""
    scan_time_check(at)
    with transaction.atomic():
        claim = receipt_claim(kind=f"venue_{action}", user=by, client_id=client_id)
        if not claim.first:
            return SyncedScan(CheckIn.objects.filter(pk=claim.object_id).first(), action, again=True)
        if action == ENTER:
            method = CheckInMethod.STAFF_SCAN if scanned else CheckInMethod.MANUAL
            # The repeat check asks the database: a device resending after a long gap has no cache marker.
            checkin, _created = checkin_create(venue=venue, data=visitor, method=method, at=at, maybe_repeat=True)
        else:
            checkin = checkin_open_at(venue=venue, phone=visitor.phone, id_number=visitor.id_number, at=at)
            if checkin is None:
                moment = timezone.localtime(at).strftime("%H:%M %d/%m/%Y")
                raise ApplicationError(
                    _("No open visit of this visitor at this venue at %(time)s: nothing to check out.")
                    % {"time": moment}
                )
            checkin = checkin_checkout(checkin=checkin, at=at)
        receipt_settle(claim, object_id=checkin.pk, object_at=checkin.checked_in_at)
    return SyncedScan(checkin, action)
