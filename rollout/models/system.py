"""Audit log, scheduled-job runs and in-app notifications."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class AuditEvent(models.Model):
    """Who did what, when, from where (SPEC §9). ``detail`` holds ids and counts, never personal data."""

    at = models.DateTimeField(auto_now_add=True, db_index=True)
    # Indexed with ``at`` below (a user's own history, newest first).
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        db_index=False,
    )
    # Kept so the record still says who it was after the account is deleted.
    actor_username = models.CharField(max_length=150, blank=True)
    action = models.CharField(_("action"), max_length=50)
    object_type = models.CharField(max_length=50, blank=True)
    object_id = models.CharField(max_length=64, blank=True)
    ip = models.GenericIPAddressField(null=True, blank=True)
    detail = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["-at"]
        verbose_name = _("audit event")
        verbose_name_plural = _("audit events")
        # The audit page reads newest first, filtered by one of these (a million events stay fast): each
        # filter walks its index backwards from the newest matching event and stops after one page.
        indexes = [
            models.Index(fields=["object_type", "object_id"]),
            models.Index(fields=["action", "at"], name="audit_action_at"),
            models.Index(fields=["actor_username", "at"], name="audit_username_at"),
            models.Index(fields=["object_type", "at"], name="audit_objtype_at"),
            models.Index(fields=["actor", "at"], name="audit_actor_at"),
        ]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.actor_username} {self.action}"


class JobRun(models.Model):
    """One run of a scheduled or manual job, shown on the jobs panel."""

    class Status(models.TextChoices):
        RUNNING = "running", _("Running")
        SUCCEEDED = "succeeded", _("Succeeded")
        FAILED = "failed", _("Failed")
        # Its worker stopped sending heartbeats (killed, machine lost): the work is queued again.
        INTERRUPTED = "interrupted", _("Interrupted")

    job = models.CharField(_("job"), max_length=100, db_index=True)
    params = models.JSONField(default=dict, blank=True)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.RUNNING)
    started_at = models.DateTimeField(_("started at"), auto_now_add=True, db_index=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    result = models.TextField(_("result"), blank=True)
    # A page where the job's product can be seen or downloaded (permission is checked there).
    output_url = models.CharField(max_length=300, blank=True)
    error = models.TextField(_("error"), blank=True)
    # Renewed every few seconds by the worker running it; a stale one means the worker died.
    heartbeat_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-started_at"]
        verbose_name = _("job run")
        verbose_name_plural = _("job runs")

    def __str__(self) -> str:
        return f"{self.job} {self.started_at:%Y-%m-%d %H:%M} {self.status}"

    @property
    def duration_seconds(self) -> float | None:
        if not self.finished_at:
            return None
        return (self.finished_at - self.started_at).total_seconds()


class Notification(models.Model):
    """An in-app message (reminders, new lists). E-mail copies are sent separately."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications")
    message = models.CharField(max_length=500)
    url = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["user", "read_at"])]

    def __str__(self) -> str:
        return self.message


class FollowUp(models.Model):
    """Background work recorded with the change that causes it (an e-mail, a rebuild, a bump).

    The row is written in the same transaction as the change and sent to the broker after commit; when
    the broker is unreachable it waits here and the sweep sends it later. Delivery is at least once, so
    the task claims its row first (``rollout.outbox.claim``): a duplicate message finds it taken.
    """

    class State(models.TextChoices):
        PENDING = "pending", _("Waiting")
        RUNNING = "running", _("Running")
        DONE = "done", _("Done")
        FAILED = "failed", _("Failed")

    task = models.CharField(max_length=200)
    kwargs = models.JSONField(default=dict, blank=True)
    # Coalescing key: at most one pending row per key (e.g. one rebuild per district and day).
    key = models.CharField(max_length=200, blank=True)
    state = models.CharField(max_length=10, choices=State.choices, default=State.PENDING)
    not_before = models.DateTimeField(default=timezone.now)
    created_at = models.DateTimeField(auto_now_add=True)
    dispatched_at = models.DateTimeField(null=True, blank=True)
    claimed_at = models.DateTimeField(null=True, blank=True)
    heartbeat_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveIntegerField(default=0)
    last_error = models.CharField(max_length=500, blank=True)

    class Meta:
        indexes = [models.Index(fields=["state", "not_before"])]
        constraints = [
            models.UniqueConstraint(
                fields=["key"], condition=models.Q(state="pending") & ~models.Q(key=""), name="followup_pending_key"
            )
        ]

    def __str__(self) -> str:
        return f"{self.task} #{self.pk} {self.state}"


class Heartbeat(models.Model):
    """The last sign of life of a background process: each worker process, and beat (its sweep ran)."""

    name = models.CharField(max_length=200, primary_key=True)
    seen_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"{self.name} {self.seen_at:%Y-%m-%d %H:%M:%S}"


class ImportJob(models.Model):
    """One uploaded import file (accounts, adoption figures, arrivals) from its check to its storing.

    The file waits under ``PRIVATE_FILES_ROOT`` (``file``); what the check found (the rows to show, the
    rows to store, the counts) waits in ``result`` until the uploader confirms. Large files are checked
    and stored by a worker, which moves ``rows_done`` on; the job page shows the progress. Nothing is
    stored before the confirmation; the retention purge deletes old jobs and their files.
    """

    class Status(models.TextChoices):
        QUEUED = "queued", _("Waiting for a worker")
        CHECKING = "checking", _("Checking the rows")
        READY = "ready", _("Checked: waiting for your confirmation")
        STORING = "storing", _("Storing")
        DONE = "done", _("Stored")
        FAILED = "failed", _("Refused")

    kind = models.CharField(max_length=20)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED)
    # Relative to PRIVATE_FILES_ROOT; emptied once the file is deleted.
    file = models.CharField(max_length=200, blank=True)
    file_name = models.CharField(max_length=255, blank=True)  # as uploaded, for the page
    params = models.JSONField(default=dict, blank=True)  # e.g. the checkpoint of an arrivals import
    rows_total = models.PositiveIntegerField(default=0)
    rows_done = models.PositiveIntegerField(default=0)
    background = models.BooleanField(default=False)
    message = models.TextField(blank=True)  # why the file was refused, or what storing did
    errors = models.JSONField(default=list, blank=True)  # rows with problems: number, cells and messages
    result = models.JSONField(default=dict, blank=True)  # the preview, and the rows to store on confirmation
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.kind} import #{self.pk} {self.status}"

    @property
    def running(self) -> bool:
        return self.status in (self.Status.QUEUED, self.Status.CHECKING, self.Status.STORING)

    @property
    def percent(self) -> int:
        if not self.rows_total:
            return 0
        return min(100, self.rows_done * 100 // self.rows_total)


class SyncReceipt(models.Model):
    """One record sent from a device's offline queue, by the id the device gave it: a resend (the answer
    was lost when the network dropped) finds this row and gets the first answer instead of a second row.

    A table of its own rather than a unique column on the people's tables: those will be partitioned by
    day, and a unique constraint on a partitioned table must include the day. ``object_id`` with
    ``object_at`` still finds the row after that (the partition key is the time).
    """

    key = models.CharField(max_length=64, unique=True)  # sha256 of kind, user and the device's id
    kind = models.CharField(max_length=20)
    object_id = models.BigIntegerField(null=True, blank=True)
    object_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    def __str__(self) -> str:
        return f"{self.kind} {self.object_id}"
