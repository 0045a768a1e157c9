"""Reads of the heavy pages and jobs from a streaming replica, when one is configured.

Opt-in, not every read: the dashboard selectors, the exports and the list builds run inside
``reading_from_replica()`` (a context manager and a decorator); everything else reads the primary, which
is always where writes go. Inside the scope a read still goes to the primary when

- no replica is configured (``DATABASE_REPLICA_URL`` unset: ``make run``, most deployments);
- the replica is down, or lags more than ``REPLICA_MAX_LAG_SECONDS`` (a health check per process at most
  every ``REPLICA_CHECK_SECONDS``, connecting with a short ``DB_REPLICA_CONNECT_TIMEOUT``; after a failure
  a circuit breaker skips the replica for ``REPLICA_RETRY_SECONDS`` instead of trying it per request);
- a transaction is open on the primary (reads in it must see its own rows, and row locks —
  ``select_for_update``, ``get_or_create`` — are writes to Django anyway);
- the same request or task already wrote the table read (read-your-writes): every write statement on the
  primary is noted per unit of work (``ReplicaRequestMiddleware`` for a request, Celery's task_prerun for
  a task); a statement that is not a plain INSERT, UPDATE or DELETE counts as a write to every table.

A decorated function whose read fails on the replica (it went away between two health checks) is run
again on the primary once; a ``with`` block cannot be run again, so it raises, and the next one reads the
primary (the breaker is open).
"""

from __future__ import annotations

import contextlib
import functools
import logging
import re
import threading
import time
from collections.abc import Callable
from contextvars import ContextVar, Token
from typing import Any

from django.conf import settings
from django.db import DatabaseError, connections
from django.db.backends.signals import connection_created
from django.http import HttpRequest, HttpResponse

from rollout.breaker import Breaker

logger = logging.getLogger(__name__)

PRIMARY_ALIAS = "default"
REPLICA_ALIAS = "replica"

_wanted: ContextVar[bool] = ContextVar("replica_wanted", default=False)
# Tables written by this request or task ("*": a statement we could not read, so every table).
_written: ContextVar[set[str] | None] = ContextVar("replica_written", default=None)
# Whether the current scope sent a read to the replica (to tell its failure from others).
_used: ContextVar[bool] = ContextVar("replica_used", default=False)

breaker = Breaker("read replica", cooldown=settings.REPLICA_RETRY_SECONDS)

# On the replica: whether it is a standby, and how far behind the primary it is. Caught up (everything
# received is replayed, and it is streaming) counts as 0 even when the primary has been idle for hours
# and the last replayed commit is old.
LAG_SQL = """
SELECT pg_is_in_recovery(),
       CASE WHEN pg_last_wal_receive_lsn() = pg_last_wal_replay_lsn()
                 AND EXISTS (SELECT 1 FROM pg_stat_wal_receiver WHERE status = 'streaming')
            THEN 0
            ELSE COALESCE(EXTRACT(EPOCH FROM now() - pg_last_xact_replay_timestamp()), 1e9)
       END
"""


# --- Health of the replica ------------------------------------------------------------------------


class _Health:
    def __init__(self) -> None:
        self.checked_at = float("-inf")
        self.usable = False
        self.lag: float | None = None
        self.state = ""  # the last one logged: "usable", "behind", "not a standby"
        self.lock = threading.Lock()


_health = _Health()


def replica_configured() -> bool:
    return REPLICA_ALIAS in connections.settings


def forget_health() -> None:
    """Check again at the next read (tests; a changed setting)."""
    _health.checked_at = float("-inf")
    breaker.reset()


def replica_lag() -> float | None:
    """Seconds the replica was behind at the last check (None: never checked or unreachable)."""
    return _health.lag


def replica_usable() -> bool:
    """Whether reads may go to the replica now: cached, so at most one check per interval per process."""
    if not replica_configured() or not breaker.allow():
        return False
    if time.monotonic() - _health.checked_at < settings.REPLICA_CHECK_SECONDS:
        return _health.usable
    with _health.lock:
        if time.monotonic() - _health.checked_at >= settings.REPLICA_CHECK_SECONDS:
            _health.usable = _check()
            _health.checked_at = time.monotonic()
    return _health.usable


def _check() -> bool:
    connection = connections[REPLICA_ALIAS]
    try:
        with connection.cursor() as cursor:
            cursor.execute(LAG_SQL)
            standby, lag = cursor.fetchone()
    except DatabaseError as exc:
        _health.lag = None
        breaker.failed(exc)
        with contextlib.suppress(DatabaseError):  # a broken connection may fail to close, too
            connection.close()
        return False
    breaker.succeeded()
    _health.lag = float(lag)
    # One line when the replica's state changes, not one per check.
    if not standby:
        # Promoted, or pointed at a primary by mistake: it no longer follows this primary.
        return _state("not a standby", "read replica is not a standby; reading from the primary")
    if _health.lag > settings.REPLICA_MAX_LAG_SECONDS:
        return _state(
            "behind",
            f"read replica {_health.lag:.1f} s behind (limit {settings.REPLICA_MAX_LAG_SECONDS} s); "
            "reading from the primary",
        )
    if _health.state not in ("", "usable"):
        logger.info("read replica usable again (%.1f s behind)", _health.lag)
    _health.state = "usable"
    return True


def _state(state: str, message: str) -> bool:
    if _health.state != state:
        logger.warning(message)
    _health.state = state
    return False


# --- Writes seen in this unit of work --------------------------------------------------------------

# Statements that change nothing (a SELECT … FOR UPDATE runs in a transaction, which reads the primary).
_READS = ("SELECT", "SAVEPOINT", "RELEASE", "ROLLBACK", "SET ", "SHOW", "EXPLAIN")
_WRITE = re.compile(r'^\s*(?:INSERT\s+INTO|UPDATE|DELETE\s+FROM)\s+"?([\w$]+)"?', re.IGNORECASE)


def _note_write(sql: str) -> None:
    if sql.lstrip()[:10].upper().startswith(_READS):
        return
    written = _written.get()
    if written is None:  # outside a request or task (a command, the shell)
        written = set()
        _written.set(written)
    match = _WRITE.match(sql)
    written.add(match.group(1) if match else "*")


def _writes_wrapper(execute, sql, params, many, context):
    if isinstance(sql, str):
        _note_write(sql)
    return execute(sql, params, many, context)


def _install_wrapper(sender, connection, **kwargs) -> None:
    # Without a replica nothing reads the notes: the hot paths (the public check-in) pay nothing for them.
    if (
        connection.alias == PRIMARY_ALIAS
        and replica_configured()
        and _writes_wrapper not in connection.execute_wrappers
    ):
        connection.execute_wrappers.append(_writes_wrapper)


connection_created.connect(_install_wrapper, dispatch_uid="rollout.dbrouter.writes")


def start_unit() -> Token:
    """A new request or task: nothing written yet. Returns the token that ends it (``end_unit``)."""
    return _written.set(set())


def end_unit(token: Token) -> None:
    """Back to the caller's notes (a task run eagerly inside a request must not wipe the request's)."""
    _written.reset(token)


def wrote(table: str) -> bool:
    written = _written.get()
    return bool(written) and ("*" in written or table in written)


class ReplicaRequestMiddleware:
    """Each request starts with nothing written (a worker thread serves many requests)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        token = start_unit()
        try:
            return self.get_response(request)
        finally:
            end_unit(token)


# --- The router and the scope ----------------------------------------------------------------------


class ReplicaRouter:
    """DATABASE_ROUTERS: writes to the primary; reads to the replica only inside ``reading_from_replica``."""

    def db_for_read(self, model, **hints: Any) -> str:
        if not _wanted.get() or wrote(model._meta.db_table) or connections[PRIMARY_ALIAS].in_atomic_block:
            return PRIMARY_ALIAS
        if not replica_usable():
            return PRIMARY_ALIAS
        _used.set(True)
        return REPLICA_ALIAS

    def db_for_write(self, model, **hints: Any) -> str:
        # Explicit: an object read from the replica is saved to the primary, never back where it came from.
        return PRIMARY_ALIAS

    def allow_relation(self, obj1, obj2, **hints: Any) -> bool | None:
        same_data = {PRIMARY_ALIAS, REPLICA_ALIAS}
        return True if {obj1._state.db, obj2._state.db} <= same_data else None

    def allow_migrate(self, db: str, app_label: str, model_name: str | None = None, **hints: Any) -> bool | None:
        return False if db == REPLICA_ALIAS else None


class reading_from_replica:
    """``with reading_from_replica(): ...`` or ``@reading_from_replica()``: reads here may use the replica."""

    def __enter__(self) -> reading_from_replica:
        self._tokens = (_wanted.set(True), _used.set(False))
        return self

    def __exit__(self, exc_type, exc, tb) -> None:
        used = _used.get()
        wanted_token, used_token = self._tokens
        _wanted.reset(wanted_token)
        _used.reset(used_token)
        if exc is not None and used and isinstance(exc, DatabaseError):
            _replica_failed(exc)

    def __call__(self, function: Callable) -> Callable:
        @functools.wraps(function)
        def run(*args: Any, **kwargs: Any) -> Any:
            try:
                with reading_from_replica():
                    return function(*args, **kwargs)
            except DatabaseError:
                if not breaker.is_open:
                    raise  # not the replica's fault (or it answers again): the error stands
            return function(*args, **kwargs)  # once more, on the primary

        return run


def _replica_failed(exc: BaseException) -> None:
    """A read on the replica failed: check it now; if it is gone, the breaker sends reads to the primary."""
    _health.checked_at = float("-inf")
    with _health.lock:
        _health.usable = _check()
        _health.checked_at = time.monotonic()
    if _health.usable:
        return
    logger.warning("a read on the replica failed (%s); reading from the primary", type(exc).__name__)
