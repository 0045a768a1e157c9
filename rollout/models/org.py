"""Agencies, venues, health facilities and focal officers (SPEC §2)."""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from rollout.models.units import Commune, District, FoldedName
from rollout.qr import new_key, new_short_code
from rollout.text import place_line


class AgencyKind(models.TextChoices):
    DEPARTMENT = "department", _("Provincial department or agency")
    DISTRICT_COMMITTEE = "district_committee", _("District People's Committee")
    COMMUNE_COMMITTEE = "commune_committee", _("Commune People's Committee")
    PARTY_MASS = "party_mass", _("Party body or mass organisation")
    ASSOCIATION = "association", _("Association")
    ENTERPRISE = "enterprise", _("Enterprise")
    SCHOOL = "school", _("School")
    MARKET = "market", _("Market management board")
    HEALTH = "health", _("Health unit")
    OTHER = "other", _("Other")


class Agency(FoldedName):
    kind = models.CharField(_("type"), max_length=30, choices=AgencyKind.choices)
    district = models.ForeignKey(
        District, on_delete=models.PROTECT, related_name="agencies", verbose_name=_("district")
    )
    commune = models.ForeignKey(
        Commune,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="agencies",
        verbose_name=_("commune"),
    )
    address = models.CharField(_("address"), max_length=300, blank=True)
    staff_headcount = models.PositiveIntegerField(_("staff headcount"), default=0)
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("agency")
        verbose_name_plural = _("agencies")
        indexes = [models.Index(fields=["district", "name_search"])]


class VenueKind(models.TextChoices):
    AGENCY_OFFICE = "agency_office", _("Agency office")
    MARKET = "market", _("Market")
    SUPERMARKET = "supermarket", _("Supermarket")
    RESTAURANT = "restaurant", _("Restaurant")
    HOTEL = "hotel", _("Hotel or homestay")
    SCHOOL = "school", _("School")
    HOSPITAL = "hospital", _("Hospital or clinic")
    BUS_STATION = "bus_station", _("Bus or railway station")
    RELIGIOUS = "religious", _("Religious site")
    TOURIST = "tourist", _("Tourist site")
    OTHER = "other", _("Other")


class Venue(FoldedName):
    """A place that controls entry and exit by QR code (directive item 5)."""

    kind = models.CharField(_("type"), max_length=30, choices=VenueKind.choices)
    agency = models.ForeignKey(
        Agency,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="venues",
        verbose_name=_("owning agency"),
        help_text=_("Leave empty for a privately owned venue."),
    )
    owner_name = models.CharField(_("owner"), max_length=200, blank=True)
    owner_phone = models.CharField(_("owner phone"), max_length=20, blank=True)
    address = models.CharField(_("address"), max_length=300)
    district = models.ForeignKey(District, on_delete=models.PROTECT, related_name="venues", verbose_name=_("district"))
    commune = models.ForeignKey(
        Commune,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="venues",
        verbose_name=_("commune"),
    )
    is_active = models.BooleanField(_("active"), default=True)
    # Random key inside the venue QR's signed token (never the database id); rotating it retires
    # every printed poster at once (see RetiredVenueKey).
    qr_key = models.CharField(max_length=32, unique=True, default=new_key, editable=False)
    # Printed under the QR for phones that cannot scan (/c/<code>/ leads to the check-in); replaced with the key.
    short_code = models.CharField(_("short code"), max_length=8, unique=True, default=new_short_code, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("venue")
        verbose_name_plural = _("venues")
        indexes = [
            models.Index(fields=["district", "name_search"]),
            # The few venues switched off, for "active venues" counts that must not read every venue
            # (dashboard.selectors.drilldown; 637,533 venues in Hà Nội).
            models.Index(fields=["id"], condition=models.Q(is_active=False), name="venue_inactive"),
        ]

    @property
    def full_address(self) -> str:
        """The address with its commune and district, each once ("…, Phường Kim Tân, Thành phố Lào Cai")."""
        return place_line(self.address, self.commune.name if self.commune_id else "", self.district.name)

    @property
    def is_for_tourists(self) -> bool:
        """Posters at these venues carry English instructions as well."""
        return self.kind in {VenueKind.HOTEL, VenueKind.TOURIST}


class FacilityKind(models.TextChoices):
    HOSPITAL = "hospital", _("Hospital")
    DISTRICT_CENTRE = "district_centre", _("District medical centre")
    COMMUNE_STATION = "commune_station", _("Commune health station")
    PRIVATE_CLINIC = "private_clinic", _("Private clinic")


class TestingStatus(models.TextChoices):
    NOT_STARTED = "not_started", _("Not started")
    ACCOUNT_ISSUED = "account_issued", _("Account issued")
    TRAINED = "trained", _("Trained")
    LIVE = "live", _("Live")


class HealthFacility(FoldedName):
    kind = models.CharField(_("type"), max_length=30, choices=FacilityKind.choices)
    district = models.ForeignKey(
        District, on_delete=models.PROTECT, related_name="facilities", verbose_name=_("district")
    )
    commune = models.ForeignKey(
        Commune,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="facilities",
        verbose_name=_("commune"),
    )
    address = models.CharField(_("address"), max_length=300, blank=True)
    does_rapid_antigen = models.BooleanField(_("rapid antigen testing"), default=False)
    does_rt_pcr = models.BooleanField(_("RT-PCR testing"), default=False)
    does_vaccination = models.BooleanField(_("vaccination"), default=False)
    testing_status = models.CharField(
        _("testing platform status"),
        max_length=20,
        choices=TestingStatus.choices,
        default=TestingStatus.NOT_STARTED,
    )
    testing_first_result_on = models.DateField(_("first result on the platform"), null=True, blank=True)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("health facility")
        verbose_name_plural = _("health facilities")

    @property
    def is_testing_qualified(self) -> bool:
        return self.does_rapid_antigen or self.does_rt_pcr


class FocalOfficer(models.Model):
    """The person a district (directive 6.iv) or an agency names as its contact point.

    Notifications for the district or agency go to the primary focal officer's e-mail.
    """

    full_name = models.CharField(_("full name"), max_length=200)
    position = models.CharField(_("position"), max_length=200, blank=True)
    phone = models.CharField(_("phone"), max_length=20)
    email = models.EmailField(_("e-mail"))
    district = models.ForeignKey(
        District,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="focal_officers",
        verbose_name=_("district"),
    )
    agency = models.ForeignKey(
        Agency,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="focal_officers",
        verbose_name=_("agency"),
    )
    is_primary = models.BooleanField(_("primary contact"), default=True)

    class Meta:
        ordering = ["full_name"]
        verbose_name = _("focal officer")
        verbose_name_plural = _("focal officers")
        constraints = [
            models.CheckConstraint(
                name="focal_officer_for_district_xor_agency",
                condition=(
                    Q(district__isnull=False, agency__isnull=True) | Q(district__isnull=True, agency__isnull=False)
                ),
            )
        ]

    def __str__(self) -> str:
        return self.full_name

    @classmethod
    def of_district(cls, district: District) -> FocalOfficer | None:
        """Who a district's e-mails go to: its primary focal officer, else the first one named."""
        return cls.objects.filter(district=district).order_by("-is_primary", "pk").first()


class CheckpointKind(models.TextChoices):
    ROAD = "road", _("Road")
    RAIL = "rail", _("Railway station")
    BORDER = "border", _("Border gate")
    WATERWAY = "waterway", _("Waterway")
    AIRPORT = "airport", _("Airport")


class Checkpoint(FoldedName):
    """An interagency medical checkpoint on an entry into the province."""

    kind = models.CharField(_("type"), max_length=20, choices=CheckpointKind.choices)
    location = models.CharField(_("location"), max_length=300, help_text=_("Road and kilometre, station, gate…"))
    district = models.ForeignKey(
        District, on_delete=models.PROTECT, related_name="checkpoints", verbose_name=_("district")
    )
    commune = models.ForeignKey(
        Commune,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="checkpoints",
        verbose_name=_("commune"),
    )
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("checkpoint")
        verbose_name_plural = _("checkpoints")
