"""The largest person tables partitioned by local day on PostgreSQL (declarative partitioning).

Check-ins and arrivals run to millions of rows a day in a large province and are kept only
``PERSONAL_DATA_RETENTION_DAYS`` days. Partitioned by their ``day`` column (the local day,
``rollout.models.people.LocalDayPartitioned``), a day past the retention goes with one ``DROP TABLE``
instead of a ``DELETE`` of millions of rows and the bloat and vacuum it leaves.

What PostgreSQL asks of a partitioned table, and how this project answers it:

- every unique key includes the partition key: the table's primary key is ``(id, day)`` while Django
  keeps ``id`` as its primary key (ids come from one identity sequence, so ``id`` alone stays unique);
  other unique keys get ``day`` added (the same imported row has the same moment, so the same day);
- foreign keys into a partitioned table are not enforced (``db_constraint=False``): before a day is
  dropped, ``purge_before`` clears or deletes what points into it, as the model's ``on_delete`` says;
- a DEFAULT partition takes any row outside the days created, so an insert never fails; the daily job
  (``ensure_ahead``) creates the days ahead, moves rows it finds in the default partition into their day,
  and reports how many there were.

SQLite (``make run``) and a table not (yet) converted keep plain tables: every function here is then a
no-op, and the purge deletes rows as before. Models register with ``register`` in ``AppConfig.ready``.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass, field
from datetime import date, timedelta

from django.conf import settings
from django.db import connection, models, transaction
from django.db.models.deletion import get_candidate_relations_to_delete

logger = logging.getLogger(__name__)

JOB = "partitions_ahead"
_DAY_NAME = re.compile(r"_p(\d{8})$")

_MODELS: dict[str, type[models.Model]] = {}


def register(model: type[models.Model]) -> None:
    """A model whose table is partitioned by ``day`` on PostgreSQL (its migration converts it)."""
    _MODELS[model._meta.label] = model


def registered() -> list[type[models.Model]]:
    return list(_MODELS.values())


# --- Names and inspection ------------------------------------------------------------------------


def partition_name(table: str, day: date) -> str:
    return f"{table}_p{day:%Y%m%d}"


def default_name(table: str) -> str:
    return f"{table}_pdefault"


def _q(name: str) -> str:
    return connection.ops.quote_name(name)


def is_partitioned(table: str, using=None) -> bool:
    conn = using or connection
    if conn.vendor != "postgresql":
        return False
    with conn.cursor() as cursor:
        cursor.execute(
            "SELECT 1 FROM pg_partitioned_table p JOIN pg_class c ON c.oid = p.partrelid "
            "WHERE c.relname = %s AND pg_table_is_visible(c.oid)",
            [table],
        )
        return cursor.fetchone() is not None


def day_partitions(table: str) -> dict[date, str]:
    """The table's day partitions: {day: partition name} (the default partition is not in it)."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid "
            "WHERE i.inhparent = %s::regclass",
            [table],
        )
        names = [name for (name,) in cursor.fetchall()]
    found = {}
    for name in names:
        match = _DAY_NAME.search(name)
        if match:
            digits = match.group(1)
            found[date(int(digits[:4]), int(digits[4:6]), int(digits[6:]))] = name
    return found


def default_rows(table: str) -> int:
    """Rows in the default partition: rows of days no partition was created for."""
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT count(*) FROM {_q(default_name(table))}")  # noqa: S608 (our own names)
        return cursor.fetchone()[0]


# --- Creating days -------------------------------------------------------------------------------


def _create_day(cursor, table: str, day: date) -> None:
    """Create the partition of ``day``, first taking that day's rows out of the default partition
    (PostgreSQL refuses a new partition whose rows sit in the default one) and putting them back after."""
    default = _q(default_name(table))
    cursor.execute(f"SELECT EXISTS (SELECT 1 FROM {default} WHERE day = %s)", [day])  # noqa: S608
    moving = cursor.fetchone()[0]
    if moving:
        cursor.execute(
            f"CREATE TEMPORARY TABLE partition_moving ON COMMIT DROP AS SELECT * FROM {default} WHERE day = %s",  # noqa: S608
            [day],
        )
        cursor.execute(f"DELETE FROM {default} WHERE day = %s", [day])  # noqa: S608
    cursor.execute(
        f"CREATE TABLE {_q(partition_name(table, day))} PARTITION OF {_q(table)} FOR VALUES FROM (%s) TO (%s)",
        [day, day + timedelta(days=1)],
    )
    if moving:
        cursor.execute(f"INSERT INTO {_q(table)} SELECT * FROM partition_moving")  # noqa: S608
        cursor.execute("DROP TABLE partition_moving")


def ensure_days(table: str, first: date, last: date) -> list[date]:
    """Create the missing day partitions from ``first`` to ``last`` (inclusive); the days created."""
    existing = day_partitions(table)
    created = []
    with transaction.atomic(), connection.cursor() as cursor:
        day = first
        while day <= last:
            if day not in existing:
                _create_day(cursor, table, day)
                created.append(day)
            day += timedelta(days=1)
    return created


@dataclass
class AheadResult:
    created: dict[str, int] = field(default_factory=dict)  # table -> day partitions created
    in_default: dict[str, int] = field(default_factory=dict)  # table -> rows left in the default partition


def ensure_ahead(today: date | None = None) -> AheadResult:
    """The daily job: every kept day and ``PARTITIONS_AHEAD_DAYS`` ahead have their partition; rows found
    in the default partition for those days are moved into them, and the rest counted (for the panel)."""
    from rollout.timeutils import local_today, oldest_kept_day

    today = today or local_today()
    first, last = oldest_kept_day(today), today + timedelta(days=settings.PARTITIONS_AHEAD_DAYS)
    result = AheadResult()
    for model in registered():
        table = model._meta.db_table
        if not is_partitioned(table):
            continue
        result.created[table] = len(ensure_days(table, first, last))
        result.in_default[table] = default_rows(table)
        if result.in_default[table]:
            # Ids and counts only: rows of days before the retention or far ahead (a wrong clock).
            logger.warning("%s rows of %s are in its default partition", result.in_default[table], table)
    return result


# --- Dropping days (the retention purge) --------------------------------------------------------


def purge_before(model: type[models.Model], first_kept: date, *, dry_run: bool = False) -> int | None:
    """Remove the model's rows of days before ``first_kept`` by dropping their partitions; returns the
    rows removed, or None when the table is not partitioned (the caller deletes rows as before).

    What points at those rows goes first, as the model says (``SET_NULL`` cleared, ``CASCADE`` deleted):
    the database does not enforce those links. Rows of old days in the default partition are left to
    the caller's ``DELETE`` (there are none unless a clock was wrong)."""
    table = model._meta.db_table
    if not is_partitioned(table):
        return None
    old = sorted((day, name) for day, name in day_partitions(table).items() if day < first_kept)
    with connection.cursor() as cursor:
        counts = []
        for _day, name in old:
            cursor.execute(f"SELECT count(*) FROM {_q(name)}")  # noqa: S608 (our own names)
            counts.append(cursor.fetchone()[0])
    if dry_run:
        return sum(counts)
    with transaction.atomic():
        gone = model._base_manager.filter(day__lt=first_kept).values("pk")
        # As Django's own delete finds them: hidden links (related_name="+") included.
        for rel in get_candidate_relations_to_delete(model._meta):
            pointing = rel.related_model._base_manager.filter(**{f"{rel.field.name}__in": gone})
            if rel.related_model is model:
                pointing = pointing.filter(day__gte=first_kept)  # the rest goes with its own day
            if rel.on_delete is models.SET_NULL:
                pointing.update(**{rel.field.name: None})
            elif rel.on_delete is models.CASCADE:
                pointing.delete()
        with connection.cursor() as cursor:
            # Deferred foreign-key checks of rows written earlier in this transaction are run now:
            # PostgreSQL refuses to drop a table with pending trigger events.
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            for _day, name in old:
                cursor.execute(f"DROP TABLE {_q(name)}")
    return sum(counts)


# --- Converting a plain table (the migrations) --------------------------------------------------


def convert_to_partitioned(schema_editor, table: str, *, days_behind: int, days_ahead: int) -> None:
    """Turn the plain ``table`` into one partitioned by ``day`` (PostgreSQL; a no-op elsewhere or when done).

    The table is rebuilt under its own name with the same columns, defaults, indexes (by their names, so
    later migrations find them), checks and outgoing foreign keys; the primary key becomes (id, day),
    unique keys get ``day``, ids continue from the old ones. Partitions are created for yesterday, today
    and the days ahead, and for the kept days that have rows; a default partition takes any other row."""
    conn = schema_editor.connection
    if conn.vendor != "postgresql" or is_partitioned(table, conn):
        return
    from rollout.timeutils import local_today

    q = conn.ops.quote_name
    with conn.cursor() as cursor:
        cursor.execute(
            "SELECT conrelid::regclass::text, conname FROM pg_constraint "
            "WHERE contype = 'f' AND confrelid = %s::regclass",
            [table],
        )
        incoming = cursor.fetchall()
        if incoming:
            raise RuntimeError(f"foreign keys into {table} must have db_constraint=False first: {incoming}")
        cursor.execute(
            "SELECT conname, contype, pg_get_constraintdef(oid) FROM pg_constraint "
            "WHERE conrelid = %s::regclass AND contype IN ('p', 'u', 'f', 'c') ORDER BY conname",
            [table],
        )
        constraints = cursor.fetchall()
        cursor.execute(
            "SELECT pg_get_indexdef(x.indexrelid) FROM pg_index x "
            "WHERE x.indrelid = %s::regclass AND NOT EXISTS "
            "(SELECT 1 FROM pg_constraint c WHERE c.conindid = x.indexrelid AND c.conrelid = x.indrelid)",
            [table],
        )
        indexes = [definition for (definition,) in cursor.fetchall()]
        for definition in indexes:
            if definition.startswith("CREATE UNIQUE"):
                raise RuntimeError(f"a unique index of {table} needs the day in it: {definition}")
        cursor.execute(f"SELECT COALESCE(max(id), 0) + 1 FROM {q(table)}")  # noqa: S608
        next_id = cursor.fetchone()[0]

        building = f"{table}_partitioned"
        cursor.execute(f"CREATE TABLE {q(building)} (LIKE {q(table)} INCLUDING DEFAULTS) PARTITION BY RANGE (day)")
        cursor.execute(f"CREATE TABLE {q(default_name(table))} PARTITION OF {q(building)} DEFAULT")
        # Days ahead, yesterday, and the kept days that hold rows: a new database (and every test database,
        # which each flush truncates partition by partition) starts with few tables; the nightly job
        # creates the rest of the window.
        today = local_today()
        cursor.execute(
            f"SELECT DISTINCT day FROM {q(table)} WHERE day >= %s",  # noqa: S608
            [today - timedelta(days=days_behind)],
        )
        days = {day for (day,) in cursor.fetchall()}
        days |= {today + timedelta(days=offset) for offset in range(-1, days_ahead + 1)}
        for day in sorted(days):
            cursor.execute(
                f"CREATE TABLE {q(partition_name(table, day))} PARTITION OF {q(building)} FOR VALUES FROM (%s) TO (%s)",
                [day, day + timedelta(days=1)],
            )
        cursor.execute(f"INSERT INTO {q(building)} SELECT * FROM {q(table)}")  # noqa: S608
        cursor.execute(f"DROP TABLE {q(table)}")
        cursor.execute(f"ALTER TABLE {q(building)} RENAME TO {q(table)}")
        cursor.execute(
            f"ALTER TABLE {q(table)} ALTER COLUMN id ADD GENERATED BY DEFAULT AS IDENTITY (START WITH {int(next_id)})"
        )
        for name, kind, definition in constraints:
            if kind == "p":
                definition = "PRIMARY KEY (id, day)"
            elif kind == "u" and "day" not in definition:
                definition = re.sub(r"\)$", ", day)", definition.split(" INCLUDE")[0])
            cursor.execute(f"ALTER TABLE {q(table)} ADD CONSTRAINT {q(name)} {definition}")
        for definition in indexes:
            cursor.execute(definition)  # "ON public.<table>": the rebuilt table has the same name


def fill_days(schema_editor, table: str, moment_column: str) -> None:
    """Fill ``day`` of existing rows from their moment (the migration adding the column)."""
    conn, q = schema_editor.connection, schema_editor.connection.ops.quote_name
    with conn.cursor() as cursor:
        if conn.vendor == "postgresql":
            cursor.execute(
                f"UPDATE {q(table)} SET day = ({q(moment_column)} AT TIME ZONE %s)::date",  # noqa: S608
                [settings.TIME_ZONE],
            )
            return
        from django.utils.dateparse import parse_datetime

        from rollout.timeutils import local_date

        cursor.execute(f"SELECT id, {q(moment_column)} FROM {q(table)}")  # noqa: S608
        rows = cursor.fetchall()
        for pk, moment in rows:
            if isinstance(moment, str):
                moment = parse_datetime(moment)
            if moment.tzinfo is None:
                from datetime import UTC

                moment = moment.replace(tzinfo=UTC)
            cursor.execute(f"UPDATE {q(table)} SET day = %s WHERE id = %s", [local_date(moment), pk])  # noqa: S608
