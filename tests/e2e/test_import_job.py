"""A background import in headless Chromium: the page follows the worker by its static script (no inline
script), shows the checked rows when the check is done, and the stored result after the confirmation.

No worker runs here: the task messages wait in the broker, and the test does the worker's two steps itself
while the page is open, so what is seen is the page noticing on its own."""

from __future__ import annotations

import pytest
from django.utils import translation

from checkpoints.models import Arrival
from checkpoints.services.imports import import_columns
from rollout.celery import app as celery_app
from rollout.models import ImportJob
from rollout.services import imports
from tests.bigsheet import write_xlsx
from tests.worker import purge_broker

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def no_worker(settings):
    if settings.CELERY_BROKER_URL.startswith("filesystem://"):
        pytest.skip("needs the Redis broker (make test sets it)")
    celery_app.conf.task_always_eager = False
    purge_broker()
    yield
    purge_broker()


def test_the_job_page_follows_the_worker_and_shows_the_result(
    live_server, checkpoint_staff, checkpoint, new_page, artifacts, settings, tmp_path, no_worker
):
    settings.IMPORT_BACKGROUND_ROWS = 50
    settings.PRIVATE_FILES_ROOT = tmp_path / "files"
    with translation.override("vi"):
        headers = [str(c.header) for c in import_columns()]
    path = write_xlsx(
        tmp_path / "nguoi-den.xlsx",
        headers,
        ([f"02/11/2021 08:{i % 60:02d}", f"Nguyễn Văn {i}", 1985, None, f"09{i:08d}", "Hà Nội", "", "", "Bát Xát"]
         for i in range(120)),
    )  # fmt: skip
    page = new_page()
    problems: list[str] = []
    page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: problems.append(str(e)))
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("Tên đăng nhập").fill(checkpoint_staff.username)
    page.get_by_label("Mật khẩu").fill("correct-horse-battery")
    page.get_by_role("button", name="Đăng nhập").click()
    page.wait_for_url(f"{live_server.url}/dashboard/")

    page.goto(f"{live_server.url}/checkpoints/arrivals/import/")
    page.get_by_label("Tệp (.xlsx hoặc .csv)").set_input_files(str(path))
    page.get_by_role("button", name="Kiểm tra tệp").click()
    page.wait_for_url("**/imports/*/")
    job = ImportJob.objects.get()
    assert page.locator("progress").is_visible() and "Đang chờ xử lý" in page.locator("main").inner_text()
    page.screenshot(path=str(artifacts / "import-job-waiting.png"), full_page=True)

    imports.import_job_check(job.pk)  # the worker's first step
    page.get_by_role("button", name="Lưu 120 người đến").wait_for()  # the script noticed and reloaded
    assert "Đã đọc 120 dòng" in page.locator("main").inner_text()
    page.screenshot(path=str(artifacts / "import-job-ready.png"), full_page=True)

    page.get_by_role("button", name="Lưu 120 người đến").click()
    page.get_by_text("Đang lưu").wait_for()
    assert not Arrival.objects.exists()
    imports.import_job_store(job.pk)  # the worker's second step
    page.get_by_text("Đã lưu 120 người đến").wait_for()
    assert Arrival.objects.count() == 120
    page.get_by_role("link", name="Xem dữ liệu đã lưu").click()
    page.wait_for_url("**/checkpoints/arrivals/?checkpoint=*")
    assert not problems, problems
