"""The partitioning migrations (venues 0003, checkpoints 0005) go backwards to plain tables and forwards
again on PostgreSQL, keeping every row, the keys and the links."""

from __future__ import annotations

from datetime import time, timedelta

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from checkpoints.models import Arrival
from rollout import partitions
from rollout.timeutils import local_datetime, local_today
from tests.factories import ArrivalFactory, CheckInFactory, VenueFactory
from venues.models import CheckIn

pytestmark = pytest.mark.skipif(connection.vendor != "postgresql", reason="partitioning is PostgreSQL's")

CHECKINS, ARRIVALS = CheckIn._meta.db_table, Arrival._meta.db_table
BEFORE = [("venues", "0002_name_folded"), ("checkpoints", "0004_arrival_pc_covid")]


def _keys(table: str) -> list[tuple[str, str]]:
    """The table's primary and unique keys, and the foreign keys from it into itself."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT contype, pg_get_constraintdef(oid) FROM pg_constraint WHERE conrelid = %s::regclass "
            "AND (contype IN ('p', 'u') OR (contype = 'f' AND confrelid = conrelid)) ORDER BY 1, 2",
            [table],
        )
        return cursor.fetchall()


def _rows(table: str, columns: str) -> list[tuple]:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {columns} FROM {table} ORDER BY id")  # noqa: S608 (our own names)
        return cursor.fetchall()


def _migrate(targets) -> None:
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)


@pytest.mark.django_db(transaction=True)
def test_the_partitioning_migrations_go_backwards_and_forwards(bat_xat):
    today = local_today()
    venue = VenueFactory(district=bat_xat)
    checkins = [
        CheckInFactory(venue=venue, checked_in_at=local_datetime(today - timedelta(days=n), time(9))) for n in (0, 3)
    ]
    stray = CheckInFactory(venue=venue, checked_in_at=local_datetime(today + timedelta(days=90), time(9)))
    first = ArrivalFactory(arrived_at=local_datetime(today, time(8)), destination_district=bat_xat, import_key="k1")
    second = ArrivalFactory(arrived_at=local_datetime(today, time(9)), possible_duplicate_of=first)
    checkin_rows = _rows(CHECKINS, "id, venue_id, checked_in_at, day")
    arrival_rows = _rows(ARRIVALS, "id, import_key, possible_duplicate_of_id, day")
    partitioned_keys = {CHECKINS: _keys(CHECKINS), ARRIVALS: _keys(ARRIVALS)}
    try:
        _migrate(BEFORE)

        assert not partitions.is_partitioned(CHECKINS) and not partitions.is_partitioned(ARRIVALS)
        assert _rows(CHECKINS, "id, venue_id, checked_in_at") == [r[:3] for r in checkin_rows]
        assert _rows(ARRIVALS, "id, import_key, possible_duplicate_of_id") == [r[:3] for r in arrival_rows]
        assert _keys(CHECKINS) == [("p", "PRIMARY KEY (id)")]
        arrival_keys = _keys(ARRIVALS)
        assert ("p", "PRIMARY KEY (id)") in arrival_keys and ("u", "UNIQUE (import_key)") in arrival_keys
        # The link to a possible duplicate is a foreign key the database enforces again.
        assert any(kind == "f" and "(possible_duplicate_of_id)" in d for kind, d in arrival_keys), arrival_keys
        with connection.cursor() as cursor:
            cursor.execute(
                f"INSERT INTO {CHECKINS} (venue_id, full_name, phone, id_number, has_fever, has_cough, "  # noqa: S608
                "has_breathing_difficulty, had_contact, flagged, method, checked_in_at, name_folded) "
                "VALUES (%s, 'A', '', '', false, false, false, false, false, 'self', now(), 'a') RETURNING id",
                [venue.pk],
            )
            assert cursor.fetchone()[0] > stray.pk  # ids go on from the old ones
            cursor.execute(f"DELETE FROM {CHECKINS} WHERE id > %s", [stray.pk])  # noqa: S608

        _migrate(MigrationExecutor(connection).loader.graph.leaf_nodes())

        assert partitions.is_partitioned(CHECKINS) and partitions.is_partitioned(ARRIVALS)
        assert {CHECKINS: _keys(CHECKINS), ARRIVALS: _keys(ARRIVALS)} == partitioned_keys
        assert _rows(CHECKINS, "id, venue_id, checked_in_at, day") == checkin_rows
        assert _rows(ARRIVALS, "id, import_key, possible_duplicate_of_id, day") == arrival_rows
        assert CheckInFactory(venue=venue).pk > stray.pk
        assert Arrival.objects.get(pk=second.pk).possible_duplicate_of_id == first.pk
        assert {c.pk for c in checkins} < set(CheckIn.objects.values_list("pk", flat=True))
    finally:
        _migrate(MigrationExecutor(connection).loader.graph.leaf_nodes())
