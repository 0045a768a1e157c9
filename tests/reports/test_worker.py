"""The roll-up and the reminders run on a real Celery worker (Redis broker, the test database)."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse
from openpyxl import load_workbook

from reports import weeks
from reports.models import Rollup, RollupReason
from reports.services.submissions import report_submit
from reports.tasks import weekly_reminders_send_task, weekly_rollup_build_task
from rollout.models import FocalOfficer, Role
from tests.factories import UserFactory, district
from tests.reports.conftest import values
from tests.worker import wait_for

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]


def _ready(week, revision):
    return Rollup.objects.filter(week_ending=week, revision=revision, status=Rollup.Status.READY).first()


def test_the_worker_builds_the_rollup_and_a_late_report_queues_a_new_revision(celery_worker, client_for):
    week = weeks.last_due_week()  # real time: the worker runs outside any frozen clock
    bat_xat, sa_pa = district("bat_xat"), district("sa_pa")
    officer = UserFactory.with_role(Role.DISTRICT_OFFICER, district=bat_xat)
    report_submit(by=officer, district=bat_xat, week_ending=week, values=values())

    weekly_rollup_build_task.delay(week_ending=week.isoformat(), reason=RollupReason.SCHEDULED, force=True)
    first = wait_for(lambda: _ready(week, 1), timeout=60, message="the first roll-up revision")
    ws = load_workbook(Path(settings.PRIVATE_FILES_ROOT) / first.file_path).worksheets[0]
    names = [row[1] for row in ws.iter_rows(min_row=7, max_row=15, values_only=True)]
    assert "Huyện Bát Xát" in names and len(names) == 9

    # Sa Pa sends after the deadline through the web form: the rebuild is queued after commit.
    sa_pa_officer = UserFactory.with_role(Role.DISTRICT_OFFICER, district=sa_pa)
    form = {k: v for k, v in values().items() if v is not None} | {"focal_officer_confirmed": "on", "action": "submit"}
    url = reverse("reports:report-edit", kwargs={"code": sa_pa.pk, "week": week})
    assert client_for(sa_pa_officer).post(url, form).status_code == 302
    second = wait_for(lambda: _ready(week, 2), timeout=60, message="the late-report revision")
    assert second.reason == RollupReason.LATE_REPORT
    assert second.summary["late"] == 2 and second.summary["missing"] == 7
    wait_for(lambda: celery_worker.succeeded("weekly_rollup_build_task"), message="the task's success in the log")


def test_the_worker_sends_reminder_emails_to_focal_officers(celery_worker):
    bat_xat = district("bat_xat")
    FocalOfficer.objects.create(
        full_name="Vàng Thị Mỷ", phone="0912000111", email="vhtt.batxat@laocai.gov.vn", district=bat_xat
    )
    UserFactory.with_role(Role.DISTRICT_OFFICER, district=bat_xat)
    weekly_reminders_send_task.delay()
    body = wait_for(celery_worker.mail_text, timeout=60, message="the reminder e-mail")
    assert "To: vhtt.batxat@laocai.gov.vn" in body
    assert f"{weeks.current_week():%d/%m/%Y}" in body


def test_the_worker_makes_the_report_document_after_the_admin_saves(celery_worker, client_for):
    """Saved through the page: the build is recorded in the outbox and the worker makes the DOCX and the PDF
    (LibreOffice in the worker process)."""
    from reports.models import ReportDocumentRevision

    week = weeks.last_due_week()
    admin = UserFactory.with_role(Role.PROVINCE_ADMIN)
    form = {
        "doc_number": "7", "intro": "Sở Thông tin và Truyền thông báo cáo như sau:", "assessment": "", "proposals": "",
        "recipients": "- UBND tỉnh (b/c);", "signer_title": "GIÁM ĐỐC", "signer_name": "Nguyễn Văn Quyết",
    }  # fmt: skip
    response = client_for(admin).post(reverse("reports:document-detail", args=[week]), form)
    assert response.status_code == 302
    ready = wait_for(
        lambda: ReportDocumentRevision.objects.filter(build_status="ready").first(),
        timeout=120,
        message="the document's DOCX and PDF",
    )
    root = Path(settings.PRIVATE_FILES_ROOT)
    assert (root / ready.docx_path).read_bytes()[:2] == b"PK"
    assert (root / ready.pdf_path).read_bytes()[:4] == b"%PDF"
