"""Check-ins and arrivals partitioned by local day on PostgreSQL: days created ahead, rows in their
day's partition across local midnight, and the purge dropping whole days while the figures stay."""

from __future__ import annotations

import re
from datetime import time, timedelta

import psycopg
import pytest
from django.db import OperationalError, connection
from django.urls import reverse

from checkpoints.bulk import insert_rows
from checkpoints.models import Arrival
from dashboard.models import DistrictDay
from dashboard.services.stats import daily_stats_recompute
from rollout import partitions
from rollout.models import JobRun
from rollout.services.partitions import partitions_ahead
from rollout.services.retention import personal_data_purge
from rollout.timeutils import local_datetime, local_today, oldest_kept_day
from tests.factories import ArrivalFactory, CheckInFactory, VenueFactory
from venues.models import CheckIn

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="partitioning is PostgreSQL's"),
]

CHECKINS, ARRIVALS = CheckIn._meta.db_table, Arrival._meta.db_table


def _partition_of(model, pk: int) -> str:
    """The partition PostgreSQL stored the row in."""
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT tableoid::regclass::text FROM {model._meta.db_table} WHERE id = %s", [pk])  # noqa: S608
        return cursor.fetchone()[0]


def _table_exists(name: str) -> bool:
    with connection.cursor() as cursor:
        cursor.execute("SELECT to_regclass(%s) IS NOT NULL", [name])
        return cursor.fetchone()[0]


def test_the_tables_are_partitioned_with_the_day_in_every_unique_key():
    assert partitions.is_partitioned(CHECKINS) and partitions.is_partitioned(ARRIVALS)
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT conrelid::regclass::text, pg_get_constraintdef(oid) FROM pg_constraint "
            "WHERE conrelid IN (%s::regclass, %s::regclass) AND contype IN ('p', 'u') ORDER BY 1, 2",
            [CHECKINS, ARRIVALS],
        )
        keys = cursor.fetchall()
    assert keys == [
        (ARRIVALS, "PRIMARY KEY (id, day)"),
        (ARRIVALS, "UNIQUE (import_key, day)"),
        (CHECKINS, "PRIMARY KEY (id, day)"),
    ]
    # The migration created yesterday, today and the days ahead, and the default partition.
    today = local_today()
    for table in (CHECKINS, ARRIVALS):
        assert {today + timedelta(days=offset) for offset in range(-1, 8)} <= set(partitions.day_partitions(table))
        assert _table_exists(partitions.default_name(table))
    # Django still sees one-column ids: the API and links keep working.
    assert CheckIn._meta.pk.name == "id" and Arrival._meta.pk.name == "id"


def test_the_job_creates_the_days_ahead_and_reports_rows_outside_them(settings):
    settings.PARTITIONS_AHEAD_DAYS = 7
    later = local_today() + timedelta(days=60)  # as if the job had not run for two months
    stray = CheckInFactory(checked_in_at=local_datetime(later + timedelta(days=3), time(9)))
    lost = CheckInFactory(checked_in_at=local_datetime(later + timedelta(days=30), time(9)))
    assert _partition_of(CheckIn, stray.pk) == partitions.default_name(CHECKINS)

    result = partitions_ahead(today=later)

    days = partitions.day_partitions(CHECKINS)
    for offset in range(-(settings.PERSONAL_DATA_RETENTION_DAYS - 1), 8):
        assert later + timedelta(days=offset) in days
    assert later + timedelta(days=8) not in days
    assert result.created[CHECKINS] == settings.PERSONAL_DATA_RETENTION_DAYS + 7
    # The row of a day now created moved into it; the one far ahead stays in the default, counted.
    assert _partition_of(CheckIn, stray.pk) == partitions.partition_name(CHECKINS, later + timedelta(days=3))
    assert _partition_of(CheckIn, lost.pk) == partitions.default_name(CHECKINS)
    assert result.in_default == {CHECKINS: 1, ARRIVALS: 0}
    run = JobRun.objects.get(job=partitions.JOB)
    assert run.status == JobRun.Status.SUCCEEDED and run.result.endswith("; 1 dòng nằm ngoài các phân vùng")

    again = partitions_ahead(today=later)
    assert set(again.created.values()) == {0}


def test_rows_land_in_their_local_days_partition_across_midnight():
    today = local_today()
    before, after = local_datetime(today, time(23, 59, 59)), local_datetime(today + timedelta(days=1))
    assert after - before == timedelta(seconds=1)  # 17:00:00 UTC: the UTC date is the same for both
    late, early = CheckInFactory(checked_in_at=before), CheckInFactory(checked_in_at=after)
    assert (late.day, early.day) == (today, today + timedelta(days=1))
    assert _partition_of(CheckIn, late.pk) == partitions.partition_name(CHECKINS, today)
    assert _partition_of(CheckIn, early.pk) == partitions.partition_name(CHECKINS, today + timedelta(days=1))

    # Arrivals, one by one and by the bulk path of imports.
    one = ArrivalFactory(arrived_at=before)
    checkpoint = one.checkpoint
    insert_rows(
        Arrival,
        [
            {"checkpoint_id": checkpoint.pk, "arrived_at": moment, "full_name": "Lò Văn Tủa",
             "destination_district_id": one.destination_district_id}
            for moment in (before, after)
        ],
    )  # fmt: skip
    bulk = Arrival.objects.filter(full_name="Lò Văn Tủa").order_by("arrived_at")
    assert [a.day for a in bulk] == [today, today + timedelta(days=1)]
    assert [_partition_of(Arrival, a.pk) for a in (one, *bulk)] == [
        partitions.partition_name(ARRIVALS, today),
        partitions.partition_name(ARRIVALS, today),
        partitions.partition_name(ARRIVALS, today + timedelta(days=1)),
    ]

    # Moving a check-in's time to another day moves its row to that day's partition.
    late.checked_in_at = after
    late.save(update_fields=["checked_in_at"])
    late.refresh_from_db()
    assert late.day == today + timedelta(days=1)
    assert _partition_of(CheckIn, late.pk) == partitions.partition_name(CHECKINS, today + timedelta(days=1))


def test_the_purge_drops_whole_days_clears_links_and_keeps_the_figures(bat_xat):
    today = local_today()
    first_kept = oldest_kept_day(today)
    old_day = first_kept - timedelta(days=1)
    partitions.ensure_days(CHECKINS, old_day - timedelta(days=1), first_kept)
    partitions.ensure_days(ARRIVALS, old_day - timedelta(days=1), first_kept)
    venue = VenueFactory(district=bat_xat)
    for minute in range(3):
        CheckInFactory(venue=venue, checked_in_at=local_datetime(old_day, time(23, 57 + minute)))
    CheckInFactory(venue=venue, checked_in_at=local_datetime(old_day - timedelta(days=1), time(12)))
    kept_checkin = CheckInFactory(venue=venue, checked_in_at=local_datetime(first_kept))
    old_arrival = ArrivalFactory(arrived_at=local_datetime(old_day, time(23, 59, 59)), destination_district=bat_xat)
    kept_arrival = ArrivalFactory(arrived_at=local_datetime(first_kept), possible_duplicate_of=old_arrival)
    daily_stats_recompute(first=old_day, last=first_kept, district_ids=[bat_xat.pk], force=True)
    old_partition = partitions.partition_name(CHECKINS, old_day)
    assert _table_exists(old_partition)

    result = personal_data_purge(today=today)

    assert result.deleted["check-ins"] == 4 and result.deleted["arrivals"] == 1
    # Whole partitions went, not rows: the old days' tables are gone, the kept ones are there.
    assert not _table_exists(old_partition) and not _table_exists(partitions.partition_name(ARRIVALS, old_day))
    assert not _table_exists(partitions.partition_name(CHECKINS, old_day - timedelta(days=1)))
    assert _table_exists(partitions.partition_name(CHECKINS, first_kept))
    assert list(CheckIn.objects.all()) == [kept_checkin]
    survivor = Arrival.objects.get()
    assert survivor == kept_arrival and survivor.possible_duplicate_of_id is None
    figures = DistrictDay.objects.get(district=bat_xat, day=old_day)
    assert (figures.checkins, figures.arrivals) == (3, 1)


def test_a_dry_run_counts_the_partitions_and_drops_nothing(bat_xat):
    old_day = oldest_kept_day(local_today()) - timedelta(days=1)
    partitions.ensure_days(CHECKINS, old_day, old_day)
    CheckInFactory(checked_in_at=local_datetime(old_day, time(8)))
    result = personal_data_purge(today=local_today(), dry_run=True)
    assert result.deleted["check-ins"] == 1
    assert _table_exists(partitions.partition_name(CHECKINS, old_day)) and CheckIn.objects.count() == 1


def _partitions_read(queryset) -> set[str]:
    """The partitions in the plan of ``queryset`` (after the planner's pruning)."""
    sql, params = queryset.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN {sql}", params)
        plan = "\n".join(row[0] for row in cursor.fetchall())
    return set(re.findall(rf"\b{CHECKINS}_(?:p\d{{8}}|default)\b", plan))


def test_a_query_between_two_moments_reads_only_their_days():
    today = local_today()
    partitions.ensure_days(CHECKINS, today - timedelta(days=5), today + timedelta(days=1))
    start, end = local_datetime(today - timedelta(days=1), time(22)), local_datetime(today, time(1))
    both_days = {
        partitions.partition_name(CHECKINS, today - timedelta(days=1)),
        partitions.partition_name(CHECKINS, today),
    }
    # The moments alone: every day is planned (the day cannot be told from the moment).
    assert len(_partitions_read(CheckIn.objects.filter(checked_in_at__gte=start, checked_in_at__lt=end))) >= 7
    assert _partitions_read(CheckIn.objects.between(start, end)) == both_days
    later = _partitions_read(CheckIn.objects.filter(checked_in_at__gte=start).on_days_of(start))
    days = later - {partitions.default_name(CHECKINS)}  # the default one may hold any later day
    assert both_days < days and not any(name < min(both_days) for name in days)  # no earlier day


def _tuples_read(names: list[str]) -> int:
    """Rows this transaction has read so far from the tables ``names`` (sequential and index scans)."""
    with connection.cursor() as cursor:
        # Tuples returned by a table are its sequential scans' rows, by an index its index scans' entries.
        cursor.execute(
            "SELECT COALESCE(sum(pg_stat_get_xact_tuples_returned(c.oid)), 0) FROM pg_class c "
            "WHERE c.oid IN (SELECT t.oid FROM pg_class t WHERE t.relname = ANY(%(names)s) "
            "UNION SELECT x.indexrelid FROM pg_index x JOIN pg_class t ON t.oid = x.indrelid "
            "WHERE t.relname = ANY(%(names)s))",
            {"names": names},
        )
        return cursor.fetchone()[0]


def test_a_large_day_is_dropped_without_reading_its_rows_and_its_count_is_an_estimate(
    bat_xat, monkeypatch, client_for, province_admin
):
    """At a tenth of Hà Nội a day holds 500,000 check-ins: counting them (count(*)) or finding the links
    into them by reading them would cost more than the DROP. Here a day of 30 arrivals stands for it."""
    monkeypatch.setattr(partitions, "EXACT_COUNT_MAX_ROWS", 10)
    today = local_today()
    first_kept = oldest_kept_day(today)
    old_day = first_kept - timedelta(days=1)
    partitions.ensure_days(ARRIVALS, old_day, first_kept)
    old_partition = partitions.partition_name(ARRIVALS, old_day)
    olds = [
        ArrivalFactory(arrived_at=local_datetime(old_day, time(8, minute)), destination_district=bat_xat)
        for minute in range(30)
    ]
    kept = ArrivalFactory(arrived_at=local_datetime(first_kept, time(8)), destination_district=bat_xat)
    linked_old = ArrivalFactory(arrived_at=local_datetime(first_kept, time(9)), possible_duplicate_of=olds[7])
    linked_kept = ArrivalFactory(arrived_at=local_datetime(first_kept, time(10)), possible_duplicate_of=kept)
    with connection.cursor() as cursor:
        cursor.execute(f"ANALYZE {old_partition}")  # as autovacuum does after a day of inserts
        # A one-page table is read whole by any plan; a day of 500,000 rows is not: plan as for that day.
        cursor.execute("SET LOCAL enable_seqscan = off")
    read_before_drop = []
    detach = partitions._detach

    def counting_detach(table, names):
        read_before_drop.append(_tuples_read(names))
        detach(table, names)

    monkeypatch.setattr(partitions, "_detach", counting_detach)

    result = personal_data_purge(today=today)

    # ANALYZE read the whole (small) partition: the estimate is right, and it is said to be one.
    assert result.deleted["arrivals"] == 30 and result.estimated == {"arrivals"}
    assert result.deleted["check-ins"] == 0 and "check-ins" not in result.estimated
    assert result.in_words().startswith("Trước ngày") and "khoảng 30 người đến" in result.in_words()
    # Before the DROP, the old day was read only for the one link into it (an index probe by id).
    assert read_before_drop == [1]
    assert not _table_exists(old_partition)
    linked_old.refresh_from_db()
    linked_kept.refresh_from_db()
    assert linked_old.possible_duplicate_of_id is None and linked_kept.possible_duplicate_of_id == kept.pk

    # The jobs panel says which count is an estimate.
    page = client_for(province_admin).get(reverse("rollout:job-list")).content.decode()
    section = page[page.index('id="purge"') : page.index("</section>", page.index('id="purge"'))]
    assert '<td>Người đến</td><td class="num">≈ 30</td>' in section
    assert '<td>Lượt quét QR</td><td class="num">0</td>' in section
    assert "ước tính" in section


def test_a_small_day_is_counted_exactly(bat_xat):
    old_day = oldest_kept_day(local_today()) - timedelta(days=1)
    partitions.ensure_days(CHECKINS, old_day, old_day)
    for minute in range(3):
        CheckInFactory(checked_in_at=local_datetime(old_day, time(8, minute)))
    with connection.cursor() as cursor:
        cursor.execute(f"ANALYZE {partitions.partition_name(CHECKINS, old_day)}")
    dropped = partitions.purge_before(CheckIn, old_day + timedelta(days=1))
    assert (dropped.rows, dropped.estimated) == (3, False)


@pytest.mark.django_db(transaction=True)
def test_the_purge_gives_way_to_a_long_read_and_tries_again(bat_xat, monkeypatch):
    """Detaching a partition locks the whole table: waiting behind a long read would queue every check-in
    behind it. It waits ``DROP_LOCK_TIMEOUT`` at most, then tries again later."""
    monkeypatch.setattr(partitions, "DROP_LOCK_TIMEOUT", "200ms")
    monkeypatch.setattr(partitions, "DROP_ATTEMPTS", 2)
    monkeypatch.setattr(partitions.time, "sleep", lambda seconds: None)
    old_day = oldest_kept_day(local_today()) - timedelta(days=1)
    partitions.ensure_days(CHECKINS, old_day, old_day)
    CheckInFactory(checked_in_at=local_datetime(old_day, time(8)))
    settings = connection.settings_dict
    reader = psycopg.connect(
        host=settings["HOST"], port=settings["PORT"] or 5432, user=settings["USER"],
        password=settings["PASSWORD"] or None, dbname=settings["NAME"],
    )  # fmt: skip
    try:
        reader.execute(f"SELECT count(*) FROM {CHECKINS}")  # noqa: S608 (a transaction left open: the long read)
        with pytest.raises(OperationalError):
            partitions.purge_before(CheckIn, old_day + timedelta(days=1))
        assert _table_exists(partitions.partition_name(CHECKINS, old_day))
        with connection.cursor() as cursor:
            cursor.execute("SHOW lock_timeout")
            assert cursor.fetchone()[0] == "0"  # the session's own setting is left as it was
    finally:
        reader.close()
    dropped = partitions.purge_before(CheckIn, old_day + timedelta(days=1))
    assert dropped.rows == 1 and not _table_exists(partitions.partition_name(CHECKINS, old_day))


def test_a_day_detached_by_a_purge_that_stopped_is_dropped_by_the_next(bat_xat):
    old_day = oldest_kept_day(local_today()) - timedelta(days=2)
    partitions.ensure_days(CHECKINS, old_day, old_day + timedelta(days=1))
    CheckInFactory(checked_in_at=local_datetime(old_day, time(8)))
    CheckInFactory(checked_in_at=local_datetime(old_day + timedelta(days=1), time(8)))
    name = partitions.partition_name(CHECKINS, old_day)
    with connection.cursor() as cursor:  # as if the process had died between detaching and dropping
        cursor.execute(f"ALTER TABLE {CHECKINS} DETACH PARTITION {name}")
    assert old_day not in partitions.day_partitions(CHECKINS) and _table_exists(name)

    result = personal_data_purge(today=local_today())

    assert result.deleted["check-ins"] == 2
    assert not _table_exists(name) and not _table_exists(
        partitions.partition_name(CHECKINS, old_day + timedelta(days=1))
    )
