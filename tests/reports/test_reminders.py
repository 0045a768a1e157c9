"""Thursday and Friday morning reminders go to districts that have not sent the week's report, once a day."""

from __future__ import annotations

import pytest
from django.conf import settings

from reports.models import DistrictReportSetting, ReminderLog
from reports.services.reminders import reminder_email_send
from reports.services.submissions import report_review
from reports.tasks import weekly_reminders_send_task
from rollout.models import FocalOfficer, JobRun, Notification
from tests.factories import district
from tests.reports.conftest import CURRENT_WEEK, local

pytestmark = pytest.mark.django_db
THURSDAY = local("2021-11-11", "08:00")
FRIDAY = local("2021-11-12", "08:00")


@pytest.fixture
def situation(send, district_officer, other_district_officer, province_admin, bat_xat, sa_pa, focal_officer):
    """Bát Xát has sent; Sa Pa sent but was returned; Si Ma Cai switched reminders off; the rest sent nothing."""
    FocalOfficer.objects.create(
        full_name="Tẩn Láo Mẩy", phone="0912000222", email="vhtt.sapa@laocai.gov.vn", district=sa_pa
    )
    send(district_officer, bat_xat, CURRENT_WEEK, at=local("2021-11-10", "15:00"))
    returned = send(other_district_officer, sa_pa, CURRENT_WEEK, at=local("2021-11-10", "16:00"))
    report_review(by=province_admin, report=returned.report, version_number=1, decision="returned", comment="Bổ sung.")
    DistrictReportSetting.objects.create(district=district("si_ma_cai"), reminders_enabled=False)
    Notification.objects.all().delete()


def _run(clock, moment, capture):
    clock.move_to(moment)
    with capture(execute=True):
        weekly_reminders_send_task.delay()


def test_only_districts_without_a_sent_report_are_reminded_once_a_day(
    clock, situation, district_officer, other_district_officer, mailoutbox, django_capture_on_commit_callbacks
):
    _run(clock, THURSDAY, django_capture_on_commit_callbacks)
    reminded = set(ReminderLog.objects.values_list("district__short_codename", flat=True))
    assert reminded == {"lao_cai", "muong_khuong", "bac_ha", "bao_thang", "bao_yen", "sa_pa", "van_ban"}
    assert not Notification.objects.filter(user=district_officer).exists()  # Bát Xát has sent
    note = Notification.objects.get(user=other_district_officer)
    assert "trả lại" in note.message and "12/11/2021" in note.message
    # E-mail goes to the focal officers registered (Sa Pa here); Bát Xát's is not written to.
    assert [m.to for m in mailoutbox] == [["vhtt.sapa@laocai.gov.vn"]]
    assert "Báo cáo tuần của Thị xã Sa Pa bị trả lại" in mailoutbox[0].subject

    # Later the same morning (a second beat, a retried task): nothing new.
    _run(clock, local("2021-11-11", "10:30"), django_capture_on_commit_callbacks)
    assert ReminderLog.objects.count() == 7
    assert Notification.objects.filter(user=other_district_officer).count() == 1
    assert len(mailoutbox) == 1

    # Friday morning: reminded again, once.
    _run(clock, FRIDAY, django_capture_on_commit_callbacks)
    assert Notification.objects.filter(user=other_district_officer).count() == 2
    assert ReminderLog.objects.filter(day="2021-11-12").count() == 7
    assert len(mailoutbox) == 2
    assert JobRun.objects.filter(job="weekly_report_reminders").count() == 3


def test_a_district_that_sends_before_friday_is_not_reminded_again(
    clock, situation, send, other_district_officer, sa_pa, django_capture_on_commit_callbacks
):
    _run(clock, THURSDAY, django_capture_on_commit_callbacks)
    send(other_district_officer, sa_pa, CURRENT_WEEK, at=local("2021-11-11", "14:00"))
    _run(clock, FRIDAY, django_capture_on_commit_callbacks)
    assert not ReminderLog.objects.filter(district=sa_pa, day="2021-11-12").exists()


def test_the_reminder_email_is_sent_once_even_if_the_task_runs_twice(
    clock, situation, sa_pa, mailoutbox, django_capture_on_commit_callbacks
):
    _run(clock, THURSDAY, django_capture_on_commit_callbacks)
    log = ReminderLog.objects.get(district=sa_pa)
    assert log.emailed_at is not None
    assert reminder_email_send(reminder_id=log.pk) is False
    assert len(mailoutbox) == 1


def test_reminders_are_scheduled_on_thursday_and_friday_mornings_and_the_rollup_at_1730():
    reminders = settings.CELERY_BEAT_SCHEDULE["weekly-report-reminders"]["schedule"]
    assert reminders.day_of_week == {4, 5} and reminders.hour == {8} and reminders.minute == {0}
    rollup = settings.CELERY_BEAT_SCHEDULE["weekly-rollup"]["schedule"]
    assert rollup.hour == {17} and rollup.minute == {30}
