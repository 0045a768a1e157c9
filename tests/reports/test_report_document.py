"""The weekly report as an administrative document: edited by province admins, each save a revision,
built in the background (DOCX through python-docx, PDF through LibreOffice), final locks it.

The DOCX is read back with python-docx; the PDF's pages are rendered to PNG under test-artifacts/.
"""

from __future__ import annotations

import subprocess
from datetime import date, datetime
from pathlib import Path
from unittest import mock
from zoneinfo import ZoneInfo

import pytest
from django.conf import settings
from django.urls import reverse
from docx import Document

from reports.models import (
    ReportDocument,
    ReportDocumentRevision,
    ReportStatus,
    RollupReason,
    WeeklyReport,
    WeeklyReportVersion,
)
from reports.services.documents import document_build, document_finalize, document_revise
from reports.services.rollups import rollup_build
from rollout import outbox
from rollout.errors import ApplicationError
from rollout.models import AuditEvent, District, FollowUp
from tests.outbox import waiting

pytestmark = pytest.mark.django_db

HANOI = ZoneInfo("Asia/Ho_Chi_Minh")
NOW = datetime(2021, 11, 13, 10, 0, tzinfo=HANOI)
WEEK = date(2021, 11, 12)
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
CLAUSES = ["1", "2", "3.i", "3.ii", "3.iii", "4.i", "4.ii", "4.iii", "5", "6.i", "6.ii", "6.iii", "6.iv"]
BUILD = "reports.tasks.report_document_build_task"
BROKER_DOWN = mock.patch("celery.app.task.Task.apply_async", side_effect=ConnectionRefusedError(111, "refused"))


@pytest.fixture
def week(units, time_machine):
    """Bát Xát and Sa Pa reported the week with difficulties and proposals; the roll-up is built."""
    time_machine.move_to(NOW, tick=False)
    texts = {
        "bat_xat": ("Sóng di động yếu ở các thôn vùng cao.", "Đề nghị hỗ trợ in mã QR khổ lớn."),
        "sa_pa": ("Nhiều du khách chưa cài PC-Covid.", ""),
    }
    for short, (difficulties, proposals) in texts.items():
        district = District.objects.get(province_id=10, short_codename=short)
        sent = datetime(2021, 11, 12, 15, 0, tzinfo=HANOI)
        report = WeeklyReport.objects.create(
            district=district, week_ending=WEEK, status=ReportStatus.SUBMITTED, first_submitted_at=sent,
            submitted_at=sent,
        )  # fmt: skip
        report.current_version = WeeklyReportVersion.objects.create(
            report=report, number=1, source="web", submitted_at=sent, difficulties=difficulties,
            proposals=proposals, communication_sessions=2,
        )  # fmt: skip
        report.save()
    return rollup_build(week_ending=WEEK, reason=RollupReason.SCHEDULED).rollup


def form(**overrides) -> dict[str, str]:
    return {
        "doc_number": "125",
        "intro": "Thực hiện Văn bản số 5279/UBND-VX, Sở Thông tin và Truyền thông báo cáo như sau:",
        "assessment": "Các huyện cơ bản triển khai đúng tiến độ.",
        "proposals": "Đề nghị UBND tỉnh chỉ đạo các huyện gửi báo cáo đúng hạn.",
        "recipients": "- UBND tỉnh (b/c);\n- Lưu: VT.",
        "signer_title": "KT. GIÁM ĐỐC\nPHÓ GIÁM ĐỐC",
        "signer_name": "Nguyễn Văn Quyết",
    } | overrides


def texts_of(doc) -> list[str]:
    """Every paragraph's text, the tables' cells included, in order."""
    found = [p.text for p in doc.paragraphs]
    for table in doc.tables:
        for row in table.rows:
            for cell in row.cells:
                found += [p.text for p in cell.paragraphs]
    return found


def save_through_the_page(client, django_capture_on_commit_callbacks, **overrides):
    with django_capture_on_commit_callbacks(execute=True):
        return client.post(reverse("reports:document-detail", args=[WEEK]), form(**overrides))


def test_the_admin_saves_and_the_docx_is_laid_out_as_decree_30(
    week, client_for, province_admin, django_capture_on_commit_callbacks
):
    response = save_through_the_page(client_for(province_admin), django_capture_on_commit_callbacks)
    assert response.status_code == 302
    revision = ReportDocumentRevision.objects.get()
    assert revision.build_status == "ready" and revision.rollup == week
    path = Path(settings.PRIVATE_FILES_ROOT) / revision.docx_path
    doc = Document(str(path))
    header = doc.tables[0]
    left, right = header.rows[0].cells
    assert [p.text for p in left.paragraphs if p.text] == ["UBND TỈNH LÀO CAI", "SỞ THÔNG TIN VÀ TRUYỀN THÔNG"]
    assert [p.text for p in right.paragraphs if p.text] == [
        "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
        "Độc lập - Tự do - Hạnh phúc",
    ]
    assert left.paragraphs[1].runs[0].bold and right.paragraphs[1].runs[0].bold
    number, place = header.rows[1].cells
    assert number.text == "Số: 125/BC-STTTT"
    assert place.text == "Lào Cai, ngày 13 tháng 11 năm 2021" and place.paragraphs[0].runs[0].italic
    body = [p.text for p in doc.paragraphs]
    assert "BÁO CÁO" in body
    assert any(t.startswith("Tình hình triển khai các nền tảng công nghệ") and "tỉnh Lào Cai" in t for t in body)
    assert "(Tuần từ ngày 06/11 đến ngày 12/11/2021)" in body
    assert "Kính gửi: Ủy ban nhân dân tỉnh Lào Cai." in body
    for clause in CLAUSES:
        assert any(t.startswith(f"Nội dung {clause}. ") for t in body), clause
    assert any("Chưa đo được" in t for t in body if t.startswith("Nội dung 3.iii."))
    assert any("Huyện Bát Xát: khó khăn: Sóng di động yếu" in t and "đề xuất: Đề nghị hỗ trợ" in t for t in body)
    assert any("Thị xã Sa Pa: khó khăn: Nhiều du khách" in t for t in body)
    assert any(t.startswith("Các huyện chưa gửi báo cáo tuần:") and "Huyện Văn Bàn" in t for t in body)
    assert "Các huyện cơ bản triển khai đúng tiến độ." in body
    assert any("Phụ lục kèm theo: bảng tổng hợp báo cáo tuần của các huyện, lần 1" in t for t in body)
    recipients, signer = doc.tables[-1].rows[0].cells
    assert [p.text for p in recipients.paragraphs if p.text] == ["Nơi nhận:", "- UBND tỉnh (b/c);", "- Lưu: VT."]
    assert [p.text for p in signer.paragraphs if p.text] == ["KT. GIÁM ĐỐC", "PHÓ GIÁM ĐỐC", "Nguyễn Văn Quyết"]
    section = doc.sections[0]
    assert (round(section.page_width.mm), round(section.page_height.mm)) == (210, 297)
    assert round(section.left_margin.mm) == 30


def test_the_pdf_is_made_and_its_pages_rendered(week, province_admin, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        revision = document_revise(by=province_admin, week_ending=WEEK, values=form())
    revision.refresh_from_db()
    pdf = Path(settings.PRIVATE_FILES_ROOT) / revision.pdf_path
    assert pdf.read_bytes().startswith(b"%PDF")
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True).stdout
    pages = int(next(line.split()[-1] for line in info.splitlines() if line.startswith("Pages:")))
    assert 1 <= pages <= 4
    assert "A4" in info or "595.3" in info  # A4 portrait in points
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    for words in ("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "Số: 125/BC-STTTT", "Nơi nhận:", "Nguyễn Văn Quyết"):
        assert words in text
    ARTIFACTS.mkdir(exist_ok=True)
    for old in ARTIFACTS.glob("report-document-*.png"):
        old.unlink()
    subprocess.run(["pdftoppm", "-r", "80", "-png", str(pdf), str(ARTIFACTS / "report-document")], check=True)
    assert len(list(ARTIFACTS.glob("report-document-*.png"))) == pages


def test_every_save_is_a_revision_and_final_locks_the_week(week, province_admin, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        first = document_revise(by=province_admin, week_ending=WEEK, values=form(doc_number=""))
        second = document_revise(by=province_admin, week_ending=WEEK, values=form(assessment="Bản sửa."))
    assert [r.number for r in ReportDocumentRevision.objects.order_by("number")] == [1, 2]
    first.refresh_from_db()
    second.refresh_from_db()
    root = Path(settings.PRIVATE_FILES_ROOT)
    assert (root / first.docx_path).is_file() and (root / second.docx_path).is_file()
    assert first.docx_path != second.docx_path and first.assessment != second.assessment
    assert "Số:       /BC-STTTT" in texts_of(Document(str(root / first.docx_path)))  # number left to fill
    document = document_finalize(by=province_admin, week_ending=WEEK)
    assert document.is_final and document.finalized_by == province_admin
    with pytest.raises(ApplicationError):
        document_revise(by=province_admin, week_ending=WEEK, values=form())
    assert ReportDocumentRevision.objects.count() == 2
    events = AuditEvent.objects.filter(object_type="reports.reportdocument").order_by("pk")
    assert list(events.values_list("action", flat=True)) == [
        "report_document_save",
        "report_document_save",
        "report_document_final",
    ]


def test_final_waits_for_the_files(week, province_admin):
    document_revise(by=province_admin, week_ending=WEEK, values=form())  # not committed: not built yet
    with pytest.raises(ApplicationError):
        document_finalize(by=province_admin, week_ending=WEEK)


def test_missing_fields_are_named_and_nothing_is_saved(week, client_for, province_admin):
    response = client_for(province_admin).post(
        reverse("reports:document-detail", args=[WEEK]), form(intro="", signer_title="")
    )
    assert response.status_code == 400
    assert set(response.context["form"].errors) == {"intro", "signer_title"}
    assert not ReportDocumentRevision.objects.exists() and not ReportDocument.objects.exists()


@pytest.mark.django_db(transaction=True)  # commits as in production: the dispatch runs in the request
def test_with_the_broker_down_saving_succeeds_and_the_files_come_later(units, week, client_for, province_admin):
    client = client_for(province_admin)
    with BROKER_DOWN:
        response = client.post(reverse("reports:document-detail", args=[WEEK]), form(), follow=True)
    assert response.status_code == 200  # never an error page
    assert "khi dịch vụ hoạt động trở lại" in response.content.decode()
    revision = ReportDocumentRevision.objects.get()
    assert revision.build_status == "queued" and [r.task for r in waiting()] == [BUILD]
    outbox.broker.reset()  # back
    assert outbox.sweep()["sent"] == 1
    revision.refresh_from_db()
    assert revision.build_status == "ready" and revision.docx_path and revision.pdf_path
    assert FollowUp.objects.get(task=BUILD).state == FollowUp.State.DONE


def test_a_pdf_failure_keeps_the_docx_and_is_retried(week, province_admin, settings):
    revision = document_revise(by=province_admin, week_ending=WEEK, values=form())
    settings.SOFFICE_BINARY = "no-such-soffice"
    with pytest.raises(Exception, match="not found"):
        document_build(revision_id=revision.pk)
    revision.refresh_from_db()
    assert revision.build_status == "failed" and revision.docx_path and not revision.pdf_path
    settings.SOFFICE_BINARY = "soffice"
    assert document_build(revision_id=revision.pk).build_status == "ready"
    assert document_build(revision_id=revision.pk) is None  # a duplicate message builds nothing


@pytest.mark.parametrize("persona", ["province_admin", "province_viewer"])
def test_province_roles_read_and_download(week, client_for, request, persona, province_admin):
    revision = document_revise(by=province_admin, week_ending=WEEK, values=form())  # built below, by hand
    document_build(revision_id=revision.pk)
    client = client_for(request.getfixturevalue(persona))
    page = client.get(reverse("reports:document-detail", args=[WEEK]))
    assert page.status_code == 200
    docx = client.get(reverse("reports:document-download", args=[revision.pk, "docx"]))
    assert docx.status_code == 200 and docx["Content-Type"].endswith("wordprocessingml.document")
    pdf = client.get(reverse("reports:document-download", args=[revision.pk, "pdf"]))
    assert b"".join(pdf.streaming_content).startswith(b"%PDF")
    assert client.get(reverse("reports:document-list")).status_code == 200


def test_a_province_viewer_may_not_edit(week, client_for, province_viewer):
    client = client_for(province_viewer)
    page = client.get(reverse("reports:document-detail", args=[WEEK]))
    assert page.status_code == 200 and page.context["form"] is None
    assert client.post(reverse("reports:document-detail", args=[WEEK]), form()).status_code == 404
    assert client.post(reverse("reports:document-finalize", args=[WEEK])).status_code == 403
    assert not ReportDocumentRevision.objects.exists()


@pytest.mark.parametrize("persona", ["health_officer", "district_officer", "outsider"])
def test_other_roles_may_not_see_the_document(week, client_for, request, persona):
    client = client_for(request.getfixturevalue(persona))
    assert client.get(reverse("reports:document-list")).status_code == 403
    assert client.get(reverse("reports:document-detail", args=[WEEK])).status_code == 403


def test_a_first_revision_starts_from_the_province_s_own_words(week, client_for, province_admin, settings):
    settings.HOME_PROVINCE_CODE = 1  # any province: the words come from the data
    form = client_for(province_admin).get(reverse("reports:document-detail", args=[WEEK])).context["form"]
    assert "Ủy ban nhân dân thành phố Hà Nội" in form.initial["intro"]
    assert "Lào Cai" not in form.initial["intro"]
    assert form.initial["signer_title"] == "GIÁM ĐỐC" and "- UBND thành phố Hà Nội (b/c);" in form.initial["recipients"]
