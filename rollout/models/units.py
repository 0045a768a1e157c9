"""Administrative units (2021 three-level tree, General Statistics Office codes).

The GSO code is the primary key: it is stable, unique within its level and what other systems use.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from rollout.text import fold


class FoldedName(models.Model):
    """A ``name`` plus its accent-free, lower-case copy for accent-insensitive search."""

    name = models.CharField(_("name"), max_length=200)
    name_search = models.CharField(max_length=200, db_index=True, editable=False)

    class Meta:
        abstract = True

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs) -> None:
        self.name_search = fold(self.name)
        super().save(*args, **kwargs)


class DivisionType(models.TextChoices):
    CITY = "city", _("centrally-run city")
    PROVINCE = "province", _("province")
    PROVINCIAL_CITY = "provincial_city", _("provincial city")
    TOWN = "town", _("town")
    URBAN_DISTRICT = "urban_district", _("urban district")
    RURAL_DISTRICT = "rural_district", _("rural district")
    WARD = "ward", _("ward")
    TOWNSHIP = "township", _("township")
    COMMUNE = "commune", _("commune")


class Province(FoldedName):
    code = models.PositiveIntegerField(_("GSO code"), primary_key=True)
    codename = models.CharField(max_length=100, unique=True)
    division_type = models.CharField(max_length=20, choices=DivisionType.choices)
    phone_code = models.PositiveIntegerField(null=True, blank=True)

    class Meta:
        ordering = ["code"]
        verbose_name = _("province")
        verbose_name_plural = _("provinces")

    @classmethod
    def home(cls) -> Province:
        return cls.objects.get(pk=settings.HOME_PROVINCE_CODE)


class District(FoldedName):
    code = models.PositiveIntegerField(_("GSO code"), primary_key=True)
    province = models.ForeignKey(Province, on_delete=models.PROTECT, related_name="districts")
    codename = models.CharField(max_length=100)
    short_codename = models.CharField(max_length=100)
    division_type = models.CharField(max_length=20, choices=DivisionType.choices)

    class Meta:
        ordering = ["code"]
        verbose_name = _("district")
        verbose_name_plural = _("districts")


class Commune(FoldedName):
    code = models.PositiveIntegerField(_("GSO code"), primary_key=True)
    district = models.ForeignKey(District, on_delete=models.PROTECT, related_name="communes")
    codename = models.CharField(max_length=100)
    short_codename = models.CharField(max_length=100)
    division_type = models.CharField(max_length=20, choices=DivisionType.choices)

    class Meta:
        ordering = ["code"]
        verbose_name = _("commune")
        verbose_name_plural = _("communes")
