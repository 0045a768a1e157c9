"""Drafts, submissions as versions, the on-time rule, approval and return, and who may do what."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied

from reports.models import ReportReview, ReportState, ReportStatus, ReviewDecision, WeeklyReport
from reports.services.submissions import report_draft_save, report_review, report_submit
from rollout.errors import ApplicationError
from rollout.models import AuditEvent, Notification
from rollout.services.audit import Action
from tests.reports.conftest import CURRENT_WEEK, LAST_WEEK, local, values

pytestmark = pytest.mark.django_db


def test_a_draft_is_kept_but_not_sent(clock, district_officer, bat_xat):
    report = report_draft_save(
        by=district_officer, district=bat_xat, week_ending=CURRENT_WEEK, values={"venues_with_qr": 12}
    )
    assert report.status == ReportStatus.DRAFT
    assert report.state == ReportState.DRAFT
    assert report.venues_with_qr == 12 and report.pc_covid_installs is None
    assert not report.versions.exists()


def test_submitting_freezes_a_version_and_counts_on_time(send, district_officer, bat_xat, focal_officer):
    done = send(district_officer, bat_xat, LAST_WEEK, at=local(LAST_WEEK, "16:59"))
    report = done.report
    assert report.state == ReportState.ON_TIME
    assert done.version.number == 1 and not done.version.late
    assert done.version.venues_with_qr == 40
    assert done.version.focal_officer_email == "vhtt.batxat@laocai.gov.vn"
    assert "venues_with_qr" in done.version.system_figures


def test_sent_after_1700_friday_is_late(send, district_officer, bat_xat):
    done = send(district_officer, bat_xat, LAST_WEEK, at=local(LAST_WEEK, "17:01"))
    assert done.report.state == ReportState.LATE
    assert done.version.late


def test_every_submission_is_a_version_and_the_first_time_decides_timeliness(send, district_officer, bat_xat):
    send(district_officer, bat_xat, LAST_WEEK, at=local(LAST_WEEK, "10:00"), venues_inspected=6)
    done = send(district_officer, bat_xat, LAST_WEEK, at=local("2021-11-08", "09:00"), venues_inspected=9)
    report = WeeklyReport.objects.get(pk=done.report.pk)
    assert [v.number for v in report.versions.order_by("number")] == [1, 2]
    assert report.current_version.venues_inspected == 9
    assert report.first_submitted_at == local(LAST_WEEK, "10:00")
    assert report.state == ReportState.ON_TIME
    assert report.versions.get(number=2).late


def test_a_submission_needs_every_figure_and_the_confirmation_and_stores_nothing_otherwise(
    clock, district_officer, bat_xat
):
    with pytest.raises(ApplicationError) as exc:
        report_submit(
            by=district_officer,
            district=bat_xat,
            week_ending=CURRENT_WEEK,
            values=values(people_guided=None, focal_officer_confirmed=False),
        )
    assert set(exc.value.extra["fields"]) == {"people_guided", "focal_officer_confirmed"}
    assert not WeeklyReport.objects.exists()


def test_violations_cannot_exceed_venues_inspected(clock, district_officer, bat_xat):
    with pytest.raises(ApplicationError) as exc:
        report_submit(
            by=district_officer, district=bat_xat, week_ending=CURRENT_WEEK, values=values(violations_found=9)
        )
    assert "violations_found" in exc.value.extra["fields"]


def test_a_week_not_started_cannot_be_reported(clock, district_officer, bat_xat):
    from datetime import timedelta

    with pytest.raises(ApplicationError):
        report_submit(
            by=district_officer, district=bat_xat, week_ending=CURRENT_WEEK + timedelta(days=7), values=values()
        )


@pytest.mark.parametrize("persona", ["other_district_officer", "province_admin", "province_viewer", "outsider"])
def test_only_the_districts_own_officer_may_write_its_report(clock, request, persona, bat_xat):
    user = request.getfixturevalue(persona)
    with pytest.raises(PermissionDenied):
        report_submit(by=user, district=bat_xat, week_ending=LAST_WEEK, values=values())
    with pytest.raises(PermissionDenied):
        report_draft_save(by=user, district=bat_xat, week_ending=LAST_WEEK, values={})
    assert not WeeklyReport.objects.exists()


def test_returning_needs_a_comment_which_the_district_reads(
    send, district_officer, province_admin, bat_xat, django_capture_on_commit_callbacks, mailoutbox, focal_officer
):
    done = send(district_officer, bat_xat, LAST_WEEK)
    with pytest.raises(ApplicationError):
        report_review(by=province_admin, report=done.report, version_number=1, decision=ReviewDecision.RETURNED)
    with django_capture_on_commit_callbacks(execute=True):
        report_review(
            by=province_admin,
            report=done.report,
            version_number=1,
            decision=ReviewDecision.RETURNED,
            comment="Số liệu kiểm tra chưa khớp biên bản.",
        )
    report = WeeklyReport.objects.get(pk=done.report.pk)
    assert report.state == ReportState.RETURNED
    assert AuditEvent.objects.filter(action=Action.RETURN, object_id=str(report.pk)).count() == 1
    note = Notification.objects.get(user=district_officer)
    assert "Số liệu kiểm tra chưa khớp biên bản." in note.message
    assert [m.to for m in mailoutbox] == [["vhtt.batxat@laocai.gov.vn"]]
    assert "Số liệu kiểm tra chưa khớp biên bản." in mailoutbox[0].body


def test_resubmitting_after_return_adds_a_version_and_tells_the_province(
    send, district_officer, province_admin, bat_xat
):
    done = send(district_officer, bat_xat, LAST_WEEK, at=local(LAST_WEEK, "09:00"))
    report_review(by=province_admin, report=done.report, version_number=1, decision="returned", comment="Bổ sung.")
    again = send(district_officer, bat_xat, LAST_WEEK, at=local("2021-11-08", "09:00"))
    assert again.version.number == 2
    assert again.report.state == ReportState.ON_TIME  # keeps the first submission time
    assert Notification.objects.filter(user=province_admin).exists()


def test_approval_locks_the_week(send, district_officer, province_admin, bat_xat):
    done = send(district_officer, bat_xat, LAST_WEEK)
    report_review(by=province_admin, report=done.report, version_number=1, decision=ReviewDecision.APPROVED)
    assert AuditEvent.objects.filter(action=Action.APPROVAL, object_id=str(done.report.pk)).exists()
    with pytest.raises(ApplicationError, match="khóa"):
        send(district_officer, bat_xat, LAST_WEEK)
    with pytest.raises(ApplicationError):
        report_draft_save(by=district_officer, district=bat_xat, week_ending=LAST_WEEK, values={})
    assert WeeklyReport.objects.get(pk=done.report.pk).versions.count() == 1


def test_a_review_of_an_older_version_is_refused(send, district_officer, province_admin, bat_xat):
    send(district_officer, bat_xat, LAST_WEEK)
    done = send(district_officer, bat_xat, LAST_WEEK)
    with pytest.raises(ApplicationError, match="phiên bản 2"):
        report_review(by=province_admin, report=done.report, version_number=1, decision="approved")
    assert not ReportReview.objects.exists()


@pytest.mark.parametrize("persona", ["province_viewer", "district_officer", "other_district_officer", "outsider"])
def test_only_province_admins_review(send, request, persona, district_officer, bat_xat):
    done = send(district_officer, bat_xat, LAST_WEEK)
    with pytest.raises(PermissionDenied):
        report_review(by=request.getfixturevalue(persona), report=done.report, version_number=1, decision="approved")
    assert WeeklyReport.objects.get(pk=done.report.pk).status == ReportStatus.SUBMITTED


def test_saving_a_draft_after_sending_keeps_the_report_sent(send, district_officer, bat_xat):
    done = send(district_officer, bat_xat, LAST_WEEK)
    report = report_draft_save(
        by=district_officer, district=bat_xat, week_ending=LAST_WEEK, values=values(venues_inspected=5)
    )
    assert report.status == ReportStatus.SUBMITTED and report.draft_changed
    assert report.current_version_id == done.version.pk
