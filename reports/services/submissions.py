"""Writing a district's weekly report: drafts, submissions (versions), approval and return.

Who may do what is asked of ``rollout.scoping``: a district officer writes their own district's
report; only a province admin approves or returns one. An approved week is locked.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Max
from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from reports import fields, weeks
from reports.figures import district_week_figures
from reports.models import (
    ReportReview,
    ReportStatus,
    ReviewDecision,
    Rollup,
    RollupReason,
    Source,
    WeeklyReport,
    WeeklyReportVersion,
)
from reports.scoping import report_districts_for, weekly_reports_for_review
from rollout import outbox
from rollout.errors import ApplicationError
from rollout.models import District, FocalOfficer, Role, User
from rollout.services.audit import Action, audit_record
from rollout.services.notifications import notifications_send


def report_url(district_id: int, week_ending: date) -> str:
    return reverse("reports:report-detail", kwargs={"code": district_id, "week": week_ending})


def primary_focal_officer(district: District) -> FocalOfficer | None:
    return FocalOfficer.of_district(district) if district is not None else None


def district_officers(district_id: int):
    return User.objects.filter(
        is_active=True, role_assignments__role=Role.DISTRICT_OFFICER, role_assignments__district_id=district_id
    ).distinct()


def _check_can_write(by: User, district: District, week_ending: date) -> None:
    if not report_districts_for(by, for_change=True).filter(pk=district.pk).exists():
        raise PermissionDenied
    if not weeks.is_week_ending(week_ending):
        raise ApplicationError(_("A reporting week is named by its Friday."))
    if not weeks.has_started(week_ending):
        raise ApplicationError(_("This reporting week has not started yet."))


def _values(raw: dict) -> dict:
    """Only the report's own keys; texts trimmed."""
    values = {key: raw.get(key) for key in fields.NUMBER_KEYS}
    values |= {key: (raw.get(key) or "").strip() for key in fields.TEXT_KEYS}
    values[fields.CONFIRM_KEY] = bool(raw.get(fields.CONFIRM_KEY))
    return values


def _invalid(problems: dict[str, str]) -> ApplicationError:
    return ApplicationError(_("The report has problems; nothing was saved."), {"fields": problems})


def report_draft_save(*, by: User, district: District, week_ending: date, values: dict) -> WeeklyReport:
    """Keep the district's working copy. A report already sent stays sent until it is sent again."""
    _check_can_write(by, district, week_ending)
    values = _values(values)
    problems = fields.check_values(values, complete=False)
    if problems:
        raise _invalid(problems)
    with transaction.atomic():
        report, _created = WeeklyReport.objects.select_for_update().get_or_create(
            district=district, week_ending=week_ending
        )
        if report.is_locked:
            raise ApplicationError(_("This report has been approved and is locked."))
        for key, value in values.items():
            setattr(report, key, value)
        report.draft_changed = report.current_version_id is not None
        report.updated_by = by
        report.save()
    return report


@dataclass
class Submission:
    report: WeeklyReport
    version: WeeklyReportVersion

    @property
    def on_time(self) -> bool:
        return bool(self.report.on_time)


def report_submit(
    *,
    by: User,
    district: District,
    week_ending: date,
    values: dict,
    source: str = Source.WEB,
    request: HttpRequest | None = None,
) -> Submission:
    """Send the report: a new version, frozen with the figures the system knows now.

    All or nothing: a report that does not validate stores nothing (not even a draft).
    """
    _check_can_write(by, district, week_ending)
    values = _values(values)
    problems = fields.check_values(values, complete=True)
    if problems:
        raise _invalid(problems)
    # Reads before the transaction: keep the row lock short.
    system = district_week_figures(week_ending, [district.pk])[district.pk]
    officer = primary_focal_officer(district)
    with transaction.atomic():
        report, _created = WeeklyReport.objects.select_for_update().get_or_create(
            district=district, week_ending=week_ending
        )
        if report.is_locked:
            raise ApplicationError(_("This report has been approved and is locked."))
        was_returned = report.status == ReportStatus.RETURNED
        now = timezone.now()
        number = (report.versions.aggregate(n=Max("number"))["n"] or 0) + 1
        version = WeeklyReportVersion.objects.create(
            report=report,
            number=number,
            source=source,
            submitted_at=now,
            submitted_by=by,
            late=not weeks.is_on_time(now, week_ending),
            focal_officer_name=officer.full_name if officer else "",
            focal_officer_phone=officer.phone if officer else "",
            focal_officer_email=officer.email if officer else "",
            system_figures=system.as_dict(),
            **values,
        )
        for key, value in values.items():
            setattr(report, key, value)
        report.status = ReportStatus.SUBMITTED
        report.current_version = version
        report.first_submitted_at = report.first_submitted_at or now
        report.submitted_at = now
        report.draft_changed = False
        report.updated_by = by
        report.save()
        if was_returned:
            admins = User.objects.filter(is_active=True, role_assignments__role=Role.PROVINCE_ADMIN).distinct()
            notifications_send(
                admins,
                message=_("%(district)s sent again its weekly report for the week ending %(week)s.")
                % {"district": district.name, "week": f"{week_ending:%d/%m/%Y}"},
                url=report_url(district.pk, week_ending),
            )
        if version.late:
            _rebuild_rollup_after_commit(week_ending, RollupReason.LATE_REPORT)
    return Submission(report=report, version=version)


def _rebuild_rollup_after_commit(week_ending: date, reason: str) -> None:
    """A late report or an approval changes a roll-up already built: queue a new revision.

    Before the week's first roll-up, nothing is queued: the scheduled build will include it.
    """
    if not Rollup.objects.filter(week_ending=week_ending, status=Rollup.Status.READY).exists():
        return
    outbox.enqueue(
        "reports.tasks.weekly_rollup_build_task",
        key=f"rollup:{week_ending.isoformat()}",
        week_ending=week_ending.isoformat(),
        reason=reason,
    )


def report_review(
    *,
    by: User,
    report: WeeklyReport,
    version_number: int,
    decision: str,
    comment: str = "",
    request: HttpRequest | None = None,
) -> ReportReview:
    """Approve (locks the week) or return (the district reads the comment and sends again)."""
    if not weekly_reports_for_review(by).filter(pk=report.pk).exists():
        raise PermissionDenied
    if decision not in ReviewDecision.values:
        raise ApplicationError(_("Choose to approve or to return the report."))
    comment = (comment or "").strip()
    if decision == ReviewDecision.RETURNED and not comment:
        raise ApplicationError(
            _("Say why the report is returned: the district reads this comment."),
            {"fields": {"comment": [_("Required when returning a report.")]}},
        )
    if len(comment) > fields.MAX_TEXT:
        raise ApplicationError(_("The comment is too long."))
    with transaction.atomic():
        # Lock the report row alone (PostgreSQL cannot lock the nullable side of a join).
        report = WeeklyReport.objects.select_for_update().get(pk=report.pk)
        if report.status != ReportStatus.SUBMITTED or report.current_version is None:
            raise ApplicationError(_("Only a report that is waiting for review can be approved or returned."))
        if report.current_version.number != version_number:
            raise ApplicationError(
                _("The district has sent a newer version (version %(n)s) since you opened the page. Review that one.")
                % {"n": report.current_version.number}
            )
        approved = decision == ReviewDecision.APPROVED
        report.status = ReportStatus.APPROVED if approved else ReportStatus.RETURNED
        report.save(update_fields=["status", "updated_at"])
        review = ReportReview.objects.create(
            report=report, version=report.current_version, decision=decision, comment=comment, reviewed_by=by
        )
        audit_record(
            Action.APPROVAL if approved else Action.RETURN,
            request=request,
            actor=by,
            obj=report,
            detail={"district": report.district_id, "week": report.week_ending.isoformat(), "version": version_number},
        )
        week = f"{report.week_ending:%d/%m/%Y}"
        message = (
            _("Your weekly report for the week ending %(week)s was approved.")
            if approved
            else _("Your weekly report for the week ending %(week)s was returned: %(comment)s")
        ) % {"week": week, "comment": comment}
        url = report_url(report.district_id, report.week_ending)
        notifications_send(district_officers(report.district_id), message=message, url=url)
        if approved:
            _rebuild_rollup_after_commit(report.week_ending, RollupReason.APPROVAL)
        else:
            outbox.enqueue("reports.tasks.report_returned_email_task", review_id=review.pk)
    return review


def report_returned_email(*, review_id: int) -> bool:
    """E-mail the district's focal officer why the report came back. Runs in the worker."""
    from django.conf import settings

    from rollout.services.mail import email_send

    review = ReportReview.objects.select_related("report__district").filter(pk=review_id).first()
    if review is None or review.decision != ReviewDecision.RETURNED:
        return False
    officer = primary_focal_officer(review.report.district)
    if officer is None or not officer.email:
        return False
    email_send(
        "weekly_report_returned",
        to=[officer.email],
        context={
            "review": review,
            "report": review.report,
            "district": review.report.district,
            "week_label": weeks.week_label(review.report.week_ending),
            "link": settings.SITE_URL + report_url(review.report.district_id, review.report.week_ending),
        },
    )
    return True
