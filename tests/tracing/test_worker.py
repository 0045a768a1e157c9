"""Tracing lists with a REAL Celery worker (Redis broker, the test database): sending while no worker
runs succeeds at once; the e-mails go out when a worker comes up, once each, with no personal data."""

from __future__ import annotations

import pytest
from django.urls import reverse

from rollout.celery import app as celery_app
from rollout.models import FocalOfficer, FollowUp
from tests.factories import district
from tests.tracing.conftest import F0_ID
from tests.tracing.test_lists import BAT_XAT, NOTIFY, SA_PA
from tests.worker import WorkerProcess, purge_broker, wait_for
from tracing.models import TracingList
from tracing.services.search import tracing_search

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def worker_not_started(transactional_db, units, tmp_path, settings):
    if settings.CELERY_BROKER_URL.startswith("filesystem://"):
        pytest.fail("worker tests need CELERY_BROKER_URL=redis://… (make test sets it)")
    settings.PRIVATE_FILES_ROOT = tmp_path / "files"
    celery_app.conf.task_always_eager = False
    purge_broker()
    worker = WorkerProcess(tmp_path)
    yield worker
    worker.stop()


def test_lists_are_sent_with_no_worker_and_mailed_when_one_starts(
    worker_not_started, client_for, health_officer, scenario
):
    for short in ("bat_xat", "sa_pa"):
        FocalOfficer.objects.create(full_name=f"Đầu mối {short}", phone="0912345678", email=f"{short}@demo.gov.vn",
                                    district=district(short))  # fmt: skip
    search = tracing_search(by=health_officer, id_number=F0_ID, reason="Ca F0")
    response = client_for(health_officer).post(reverse("tracing:send_lists", args=[search.pk]), follow=True)
    assert response.status_code == 200 and "Đã gửi 2 danh sách truy vết" in response.content.decode()
    assert TracingList.objects.count() == 2
    assert FollowUp.objects.filter(task=NOTIFY, state=FollowUp.State.PENDING).count() == 2  # waiting for a worker

    worker_not_started.start()
    wait_for(lambda: FollowUp.objects.filter(task=NOTIFY, state=FollowUp.State.DONE).count() == 2, timeout=60,
             message="both e-mails sent")  # fmt: skip
    text = wait_for(
        lambda: (t := worker_not_started.mail_text()) and "bat_xat@demo.gov.vn" in t and "sa_pa@demo.gov.vn" in t and t,
        message="the mails written",
    )
    assert text.count("/tracing/lists/") >= 2
    assert district("bat_xat").name in text  # the bodies are readable text: a name would show
    assert not any(name in text for name in BAT_XAT + SA_PA + ["Nguyễn Văn An"])
    assert set(TracingList.objects.values_list("emailed_revision", flat=True)) == {1}
