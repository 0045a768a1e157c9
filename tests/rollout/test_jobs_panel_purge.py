"""Privacy you can see: the jobs panel shows the personal data purge's last run and what it deleted, per kind."""

from __future__ import annotations

from datetime import date, time, timedelta

import pytest
from django.urls import reverse

from rollout.models import JobRun
from rollout.services.retention import personal_data_purge
from rollout.timeutils import local_datetime
from tests.factories import CheckInFactory, VenueFactory
from tracing.models import TracingSearch

pytestmark = pytest.mark.django_db

TODAY = date(2021, 11, 30)
LAST_PURGED = date(2021, 11, 9)  # 21 days kept, today included


@pytest.fixture
def purged(bat_xat, settings, tmp_path):
    """A purge that deleted 3 check-ins and 2 tracing searches, after a dry run that deleted nothing."""
    settings.PERSONAL_DATA_RETENTION_DAYS = 21
    settings.PRIVATE_FILES_ROOT = tmp_path / "files"
    venue = VenueFactory(district=bat_xat)
    for minute in range(3):
        CheckInFactory(venue=venue, checked_in_at=local_datetime(LAST_PURGED, time(9, minute)))
    for _ in range(2):
        search = TracingSearch.objects.create(reason="x", start=LAST_PURGED, end=LAST_PURGED)
        TracingSearch.objects.filter(pk=search.pk).update(created_at=local_datetime(LAST_PURGED, time(10, 0)))
    personal_data_purge(today=TODAY - timedelta(days=1), dry_run=True)
    personal_data_purge(today=TODAY)
    personal_data_purge(today=TODAY, dry_run=True)  # the latest run, but it deleted nothing: not the one shown


def _counts(page) -> dict[str, int]:
    return dict(page.context["purge"].counts)


def test_the_panel_shows_the_last_purge_and_its_counts_per_kind(purged, client_for, province_admin):
    response = client_for(province_admin).get(reverse("rollout:job-list"))
    purge = response.context["purge"]
    real = JobRun.objects.filter(job="purge_personal_data", params__dry_run=False).get()
    assert purge.last == real and purge.first_kept_day == "10/11/2021"
    counts = _counts(response)
    assert counts["lượt quét QR"] == 3 and counts["lượt truy vết"] == 2, counts
    assert counts["người đến"] == 0 and counts["tờ khai"] == 0 and purge.total == 5
    page = response.content.decode()
    section = page[page.index('id="purge"') : page.index("</section>", page.index('id="purge"'))]
    assert "Dữ liệu cá nhân" in section and "21 ngày" in section
    assert "dữ liệu của các ngày trước 10/11/2021" in section
    assert '<td>Lượt quét QR</td><td class="num">3</td>' in section
    assert "None" not in section


def test_the_panel_follows_the_retention_setting_and_a_later_purge(purged, client_for, province_admin, settings):
    settings.PERSONAL_DATA_RETENTION_DAYS = 30
    personal_data_purge(today=TODAY + timedelta(days=1))
    response = client_for(province_admin).get(reverse("rollout:job-list"))
    assert response.context["purge"].total == 0 and response.context["purge"].first_kept_day == "02/11/2021"
    assert "30 ngày" in response.content.decode()


def test_before_any_purge_the_panel_says_so(units, client_for, province_admin):
    response = client_for(province_admin).get(reverse("rollout:job-list"))
    assert response.context["purge"].last is None
    assert "Chưa chạy lần nào." in response.content.decode()


def test_a_failed_purge_shows_its_status_and_no_counts(bat_xat, client_for, province_admin, monkeypatch):
    def broken(rows):
        raise RuntimeError("disk full")

    monkeypatch.setattr("rollout.services.retention._delete_in_batches", broken)
    with pytest.raises(RuntimeError):
        personal_data_purge(today=TODAY)
    response = client_for(province_admin).get(reverse("rollout:job-list"))
    purge = response.context["purge"]
    assert purge.last.status == JobRun.Status.FAILED and purge.counts is None
    assert "không ghi nhận số lượng" in response.content.decode()


def test_other_roles_do_not_see_the_panel(units, client_for, health_officer, district_officer):
    for user in (health_officer, district_officer):
        assert client_for(user).get(reverse("rollout:job-list")).status_code == 403
