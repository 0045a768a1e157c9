"""The national platforms' rollout: agencies' staff adoption of the apps (PC-Covid, Electronic Health Book,
VNEID) and facilities' vaccination data updates (directive 3.ii). The testing-platform status is a field of
``HealthFacility`` (master data, in the core).

A facility counts as "updated" for a day when it has logged that day with ``updated_on_platform``
(the national vaccination-management platform holds the day's data). One row per facility and day:
logging the day again corrects it; when the platform flag first turns on is kept, so punctuality
against the cut-off (``VACCINATION_UPDATE_CUTOFF``) can be shown.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from rollout.models import Agency, HealthFacility


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


class VaccinationUpdate(models.Model):
    facility = models.ForeignKey(
        HealthFacility, on_delete=models.CASCADE, related_name="vaccination_updates", verbose_name=_("health facility")
    )
    day = models.DateField(_("day"))
    doses_given = models.PositiveIntegerField(_("doses given"))
    updated_on_platform = models.BooleanField(_("updated on the national platform"))
    # When "updated on the platform" was first recorded for the day (punctuality against the cut-off).
    platform_updated_at = models.DateTimeField(_("platform update recorded at"), null=True, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(_("logged at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("last changed at"), auto_now=True)

    class Meta:
        ordering = ["-day", "facility"]
        verbose_name = _("vaccination data update")
        verbose_name_plural = _("vaccination data updates")
        constraints = [
            models.UniqueConstraint(fields=["facility", "day"], name="vaccination_update_one_per_day"),
            models.CheckConstraint(
                name="vaccination_update_platform_time_when_updated",
                condition=models.Q(updated_on_platform=False) | models.Q(platform_updated_at__isnull=False),
            ),
        ]
        indexes = [models.Index(fields=["day", "facility"])]

    def __str__(self) -> str:
        return f"{self.facility_id} {self.day:%Y-%m-%d}"


class VaccinationReminder(models.Model):
    """One reminder to one facility for one day: claimed before sending, so a re-run sends nothing twice."""

    facility = models.ForeignKey(HealthFacility, on_delete=models.CASCADE, related_name="+")
    day = models.DateField()
    created_at = models.DateTimeField(auto_now_add=True)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-day"]
        constraints = [models.UniqueConstraint(fields=["facility", "day"], name="vaccination_reminder_once_a_day")]

    def __str__(self) -> str:
        return f"{self.facility_id} {self.day:%Y-%m-%d}"
