"""Exactly-once delivery of records queued on a device while it was offline.

The device gives each record an id when it is saved (a UUID) and sends it with the record, as often as it
must: a sync cut halfway resends records whose answer never arrived. ``receipt_claim`` runs first in the
transaction that stores the record: the first sender inserts the receipt; a resend finds it and gets the
first answer. Two resends racing each other are ordered by the unique key (the second waits for the first
to commit). When storing fails (a refused record), the transaction rolls the receipt back with it, so the
corrected record can be sent again under the same id.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.conf import settings
from django.db import connection, transaction
from django.http import HttpRequest, JsonResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from rollout.errors import ApplicationError
from rollout.models import SyncReceipt, User

CLIENT_ID = re.compile(r"^[A-Za-z0-9-]{8,64}$")


@dataclass(frozen=True)
class Claim:
    receipt_id: int
    first: bool  # False: this record was stored before; object_id says which row
    object_id: int | None = None


def client_id_clean(value: object) -> str:
    """The device's id for a record, or ApplicationError naming the field."""
    text = value if isinstance(value, str) else ""
    if not CLIENT_ID.match(text):
        message = _("The record has no valid client id.")
        raise ApplicationError(message, extra={"fields": {"client_id": [message]}})
    return text


def receipt_key(*, kind: str, user: User, client_id: str) -> str:
    # Per user: a device's id never reaches another account's records.
    return hashlib.sha256(f"{kind}:{user.pk}:{client_id}".encode()).hexdigest()


def receipt_claim(*, kind: str, user: User, client_id: str) -> Claim:
    """Insert the receipt, or find the one a first send left. Call inside ``transaction.atomic()``."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("receipt_claim must run in the transaction that stores the record")
    key = receipt_key(kind=kind, user=user, client_id=client_id)
    # ON CONFLICT DO NOTHING waits for a concurrent first send to commit, then inserts nothing.
    sql = "INSERT INTO {} (key, kind, created_at) VALUES (%s, %s, %s) ON CONFLICT (key) DO NOTHING RETURNING id"
    with connection.cursor() as cursor:
        cursor.execute(sql.format(connection.ops.quote_name(SyncReceipt._meta.db_table)), [key, kind, timezone.now()])
        row = cursor.fetchone()
    if row is not None:
        return Claim(receipt_id=row[0], first=True)
    existing = SyncReceipt.objects.get(key=key)
    return Claim(receipt_id=existing.pk, first=False, object_id=existing.object_id)


def receipt_settle(claim: Claim, *, object_id: int, object_at: datetime) -> None:
    """Point the receipt at the row the record became (in the same transaction)."""
    SyncReceipt.objects.filter(pk=claim.receipt_id).update(object_id=object_id, object_at=object_at)


# --- The answers a queued record gets, one per record ------------------------------------------------
# {"status": "saved" | "duplicate" | "refused", "message": ..., "fields": {name: [messages]},
#  "labels": {name: label}, "id": ..., "choices": [{"value", "label"}]}: the page shows the message (and each
# field's, by its label) beside the record, which stays queued until it is fixed, confirmed or removed.
SAVED, DUPLICATE, REFUSED = "saved", "duplicate", "refused"


def sync_body(request: HttpRequest) -> dict[str, Any]:
    """The JSON object a queued record was sent as, or ApplicationError."""
    try:
        body = json.loads(request.body or b"{}")
    except (ValueError, UnicodeDecodeError):
        body = None
    if not isinstance(body, dict):
        raise ApplicationError(_("The record could not be read: send it as a JSON object."))
    return body


def sync_saved(message: str, *, object_id: int | None, again: bool = False, created: bool = True) -> JsonResponse:
    body = {"status": SAVED, "message": message, "id": object_id, "again": again}
    return JsonResponse(body, status=201 if created and not again else 200)


def sync_refused(message: str, fields: dict[str, list[str]] | None = None, labels: dict[str, str] | None = None,
                 *, status: int = 400) -> JsonResponse:  # fmt: skip
    fields = {name: [str(m) for m in messages] for name, messages in (fields or {}).items()}
    labels = {name: str(label) for name, label in (labels or {}).items() if name in fields}
    return JsonResponse({"status": REFUSED, "message": message, "fields": fields, "labels": labels}, status=status)


def sync_duplicate(message: str, choices: list[tuple[str, str]], **extra: Any) -> JsonResponse:
    body = {"status": DUPLICATE, "message": message, "choices": [{"value": v, "label": str(lb)} for v, lb in choices]}
    return JsonResponse(body | extra, status=409)


def sync_session_expired() -> JsonResponse:
    """401, never the sign-in page: the device keeps the record and asks the user to sign in again."""
    return JsonResponse(
        {
            "status": "signed_out",
            "message": _("Your session has expired: sign in again to send the records waiting."),
            "login_url": reverse(settings.LOGIN_URL),
        },
        status=401,
    )
