"""What happens at venues: check-ins, inspections, and the QR keys a rotation retired.

Check-ins are personal data (SPEC §9): deleted after the retention period; daily aggregates outlive them.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.conf import settings
from django.db import models
from django.db.models.functions import Coalesce, Least
from django.utils.translation import gettext_lazy as _

from rollout.models import Venue
from rollout.models.people import FoldedPersonName, LocalDayPartitioned, LocalDayQuerySet
from rollout.timeutils import local_date, local_datetime, local_tz


class CheckInMethod(models.TextChoices):
    SELF = "self", _("Visitor scanned the venue QR")
    STAFF_SCAN = "staff_scan", _("Staff scanned the visitor's QR")
    MANUAL = "manual", _("Entered by staff")


# --- How long a visit lasts: THE rule (visitor log, staff "inside now", contact tracing) -------
# A check-in without a check-out counts as a stay of CHECKIN_DEFAULT_STAY_MINUTES, and no visit
# runs past the local midnight after it began. ``effective_checkout`` (Python) and
# ``CheckInQuerySet.with_effective_checkout`` (SQL) state the same rule; change them together.


def checkin_closes_at(checked_in_at: datetime) -> datetime:
    """The local midnight after a check-in: the latest moment the visit can still be open."""
    return local_datetime(local_date(checked_in_at) + timedelta(days=1))


def effective_checkout(checked_in_at: datetime, checked_out_at: datetime | None) -> datetime:
    """When the visitor left: the recorded check-out, else the default stay, cut at local midnight."""
    if checked_out_at is not None:
        return checked_out_at
    default_end = checked_in_at + timedelta(minutes=settings.CHECKIN_DEFAULT_STAY_MINUTES)
    return min(default_end, checkin_closes_at(checked_in_at))


class LocalMidnightAfter(models.Func):
    """SQL: the local midnight after a UTC timestamp, as a UTC timestamp (``checkin_closes_at`` in SQL).

    (TruncDay with a tzinfo gives a *naive local* value in SQL, which PostgreSQL would then read as
    UTC in arithmetic and comparisons; hence this expression.)
    """

    output_field = models.DateTimeField()

    def as_postgresql(self, compiler, connection, **extra):
        zone = settings.TIME_ZONE
        template = "((DATE_TRUNC('day', %(expressions)s AT TIME ZONE %%s) + INTERVAL '1 day') AT TIME ZONE %%s)"
        sql, params = self.as_sql(compiler, connection, template=template, **extra)
        return sql, (*params, zone, zone)

    def as_sqlite(self, compiler, connection, **extra):
        # SQLite (development only) has no zone database: use the zone's current offset. Asia/Ho_Chi_Minh
        # has been UTC+7 without daylight saving since 1975.
        offset = int(local_tz().utcoffset(datetime.now()).total_seconds())
        template = "datetime(%(expressions)s, %%s, 'start of day', '+1 day', %%s)"
        sql, params = self.as_sql(compiler, connection, template=template, **extra)
        return sql, (*params, f"{offset:+d} seconds", f"{-offset:+d} seconds")


class CheckInQuerySet(LocalDayQuerySet):
    def with_effective_checkout(self) -> CheckInQuerySet:
        """Annotate ``left_at``: the same rule as ``effective_checkout``, in SQL (for overlap queries)."""
        midnight_after = LocalMidnightAfter("checked_in_at")
        default_end = models.F("checked_in_at") + timedelta(minutes=settings.CHECKIN_DEFAULT_STAY_MINUTES)
        return self.annotate(
            left_at=Coalesce(
                "checked_out_at",
                Least(default_end, midnight_after, output_field=models.DateTimeField()),
                output_field=models.DateTimeField(),
            )
        )

    def open_at(self, moment: datetime) -> CheckInQuerySet:
        """Visits still under way at ``moment`` (checked in, not left by the rule above)."""
        return self.with_effective_checkout().filter(checked_in_at__lte=moment, left_at__gt=moment)


class CheckIn(LocalDayPartitioned, FoldedPersonName):
    DAY_OF = "checked_in_at"

    venue = models.ForeignKey(Venue, on_delete=models.CASCADE, related_name="checkins")
    full_name = models.CharField(_("full name"), max_length=200)
    phone = models.CharField(_("phone"), max_length=20)
    id_number = models.CharField(_("ID number"), max_length=12, blank=True)
    has_fever = models.BooleanField(_("fever"), default=False)
    has_cough = models.BooleanField(_("cough"), default=False)
    has_breathing_difficulty = models.BooleanField(_("shortness of breath"), default=False)
    had_contact = models.BooleanField(_("contact with a confirmed case in 14 days"), default=False)
    # Any "yes" to the health questions: shown to venue staff, guidance shown to the visitor.
    flagged = models.BooleanField(_("flagged"), default=False)
    method = models.CharField(max_length=20, choices=CheckInMethod.choices, default=CheckInMethod.SELF)
    checked_in_at = models.DateTimeField(_("checked in at"), db_index=True)
    checked_out_at = models.DateTimeField(_("checked out at"), null=True, blank=True)

    objects = CheckInQuerySet.as_manager()

    class Meta:
        ordering = ["-checked_in_at"]
        verbose_name = _("check-in")
        verbose_name_plural = _("check-ins")
        indexes = [
            models.Index(fields=["venue", "checked_in_at"]),
            models.Index(fields=["phone", "checked_in_at"]),
            models.Index(fields=["id_number", "checked_in_at"]),  # contact tracing by ID number
        ]

    def __str__(self) -> str:
        return f"{self.venue_id} @ {self.checked_in_at:%Y-%m-%d %H:%M}"

    @property
    def effective_checkout(self) -> datetime:
        return effective_checkout(self.checked_in_at, self.checked_out_at)

    @property
    def closes_at(self) -> datetime:
        return checkin_closes_at(self.checked_in_at)


class Inspection(models.Model):
    """A district's inspection of a venue owner's QR entry control (directive 6.iii)."""

    venue = models.ForeignKey(Venue, on_delete=models.CASCADE, related_name="inspections")
    inspected_on = models.DateField(_("inspection date"), db_index=True)
    inspector = models.CharField(_("inspector"), max_length=200)
    compliant = models.BooleanField(_("compliant"))
    violations = models.TextField(_("violations"), blank=True)
    sanction = models.CharField(_("sanction"), max_length=300, blank=True)
    notes = models.TextField(_("notes"), blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-inspected_on", "-created_at"]
        verbose_name = _("inspection")
        verbose_name_plural = _("inspections")

    def __str__(self) -> str:
        return f"{self.venue} {self.inspected_on:%d/%m/%Y}"


class RetiredVenueKey(models.Model):
    """A venue QR key replaced by rotation: its old posters get "this code was replaced", not a 404."""

    venue = models.ForeignKey(Venue, on_delete=models.CASCADE, related_name="retired_keys")
    key = models.CharField(max_length=32, unique=True)
    retired_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-retired_at"]

    def __str__(self) -> str:
        return f"{self.venue_id} {self.retired_at:%Y-%m-%d}"
