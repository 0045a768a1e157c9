"""Every import is bounded before it is read, large ones run as background jobs, and refused uploads answer 400.

The 200,000-row workbooks are real XLSX files with the import's own headers (written straight into the zip
by ``tests.bigsheet``, once per test session). Timing and memory are measured by ``bench/imports.py``, not
asserted here: these tests check what comes back (the refusal with the limit in words, nothing kept).
"""

from __future__ import annotations

import dataclasses
import io
import os
from datetime import timedelta
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from openpyxl import Workbook
from openpyxl.styles import Font

from checkpoints.models import Arrival
from checkpoints.services.imports import import_columns as arrival_columns
from platforms.models import AdoptionUpdate
from platforms.services.adoption import import_columns as adoption_columns
from rollout import uploads
from rollout.errors import ApplicationError
from rollout.models import FollowUp, ImportJob, Role, User
from rollout.services import imports
from rollout.services.accounts import import_columns as account_columns
from rollout.services.retention import personal_data_purge
from rollout.timeutils import local_today
from tests.bigsheet import write_xlsx
from tests.factories import CheckpointFactory, UserFactory
from tests.outbox import run_due_followups

pytestmark = pytest.mark.django_db
BIG = 200_000


@pytest.fixture(autouse=True)
def files_root(settings, tmp_path) -> Path:
    settings.PRIVATE_FILES_ROOT = tmp_path / "files"
    return settings.PRIVATE_FILES_ROOT


def _headers(columns) -> list[str]:
    return [str(c.header) for c in columns]


def _arrival(i: int, district: str = "Bát Xát") -> list:
    minute = i % (24 * 60)
    return [f"02/11/2021 {minute // 60:02d}:{minute % 60:02d}", f"Nguyễn Văn {i}", 1985, None, f"09{i:08d}",
            "Hà Nội", "", "", district]  # fmt: skip


@pytest.fixture(scope="session")
def big_files(tmp_path_factory) -> dict[str, Path]:
    """The three 200,000-row workbooks, written once for the session (a few seconds each)."""
    from django.utils import translation

    folder = tmp_path_factory.mktemp("big")
    with translation.override("vi"):
        accounts = _headers(account_columns())
        adoption = _headers(adoption_columns())
        arrivals = _headers(arrival_columns())
    return {
        "accounts": write_xlsx(
            folder / "accounts.xlsx", accounts,
            ([f"user{i}", f"Nguyễn Văn {i}", f"u{i}@laocai.gov.vn", "", "Cán bộ cấp huyện", 82] for i in range(BIG)),
        ),
        "adoption": write_xlsx(
            folder / "adoption.xlsx", adoption, ([i + 1, "", "02/11/2021", 40, 30, 10, 20] for i in range(BIG))
        ),
        "arrivals": write_xlsx(folder / "arrivals.xlsx", arrivals, (_arrival(i) for i in range(BIG))),
    }  # fmt: skip


def _upload_page(kind: str) -> str:
    return {
        "accounts": "accounts:user-import",
        "adoption": "platforms:adoption-import",
        "arrivals": "checkpoints:arrival-import",
    }[kind]


@pytest.fixture
def uploader(request, province_admin, agency_admin, checkpoint_staff, checkpoint):
    """(user, extra form fields) of each import's page."""
    return {
        "accounts": (province_admin, {}),
        "adoption": (agency_admin, {}),
        "arrivals": (checkpoint_staff, {"checkpoint": checkpoint.pk}),
    }


@pytest.mark.parametrize(("kind", "limit"), [("accounts", "2.000"), ("adoption", "5.000"), ("arrivals", "20.000")])
def test_a_200000_row_workbook_is_refused_at_once_with_the_limit_in_words(
    kind, limit, big_files, uploader, client_for, files_root
):
    user, fields = uploader[kind]
    path = big_files[kind]
    assert path.stat().st_size < 10 * 1024 * 1024  # under the size limit: the rows are what refuse it
    response = client_for(user).post(
        reverse(_upload_page(kind)), {**fields, "file": SimpleUploadedFile(path.name, path.read_bytes())}
    )
    assert response.status_code == 400
    message = response.context["form"].errors["file"][0]
    assert message == (
        f"Tệp có hơn {limit} dòng dữ liệu: mỗi tệp tối đa {limit} dòng. Hãy chia nhỏ tệp và tải lên từng phần."
    )
    assert message in response.content.decode()
    assert not ImportJob.objects.exists()
    assert not (files_root / "imports").exists() or not any((files_root / "imports").iterdir())


class _Counting(io.FileIO):
    """A file that counts the bytes read from it."""

    read_bytes = 0

    def read(self, size=-1):
        data = super().read(size)
        self.read_bytes += len(data)
        return data

    def readinto(self, buffer):
        n = super().readinto(buffer)
        self.read_bytes += n or 0
        return n


def test_the_row_count_stops_at_the_first_row_over_the_limit(big_files):
    """The sheet is streamed and the count stops at the limit: refusing 200,000 rows at 20,000 reads a
    small part of the file; only a file within the limit is read to its end."""
    path = big_files["arrivals"]
    size = path.stat().st_size
    with _Counting(path) as fh:
        with pytest.raises(ApplicationError):
            uploads.check_upload(fh, rows=20_000)
        assert fh.read_bytes < size / 2
    with _Counting(path) as fh:
        assert uploads.check_upload(fh, rows=BIG) == BIG
        assert fh.read_bytes >= size * 0.9


# --- Exact limits, and what counts as a row or a column --------------------------------------------


def _workbook(rows: list[list], header=("A", "B"), *, styled_empty: tuple[int, int] | None = None) -> io.BytesIO:
    wb = Workbook()
    ws = wb.active
    ws.append(list(header))
    for row in rows:
        ws.append(row)
    if styled_empty:  # formatted but empty, as spreadsheet programs write a formatted range
        ws.cell(row=styled_empty[0], column=styled_empty[1]).font = Font(bold=True)
    buffer = io.BytesIO()
    wb.save(buffer)
    buffer.seek(0)
    buffer.name = "t.xlsx"
    return buffer


def test_exactly_the_limit_is_taken_and_one_row_more_is_refused():
    assert uploads.check_upload(_workbook([["x", 1]] * 5), rows=5) == 5
    with pytest.raises(ApplicationError, match="hơn 5 dòng"):
        uploads.check_upload(_workbook([["x", 1]] * 6), rows=5)


def test_blank_rows_and_styled_empty_cells_are_not_data():
    rows = [["x", 1], [None, None], ["y", 2]]
    assert uploads.check_upload(_workbook(rows, styled_empty=(100_000, 300)), rows=2) == 2


def test_a_value_far_to_the_right_or_far_down_is_refused(settings):
    settings.IMPORT_MAX_COLUMNS = 30
    wide = _workbook([["x", 1]])
    wide_wb = Workbook()
    wide_wb.active.append(["A"])
    wide_wb.active.cell(row=2, column=16_384, value="far")
    buffer = io.BytesIO()
    wide_wb.save(buffer)
    buffer.seek(0)
    with pytest.raises(ApplicationError, match="hơn 30 cột"):
        uploads.check_upload(buffer, rows=100)
    assert uploads.check_upload(wide, rows=100) == 1
    deep = Workbook()
    deep.active.append(["A"])
    deep.active.cell(row=1_000_000, column=1, value="far")
    buffer = io.BytesIO()
    deep.save(buffer)
    buffer.seek(0)
    with pytest.raises(ApplicationError, match="hơn 100 dòng"):
        uploads.check_upload(buffer, rows=100)


def test_too_many_sheets_are_refused(settings):
    settings.IMPORT_MAX_SHEETS = 3
    wb = Workbook()
    for n in range(4):
        wb.create_sheet(f"S{n}")
    buffer = io.BytesIO()
    wb.save(buffer)
    buffer.seek(0)
    with pytest.raises(ApplicationError, match="5 trang tính: tối đa 3"):
        uploads.check_upload(buffer, rows=100)


def test_a_csv_file_is_counted_line_by_line_too():
    text = "A,B\n" + "x,1\n" * 6
    csv = io.BytesIO(text.encode())
    csv.name = "t.csv"
    with pytest.raises(ApplicationError, match="hơn 5 dòng"):
        uploads.check_upload(csv, rows=5)
    assert uploads.check_upload(csv, rows=6) == 6


def test_a_sheet_written_without_cell_references_is_counted_cell_by_cell(tmp_path):
    """Cells without ``r`` (allowed by the format) take the next column: the careful count handles them."""
    path = write_xlsx(tmp_path / "plain.xlsx", ["A", "B"], [["x", 1]] * 4)
    import zipfile

    out = tmp_path / "noref.xlsx"
    with zipfile.ZipFile(path) as src, zipfile.ZipFile(out, "w") as dst:
        for info in src.infolist():
            data = src.read(info)
            if info.filename.endswith("sheet1.xml"):
                import re

                data = re.sub(rb' r="[A-Z]+[0-9]+"', b"", data)
            dst.writestr(info, data)
    with out.open("rb") as fh:
        assert uploads.check_upload(fh, rows=4) == 4
        with pytest.raises(ApplicationError):
            uploads.check_upload(fh, rows=3)


# --- Refused uploads answer 400 with the form and the message, on every upload form ----------------


def test_every_import_form_answers_400_with_the_message(client_for, uploader):
    junk = b"%PDF-1.4 not a table"
    for kind in ("accounts", "adoption", "arrivals"):
        user, fields = uploader[kind]
        response = client_for(user).post(
            reverse(_upload_page(kind)), {**fields, "file": SimpleUploadedFile("x.xlsx", junk)}
        )
        assert response.status_code == 400, kind
        assert "Hãy tải lên tệp Excel (.xlsx) hoặc tệp CSV (.csv)." in response.content.decode(), kind
        empty = client_for(user).post(reverse(_upload_page(kind)), fields)  # no file at all
        assert empty.status_code == 400 and empty.context["form"].errors["file"], kind
    # The weekly report's upload answers 400 too: tests/reports/test_upload.py.


def test_the_forms_say_which_files_they_take(client_for, uploader):
    for kind in ("accounts", "adoption", "arrivals"):
        user, _fields = uploader[kind]
        page = client_for(user).get(reverse(_upload_page(kind))).content.decode()
        assert "Tệp (.xlsx hoặc .csv)" in page and 'accept=".xlsx,.csv"' in page, kind


# --- Background jobs --------------------------------------------------------------------------------


def _arrivals_file(n: int) -> SimpleUploadedFile:
    from django.utils import translation

    buffer = io.BytesIO()
    with translation.override("vi"):
        headers = _headers(arrival_columns())
    import tempfile

    with tempfile.TemporaryDirectory() as folder:
        path = write_xlsx(Path(folder) / "a.xlsx", headers, (_arrival(i) for i in range(n)))
        buffer.write(path.read_bytes())
    return SimpleUploadedFile("nguoi-den.xlsx", buffer.getvalue())


def test_a_large_import_returns_at_once_to_a_job_page_a_worker_moves_on(
    client_for, checkpoint_staff, checkpoint, settings, files_root, django_capture_on_commit_callbacks
):
    settings.IMPORT_BACKGROUND_ROWS = 50
    client = client_for(checkpoint_staff)
    response = client.post(
        reverse("checkpoints:arrival-import"), {"checkpoint": checkpoint.pk, "file": _arrivals_file(120)}
    )
    job = ImportJob.objects.get()
    assert response.status_code == 302 and response.url == reverse("import-job", args=[job.pk])
    # Recorded for a worker in the outbox (with the job), not checked in the request.
    assert job.status == "queued" and job.background and job.rows_total == 120
    assert FollowUp.objects.filter(task=imports.TASK, kwargs={"job_id": job.pk, "step": "check"}).exists()
    assert (files_root / job.file).exists() and job.file.startswith("imports/")

    page = client.get(reverse("import-job", args=[job.pk]))
    html = page.content.decode()
    assert "Đang chờ xử lý" in html and "<progress" in html
    assert '<noscript><meta http-equiv="refresh"' in html  # reloads itself without the script
    assert "/static/js/import-progress.js" in html and "<script>" not in html and " style=" not in html
    status = client.get(reverse("import-job-status", args=[job.pk])).json()
    assert status == {"status": "queued", "status_display": "Đang chờ xử lý", "rows_done": 0, "rows_total": 120,
                      "percent": 0, "running": True}  # fmt: skip

    run_due_followups()  # the worker's turn (eager in tests)
    job.refresh_from_db()
    assert job.status == "ready" and job.rows_done == 120 and job.result["counts"]["new"] == 120
    page = client.get(reverse("import-job", args=[job.pk])).content.decode()
    assert "Lưu 120 người đến" in page and "<noscript><meta" not in page
    assert not Arrival.objects.exists()  # nothing before the confirmation

    with django_capture_on_commit_callbacks(execute=True):
        confirm = client.post(reverse("import-job-confirm", args=[job.pk]))
    assert confirm.url == reverse("import-job", args=[job.pk])  # stored by a worker too
    job.refresh_from_db()
    assert job.status == "done" and Arrival.objects.count() == 120
    assert not job.file and not any((files_root / "imports").iterdir())  # the file goes once stored
    page = client.get(reverse("import-job", args=[job.pk])).content.decode()
    assert "Đã lưu 120 người đến" in page


def test_a_job_is_only_its_uploaders(client_for, checkpoint_staff, checkpoint, settings):
    settings.IMPORT_BACKGROUND_ROWS = 1
    client_for(checkpoint_staff).post(
        reverse("checkpoints:arrival-import"), {"checkpoint": checkpoint.pk, "file": _arrivals_file(3)}
    )
    job = ImportJob.objects.get()
    same_role_elsewhere = UserFactory.with_role(Role.CHECKPOINT_STAFF, checkpoint=CheckpointFactory())
    for user in (same_role_elsewhere, User.objects.create_user(username="other", password="x")):
        client = client_for(user)
        assert client.get(reverse("import-job", args=[job.pk])).status_code == 404
        assert client.get(reverse("import-job-status", args=[job.pk])).status_code == 404
        assert client.post(reverse("import-job-confirm", args=[job.pk])).status_code == 404
    anonymous = client_for(None).get(reverse("import-job-status", args=[job.pk]))
    assert anonymous.status_code == 302 and "/accounts/login/" in anonymous.url
    assert client_for(checkpoint_staff).get(reverse("import-job-status", args=[job.pk])).status_code == 200


def test_a_file_refused_by_the_worker_says_why_on_the_job_page(client_for, agency_admin, settings):
    settings.IMPORT_BACKGROUND_ROWS = 1
    wb = Workbook()
    wb.active.append(["Agency", "Something"])
    for n in range(3):
        wb.active.append([n, n])
    buffer = io.BytesIO()
    wb.save(buffer)
    client = client_for(agency_admin)
    client.post(reverse("platforms:adoption-import"), {"file": SimpleUploadedFile("a.xlsx", buffer.getvalue())})
    run_due_followups()
    job = ImportJob.objects.get()
    assert job.status == "failed" and not job.file
    page = client.get(reverse("import-job", args=[job.pk])).content.decode()
    assert "Dòng 1 thiếu cột: Mã cơ quan, đơn vị" in page and "Tải tệp lên lại" in page
    assert not AdoptionUpdate.objects.exists()


# --- Retention -------------------------------------------------------------------------------------


def test_the_purge_deletes_old_import_jobs_and_their_files(client_for, checkpoint_staff, checkpoint, files_root):
    client = client_for(checkpoint_staff)
    for _n in range(2):
        client.post(reverse("checkpoints:arrival-import"), {"checkpoint": checkpoint.pk, "file": _arrivals_file(2)})
    old, recent = ImportJob.objects.order_by("pk")
    ImportJob.objects.filter(pk=old.pk).update(created_at=timezone.now() - timedelta(hours=49))
    assert (files_root / old.file).exists() and (files_root / recent.file).exists()

    dry = personal_data_purge(today=local_today(), dry_run=True)
    assert dry.deleted["import jobs"] == 1 and ImportJob.objects.count() == 2
    result = personal_data_purge(today=local_today())
    assert result.deleted["import jobs"] == 1
    assert list(ImportJob.objects.all()) == [recent]
    assert not (files_root / old.file).exists() and (files_root / recent.file).exists()
    assert (old.file, 2) in result.files


def test_the_purge_deletes_stray_files_of_the_imports_folder_too(files_root):
    folder = files_root / "imports"
    folder.mkdir(parents=True)
    stray, fresh = folder / "0123.upload", folder / "4567.upload"
    stray.write_bytes(b"left by an earlier version")
    fresh.write_bytes(b"being uploaded")
    two_days_ago = (timezone.now() - timedelta(hours=49)).timestamp()
    os.utime(stray, (two_days_ago, two_days_ago))
    result = personal_data_purge(today=local_today())
    assert ("imports/0123.upload", 0) in result.files
    assert not stray.exists() and fresh.exists()


def test_a_check_that_fails_unexpectedly_refuses_the_file_and_keeps_nothing(
    client_for, checkpoint_staff, checkpoint, settings, monkeypatch, files_root
):
    settings.IMPORT_BACKGROUND_ROWS = 1
    client_for(checkpoint_staff).post(
        reverse("checkpoints:arrival-import"), {"checkpoint": checkpoint.pk, "file": _arrivals_file(3)}
    )

    def broken(job, upload, progress):
        raise RuntimeError("a reader's own failure")

    importer = imports.importer_for("arrivals")
    monkeypatch.setitem(imports._IMPORTERS, "arrivals", dataclasses.replace(importer, check=broken))
    run_due_followups()
    job = ImportJob.objects.get()
    assert job.status == "failed" and "Không đọc được tệp Excel" in job.message
    assert not job.file and not any((files_root / "imports").iterdir())


def test_a_broken_csv_file_is_refused_with_a_message_not_an_error_page():
    broken = io.BytesIO(b'A,B\n"' + b"x" * 200_000 + b"\n")  # an unclosed quote runs past the field limit
    broken.name = "t.csv"
    with pytest.raises(ApplicationError, match="Không đọc được tệp CSV"):
        uploads.check_upload(broken, rows=10)
