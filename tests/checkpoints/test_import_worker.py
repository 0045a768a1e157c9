"""A background arrivals import through a REAL Celery worker (Redis broker, the test database): the upload
returns at once to the job page, the worker checks the 3,000 rows (progress on the page), the uploader
confirms, the worker stores them once."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import translation

from checkpoints.models import Arrival
from checkpoints.services.imports import import_columns
from rollout.models import ImportJob
from tests.bigsheet import write_xlsx
from tests.worker import wait_for

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]
ROWS = 3_000


def _file(tmp_path: Path) -> SimpleUploadedFile:
    with translation.override("vi"):
        headers = [str(c.header) for c in import_columns()]
    rows = (
        [f"02/11/2021 {i % 1440 // 60:02d}:{i % 60:02d}", f"Nguyễn Văn {i}", 1985, None, f"09{i:08d}", "Hà Nội",
         "", "", "Bát Xát"]
        for i in range(ROWS)
    )  # fmt: skip
    path = write_xlsx(tmp_path / "nguoi-den.xlsx", headers, rows)
    return SimpleUploadedFile(path.name, io.BytesIO(path.read_bytes()).getvalue())


def test_a_3000_row_import_is_checked_and_stored_by_a_real_worker(
    celery_worker, client_for, checkpoint_staff, checkpoint, tmp_path, settings
):
    client = client_for(checkpoint_staff)
    response = client.post(
        reverse("checkpoints:arrival-import"), {"checkpoint": checkpoint.pk, "file": _file(tmp_path)}
    )
    job = ImportJob.objects.get()
    assert response.status_code == 302 and response.url == reverse("import-job", args=[job.pk])
    assert job.background and job.rows_total == ROWS and job.status in ("queued", "checking", "ready")

    wait_for(lambda: ImportJob.objects.get(pk=job.pk).status == "ready", timeout=120, message="the check")
    page = client.get(reverse("import-job", args=[job.pk])).content.decode()
    assert "Đã đọc 3000 dòng" in page and "Lưu 3000 người đến" in page
    assert not Arrival.objects.exists()  # nothing before the confirmation

    confirm = client.post(reverse("import-job-confirm", args=[job.pk]))
    assert confirm.url == reverse("import-job", args=[job.pk])
    wait_for(lambda: ImportJob.objects.get(pk=job.pk).status == "done", timeout=120, message="the storing")
    assert Arrival.objects.filter(checkpoint=checkpoint).count() == ROWS
    job.refresh_from_db()
    assert not job.file and not any((Path(settings.PRIVATE_FILES_ROOT) / "imports").iterdir())
    page = client.get(reverse("import-job", args=[job.pk])).content.decode()
    assert "Đã lưu 3000 người đến" in page
    assert celery_worker.succeeded("rollout.tasks.import_job_task")
