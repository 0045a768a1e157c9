"""Core jobs on a real Celery worker process: the debounced rebuild after a write, the reminders, the
nightly personal-data purge."""

from __future__ import annotations

from datetime import time, timedelta

import pytest

from dashboard.models import DistrictDay
from dashboard.services.stats import daily_stats_bump
from platforms.models import VaccinationReminder
from platforms.tasks import vaccination_reminders_send_task
from rollout import outbox
from rollout.models import JobRun, Notification, Role
from rollout.tasks import personal_data_purge_task
from rollout.timeutils import local_datetime, local_today
from tests.factories import CheckInFactory, FacilityFactory, UserFactory, VenueFactory
from tests.worker import wait_for
from venues.models import CheckIn

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]


def test_a_write_bump_is_rebuilt_by_the_worker(celery_worker, bat_xat, settings):
    settings.DAILY_STATS_BUMP_DELAY_SECONDS = 1
    venue = VenueFactory(district=bat_xat)
    CheckInFactory.create_batch(3, venue=venue)
    today = local_today()
    daily_stats_bump(day=today, district_id=bat_xat.pk)
    daily_stats_bump(day=today, district_id=bat_xat.pk)  # one waiting rebuild sees both writes
    wait_for(lambda: outbox.sweep()["sent"], message="the rebuild sent by the sweep once due")
    row = wait_for(
        lambda: DistrictDay.objects.filter(day=today, district=bat_xat, checkins=3).first(),
        message="the rebuilt figures",
    )
    assert row.venues_active == 1
    assert celery_worker.log().count("daily_stats_bump_task") >= 1


def test_reminders_at_the_cutoff_reach_facility_staff_and_health_officers(celery_worker, bat_xat):
    facility = FacilityFactory(district=bat_xat, does_vaccination=True)
    staff = UserFactory.with_role(Role.FACILITY_STAFF, facility=facility)
    officer = UserFactory.with_role(Role.HEALTH_OFFICER)
    vaccination_reminders_send_task.delay()

    def mail() -> str:
        return "".join(f.read_text() for f in celery_worker.mail_dir.glob("*.log"))

    wait_for(lambda: staff.email in mail() and officer.email in mail(), message="both reminder e-mails")
    assert VaccinationReminder.objects.get(facility=facility).sent_at is not None
    assert Notification.objects.filter(user=staff).exists() and Notification.objects.filter(user=officer).exists()


def test_the_worker_purges_personal_data_older_than_the_retention(celery_worker, bat_xat):
    venue = VenueFactory(district=bat_xat)
    first_kept = local_today() - timedelta(days=20)  # the default retention: 21 days, today included
    CheckInFactory(venue=venue, checked_in_at=local_datetime(first_kept - timedelta(days=1), time(23, 59)))
    kept = CheckInFactory(venue=venue, checked_in_at=local_datetime(first_kept, time(0, 0)))
    personal_data_purge_task.delay()
    run = wait_for(
        lambda: JobRun.objects.filter(job="purge_personal_data", status=JobRun.Status.SUCCEEDED).first(),
        message="the purge run",
    )
    assert run.result.startswith(f"Trước ngày {first_kept:%d/%m/%Y}, đã xoá 1 lượt quét QR")
    assert list(CheckIn.objects.all()) == [kept]
