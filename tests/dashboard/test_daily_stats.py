"""Daily aggregates: rebuilt from the raw rows, idempotent, kept current by Celery, never rebuilt
past the personal-data retention."""

from __future__ import annotations

import io
from datetime import date, datetime, timedelta
from unittest import mock
from zoneinfo import ZoneInfo

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from checkpoints.models import Arrival
from dashboard.models import ArrivalDay, DistrictDay, VenueDay
from dashboard.services import stats
from dashboard.services.stats import daily_stats_backfill, daily_stats_bump, daily_stats_recompute, daily_stats_refresh
from dashboard.tasks import daily_stats_recompute_task, daily_stats_refresh_today_task
from platforms.models import VaccinationUpdate
from rollout import outbox
from rollout.errors import ApplicationError
from rollout.models import FollowUp, JobRun
from rollout.timeutils import local_datetime
from tests.factories import CheckInFactory, VenueFactory
from tests.outbox import run_due_followups, waiting
from tests.rollout.world import at, build_world
from venues.models import CheckIn

pytestmark = pytest.mark.django_db

NOW = datetime(2021, 11, 10, 15, 0, tzinfo=ZoneInfo("Asia/Ho_Chi_Minh"))
TODAY = NOW.date()


@pytest.fixture
def frozen(time_machine):
    time_machine.move_to(NOW, tick=False)


@pytest.fixture
def world(units, frozen):
    return build_world(TODAY)


def row(district, day: date) -> DistrictDay:
    return DistrictDay.objects.get(district=district, day=day)


def test_a_day_is_rebuilt_from_its_raw_rows(world):
    daily_stats_refresh(day=TODAY)
    bx = row(world.bat_xat, TODAY)
    assert (bx.checkins, bx.checkins_flagged, bx.venues_active) == (3, 1, 2)
    assert bx.arrivals == 2
    assert bx.venues_with_qr == 3  # the closed venue has no working QR
    assert (bx.agencies, bx.agencies_reporting, bx.staff_headcount, bx.pc_covid) == (3, 2, 72, 43)
    assert (bx.vaccination_facilities, bx.vaccination_logged, bx.vaccination_updated) == (2, 2, 1)
    assert (bx.vaccination_on_time, bx.doses_given) == (1, 80)
    assert (bx.testing_qualified, bx.testing_live) == (2, 1)
    venue_days = {v.venue_id: v.checkins for v in VenueDay.objects.filter(day=TODAY, district=world.bat_xat)}
    assert venue_days == {world.venues["market"].pk: 2, world.venues["school"].pk: 1}
    communes = {a.commune_id: a.arrivals for a in ArrivalDay.objects.filter(day=TODAY, district=world.bat_xat)}
    assert sum(communes.values()) == 2 and len(communes) == 2


def test_local_day_edges_decide_the_day(world):
    yesterday = TODAY - timedelta(days=1)
    daily_stats_recompute(first=yesterday, last=TODAY)
    # 23:59:59 local on the 9th is the 9th, although it is 16:59:59 UTC on the 9th; 00:00 on the 10th is the 10th.
    assert row(world.sa_pa, yesterday).checkins == 1
    assert VenueDay.objects.get(day=TODAY, venue=world.venues["school"]).checkins == 1


def test_rebuilding_twice_changes_nothing(world):
    daily_stats_refresh(day=TODAY)
    first = list(DistrictDay.objects.values_list("district", "checkins", "arrivals", "pc_covid"))
    daily_stats_refresh(day=TODAY)
    assert list(DistrictDay.objects.values_list("district", "checkins", "arrivals", "pc_covid")) == first
    assert VenueDay.objects.filter(day=TODAY).count() == 3
    assert DistrictDay.objects.filter(day=TODAY).count() == 9


def test_a_rebuild_follows_later_writes_and_deletions(world):
    daily_stats_refresh(day=TODAY)
    CheckInFactory(venue=world.venues["idle"], checked_in_at=at(TODAY, 11))
    CheckIn.objects.filter(venue=world.venues["market"]).delete()
    daily_stats_refresh(day=TODAY, district_ids=[world.bat_xat.pk])
    assert row(world.bat_xat, TODAY).checkins == 2
    assert not VenueDay.objects.filter(day=TODAY, venue=world.venues["market"]).exists()
    assert row(world.sa_pa, TODAY).checkins == 1  # another district's row is left alone


def test_adoption_and_testing_snapshots_are_as_of_each_day(world):
    daily_stats_recompute(first=TODAY - timedelta(days=10), last=TODAY)
    ten_days_ago = row(world.bat_xat, TODAY - timedelta(days=10))
    assert (ten_days_ago.agencies_reporting, ten_days_ago.pc_covid) == (2, 20 + 5)  # committee's d-20 update
    assert row(world.bat_xat, TODAY - timedelta(days=4)).testing_live == 0
    assert row(world.bat_xat, TODAY - timedelta(days=3)).testing_live == 1  # first result on d-3


def test_days_older_than_the_retention_are_never_rebuilt_without_force(world, settings):
    old = TODAY - timedelta(days=settings.PERSONAL_DATA_RETENTION_DAYS)
    with pytest.raises(ApplicationError):
        daily_stats_refresh(day=old)
    with pytest.raises(ApplicationError):
        daily_stats_refresh(day=TODAY + timedelta(days=1))
    daily_stats_refresh(day=old, force=True)
    assert DistrictDay.objects.filter(day=old).count() == 9


def test_backfill_keeps_figures_of_purged_days(world, settings):
    old = TODAY - timedelta(days=settings.PERSONAL_DATA_RETENTION_DAYS + 2)
    CheckInFactory(venue=world.venues["market"], checked_in_at=at(old, 10))
    daily_stats_backfill(days=30)
    assert row(world.bat_xat, old).checkins == 1
    CheckIn.objects.filter(checked_in_at__lt=local_datetime(old + timedelta(days=1))).delete()  # the purge
    daily_stats_backfill(days=30)
    assert row(world.bat_xat, old).checkins == 1  # kept
    assert row(world.bat_xat, TODAY).checkins == 3


def test_nightly_job_rebuilds_recent_days_and_catches_up_missing_ones(world, settings):
    settings.DAILY_STATS_RECOMPUTE_DAYS = 3
    daily_stats_recompute_task.delay()
    days = set(DistrictDay.objects.values_list("day", flat=True))
    oldest = TODAY - timedelta(days=settings.PERSONAL_DATA_RETENTION_DAYS - 1)
    assert days == {
        oldest + timedelta(days=i) for i in range((TODAY - oldest).days)
    }  # not today: that is the other job
    run = JobRun.objects.get(job="daily_stats_recompute")
    assert run.status == JobRun.Status.SUCCEEDED and "ngày bị thiếu" in run.result
    # The next night only the recent days are rebuilt.
    CheckInFactory(venue=world.venues["market"], checked_in_at=at(TODAY - timedelta(days=2), 10))
    CheckInFactory(venue=world.venues["market"], checked_in_at=at(TODAY - timedelta(days=9), 10))
    daily_stats_recompute_task.delay()
    assert row(world.bat_xat, TODAY - timedelta(days=2)).checkins == 2
    assert row(world.bat_xat, TODAY - timedelta(days=9)).checkins == 0  # outside the window: next time it is missed


def test_periodic_refresh_of_today_records_its_run(world):
    daily_stats_refresh_today_task.delay()
    assert row(world.bat_xat, TODAY).checkins == 3
    run = JobRun.objects.get(job="daily_stats_refresh_today")
    assert run.status == JobRun.Status.SUCCEEDED and "9 huyện" in run.result


def test_a_failing_refresh_is_recorded_as_failed(world):
    with mock.patch.object(stats, "_rebuild_day", side_effect=RuntimeError("boom")), pytest.raises(RuntimeError):
        stats.daily_stats_refresh_today()
    run = JobRun.objects.get(job="daily_stats_refresh_today")
    assert run.status == JobRun.Status.FAILED and "boom" in run.error


def test_bump_after_a_write_rebuilds_that_district_day(world):
    daily_stats_refresh(day=TODAY)
    CheckInFactory(venue=world.venues["idle"], checked_in_at=at(TODAY, 12))
    daily_stats_bump(day=TODAY, district_id=world.bat_xat.pk)
    assert row(world.bat_xat, TODAY).checkins == 3  # not yet: the rebuild waits for its delay
    run_due_followups()
    assert row(world.bat_xat, TODAY).checkins == 4


def test_bumps_wait_in_the_outbox_one_per_district_and_day(world, settings):
    before = timezone.now()
    daily_stats_bump(day=TODAY, district_id=world.bat_xat.pk)
    daily_stats_bump(day=TODAY, district_id=world.bat_xat.pk)
    daily_stats_bump(day=TODAY, district_id=world.sa_pa.pk)
    rows = waiting("dashboard.tasks.daily_stats_bump_task")
    assert [r.kwargs for r in rows] == [
        {"day": TODAY.isoformat(), "district_id": world.bat_xat.pk},
        {"day": TODAY.isoformat(), "district_id": world.sa_pa.pk},
    ]
    delay = timedelta(seconds=settings.DAILY_STATS_BUMP_DELAY_SECONDS)
    assert all(before + delay <= r.not_before <= timezone.now() + delay for r in rows)
    assert all(r.dispatched_at is None for r in rows)  # held by the database, never by a worker


def test_a_rebuild_recorded_by_another_process_spares_this_one_the_outbox_for_a_while(
    world, settings, django_assert_num_queries
):
    import time

    daily_stats_bump(day=TODAY, district_id=world.bat_xat.pk)  # another web process recorded it
    stats._recently_bumped.clear()
    with django_assert_num_queries(1):  # finds it waiting, records nothing
        daily_stats_bump(day=TODAY, district_id=world.bat_xat.pk)
    with django_assert_num_queries(0):  # then skipped in this process
        daily_stats_bump(day=TODAY, district_id=world.bat_xat.pk)
    assert len(waiting("dashboard.tasks.daily_stats_bump_task")) == 1
    left = max(stats._recently_bumped.values()) - time.monotonic()
    assert settings.DAILY_STATS_BUMP_DELAY_SECONDS - 5 < left <= settings.DAILY_STATS_BUMP_DELAY_SECONDS


def test_a_broker_outage_never_breaks_the_write_and_the_bump_runs_once_it_is_back(world):
    daily_stats_refresh(day=TODAY)
    CheckInFactory(venue=world.venues["idle"], checked_in_at=at(TODAY, 12))
    daily_stats_bump(day=TODAY, district_id=world.bat_xat.pk)
    with mock.patch("celery.app.task.Task.apply_async", side_effect=OSError("broker down")):
        assert run_due_followups()["sent"] == 0
    assert outbox.broker.is_open and len(waiting()) == 1  # still recorded, not lost
    outbox.broker.reset()  # the broker is back
    assert run_due_followups()["sent"] == 1
    assert row(world.bat_xat, TODAY).checkins == 4
    assert not waiting() and FollowUp.objects.get().state == FollowUp.State.DONE


def test_bump_for_a_day_past_the_retention_is_skipped(world, settings):
    old = TODAY - timedelta(days=settings.PERSONAL_DATA_RETENTION_DAYS + 1)
    assert stats.daily_stats_bump_run(day=old, district_id=world.bat_xat.pk) is None
    assert not DistrictDay.objects.filter(day=old).exists()


def test_vaccination_log_after_the_cutoff_is_not_on_time(world, settings):
    VaccinationUpdate.objects.filter(facility=world.facilities["station"], day=TODAY).update(
        platform_updated_at=at(TODAY, 20, 1)
    )
    daily_stats_refresh(day=TODAY)
    assert (row(world.bat_xat, TODAY).vaccination_updated, row(world.bat_xat, TODAY).vaccination_on_time) == (1, 0)


# --- The command ------------------------------------------------------------------------------


def test_command_rebuilds_a_range_and_prints_one_line_per_day(world):
    out = io.StringIO()
    call_command("recompute_daily_stats", "--from", "2021-11-08", "--to", "2021-11-10", stdout=out)
    lines = out.getvalue().splitlines()
    assert lines == [
        "2021-11-08: 9 districts, 1 check-ins, 1 arrivals",
        "2021-11-09: 9 districts, 1 check-ins, 0 arrivals",
        "2021-11-10: 9 districts, 4 check-ins, 3 arrivals",
    ]
    assert JobRun.objects.get(job="daily_stats_recompute").status == JobRun.Status.SUCCEEDED


def test_command_takes_districts_and_day_counts(world):
    out = io.StringIO()
    call_command("recompute_daily_stats", "--days", "2", "--district", str(world.sa_pa.pk), stdout=out)
    assert out.getvalue().splitlines()[-1] == "2021-11-10: 1 districts, 1 check-ins, 1 arrivals"
    assert set(DistrictDay.objects.values_list("district", flat=True)) == {world.sa_pa.pk}


def test_command_refuses_purged_days_unless_forced(world, settings):
    with pytest.raises(CommandError, match="12/10/2021"):
        call_command("recompute_daily_stats", "--days", "30", stdout=io.StringIO())
    with pytest.raises(CommandError, match="not a date"):
        call_command("recompute_daily_stats", "--from", "10/11/2021", stdout=io.StringIO())
    call_command("recompute_daily_stats", "--days", "30", "--force", stdout=io.StringIO())
    assert DistrictDay.objects.values("day").distinct().count() == 30


def test_arrivals_are_counted_by_destination_not_checkpoint_district(world):
    Arrival.objects.all().delete()
    venue = VenueFactory(district=world.sa_pa)
    CheckInFactory(venue=venue, checked_in_at=at(TODAY, 8))
    from tests.factories import ArrivalFactory, CheckpointFactory

    ArrivalFactory(checkpoint=CheckpointFactory(district=world.sa_pa), destination_district=world.bat_xat,
                   arrived_at=at(TODAY, 8))  # fmt: skip
    daily_stats_refresh(day=TODAY)
    assert (row(world.bat_xat, TODAY).arrivals, row(world.sa_pa, TODAY).arrivals) == (1, 0)


def test_a_check_in_and_an_inspection_update_their_district_day(bat_xat):
    from rollout.timeutils import local_today
    from tests.factories import UserFactory
    from venues.models import Inspection
    from venues.services.checkins import CheckInInput, checkin_create
    from venues.services.inspections import inspection_record

    venue = VenueFactory(district=bat_xat)
    checkin_create(venue=venue, data=CheckInInput(full_name="Lò Thị Mai", phone="0912345678", has_fever=True))
    run_due_followups()
    figures = DistrictDay.objects.get(day=local_today(), district=bat_xat)
    assert (figures.checkins, figures.checkins_flagged) == (1, 1)

    stats._recently_bumped.clear()  # a new request, a minute later
    from rollout.models import Role

    officer = UserFactory.with_role(Role.DISTRICT_OFFICER, district=bat_xat)
    inspection_record(
        by=officer,
        venue=venue,
        inspection=Inspection(inspected_on=local_today(), inspector="Đoàn kiểm tra", compliant=False, violations="x"),
    )
    run_due_followups()
    assert DistrictDay.objects.get(day=local_today(), district=bat_xat).inspections == 1


def test_pc_covid_answers_of_arrivals_are_counted_per_destination_district(world):
    daily_stats_refresh(day=TODAY)
    bx, sp = row(world.bat_xat, TODAY), row(world.sa_pa, TODAY)
    assert (bx.arrivals, bx.arrivals_pc_covid_had, bx.arrivals_pc_covid_installed, bx.arrivals_no_smartphone) == (
        2, 1, 1, 0,
    )  # fmt: skip
    assert (sp.arrivals, sp.arrivals_pc_covid_had, sp.arrivals_pc_covid_installed, sp.arrivals_no_smartphone) == (
        1,
        0,
        0,
        0,
    )  # fmt: skip  (not asked: in none of them)
    Arrival.objects.filter(destination_district=world.sa_pa, arrived_at__gte=at(TODAY, 0)).update(pc_covid="had")
    daily_stats_refresh(day=TODAY)
    assert row(world.sa_pa, TODAY).arrivals_pc_covid_had == 1
