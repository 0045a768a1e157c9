"""The jobs panel: each job's last run, duration, result, output link, failures; province admins only."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from rollout import outbox
from rollout.models import JobRun
from rollout.services.jobs import job_run

pytestmark = pytest.mark.django_db


@pytest.fixture
def runs(units):
    with job_run("daily_stats_refresh_today") as run:
        run.result = "9 huyện: 4 lượt quét QR, 3 người đến hôm nay"
    with pytest.raises(RuntimeError), job_run("daily_lists_build", day="2021-11-10", district=None):
        raise RuntimeError("disk full")
    with job_run("daily_lists_build", day="2021-11-11", district=None) as run:
        run.result = "9 danh sách"
        run.output_url = "/checkpoints/lists/?date=2021-11-11"
    lost = JobRun.objects.create(job="weekly_rollup")  # its worker died: no heartbeat since
    JobRun.objects.filter(pk=lost.pk).update(heartbeat_at=timezone.now() - timedelta(minutes=5))
    outbox.sweep()


def test_province_admin_sees_each_job_once_in_words(runs, client_for, province_admin):
    response = client_for(province_admin).get(reverse("rollout:job-list"))
    assert response.status_code == 200
    jobs = {j.job: j for j in response.context["jobs"]}
    lists = jobs["daily_lists_build"]
    assert lists.last.result == "9 danh sách" and lists.failures_7d == 1 and lists.runs_7d == 2
    assert "disk full" in lists.last_failure.error
    assert jobs["weekly_rollup"].last.status == JobRun.Status.INTERRUPTED and jobs["weekly_rollup"].failing
    # Scheduled but never run is listed too, once, with its Vietnamese name and schedule in words.
    assert len(jobs) == len({j.label for j in jobs.values()})
    assert jobs["vaccination_reminders"].last is None
    assert jobs["vaccination_reminders"].schedule == "Hằng ngày lúc 20:00"
    assert jobs["daily_stats_refresh_today"].schedule == "10 phút một lần"
    assert jobs["weekly_report_reminders"].schedule == "Thứ Năm và Thứ Sáu lúc 08:00"
    assert jobs["daily_lists_build"].label == "Danh sách người đến hằng ngày gửi các huyện"
    page = response.content.decode()
    assert "/checkpoints/lists/?date=2021-11-11" in page and "disk full" in page
    for technical in ("*/10", "0 20 * * *", "vaccination-reminders", "_task", ">daily_lists_build<", "None"):
        assert technical not in page


def test_job_history_lists_every_run_with_its_parameters_in_words(runs, client_for, province_admin):
    response = client_for(province_admin).get(reverse("rollout:job-detail", args=["daily_lists_build"]))
    assert [r.status for r in response.context["runs"]] == ["succeeded", "failed"]
    page = response.content.decode()
    assert "Ngày: 11/11/2021" in page and "district=" not in page and "None" not in page
    assert client_for(province_admin).get(reverse("rollout:job-detail", args=["nothing"])).status_code == 404


@pytest.mark.parametrize("persona", ["province_viewer", "health_officer", "district_officer", "outsider"])
def test_only_province_admins_see_jobs(request, runs, client_for, persona):
    client = client_for(request.getfixturevalue(persona))
    assert client.get(reverse("rollout:job-list")).status_code == 403
    assert client.get(reverse("rollout:job-detail", args=["daily_lists_build"])).status_code == 403
    assert reverse("rollout:job-list") not in client.get(reverse("dashboard")).content.decode()
