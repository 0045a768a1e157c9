"""Weekly district reports and the provincial roll-up (SPEC §6).

- ``WeeklyReport``: one per district and week. Holds the district's working copy (a draft, or what it
  is preparing to send again) and the review state. Every submission is frozen as a
  ``WeeklyReportVersion``; every approval or return is a ``ReportReview`` with its comment.
- ``Rollup``: one provincial workbook revision for a week; a late report or an approval adds a revision.
- ``ReminderLog``: claims "district X was reminded on day D" (unique), so reminders go at most once a day.
- ``DistrictReportSetting``: per-district switches (reminders on or off).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from reports import weeks
from reports.fields import ALL_KEYS, MAX_TEXT, by_key
from rollout.models import District


class ReportStatus(models.TextChoices):
    """The stored workflow state. What users see (on time, late…) is ``ReportState``."""

    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", _("Submitted")
    RETURNED = "returned", _("Returned")
    APPROVED = "approved", _("Approved")


class ReportState(models.TextChoices):
    """A district's state for a week, as shown in lists, the grid and the API."""

    NOT_STARTED = "not_started", _("Not started yet")
    DRAFT = "draft", _("Draft")
    ON_TIME = "on_time", _("Submitted on time")
    LATE = "late", _("Submitted late")
    RETURNED = "returned", _("Returned")
    APPROVED = "approved", _("Approved")


class Timeliness(models.TextChoices):
    ON_TIME = "on_time", _("On time")
    LATE = "late", _("Late")
    MISSING = "missing", _("Missing")


class Source(models.TextChoices):
    WEB = "web", _("Web form")
    XLSX = "xlsx", _("XLSX template")


def _number(key: str) -> models.PositiveIntegerField:
    figure = by_key(key)
    return models.PositiveIntegerField(figure.label, null=True, blank=True, help_text=figure.help)


def _text(key: str) -> models.TextField:
    return models.TextField(by_key(key).label, blank=True, max_length=MAX_TEXT)


class ReportFields(models.Model):
    """The figures and texts a district reports, as listed in ``reports.fields`` (blank in a draft)."""

    agencies_with_qr = _number("agencies_with_qr")
    venues_with_qr = _number("venues_with_qr")
    venues_inspected = _number("venues_inspected")
    violations_found = _number("violations_found")
    sanctions_imposed = _number("sanctions_imposed")
    communication_sessions = _number("communication_sessions")
    people_guided = _number("people_guided")
    pc_covid_installs = _number("pc_covid_installs")
    health_book_installs = _number("health_book_installs")
    vneid_installs = _number("vneid_installs")
    difficulties = _text("difficulties")
    proposals = _text("proposals")
    focal_officer_confirmed = models.BooleanField(_("focal officer confirmed"), default=False)

    class Meta:
        abstract = True

    def values(self) -> dict:
        return {key: getattr(self, key) for key in ALL_KEYS}


class WeeklyReport(ReportFields):
    district = models.ForeignKey(
        District, on_delete=models.PROTECT, related_name="weekly_reports", verbose_name=_("district")
    )
    week_ending = models.DateField(_("week ending"), db_index=True)
    status = models.CharField(_("status"), max_length=20, choices=ReportStatus.choices, default=ReportStatus.DRAFT)
    # The working copy differs from the latest submitted version (saved, not yet sent again).
    draft_changed = models.BooleanField(default=False)
    current_version = models.ForeignKey(
        "WeeklyReportVersion", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    first_submitted_at = models.DateTimeField(_("first submitted at"), null=True, blank=True)
    submitted_at = models.DateTimeField(_("last submitted at"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["-week_ending", "district_id"]
        verbose_name = _("weekly report")
        verbose_name_plural = _("weekly reports")
        constraints = [
            models.UniqueConstraint(fields=["district", "week_ending"], name="weekly_report_one_per_district_week"),
            models.CheckConstraint(
                name="weekly_report_submitted_has_time",
                condition=models.Q(status=ReportStatus.DRAFT) | models.Q(first_submitted_at__isnull=False),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.district} {self.week_ending:%d/%m/%Y}"

    @property
    def state(self) -> str:
        return report_state(self)

    @property
    def on_time(self) -> bool | None:
        if self.first_submitted_at is None:
            return None
        return weeks.is_on_time(self.first_submitted_at, self.week_ending)

    @property
    def timeliness(self) -> str:
        if self.on_time is None:
            return Timeliness.MISSING
        return Timeliness.ON_TIME if self.on_time else Timeliness.LATE

    @property
    def is_locked(self) -> bool:
        return self.status == ReportStatus.APPROVED


def report_state(report: WeeklyReport | None) -> str:
    """The six states (SPEC §6) from the stored status and the on-time rule."""
    if report is None:
        return ReportState.NOT_STARTED
    if report.status == ReportStatus.DRAFT:
        return ReportState.DRAFT
    if report.status == ReportStatus.RETURNED:
        return ReportState.RETURNED
    if report.status == ReportStatus.APPROVED:
        return ReportState.APPROVED
    return ReportState.ON_TIME if report.on_time else ReportState.LATE


class WeeklyReportVersion(ReportFields):
    """One submission, frozen: what was sent, when, by whom, and what the system knew then."""

    report = models.ForeignKey(WeeklyReport, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField(_("version"))
    source = models.CharField(_("sent by"), max_length=10, choices=Source.choices)
    submitted_at = models.DateTimeField(_("submitted at"))
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    late = models.BooleanField(_("sent after the deadline"), default=False)
    # The district's focal officer as confirmed with this version (directive 6.iv).
    focal_officer_name = models.CharField(max_length=200, blank=True)
    focal_officer_phone = models.CharField(max_length=20, blank=True)
    focal_officer_email = models.CharField(max_length=254, blank=True)
    system_figures = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["report_id", "-number"]
        verbose_name = _("report version")
        verbose_name_plural = _("report versions")
        constraints = [models.UniqueConstraint(fields=["report", "number"], name="report_version_unique_number")]

    def __str__(self) -> str:
        return f"{self.report} v{self.number}"


class ReviewDecision(models.TextChoices):
    APPROVED = "approved", _("Approved")
    RETURNED = "returned", _("Returned")


class ReportReview(models.Model):
    """A province admin's decision on one version, with the comment the district reads."""

    report = models.ForeignKey(WeeklyReport, on_delete=models.CASCADE, related_name="reviews")
    version = models.ForeignKey(WeeklyReportVersion, on_delete=models.CASCADE, related_name="reviews")
    decision = models.CharField(_("decision"), max_length=10, choices=ReviewDecision.choices)
    comment = models.TextField(_("comment"), blank=True, max_length=MAX_TEXT)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    reviewed_at = models.DateTimeField(_("reviewed at"), auto_now_add=True)

    class Meta:
        ordering = ["-reviewed_at", "-pk"]
        verbose_name = _("report review")
        verbose_name_plural = _("report reviews")

    def __str__(self) -> str:
        return f"{self.report} {self.decision}"


class DistrictReportSetting(models.Model):
    district = models.OneToOneField(District, on_delete=models.CASCADE, primary_key=True, related_name="report_setting")
    reminders_enabled = models.BooleanField(_("send reminders"), default=True)
    updated_at = models.DateTimeField(auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("district report setting")
        verbose_name_plural = _("district report settings")

    def __str__(self) -> str:
        return str(self.district)


class ReminderLog(models.Model):
    """A district reminded on a local day. The unique row is the claim: a second run finds it taken."""

    district = models.ForeignKey(District, on_delete=models.CASCADE, related_name="+")
    day = models.DateField()
    week_ending = models.DateField()
    created_at = models.DateTimeField(auto_now_add=True)
    notified_users = models.PositiveIntegerField(default=0)
    emailed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-day", "district_id"]
        constraints = [models.UniqueConstraint(fields=["district", "day"], name="reminder_once_per_district_day")]

    def __str__(self) -> str:
        return f"{self.district_id} {self.day:%Y-%m-%d}"


class RollupReason(models.TextChoices):
    SCHEDULED = "scheduled", _("Scheduled (Friday)")
    LATE_REPORT = "late_report", _("Late report")
    APPROVAL = "approval", _("Approval")
    MANUAL = "manual", _("Built by hand")


class Rollup(models.Model):
    """One revision of the provincial workbook for a week; every revision is kept."""

    class Status(models.TextChoices):
        BUILDING = "building", _("Building")
        READY = "ready", _("Ready")
        FAILED = "failed", _("Failed")

    week_ending = models.DateField(_("week ending"), db_index=True)
    revision = models.PositiveIntegerField(_("revision"))
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.BUILDING)
    reason = models.CharField(_("reason"), max_length=20, choices=RollupReason.choices)
    created_at = models.DateTimeField(_("built at"), auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    built_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    file_path = models.CharField(max_length=300, blank=True)  # relative to PRIVATE_FILES_ROOT
    rows = models.PositiveIntegerField(_("number of districts"), default=0)
    # What the revision was built from (report versions and states); an unchanged week is not rebuilt.
    fingerprint = models.CharField(max_length=64, blank=True)
    summary = models.JSONField(default=dict, blank=True)
    # The system figures as built; later revisions keep the larger counts of personal-data figures
    # (check-ins, arrivals), which shrink once the retention job deletes the rows behind them.
    system_figures = models.JSONField(default=dict, blank=True)
    error = models.TextField(blank=True)

    class Meta:
        ordering = ["-week_ending", "-revision"]
        verbose_name = _("roll-up")
        verbose_name_plural = _("roll-ups")
        constraints = [models.UniqueConstraint(fields=["week_ending", "revision"], name="rollup_unique_revision")]

    def __str__(self) -> str:
        return f"{self.week_ending:%d/%m/%Y} r{self.revision}"

    @property
    def filename(self) -> str:
        return f"tong-hop-bao-cao-tuan-{self.week_ending:%Y-%m-%d}-lan-{self.revision}.xlsx"


class ReportDocument(models.Model):
    """The week's report of Sở TT&TT to the Provincial People's Committee as an administrative document
    (Decree 30/2020/NĐ-CP): DOCX and PDF, the roll-up workbook as its appendix. Each edit of its free-text
    parts is a ``ReportDocumentRevision``, every one kept; once final, nothing changes any more."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        FINAL = "final", _("Final")

    week_ending = models.DateField(_("week ending"), unique=True)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.DRAFT)
    finalized_at = models.DateTimeField(_("made final at"), null=True, blank=True)
    finalized_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-week_ending"]
        verbose_name = _("weekly report document")
        verbose_name_plural = _("weekly report documents")
        constraints = [
            models.CheckConstraint(
                name="report_document_final_has_time",
                condition=models.Q(status="draft") | models.Q(finalized_at__isnull=False),
            )
        ]

    def __str__(self) -> str:
        return f"{self.week_ending:%d/%m/%Y}"

    @property
    def is_final(self) -> bool:
        return self.status == self.Status.FINAL


class ReportDocumentRevision(models.Model):
    """One version of the document's free-text parts, and the DOCX/PDF built from it in the background."""

    class Build(models.TextChoices):
        QUEUED = "queued", _("Waiting to be built")
        BUILDING = "building", _("Building")
        READY = "ready", _("Ready")
        FAILED = "failed", _("Failed")

    document = models.ForeignKey(ReportDocument, on_delete=models.CASCADE, related_name="revisions")
    number = models.PositiveIntegerField(_("revision"))
    # The document's number in "Số: <number>/BC-STTTT"; blank until the office gives one.
    doc_number = models.CharField(_("document number"), max_length=20, blank=True)
    intro = models.TextField(_("introduction"), max_length=MAX_TEXT)
    assessment = models.TextField(_("assessment"), blank=True, max_length=MAX_TEXT)
    proposals = models.TextField(_("proposals to the Provincial People's Committee"), blank=True, max_length=MAX_TEXT)
    recipients = models.TextField(_("recipients"), max_length=2000)
    signer_title = models.CharField(_("signer's title"), max_length=200)
    signer_name = models.CharField(_("signer's name"), max_length=200, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(_("saved at"), auto_now_add=True)
    # The roll-up revision the document names as its appendix (the latest ready one when built).
    rollup = models.ForeignKey(Rollup, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    build_status = models.CharField(max_length=10, choices=Build.choices, default=Build.QUEUED)
    built_at = models.DateTimeField(null=True, blank=True)
    docx_path = models.CharField(max_length=300, blank=True)  # relative to PRIVATE_FILES_ROOT
    pdf_path = models.CharField(max_length=300, blank=True)
    error = models.TextField(blank=True)

    class Meta:
        ordering = ["document_id", "-number"]
        verbose_name = _("report document revision")
        verbose_name_plural = _("report document revisions")
        constraints = [
            models.UniqueConstraint(fields=["document", "number"], name="report_document_revision_unique_number")
        ]

    def __str__(self) -> str:
        return f"{self.document} v{self.number}"

    def filename(self, extension: str) -> str:
        return f"bao-cao-tuan-{self.document.week_ending:%Y-%m-%d}-lan-{self.number}.{extension}"

    def free_text(self) -> dict[str, str]:
        return {name: getattr(self, name) for name in DOCUMENT_TEXT_FIELDS}


# The parts of the document the province admin writes (everything else comes from the data).
DOCUMENT_TEXT_FIELDS = ("doc_number", "intro", "assessment", "proposals", "recipients", "signer_title", "signer_name")
