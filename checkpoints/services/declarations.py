"""Public health and domestic travel declarations, and the personal QR they give (SPEC §4).

The personal QR carries ``SITE_URL + /p/<token>/`` where the token is the declaration's random key
signed with the salt "declaration" (never the database id). Staff scanners at checkpoints and venues
turn the scanned text back into the declaration with ``declaration_from_qr_text``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from urllib.parse import unquote

from django.conf import settings
from django.db import IntegrityError
from django.urls import reverse
from django.utils.translation import gettext as _

from checkpoints.models import Declaration, DeclarationKind
from checkpoints.services.travel import Errors, TravelInput, travel_clean
from rollout import qr
from rollout.timeutils import local_today

SALT = "declaration"
_PATH_TOKEN = re.compile(r"/p/([^/?#\s]+)/?")


@dataclass
class DeclarationInput(TravelInput):
    kind: str = DeclarationKind.HEALTH
    travel_date: date | None = None
    contact_with_case: bool = False


def declaration_submit(*, data: DeclarationInput) -> Declaration:
    """Validate and store a declaration; it gets a fresh random key for its personal QR."""
    errors = Errors()
    values = travel_clean(data, errors)
    if data.kind not in DeclarationKind.values:
        errors.add("kind", _("Not one of the allowed values."))
    if data.kind == DeclarationKind.TRAVEL:
        if values.get("origin_province_id") is None:
            errors.add("origin_province", _("This field is required."))
        if data.travel_date is None:
            errors.add("travel_date", _("This field is required."))
        elif abs((data.travel_date - local_today()).days) > 30:
            errors.add("travel_date", _("Give a travel date within 30 days of today."))
    errors.raise_if_any()
    for _attempt in range(3):  # a 128-bit key colliding is not expected; retrying costs nothing
        try:
            return Declaration.objects.create(
                **values,
                kind=data.kind,
                travel_date=data.travel_date,
                contact_with_case=bool(data.contact_with_case),
                token=qr.new_key(),
            )
        except IntegrityError:  # pragma: no cover
            continue
    raise RuntimeError("could not allocate a declaration key")  # pragma: no cover


def declaration_token(declaration: Declaration) -> str:
    return qr.sign(declaration.token, salt=SALT)


def declaration_qr_text(declaration: Declaration) -> str:
    """What the personal QR encodes: the pass page's absolute URL."""
    return settings.SITE_URL + reverse("declarations:pass", kwargs={"token": declaration_token(declaration)})


def declaration_from_token(token: str) -> Declaration | None:
    key = qr.unsign(token, salt=SALT)
    if key is None:
        return None
    return Declaration.objects.filter(token=key).select_related("destination_district").first()


def declaration_from_qr_text(text: str) -> Declaration | None:
    """The declaration a scanned personal QR points at: the full URL or the bare signed token.

    Returns None for anything else (a venue QR, a forged or truncated token, a purged declaration).
    """
    text = (text or "").strip()
    if not text or len(text) > 500:
        return None
    match = _PATH_TOKEN.search(text)
    if match:
        token = unquote(match.group(1))
    elif "/" in text or " " in text:
        return None
    else:
        token = text
    return declaration_from_token(token)


def declaration_person(text: str) -> qr.ScannedPerson | None:
    """A scanned personal QR as a person, for other apps' scanners (registered with ``rollout.qr``)."""
    declaration = declaration_from_qr_text(text)
    if declaration is None:
        return None
    return qr.ScannedPerson(
        full_name=declaration.full_name, phone=declaration.phone, id_number=declaration.id_number, source="declaration"
    )
