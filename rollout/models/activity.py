"""What happens at venues and agencies: check-ins, inspections, adoption figures.

Check-ins are personal data (SPEC §9): deleted after the retention period; daily aggregates outlive them.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from rollout.models.org import Agency, Venue


class CheckInMethod(models.TextChoices):
    SELF = "self", _("Visitor scanned the venue QR")
    STAFF_SCAN = "staff_scan", _("Staff scanned the visitor's QR")
    MANUAL = "manual", _("Entered by staff")


class CheckIn(models.Model):
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

    class Meta:
        ordering = ["-checked_in_at"]
        verbose_name = _("check-in")
        verbose_name_plural = _("check-ins")
        indexes = [
            models.Index(fields=["venue", "checked_in_at"]),
            models.Index(fields=["phone", "checked_in_at"]),
        ]

    def __str__(self) -> str:
        return f"{self.venue_id} @ {self.checked_in_at:%Y-%m-%d %H:%M}"


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


class AdoptionUpdate(models.Model):
    """An agency's staff adoption of the national apps on a day. Every update is kept (trends)."""

    agency = models.ForeignKey(Agency, on_delete=models.CASCADE, related_name="adoption_updates")
    reported_on = models.DateField(_("as of"), db_index=True)
    staff_headcount = models.PositiveIntegerField(_("staff headcount"))
    pc_covid = models.PositiveIntegerField(_("PC-Covid installs"))
    health_book = models.PositiveIntegerField(_("Electronic Health Book installs"))
    vneid = models.PositiveIntegerField(_("VNEID installs"))
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-reported_on", "-created_at"]
        verbose_name = _("adoption update")
        verbose_name_plural = _("adoption updates")
        indexes = [models.Index(fields=["agency", "-reported_on"])]
        constraints = [
            models.CheckConstraint(
                name="adoption_installs_within_headcount",
                condition=models.Q(pc_covid__lte=models.F("staff_headcount"))
                & models.Q(health_book__lte=models.F("staff_headcount"))
                & models.Q(vneid__lte=models.F("staff_headcount")),
            )
        ]

    def __str__(self) -> str:
        return f"{self.agency_id} {self.reported_on:%Y-%m-%d}"
