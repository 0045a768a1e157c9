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
import time
from dataclasses import dataclass, field
from datetime import date, timedelta

from django.conf import settings
from django.db import OperationalError, connection, models, transaction
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
            found[_parse_day(match.group(1))] = name
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

# A day partition with fewer rows than this (by PostgreSQL's statistics) is counted exactly before it is
# dropped: count(*) reads every row, a few milliseconds at this size. Larger days are counted from the
# statistics, so that the purge costs the same whatever a day holds (docs/scale.md).
EXACT_COUNT_MAX_ROWS = 50_000
# How long detaching the old days waits for the table's lock before giving way, and how many times it
# tries (1 s, 2 s… apart).
DROP_LOCK_TIMEOUT = "2s"
DROP_ATTEMPTS = 5


@dataclass
class Dropped:
    """What ``purge_before`` removed: rows, and whether that count is PostgreSQL's estimate."""

    rows: int = 0
    estimated: bool = False
    days: list[date] = field(default_factory=list)  # the days whose partitions went (or would go: dry run)
    lock_seconds: float = 0.0  # how long the whole table was locked (detaching the days, until the commit)


def _day_rows(cursor, name: str) -> tuple[int, bool]:
    """Rows in a day partition about to be dropped, and whether the count is an estimate.

    ``count(*)`` reads the whole day (500,000 rows at a tenth of Hà Nội): it would cost more than the
    ``DROP``. The statistics cost nothing: ``n_live_tup`` is kept by PostgreSQL's statistics system as
    committed inserts less deletes (reset by each ANALYZE and VACUUM to their count, which is exact for a
    table they read whole and a sample's estimate for a larger one); ``reltuples`` is the planner's count
    as of the last VACUUM or ANALYZE, used when the statistics were lost (a crash resets them). A day
    neither ever saw, or a small one, is counted exactly."""
    cursor.execute(
        "SELECT c.reltuples, COALESCE(pg_stat_get_live_tuples(c.oid), 0) FROM pg_class c WHERE c.oid = %s::regclass",
        [name],
    )
    reltuples, live = cursor.fetchone()
    estimate = live if live > 0 else max(reltuples, 0)
    if estimate >= EXACT_COUNT_MAX_ROWS:
        return round(estimate), True
    cursor.execute(f"SELECT count(*) FROM {_q(name)}")  # noqa: S608 (our own names)
    return cursor.fetchone()[0], False


def _clear_links(model: type[models.Model], first_kept: date) -> None:
    """Clear (``SET_NULL``) or delete (``CASCADE``) what points at the rows of days before ``first_kept``,
    as Django's own delete finds them (hidden links, ``related_name="+"``, included).

    Found from the side that points, never by reading the old days: the links that are set (an index
    scan of the link's column) are few, and each is looked up among the old days by its id (the primary
    key's index of each old partition). The cost follows the links, not the rows dropped."""
    for rel in get_candidate_relations_to_delete(model._meta):
        if rel.on_delete not in (models.SET_NULL, models.CASCADE):
            continue
        column = rel.field.name
        pointing = rel.related_model._base_manager.filter(**{f"{column}__isnull": False})
        if rel.related_model is model:
            pointing = pointing.filter(day__gte=first_kept)  # the rest goes with its own day
        targets = list(pointing.order_by().values_list(rel.field.attname, flat=True).distinct())
        gone = []
        for start in range(0, len(targets), 10_000):
            chunk = targets[start : start + 10_000]
            gone += model._base_manager.filter(day__lt=first_kept, pk__in=chunk).values_list("pk", flat=True)
        if not gone:
            continue
        pointing = pointing.filter(**{f"{column}__in": gone})
        if rel.on_delete is models.SET_NULL:
            pointing.update(**{column: None})
        else:
            pointing.delete()


def purge_before(model: type[models.Model], first_kept: date, *, dry_run: bool = False) -> Dropped | None:
    """Remove the model's rows of days before ``first_kept`` by dropping their partitions; returns the
    rows removed (``Dropped``), or None when the table is not partitioned (the caller deletes rows as
    before).

    What points at those rows goes first, as the model says (``SET_NULL`` cleared, ``CASCADE`` deleted):
    the database does not enforce those links. Rows of old days in the default partition are left to
    the caller's ``DELETE`` (there are none unless a clock was wrong). Nothing here reads the rows of the
    days dropped: the counts come from PostgreSQL's statistics for large days (``Dropped.estimated``).

    In two steps: the old days are detached from the table (a change of the catalogue, under a lock of
    the whole table for a few milliseconds: from then on no query sees them), then each is dropped on its
    own, which makes the kernel release its files (tens of milliseconds per 100 MB) while check-ins go on.
    A day left detached by a run that stopped in between is dropped by the next run."""
    table = model._meta.db_table
    if not is_partitioned(table):
        return None
    old = sorted((day, name) for day, name in day_partitions(table).items() if day < first_kept)
    left = sorted((day, name) for day, name in _detached_days(table).items() if day < first_kept)
    result = Dropped(days=sorted({day for day, _name in old + left}))
    with connection.cursor() as cursor:
        for _day, name in old + left:
            rows, estimated = _day_rows(cursor, name)
            result.rows += rows
            result.estimated |= estimated
    if dry_run or not (old or left):
        return result
    if old:
        for attempt in range(1, DROP_ATTEMPTS + 1):
            try:
                with transaction.atomic():
                    _clear_links(model, first_kept)
                    started = time.perf_counter()
                    _detach(table, [name for _day, name in old])
                result.lock_seconds = time.perf_counter() - started  # until the commit released the lock
                break
            except OperationalError as exc:
                if getattr(exc.__cause__, "sqlstate", None) != "55P03" or attempt == DROP_ATTEMPTS:
                    raise
                logger.warning("detaching old days of %s waited too long for its lock; again in %s s", table, attempt)
                time.sleep(attempt)
    with connection.cursor() as cursor:
        for _day, name in old + left:
            with transaction.atomic():
                cursor.execute(f"DROP TABLE {_q(name)}")
    return result


def _detach(table: str, names: list[str]) -> None:
    """Detach the partitions. That locks the whole table (ACCESS EXCLUSIVE) for an instant; while a long
    read holds the table (an export, a tracing search), waiting for that lock would queue every check-in
    behind it, so the wait is cut short (``DROP_LOCK_TIMEOUT``) and the caller tries again."""
    with connection.cursor() as cursor:
        # Deferred foreign-key checks of rows written earlier in this transaction are run now:
        # PostgreSQL refuses to alter a table with pending trigger events.
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        cursor.execute(
            "SELECT current_setting('lock_timeout'), set_config('lock_timeout', %s, true)", [DROP_LOCK_TIMEOUT]
        )
        before = cursor.fetchone()[0]
        for name in names:
            cursor.execute(f"ALTER TABLE {_q(table)} DETACH PARTITION {_q(name)}")
        cursor.execute("SELECT set_config('lock_timeout', %s, true)", [before])


def _detached_days(table: str) -> dict[date, str]:
    """Day tables of ``table`` that are no longer its partitions: detached by a purge that stopped before
    dropping them (their rows are past the retention all the same)."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT relname FROM pg_class WHERE relkind = 'r' AND NOT relispartition AND pg_table_is_visible(oid) "
            "AND relname LIKE %s",
            [table.replace("_", "\\_") + "\\_p%"],
        )
        names = [name for (name,) in cursor.fetchall()]
    found = {}
    for name in names:
        match = _DAY_NAME.search(name)
        if match and name == partition_name(table, _parse_day(match.group(1))):
            found[_parse_day(match.group(1))] = name
    return found


def _parse_day(digits: str) -> date:
    return date(int(digits[:4]), int(digits[4:6]), int(digits[6:]))


# --- Converting a plain table (the migrations) --------------------------------------------------


def _shape(cursor, table: str) -> tuple[list[tuple[str, str, str]], list[str]]:
    """The table's own constraints (name, kind, definition) and the definitions of its other indexes, to
    build it again: a partitioned table's indexes read "ON ONLY" (the parent alone), made to cover all."""
    cursor.execute(
        "SELECT conname, contype, pg_get_constraintdef(oid) FROM pg_constraint "
        "WHERE conrelid = %s::regclass AND contype IN ('p', 'u', 'f', 'c') AND conparentid = 0 ORDER BY conname",
        [table],
    )
    constraints = cursor.fetchall()
    cursor.execute(
        "SELECT pg_get_indexdef(x.indexrelid) FROM pg_index x "
        "WHERE x.indrelid = %s::regclass AND NOT EXISTS "
        "(SELECT 1 FROM pg_constraint c WHERE c.conindid = x.indexrelid AND c.conrelid = x.indrelid)",
        [table],
    )
    return constraints, [definition.replace(" ON ONLY ", " ON ") for (definition,) in cursor.fetchall()]


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
        constraints, indexes = _shape(cursor, table)
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


def convert_to_plain(schema_editor, table: str) -> None:
    """The reverse of ``convert_to_partitioned``: the partitioned ``table`` becomes one plain table again,
    under its own name, with every row of every partition (the default one included), the same columns,
    indexes, checks and outgoing foreign keys; the primary key is ``id`` alone again and the ``day`` added
    to unique keys is taken out. PostgreSQL only; a no-op elsewhere or when the table is plain.

    A unique key declared with ``day`` after the conversion would lose it too: there is none (SPEC §13
    keeps such keys in small unpartitioned tables)."""
    conn = schema_editor.connection
    if conn.vendor != "postgresql" or not is_partitioned(table, conn):
        return
    q = conn.ops.quote_name
    with conn.cursor() as cursor:
        constraints, indexes = _shape(cursor, table)
        cursor.execute(f"SELECT COALESCE(max(id), 0) + 1 FROM {q(table)}")  # noqa: S608
        next_id = cursor.fetchone()[0]

        building = f"{table}_plain"
        cursor.execute(f"CREATE TABLE {q(building)} (LIKE {q(table)} INCLUDING DEFAULTS)")
        cursor.execute(f"INSERT INTO {q(building)} SELECT * FROM {q(table)}")  # noqa: S608
        cursor.execute(f"DROP TABLE {q(table)}")  # and every partition with it
        cursor.execute(f"ALTER TABLE {q(building)} RENAME TO {q(table)}")
        cursor.execute(
            f"ALTER TABLE {q(table)} ALTER COLUMN id ADD GENERATED BY DEFAULT AS IDENTITY (START WITH {int(next_id)})"
        )
        for name, kind, definition in constraints:
            if kind == "p":
                definition = "PRIMARY KEY (id)"
            elif kind == "u":
                definition = re.sub(r", day\)", ")", definition)
            cursor.execute(f"ALTER TABLE {q(table)} ADD CONSTRAINT {q(name)} {definition}")
        for definition in indexes:
            cursor.execute(definition)


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
