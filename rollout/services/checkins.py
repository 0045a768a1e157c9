"""Venue QR tokens, visitor check-in and check-out, and reading a visitor's QR (SPEC §3).

Tokens (all ``rollout.qr.sign`` with a purpose-specific salt, so one kind never passes for another):
- venue token: the venue's random ``qr_key``; printed on the poster as ``SITE_URL/c/<token>/``;
- visit token: a check-in's id; the visitor's own link to the confirmation page and check-out;
- visitor pass: a check-in's id; the QR the confirmation page shows, scanned by venue staff
  (until the personal QR of SPEC §4 exists; see ``visitor_from_qr``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from urllib.parse import urlsplit

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from rollout import qr
from rollout.errors import ApplicationError
from rollout.models import CheckIn, RetiredVenueKey, Venue
from rollout.models.activity import CheckInMethod

VENUE_SALT = "venue-checkin"
VISIT_SALT = "checkin-visit"
PASS_SALT = "visitor-pass"  # noqa: S105 (a signing salt, not a secret)


# --- Venue tokens -----------------------------------------------------------------------------


def venue_token(venue: Venue) -> str:
    return qr.sign(venue.qr_key, salt=VENUE_SALT)


def venue_checkin_url(venue: Venue) -> str:
    """The absolute URL the venue's QR code carries."""
    return settings.SITE_URL + reverse("checkin:checkin", args=[venue_token(venue)])


def venue_qr_png(venue: Venue, *, box_size: int = 10) -> bytes:
    return qr.qr_png(venue_checkin_url(venue), box_size=box_size)


def venue_qr_svg(venue: Venue) -> str:
    return qr.qr_svg(venue_checkin_url(venue))


@dataclass(frozen=True)
class TokenLookup:
    """What a venue token points at: a venue in use, a replaced code, or nothing of ours."""

    venue: Venue | None = None
    replaced: Venue | None = None


def venue_from_token(token: str) -> TokenLookup:
    key = qr.unsign(token, salt=VENUE_SALT)
    if not key:
        return TokenLookup()
    venue = Venue.objects.filter(qr_key=key).select_related("district", "commune").first()
    if venue is not None:
        return TokenLookup(venue=venue)
    retired = RetiredVenueKey.objects.filter(key=key).select_related("venue").first()
    return TokenLookup(replaced=retired.venue if retired else None)


def venue_qr_rotate(*, venue: Venue) -> Venue:
    """Give the venue a new QR key; posters with the old one show "this code was replaced"."""
    with transaction.atomic():
        RetiredVenueKey.objects.create(venue=venue, key=venue.qr_key)
        venue.qr_key = qr.new_key()
        venue.save(update_fields=["qr_key", "updated_at"])
    return venue


# --- Visit tokens and passes ------------------------------------------------------------------


def visit_token(checkin: CheckIn) -> str:
    return qr.sign(str(checkin.pk), salt=VISIT_SALT)


def visit_from_token(venue: Venue, token: str) -> CheckIn | None:
    raw = qr.unsign(token, salt=VISIT_SALT)
    if not raw or not raw.isdigit():
        return None
    return CheckIn.objects.filter(pk=int(raw), venue=venue).first()


def visitor_pass_text(checkin: CheckIn) -> str:
    """The text of the visitor's pass QR: a URL, so a phone camera opens an explanation page."""
    return settings.SITE_URL + reverse("checkin:pass", args=[qr.sign(str(checkin.pk), salt=PASS_SALT)])


@dataclass(frozen=True)
class Visitor:
    """A person identified from a QR code shown to venue staff."""

    full_name: str
    phone: str
    id_number: str
    source: str  # "visitor_pass" (a check-in confirmation); the lead adds "declaration" (SPEC §4)


def visitor_from_qr(text: str) -> Visitor | None:
    """THE place that turns a scanned QR text into a person; None when it is not one of ours.

    Accepted today: the visitor pass shown after a check-in (``.../pass/<token>/``). The personal QR
    of a declaration (``SITE_URL/p/<token>/``, SPEC §4) is to be added here as another branch. The
    host is not compared: the signature is what proves the code is ours.
    """
    path = urlsplit((text or "").strip()).path
    parts = [p for p in path.split("/") if p]
    if len(parts) == 2 and parts[0] == "pass":
        raw = qr.unsign(parts[1], salt=PASS_SALT)
        if raw and raw.isdigit():
            row = CheckIn.objects.filter(pk=int(raw)).values("full_name", "phone", "id_number").first()
            if row:
                return Visitor(source="visitor_pass", **row)
    return None


# --- Check-in and check-out -------------------------------------------------------------------


@dataclass(frozen=True)
class CheckInInput:
    """Validated answers (phone and ID already in normal form, see rollout.validators)."""

    full_name: str
    phone: str
    id_number: str = ""
    has_fever: bool = False
    has_cough: bool = False
    has_breathing_difficulty: bool = False
    had_contact: bool = False

    @property
    def flagged(self) -> bool:
        return self.has_fever or self.has_cough or self.has_breathing_difficulty or self.had_contact


def checkin_create(
    *, venue: Venue, data: CheckInInput, method: str = CheckInMethod.SELF, at: datetime | None = None
) -> tuple[CheckIn, bool]:
    """Record an entry; returns (check-in, created).

    The same phone at the same venue within CHECKIN_REPEAT_MINUTES, still inside, is the same visit
    (a double tap or a reload resubmitting the form): the open check-in is returned, not duplicated.
    One INSERT in autocommit: the whole write is one short transaction; nothing else is queued.
    """
    now = at or timezone.now()
    if data.phone:
        since = now - timedelta(minutes=settings.CHECKIN_REPEAT_MINUTES)
        repeat = (
            CheckIn.objects.filter(phone=data.phone, venue=venue, checked_in_at__gte=since, checked_out_at__isnull=True)
            .order_by("-checked_in_at")
            .first()
        )
        if repeat is not None:
            return repeat, False
    checkin = CheckIn.objects.create(
        venue=venue,
        full_name=data.full_name,
        phone=data.phone,
        id_number=data.id_number,
        has_fever=data.has_fever,
        has_cough=data.has_cough,
        has_breathing_difficulty=data.has_breathing_difficulty,
        had_contact=data.had_contact,
        flagged=data.flagged,
        method=method,
        checked_in_at=now,
    )
    return checkin, True


def checkin_checkout(*, checkin: CheckIn, at: datetime | None = None) -> CheckIn:
    """Record the exit. Idempotent; refused once the visit has closed at midnight by the rule."""
    now = at or timezone.now()
    if checkin.checked_out_at is not None:
        return checkin
    if now >= checkin.closes_at:
        raise ApplicationError(_("This visit was closed automatically at midnight; there is nothing to check out."))
    # Conditional update: a second tap (or a second device) finds the row already closed.
    CheckIn.objects.filter(pk=checkin.pk, checked_out_at__isnull=True).update(checked_out_at=now)
    checkin.refresh_from_db(fields=["checked_out_at"])
    return checkin
