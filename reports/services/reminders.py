"""Reminders to districts that have not sent this week's report (SPEC §6): in-app and e-mail.

At most one reminder per district per local day: the ``ReminderLog`` row for (district, day) is
claimed first (unique constraint); a second run, a retried task or a second beat finds it taken and
sends nothing. The in-app notifications are written in the same transaction as the claim; the e-mail
is a separate task queued after commit, retried on SMTP errors, and marked sent once it went.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from django.conf import settings
from django.db import transaction
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from reports import weeks
from reports.models import DistrictReportSetting, ReminderLog, ReportStatus, WeeklyReport
from reports.services.submissions import district_officers, primary_focal_officer, report_url
from rollout import outbox
from rollout.models import District, User
from rollout.permissions import can
from rollout.services.jobs import job_run
from rollout.services.mail import email_send
from rollout.services.notifications import notifications_send
from rollout.timeutils import local_now

# A week counts as sent for reminders once it is submitted (waiting for review) or approved.
SENT = (ReportStatus.SUBMITTED, ReportStatus.APPROVED)


@dataclass
class ReminderRun:
    reminded: list[int] = field(default_factory=list)  # district codes
    skipped_already: list[int] = field(default_factory=list)
    skipped_disabled: list[int] = field(default_factory=list)


def districts_needing_reminder(week_ending) -> list[District]:
    """Home-province districts without a sent report for the week, reminders on."""
    sent = WeeklyReport.objects.filter(week_ending=week_ending, status__in=SENT).values("district")
    return list(District.objects.filter(province_id=settings.HOME_PROVINCE_CODE).exclude(pk__in=sent).order_by("code"))


def weekly_reminders_send(*, now: datetime | None = None) -> ReminderRun:
    now = now or local_now()
    day = now.date()
    week = weeks.week_ending_for(day)
    disabled = set(DistrictReportSetting.objects.filter(reminders_enabled=False).values_list("district", flat=True))
    run = ReminderRun()
    with job_run("weekly_report_reminders", day=day.isoformat(), week_ending=week.isoformat()) as job:
        for district in districts_needing_reminder(week):
            if district.pk in disabled:
                run.skipped_disabled.append(district.pk)
            elif _remind(district, day, week):
                run.reminded.append(district.pk)
            else:
                run.skipped_already.append(district.pk)
        job.result = _(
            "%(reminded)s districts reminded, %(already)s already reminded today, %(off)s with reminders off"
        ) % {"reminded": len(run.reminded), "already": len(run.skipped_already), "off": len(run.skipped_disabled)}
    return run


def reminder_message(district: District, week_ending, *, returned: bool) -> str:
    context = {
        "district": district.name,
        "label": weeks.week_label(week_ending),
        "due": formats.date_format(timezone.localtime(weeks.due_at(week_ending)), "H:i d/m/Y"),
    }
    if returned:
        return (
            _(
                "Reminder: the weekly report of %(district)s for the week %(label)s was returned; "
                "send it again by %(due)s."
            )
            % context
        )
    return _("Reminder: the weekly report of %(district)s for the week %(label)s is due by %(due)s.") % context


def _remind(district: District, day, week) -> bool:
    """Claim (district, day) and notify; False when the claim was already taken."""
    returned = WeeklyReport.objects.filter(district=district, week_ending=week, status=ReportStatus.RETURNED).exists()
    with transaction.atomic():
        log, created = ReminderLog.objects.get_or_create(district=district, day=day, defaults={"week_ending": week})
        if not created:
            return False
        log.notified_users = notifications_send(
            district_officers(district.pk),
            message=reminder_message(district, week, returned=returned),
            url=report_url(district.pk, week),
        )
        log.save(update_fields=["notified_users"])
        outbox.enqueue("reports.tasks.reminder_email_send_task", reminder_id=log.pk)
    return True


def reminder_email_send(*, reminder_id: int) -> bool:
    """E-mail the district's primary focal officer. Runs in the worker, outside any transaction."""
    log = ReminderLog.objects.select_related("district").filter(pk=reminder_id).first()
    if log is None or log.emailed_at is not None:
        return False
    if WeeklyReport.objects.filter(district=log.district, week_ending=log.week_ending, status__in=SENT).exists():
        return False  # sent in the meantime
    officer = primary_focal_officer(log.district)
    if officer is None or not officer.email:
        return False
    returned = WeeklyReport.objects.filter(
        district=log.district, week_ending=log.week_ending, status=ReportStatus.RETURNED
    ).exists()
    email_send(
        "weekly_report_reminder",
        to=[officer.email],
        context={
            "officer": officer,
            "district": log.district,
            "week_label": weeks.week_label(log.week_ending),
            "due": formats.date_format(timezone.localtime(weeks.due_at(log.week_ending)), "H:i d/m/Y"),
            "returned": returned,
            "link": settings.SITE_URL + report_url(log.district_id, log.week_ending),
            "rule": weeks.timeliness_rule_text(log.week_ending),
        },
    )
    ReminderLog.objects.filter(pk=log.pk, emailed_at__isnull=True).update(emailed_at=timezone.now())
    return True


def reminders_set(*, by: User, district: District, enabled: bool) -> DistrictReportSetting:
    """Switch a district's reminders on or off (province admins)."""
    from django.core.exceptions import PermissionDenied

    if not can(by, "reports.reminders"):
        raise PermissionDenied
    setting, _created = DistrictReportSetting.objects.update_or_create(
        district=district, defaults={"reminders_enabled": enabled, "updated_by": by}
    )
    return setting
