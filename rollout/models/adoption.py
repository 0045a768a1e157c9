"""Agencies' staff adoption of the national apps (PC-Covid, Electronic Health Book, VNEID)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from rollout.models.org import Agency


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
