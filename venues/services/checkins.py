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
from django.db import connection, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from rollout import qr
from rollout.errors import ApplicationError
from rollout.hooks import district_day_changed
from rollout.models import Venue
from rollout.ratelimit import hit_many, hit_many_and_mark, mark_once
from rollout.timeutils import local_date
from venues.models import CheckIn, CheckInMethod, RetiredVenueKey

VENUE_SALT = "venue-checkin"
VISIT_SALT = "checkin-visit"
PASS_SALT = "visitor-pass"  # noqa: S105 (a signing salt, not a secret)


# --- Venue tokens -----------------------------------------------------------------------------


def venue_token(venue: Venue) -> str:
    return qr.sign(venue.qr_key, salt=VENUE_SALT)


def venue_checkin_url(venue: Venue) -> str:
    """The absolute URL the venue's QR code carries."""
    return settings.SITE_URL + reverse("checkin:checkin", args=[venue_token(venue)])


def venue_short_url(venue: Venue) -> str:
    """What people type when their phone cannot scan: the site without its scheme, and the short code."""
    site = settings.SITE_URL.split("://", 1)[-1]
    return f"{site}{reverse('checkin:checkin', args=[venue.short_code])}"


def venue_qr_png(venue: Venue, *, box_size: int = 10) -> bytes:
    return qr.qr_png(venue_checkin_url(venue), box_size=box_size)


def venue_qr_svg(venue: Venue) -> str:
    return qr.qr_svg(venue_checkin_url(venue))


@dataclass(frozen=True)
class TokenLookup:
    """What a venue token points at: a venue in use, a replaced code, or nothing of ours."""

    venue: Venue | None = None
    replaced: Venue | None = None


def venue_from_token(token: str, *, with_place: bool = True) -> TokenLookup:
    """The venue a token points at: with its district and commune for the form page (``with_place``),
    else only what a check-in needs (id, name, status), read on the hot path without the ORM's query
    building, which costs more than the indexed lookup itself."""
    key = qr.unsign(token, salt=VENUE_SALT)
    if not key:
        return TokenLookup()
    if with_place:
        venue = Venue.objects.filter(qr_key=key).select_related("district", "commune").order_by().first()
    else:
        venue = _venue_by_key(key)
    if venue is not None:
        return TokenLookup(venue=venue)
    retired = RetiredVenueKey.objects.filter(key=key).select_related("venue").first()
    return TokenLookup(replaced=retired.venue if retired else None)


def venue_from_short_code(text: str) -> TokenLookup:
    """The venue a typed short code names (any case, with or without a dash), as ``venue_from_token``."""
    code = qr.short_code_from_text(text)
    if code is None:
        return TokenLookup()
    venue = Venue.objects.filter(short_code=code).first()
    if venue is not None:
        return TokenLookup(venue=venue)
    retired = RetiredVenueKey.objects.filter(key=code).select_related("venue").first()
    return TokenLookup(replaced=retired.venue if retired else None)


# In the model's field order: ``Model.from_db`` assigns the row's values in that order.
_LEAN_FIELDS = [
    f.attname
    for f in Venue._meta.concrete_fields
    if f.attname in {"id", "name", "kind", "is_active", "qr_key", "district_id"}
]


def _venue_by_key(key: str) -> Venue | None:
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT {', '.join(_LEAN_FIELDS)} FROM {Venue._meta.db_table} WHERE qr_key = %s",  # noqa: S608 (names from the model)
            [key],
        )
        row = cursor.fetchone()
    return Venue.from_db(connection.alias, _LEAN_FIELDS, row) if row else None


def venue_qr_rotate(*, venue: Venue) -> Venue:
    """Give the venue a new QR key and short code; posters with the old ones show "this code was replaced"."""
    with transaction.atomic():
        RetiredVenueKey.objects.create(venue=venue, key=venue.qr_key)
        RetiredVenueKey.objects.create(venue=venue, key=venue.short_code)
        venue.qr_key = qr.new_key()
        venue.short_code = qr.new_short_code()
        venue.save(update_fields=["qr_key", "short_code", "updated_at"])
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
    source: str  # "visitor_pass" (a check-in confirmation) or "declaration" (the personal QR, SPEC §4)


def visitor_from_qr(text: str) -> Visitor | None:
    """THE place that turns a scanned QR text into a person; None when it is not one of ours.

    Accepted: the visitor pass shown after a check-in (``.../pass/<token>/``) and the personal QR of a
    health or travel declaration (``SITE_URL/p/<token>/``, SPEC §4). The host is not compared: the
    signature is what proves the code is ours.
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
    person = qr.person_from_scan(text)
    if person is not None:
        return Visitor(full_name=person.full_name, phone=person.phone, id_number=person.id_number, source=person.source)
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
    *,
    venue: Venue,
    data: CheckInInput,
    method: str = CheckInMethod.SELF,
    at: datetime | None = None,
    maybe_repeat: bool | None = None,
) -> tuple[CheckIn, bool]:
    """Record an entry; returns (check-in, created).

    The same phone at the same venue within CHECKIN_REPEAT_MINUTES, still inside, is the same visit
    (a double tap or a reload resubmitting the form): the open check-in is returned, not duplicated.
    Most check-ins are no repeat: a cache marker per (venue, phone) says so, and only when the marker
    already existed is the database asked. ``maybe_repeat`` is that answer when the caller already
    has it (the public check-in reads it with the rate limits: see ``checkin_gate``). One INSERT in
    autocommit: the whole write is one short transaction; nothing else is queued.
    """
    now = at or timezone.now()
    if maybe_repeat is None:
        maybe_repeat = bool(data.phone) and not _first_in_window(venue_marker(venue, data.phone))
    if data.phone and maybe_repeat:
        since = now - timedelta(minutes=settings.CHECKIN_REPEAT_MINUTES)
        repeat = (
            CheckIn.objects.filter(phone=data.phone, venue=venue, checked_in_at__gte=since, checked_out_at__isnull=True)
            .on_days_of(since)
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
    # Dashboard figures for the venue's district and day (recorded with the check-in, debounced).
    district_day_changed(day=local_date(now), district_id=venue.district_id)
    return checkin, True


def venue_marker(venue: Venue, phone: str) -> str:
    """The cache key saying "this phone checked in here recently" (also set by ``checkin_gate``)."""
    return _marker(venue.qr_key, phone)


def _marker(qr_key: str, phone: str) -> str:
    return f"checkin-seen:{qr_key}:{phone}"


def _first_in_window(marker: str) -> bool:
    """True when the marker was not set: no check-in by this phone here within the repeat window.

    A lost marker (cache flushed) only costs the duplicate check, never a check-in.
    """
    return mark_once(marker, settings.CHECKIN_REPEAT_MINUTES * 60)


@dataclass(frozen=True)
class Gate:
    allowed: bool  # within the rate limits
    maybe_repeat: bool  # this phone may already be inside (marker existed)


def checkin_gate(*, ip: str, token: str, phone: str) -> Gate:
    """Rate limits per address and per venue token, and the repeat marker: one cache round trip.

    The marker is keyed by the QR key inside the token, so it needs no database read.
    """
    checks = [
        ("checkin-ip", ip, settings.CHECKIN_RATE_PER_IP),
        ("checkin-venue", token[:100], settings.CHECKIN_RATE_PER_VENUE),
    ]
    key = qr.unsign(token, salt=VENUE_SALT)
    if not phone or not key:
        return Gate(allowed=hit_many(checks), maybe_repeat=False)
    seconds = settings.CHECKIN_REPEAT_MINUTES * 60
    allowed, first = hit_many_and_mark(checks, mark=_marker(key, phone), mark_seconds=seconds)
    return Gate(allowed=allowed, maybe_repeat=not first)


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
