"""Checkpoints, declarations and arrivals (SPEC §4).

Declarations and arrivals are personal data (SPEC §9): deleted after the retention period.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from rollout.models import Checkpoint, Commune, District, Province
from rollout.models.people import FoldedPersonName, FoldedPersonNameQuerySet, LocalDayPartitioned, LocalDayQuerySet


class Vehicle(models.TextChoices):
    CAR = "car", _("Car")
    MOTORBIKE = "motorbike", _("Motorbike")
    COACH = "coach", _("Coach or bus")
    TRUCK = "truck", _("Truck")
    TRAIN = "train", _("Train")
    PLANE = "plane", _("Plane")
    OTHER = "other", _("Other")


class TestKind(models.TextChoices):
    NONE = "none", _("None")
    RAPID = "rapid", _("Rapid antigen")
    PCR = "pcr", _("RT-PCR")


class PcCovid(models.TextChoices):
    """Whether the traveller had PC-Covid on arrival, or installed it at the checkpoint (directive 4.ii)."""

    UNKNOWN = "", _("Not asked")
    HAD = "had", _("Already had PC-Covid")
    INSTALLED = "installed", _("Installed at the checkpoint with guidance")
    NO_SMARTPHONE = "no_smartphone", _("No smartphone")


class TestResult(models.TextChoices):
    NONE = "", _("—")
    NEGATIVE = "negative", _("Negative")
    POSITIVE = "positive", _("Positive")
    PENDING = "pending", _("Pending")


class TravelFields(FoldedPersonName):
    """Who is travelling, from where to where: shared by declarations and arrivals."""

    full_name = models.CharField(_("full name"), max_length=200)
    phone = models.CharField(_("phone"), max_length=20, blank=True)
    id_number = models.CharField(_("ID number"), max_length=12, blank=True)
    birth_year = models.PositiveSmallIntegerField(_("year of birth"), null=True, blank=True)
    origin_province = models.ForeignKey(
        Province, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("from province")
    )
    origin_district = models.ForeignKey(
        District, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("from district")
    )
    origin_commune = models.ForeignKey(
        Commune, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("from commune")
    )
    destination_district = models.ForeignKey(
        District, on_delete=models.PROTECT, related_name="+", verbose_name=_("destination district")
    )
    destination_commune = models.ForeignKey(
        Commune,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("destination commune"),
    )
    destination_address = models.CharField(_("address at destination"), max_length=300, blank=True)
    vehicle = models.CharField(_("vehicle"), max_length=20, choices=Vehicle.choices, blank=True)
    plate = models.CharField(_("number plate"), max_length=20, blank=True)
    purpose = models.CharField(_("purpose"), max_length=300, blank=True)
    vaccine_doses = models.PositiveSmallIntegerField(_("vaccine doses"), default=0)
    last_dose_on = models.DateField(_("last dose date"), null=True, blank=True)
    latest_test = models.CharField(_("latest test"), max_length=10, choices=TestKind.choices, default=TestKind.NONE)
    latest_test_result = models.CharField(
        _("latest test result"), max_length=10, choices=TestResult.choices, blank=True
    )
    latest_test_on = models.DateField(_("latest test date"), null=True, blank=True)
    symptoms = models.CharField(_("symptoms"), max_length=300, blank=True)

    objects = FoldedPersonNameQuerySet.as_manager()

    class Meta:
        abstract = True


class DeclarationKind(models.TextChoices):
    HEALTH = "health", _("Health declaration")
    TRAVEL = "travel", _("Domestic travel declaration")


class Declaration(TravelFields):
    kind = models.CharField(_("kind"), max_length=10, choices=DeclarationKind.choices)
    travel_date = models.DateField(_("travel date"), null=True, blank=True)
    contact_with_case = models.BooleanField(_("contact with a confirmed case in 14 days"), default=False)
    # Random part of the personal QR's signed token; never the database id.
    token = models.CharField(max_length=32, unique=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("declaration")
        verbose_name_plural = _("declarations")
        # Contact tracing finds a person's declarations by phone or ID number.
        indexes = [models.Index(fields=["phone"]), models.Index(fields=["id_number"])]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} #{self.pk}"


class Arrival(LocalDayPartitioned, TravelFields):
    DAY_OF = "arrived_at"

    checkpoint = models.ForeignKey(
        Checkpoint, on_delete=models.PROTECT, related_name="arrivals", verbose_name=_("checkpoint")
    )
    arrived_at = models.DateTimeField(_("arrived at"))
    temperature = models.DecimalField(_("temperature (°C)"), max_digits=3, decimal_places=1, null=True, blank=True)
    test_at_checkpoint = models.CharField(
        _("test at the checkpoint"), max_length=10, choices=TestKind.choices, default=TestKind.NONE
    )
    test_at_checkpoint_result = models.CharField(
        _("checkpoint test result"), max_length=10, choices=TestResult.choices, blank=True
    )
    notes = models.TextField(_("notes"), blank=True)
    pc_covid = models.CharField(_("PC-Covid"), max_length=16, choices=PcCovid.choices, blank=True, default="")
    declaration = models.ForeignKey(
        Declaration, on_delete=models.SET_NULL, null=True, blank=True, related_name="arrivals"
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    # A likely duplicate (same ID or phone, same checkpoint, within an hour) kept after confirmation.
    # Not enforced by the database: PostgreSQL partitions arrivals by day, and the purge drops a day's
    # partition after clearing the links into it (``rollout.partitions``).
    possible_duplicate_of = models.ForeignKey(
        "self", on_delete=models.SET_NULL, null=True, blank=True, related_name="+", db_constraint=False
    )
    # Idempotent bulk import: a hash of the source row; the same row imported again is skipped. On
    # PostgreSQL the unique key is (import_key, day): the same row has the same arrival time, so the same day.
    import_key = models.CharField(max_length=64, null=True, blank=True, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = LocalDayQuerySet.as_manager()

    class Meta:
        ordering = ["-arrived_at"]
        verbose_name = _("arrival")
        verbose_name_plural = _("arrivals")
        indexes = [
            models.Index(fields=["destination_district", "arrived_at"]),
            models.Index(fields=["checkpoint", "arrived_at"]),
            models.Index(fields=["arrived_at"]),
            models.Index(fields=["phone"]),
            models.Index(fields=["id_number"]),
        ]

    def __str__(self) -> str:
        return f"{self.checkpoint_id} @ {self.arrived_at:%Y-%m-%d %H:%M}"


class DailyList(models.Model):
    """One district's list of the people who arrived bound for it on one local day (SPEC §5).

    One row per (district, day): re-running the day writes a new revision that replaces the file.
    The file lives under ``PRIVATE_FILES_ROOT`` and is only served through a view that checks scope.
    """

    district = models.ForeignKey(
        District, on_delete=models.PROTECT, related_name="daily_lists", verbose_name=_("district")
    )
    day = models.DateField(_("day"))
    revision = models.PositiveIntegerField(_("revision"), default=0)
    rows = models.PositiveIntegerField(_("rows"), default=0)
    size = models.PositiveBigIntegerField(_("size (bytes)"), default=0)
    checksum = models.CharField(_("SHA-256"), max_length=64, blank=True)
    # Path relative to PRIVATE_FILES_ROOT.
    file = models.CharField(max_length=300)
    generated_at = models.DateTimeField(_("generated at"))
    emailed_at = models.DateTimeField(_("e-mailed at"), null=True, blank=True)
    # The revision the focal officer was e-mailed about (claimed before sending).
    emailed_revision = models.PositiveIntegerField(default=0)
    emailed_to = models.CharField(max_length=254, blank=True)

    class Meta:
        ordering = ["-day", "district"]
        verbose_name = _("daily list")
        verbose_name_plural = _("daily lists")
        constraints = [models.UniqueConstraint(fields=["district", "day"], name="daily_list_one_per_district_day")]
        indexes = [models.Index(fields=["day"])]

    def __str__(self) -> str:
        return f"{self.district_id} {self.day:%Y-%m-%d} r{self.revision}"
