"""Contact tracing: a search for a confirmed case (F0) and the F1 candidates it found (SPEC §8).

Both are personal data (SPEC §9): deleted with the retention, by the day of the search.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from rollout.models import Checkpoint, District, Venue


class ReasonKind(models.TextChoices):
    CONFIRMED_CASE = "confirmed_case", _("Confirmed case (F0)")
    SUSPECTED_CASE = "suspected_case", _("Suspected case awaiting a test result")
    CLUSTER = "cluster", _("Investigation of a cluster")
    OTHER = "other", _("Other")


class TracingSearch(models.Model):
    """Who searched for whom, why, over which local days, and what came out.

    The timeline is kept as it was found, so reading the search later shows the same thing even after
    some of its source rows were purged.
    """

    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )  # None: the system (the management command)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    reason_kind = models.CharField(_("reason"), max_length=20, choices=ReasonKind.choices)
    reason = models.TextField(_("reason in words"))
    phone = models.CharField(_("phone"), max_length=20, blank=True)
    id_number = models.CharField(_("ID number"), max_length=12, blank=True)
    full_name = models.CharField(_("full name"), max_length=200, blank=True)
    start = models.DateField(_("from"))
    end = models.DateField(_("to"))
    timeline = models.JSONField(default=list)
    record_count = models.PositiveIntegerField(default=0)  # the F0's check-ins, arrivals, declarations
    candidate_count = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("tracing search")
        verbose_name_plural = _("tracing searches")

    def __str__(self) -> str:
        return f"#{self.pk} {self.created_at:%Y-%m-%d %H:%M}"


class CandidateSource(models.TextChoices):
    VENUE = "venue", _("Same venue")
    CHECKPOINT = "checkpoint", _("Same vehicle at a checkpoint")


class CandidateStatus(models.TextChoices):
    NEW = "new", _("Not followed up yet")
    CONTACTED = "contacted", _("Contacted")
    UNREACHABLE = "unreachable", _("Unreachable")
    HANDED_TO_DISTRICT = "handed_to_district", _("Handed to the district")
    NOT_CONTACT = "not_contact", _("Not a contact")


class Candidate(models.Model):
    """One person (several records merged) who may be an F1 of the search's F0, or an F2 through one F1.

    Ranks are unique per search: ring 1 first, each request for a second ring numbered after the last.
    """

    # Indexed by the unique (search, rank): a second index on the search alone only slowed the inserts.
    search = models.ForeignKey(TracingSearch, on_delete=models.CASCADE, related_name="candidates", db_index=False)
    rank = models.PositiveIntegerField()  # 1 = first: same vehicle, then by exposure minutes
    full_name = models.CharField(_("full name"), max_length=200)
    phone = models.CharField(_("phone"), max_length=20, blank=True)
    phones = models.JSONField(default=list)  # every phone the person's records carry
    id_number = models.CharField(_("ID number"), max_length=12, blank=True)
    # The links to master data are not checked by the database (``db_constraint=False``): a search stores
    # hundreds of rows at once, and checking three keys of each at COMMIT cost more than storing them.
    # Districts are never deleted; deleting a venue or a checkpoint through Django still clears them here.
    district = models.ForeignKey(
        District,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("district"),
        db_constraint=False,
    )
    source = models.CharField(_("source"), max_length=12, choices=CandidateSource.choices)
    venue = models.ForeignKey(
        Venue, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", db_constraint=False
    )
    checkpoint = models.ForeignKey(
        Checkpoint,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        db_index=False,
        db_constraint=False,
    )  # indexed where set (see Meta)
    place = models.CharField(_("place"), max_length=500)
    first_contact_at = models.DateTimeField(_("first contact"))
    exposure_minutes = models.PositiveIntegerField(_("exposure (minutes)"), default=0)
    same_vehicle = models.BooleanField(default=False)
    # Each contact: {"kind": "venue"|"vehicle", "place", "venue_id"|"checkpoint_id", "from", "to", "minutes"}.
    reasons = models.JSONField(default=list)
    status = models.CharField(_("status"), max_length=20, choices=CandidateStatus.choices, default=CandidateStatus.NEW)
    note = models.TextField(_("note"), blank=True)
    followed_up_at = models.DateTimeField(null=True, blank=True)
    followed_up_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", db_index=False
    )  # indexed where set (see Meta)
    # 1: met the F0 (F1); 2: met an F1 after that F1 met the F0 (F2), found on request through ``via``.
    ring = models.PositiveSmallIntegerField(_("ring"), default=1)
    via = models.ForeignKey(
        "self",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="ring2",
        verbose_name=_("through"),
        db_index=False,
    )  # indexed where set (see Meta)
    ring2_asked_at = models.DateTimeField(null=True, blank=True)  # an F1 whose contacts (F2) were asked for

    class Meta:
        ordering = ["search", "rank"]
        verbose_name = _("F1 candidate")
        verbose_name_plural = _("F1 candidates")
        constraints = [
            models.UniqueConstraint(fields=["search", "rank"], name="candidate_one_per_rank"),
            models.CheckConstraint(
                condition=models.Q(ring=1, via__isnull=True) | models.Q(ring=2, via__isnull=False),
                name="candidate_ring2_has_via",
            ),
        ]
        # A search writes hundreds of rows (thousands for a second ring) and these links are empty in most:
        # indexing only the rows that have one keeps the lookups (deleting a user, a checkpoint, an F1)
        # and spares every insert three index entries.
        indexes = [
            models.Index(
                fields=["checkpoint"], condition=models.Q(checkpoint__isnull=False), name="candidate_checkpoint"
            ),
            models.Index(
                fields=["followed_up_by"],
                condition=models.Q(followed_up_by__isnull=False),
                name="candidate_followed_up_by",
            ),
            models.Index(fields=["via"], condition=models.Q(via__isnull=False), name="candidate_via"),
        ]

    def __str__(self) -> str:
        return f"{self.search_id}#{self.rank}"


class TracingList(models.Model):
    """The candidates of one search who belong to one district, as a file for that district (SPEC §8, like
    the daily lists of §5).

    One row per (search, district): sending again after the search changed (a second ring, a candidate
    ruled out) writes a new revision with a file of its own; the row points at the newest. Files live
    under ``PRIVATE_FILES_ROOT`` and are only served through a view that checks scope. Personal data:
    purged with the search.
    """

    search = models.ForeignKey(TracingSearch, on_delete=models.CASCADE, related_name="lists")
    district = models.ForeignKey(
        District, on_delete=models.PROTECT, related_name="tracing_lists", verbose_name=_("district")
    )
    revision = models.PositiveIntegerField(_("revision"), default=0)
    rows = models.PositiveIntegerField(_("rows"), default=0)
    # The candidates on the newest revision, in rank order: sending again leaves an unchanged list alone.
    candidate_ids = models.JSONField(default=list)
    # Path relative to PRIVATE_FILES_ROOT.
    file = models.CharField(max_length=300)
    size = models.PositiveBigIntegerField(_("size (bytes)"), default=0)
    checksum = models.CharField(_("SHA-256"), max_length=64, blank=True)
    generated_at = models.DateTimeField(_("generated at"))
    emailed_at = models.DateTimeField(_("e-mailed at"), null=True, blank=True)
    # The revision the focal officer was e-mailed about (claimed before sending).
    emailed_revision = models.PositiveIntegerField(default=0)
    emailed_to = models.CharField(max_length=254, blank=True)

    class Meta:
        ordering = ["-generated_at", "district"]
        verbose_name = _("tracing list")
        verbose_name_plural = _("tracing lists")
        constraints = [
            models.UniqueConstraint(fields=["search", "district"], name="tracing_list_one_per_search_district")
        ]
        indexes = [models.Index(fields=["district", "-generated_at"])]

    def __str__(self) -> str:
        return f"{self.search_id} {self.district_id} r{self.revision}"
