"""Daily aggregates behind the dashboards (SPEC §7, §10), and what survives the retention purge (§9).

Dashboards read these tables, never the personal rows (check-ins, arrivals). They are rebuilt from the
raw rows by ``rollout.services.stats`` (after writes, every few minutes for today, and nightly for the
last days). A day older than the personal-data retention is never rebuilt: its raw rows are gone, and
the figures kept here are all that remains of it.

All counts are for a local day (Asia/Ho_Chi_Minh, ``rollout.timeutils``).
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from rollout.models.org import Agency, Venue
from rollout.models.units import Commune, District


class DistrictDay(models.Model):
    """Every figure of one district on one day. Snapshot figures (venues with QR, adoption, testing)
    are the state as of that day's end (or now, for today)."""

    day = models.DateField(_("day"))
    district = models.ForeignKey(District, on_delete=models.CASCADE, related_name="+", verbose_name=_("district"))

    # Venue QR check-ins (directive 5, 6.i)
    venues_with_qr = models.PositiveIntegerField(_("venues with QR"), default=0)
    venues_active = models.PositiveIntegerField(_("venues with check-ins"), default=0)
    # Active venues with at least one check-in in the 7 days ending with this day (a distinct count:
    # it cannot be summed from the daily rows, so the rebuild stores it).
    venues_active_7d = models.PositiveIntegerField(_("venues with check-ins in 7 days"), default=0)
    checkins = models.PositiveIntegerField(_("check-ins"), default=0)
    checkins_flagged = models.PositiveIntegerField(_("flagged check-ins"), default=0)
    inspections = models.PositiveIntegerField(_("inspections"), default=0)
    inspections_noncompliant = models.PositiveIntegerField(_("inspections finding violations"), default=0)
    # Checkpoint arrivals bound for the district (directive 4.iii)
    arrivals = models.PositiveIntegerField(_("arrivals"), default=0)
    # PC-Covid among those arrivals (directive 4.ii): had it, installed it at the checkpoint with the
    # officer's guidance, or has no smartphone (arrivals not asked count in none of them).
    arrivals_pc_covid_had = models.PositiveIntegerField(_("arrivals who had PC-Covid"), default=0)
    arrivals_pc_covid_installed = models.PositiveIntegerField(
        _("arrivals who installed PC-Covid at the checkpoint"), default=0
    )
    arrivals_no_smartphone = models.PositiveIntegerField(_("arrivals without a smartphone"), default=0)
    # Adoption among agency staff (directive 1, 5): sums of each active agency's latest update
    agencies = models.PositiveIntegerField(_("agencies"), default=0)
    agencies_reporting = models.PositiveIntegerField(_("agencies reporting adoption"), default=0)
    staff_headcount = models.PositiveIntegerField(_("staff headcount"), default=0)
    pc_covid = models.PositiveIntegerField(_("PC-Covid installs"), default=0)
    health_book = models.PositiveIntegerField(_("Electronic Health Book installs"), default=0)
    vneid = models.PositiveIntegerField(_("VNEID installs"), default=0)
    # Testing platform (3.i): facilities qualified for rapid antigen or RT-PCR, and those live by then
    testing_qualified = models.PositiveIntegerField(_("facilities qualified for testing"), default=0)
    testing_live = models.PositiveIntegerField(_("facilities live on the testing platform"), default=0)
    # Vaccination data updates (3.ii)
    vaccination_facilities = models.PositiveIntegerField(_("vaccinating facilities"), default=0)
    vaccination_logged = models.PositiveIntegerField(_("facilities that logged the day"), default=0)
    vaccination_updated = models.PositiveIntegerField(_("facilities that updated the national platform"), default=0)
    vaccination_on_time = models.PositiveIntegerField(_("facilities that updated by the cut-off"), default=0)
    doses_given = models.PositiveIntegerField(_("doses given"), default=0)
    # Per local hour (24 counts each) for "today so far against the same time last week":
    # {"checkins": [...], "arrivals": [...], "vaccination_updated": [...]}.
    hourly = models.JSONField(_("per hour"), default=dict, blank=True)

    computed_at = models.DateTimeField(_("computed at"), null=True, blank=True)

    class Meta:
        ordering = ["day", "district"]
        verbose_name = _("district day figures")
        verbose_name_plural = _("district day figures")
        constraints = [models.UniqueConstraint(fields=["day", "district"], name="district_day_unique")]
        indexes = [models.Index(fields=["district", "day"])]

    def __str__(self) -> str:
        return f"{self.district_id} {self.day:%Y-%m-%d}"


class VenueDay(models.Model):
    """Check-ins at one venue on one day (only days with at least one check-in have a row)."""

    day = models.DateField(_("day"))
    venue = models.ForeignKey(Venue, on_delete=models.CASCADE, related_name="+", verbose_name=_("venue"))
    # Copied from the venue, so a district's or commune's figures need no join.
    district = models.ForeignKey(District, on_delete=models.CASCADE, related_name="+")
    commune = models.ForeignKey(Commune, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    agency = models.ForeignKey(Agency, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    checkins = models.PositiveIntegerField(_("check-ins"), default=0)
    checkins_flagged = models.PositiveIntegerField(_("flagged check-ins"), default=0)

    class Meta:
        ordering = ["day", "venue"]
        verbose_name = _("venue day figures")
        verbose_name_plural = _("venue day figures")
        constraints = [models.UniqueConstraint(fields=["day", "venue"], name="venue_day_unique")]
        indexes = [
            models.Index(fields=["day", "district"]),
            models.Index(fields=["venue", "day"]),
            # A district's communes over a week (dashboard.selectors.drilldown) read from this index alone:
            # the (day, district) one made PostgreSQL read every day's rows of the district from the table.
            models.Index(
                fields=["district", "day"],
                include=["commune", "venue", "checkins", "checkins_flagged"],
                name="venueday_district_week",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.venue_id} {self.day:%Y-%m-%d}"


class ArrivalDay(models.Model):
    """Arrivals recorded at one checkpoint on one day, bound for one district (and commune)."""

    day = models.DateField(_("day"))
    district = models.ForeignKey(District, on_delete=models.CASCADE, related_name="+", verbose_name=_("district"))
    commune = models.ForeignKey(Commune, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    checkpoint = models.ForeignKey(
        "rollout.Checkpoint", on_delete=models.CASCADE, related_name="+", verbose_name=_("checkpoint")
    )
    arrivals = models.PositiveIntegerField(_("arrivals"), default=0)

    class Meta:
        ordering = ["day", "district"]
        verbose_name = _("arrival day figures")
        verbose_name_plural = _("arrival day figures")
        indexes = [models.Index(fields=["day", "district"]), models.Index(fields=["checkpoint", "day"])]

    def __str__(self) -> str:
        return f"{self.checkpoint_id}->{self.district_id} {self.day:%Y-%m-%d}"
