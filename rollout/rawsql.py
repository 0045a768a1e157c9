"""Two ways past the ORM for the few places that move many rows at once (PostgreSQL; the callers keep a
plain path for SQLite): COPY rows in, and read rows in PostgreSQL's binary format.

Both are recorded where Django records queries (``CaptureQueriesContext``, the debug toolbar), with the
whole time they took, so a benchmark's or a test's count of queries and SQL time stays true.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from contextlib import contextmanager, nullcontext
from typing import Any

import psycopg
from django.db import connection
from django.db.backends.utils import CursorDebugWrapper


def _recorded(cursor, sql: str, params: Any = None):
    """Django records a query only for the call that starts it: a COPY's rows or a raw cursor's fetch
    would be left out."""
    return cursor.debug_sql(sql, params) if isinstance(cursor, CursorDebugWrapper) else nullcontext()


def copy_rows(cursor, table: str, columns: Sequence[str], rows: Iterable[Sequence[Any]]) -> None:
    """COPY ``rows`` (values in the order of ``columns``, as psycopg adapts them) into ``table``, through
    Django's ``cursor``: psycopg formats each row in C, where an INSERT of many rows costs Python far more."""
    q = connection.ops.quote_name
    statement = f"COPY {q(table)} ({', '.join(q(c) for c in columns)}) FROM STDIN"
    with _recorded(cursor, statement), cursor.cursor.copy(statement) as copy:
        for row in rows:
            copy.write_row(row)


@contextmanager
def _binary_cursor():
    with connection.cursor() as cursor, psycopg.Cursor(cursor.connection) as raw:
        # Django's cursors bind parameters on the client, which has no binary results.
        yield cursor, raw


def fetch_binary(sql: str, params: Sequence[Any]) -> tuple[list[tuple], list[str]]:
    """Rows and column names of ``sql``, read in PostgreSQL's binary format.

    For hundreds of rows with timestamps: Django reads a timestamp in text through a parser written in
    Python (~3 µs each), the binary format is read by psycopg's C code; the values are the same (aware,
    in UTC). Parameters are bound by the server (``%s`` placeholders, as Django's)."""
    with _binary_cursor() as (cursor, raw), _recorded(cursor, sql, params):
        raw.execute(sql, params, binary=True)
        return raw.fetchall(), [column.name for column in raw.description]
