"""The jobs panel: each job's last run, duration, result, output link, failures; province admins only."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from rollout.models import JobRun
from rollout.services.jobs import job_run

pytestmark = pytest.mark.django_db


@pytest.fixture
def runs(units):
    with job_run("daily_stats_refresh_today") as run:
        run.result = "2021-11-10: 9 districts, 4 check-ins, 3 arrivals"
    with pytest.raises(RuntimeError), job_run("build_daily_lists", day="2021-11-10"):
        raise RuntimeError("disk full")
    with job_run("build_daily_lists", day="2021-11-11") as run:
        run.result = "9 files"
        run.output_url = "/checkpoints/lists/?date=2021-11-11"
    stuck = JobRun.objects.create(job="build_weekly_rollup")
    JobRun.objects.filter(pk=stuck.pk).update(started_at=timezone.now() - timedelta(hours=3))


def test_province_admin_sees_each_jobs_last_run_and_failures(runs, client_for, province_admin):
    response = client_for(province_admin).get(reverse("rollout:job-list"))
    assert response.status_code == 200
    jobs = {j.job: j for j in response.context["jobs"]}
    lists = jobs["build_daily_lists"]
    assert lists.last.result == "9 files" and lists.failures_7d == 1 and lists.runs_7d == 2
    assert "disk full" in lists.last_failure.error
    assert jobs["build_weekly_rollup"].stuck
    # Scheduled but never run (Celery beat) is listed too, with its schedule.
    assert jobs["vaccination-reminders"].last is None and jobs["vaccination-reminders"].schedule == "0 20 * * *"
    assert jobs["daily_stats_refresh_today"].schedule == "*/10 * * * *"
    page = response.content.decode()
    assert "/checkpoints/lists/?date=2021-11-11" in page and "disk full" in page


def test_job_history_lists_every_run(runs, client_for, province_admin):
    response = client_for(province_admin).get(reverse("rollout:job-detail", args=["build_daily_lists"]))
    assert [r.status for r in response.context["runs"]] == ["succeeded", "failed"]
    assert client_for(province_admin).get(reverse("rollout:job-detail", args=["nothing"])).status_code == 404


@pytest.mark.parametrize("persona", ["province_viewer", "health_officer", "district_officer", "outsider"])
def test_only_province_admins_see_jobs(request, runs, client_for, persona):
    client = client_for(request.getfixturevalue(persona))
    assert client.get(reverse("rollout:job-list")).status_code == 403
    assert client.get(reverse("rollout:job-detail", args=["build_daily_lists"])).status_code == 403
    assert reverse("rollout:job-list") not in client.get(reverse("dashboard")).content.decode()
