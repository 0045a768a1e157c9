"""The read replica: a PostgreSQL of the test's own and a streaming standby of it (pg_basebackup), both started
as the ``postgres`` system user on ports of their own; the machine's own PostgreSQL is never touched.

The router is pointed at the two servers by alias; every read below is a real query on one of them, and which
one answered is told by the rows it sees (replay paused on the standby) and by ``pg_is_in_recovery()``.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from datetime import UTC, datetime

import dj_database_url
import psycopg
import pytest
from django.core.management import call_command
from django.db import ProgrammingError, connections, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from checkpoints.models import DailyList
from checkpoints.services.daily_lists import checkpoint_list_export, daily_list_build
from dashboard.selectors import overview_build, overview_scope_for
from rollout import dbrouter
from rollout.dbrouter import reading_from_replica, replica_lag, start_unit
from rollout.models import Heartbeat, Province, Role, User
from rollout.timeutils import local_today
from tests.factories import AgencyFactory, CheckpointFactory, UserFactory, district
from tests.postgres_server import PostgresReplica, PostgresServer
from tests.worker import ROOT, wait_for

pytestmark = pytest.mark.fault

PRIMARY, REPLICA = "router_primary", "router_replica"
DB = "rollout_router"


@pytest.fixture(scope="module")
def servers():
    primary = PostgresServer().start()
    try:
        primary.create_database(DB)
        replica = PostgresReplica(primary).start()
    except BaseException:
        primary.close()
        raise
    yield primary, replica
    replica.close()
    primary.close()


@pytest.fixture
def routed(servers, django_db_blocker, settings, monkeypatch):
    """The router's primary and replica are the test's two servers; the Heartbeat table exists on them."""
    primary, replica = servers
    base = {k: v for k, v in connections.settings["default"].items() if k not in {"NAME", "HOST", "PORT", "USER"}}
    for alias, server in ((PRIMARY, primary), (REPLICA, replica)):
        connections.settings[alias] = base | dj_database_url.parse(server.database_url(DB)) | {"CONN_MAX_AGE": 60}
    connections.settings[REPLICA]["OPTIONS"] = {"connect_timeout": 1}
    monkeypatch.setattr(dbrouter, "PRIMARY_ALIAS", PRIMARY)
    monkeypatch.setattr(dbrouter, "REPLICA_ALIAS", REPLICA)
    settings.REPLICA_MAX_LAG_SECONDS = 30
    settings.REPLICA_CHECK_SECONDS = 0.05
    dbrouter.forget_health()
    with django_db_blocker.unblock():
        with connections[PRIMARY].schema_editor() as editor:
            editor.create_model(Heartbeat)
        start_unit()
        yield primary, replica
        for alias in (PRIMARY, REPLICA):
            connections[alias].close()
        with psycopg.connect(primary.database_url(DB), autocommit=True) as conn:
            conn.execute("DROP TABLE rollout_heartbeat")
    for alias in (PRIMARY, REPLICA):
        del connections.settings[alias]
    dbrouter.forget_health()
    start_unit()


def _on_replica(sql: str, params: list | None = None) -> tuple:
    with connections[REPLICA].cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchone()


def _in_recovery(alias: str) -> bool:
    with connections[alias].cursor() as cursor:
        cursor.execute("SELECT pg_is_in_recovery()")
        return cursor.fetchone()[0]


def _insert_behind_the_routers_back(primary: PostgresServer, name: str) -> None:
    """A row written by another process (a check-in on another web server): this request did not write."""
    with psycopg.connect(primary.database_url(DB), autocommit=True) as conn:
        conn.execute("INSERT INTO rollout_heartbeat (name, seen_at) VALUES (%s, now())", [name])


def _replicated(name: str) -> bool:
    try:
        return _on_replica("SELECT count(*) FROM rollout_heartbeat WHERE name = %s", [name])[0] == 1
    except ProgrammingError:  # the standby has not replayed the table's creation yet
        return False


def _seen(name: str) -> bool:
    return Heartbeat.objects.filter(name=name).exists()


def test_reads_in_scope_go_to_the_replica_others_and_writes_to_the_primary(routed, settings):
    primary, _replica = routed
    _insert_behind_the_routers_back(primary, "first")
    wait_for(lambda: _replicated("first"), message="the row on the standby")

    assert Heartbeat.objects.all().db == PRIMARY and not _in_recovery(PRIMARY)
    with reading_from_replica():
        query = Heartbeat.objects.all()
        assert query.db == REPLICA and _in_recovery(query.db)
        assert _seen("first")
        assert replica_lag() == 0  # caught up and streaming

    # Replay paused: a row written now is on the primary only, so who answers is plain from the answer.
    _on_replica("SELECT pg_wal_replay_pause()")
    try:
        _insert_behind_the_routers_back(primary, "second")
        with reading_from_replica():
            assert not _seen("second")  # the standby answered
        assert _seen("second")  # outside the scope: the primary

        # Inside a transaction on the primary: the primary, even in the scope.
        with reading_from_replica(), transaction.atomic(using=PRIMARY):
            assert Heartbeat.objects.all().db == PRIMARY and _seen("second")

        # After this request writes the table, it reads its own writes: the primary, for that table only.
        start_unit()
        with reading_from_replica():
            Heartbeat.objects.create(name="mine", seen_at=datetime.now(UTC))
            assert _seen("second") and _seen("mine")
            assert Province.objects.all().db == REPLICA  # a table it did not write still reads the standby
        start_unit()  # the next request has written nothing
        with reading_from_replica():
            assert not _seen("second")

        # Too far behind: the standby has not replayed a commit for a while now.
        time.sleep(1.2)
        settings.REPLICA_MAX_LAG_SECONDS = 1
        with reading_from_replica():
            assert _seen("second") and Heartbeat.objects.all().db == PRIMARY
        assert replica_lag() > 1
    finally:
        _on_replica("SELECT pg_wal_replay_resume()")
    wait_for(lambda: _replicated("mine"), message="replay resumed")
    settings.REPLICA_MAX_LAG_SECONDS = 30
    dbrouter.forget_health()  # the last check, a moment ago, found it behind
    with reading_from_replica():
        assert Heartbeat.objects.all().db == REPLICA and _seen("second")


@reading_from_replica()
def _names() -> list[str]:
    return sorted(Heartbeat.objects.values_list("name", flat=True))


def test_a_replica_that_stops_sends_reads_to_the_primary_at_once(routed, settings):
    primary, replica = routed
    _insert_behind_the_routers_back(primary, "kept")
    wait_for(lambda: _replicated("kept"), message="the row on the standby")
    settings.REPLICA_CHECK_SECONDS = 60  # the cached check still says "up" when the replica goes
    assert _names() == ["kept"]
    with reading_from_replica():
        assert Heartbeat.objects.all().db == REPLICA

    pid = replica.pid
    os.kill(pid, signal.SIGINT)  # fast shutdown of the standby's postmaster
    wait_for(lambda: replica.pid is None, message="the standby stopped")
    try:
        # The decorated read failed on the standby, checked it, found it gone and ran again on the primary.
        started = time.monotonic()
        assert _names() == ["kept"]
        with reading_from_replica():
            assert Heartbeat.objects.all().db == PRIMARY and _seen("kept")
        # The breaker stays open: no connection is tried per read while the standby is away.
        for _ in range(50):
            with reading_from_replica():
                assert Heartbeat.objects.all().db == PRIMARY
        assert time.monotonic() - started < 2
        assert dbrouter.breaker.is_open and replica_lag() is None
    finally:
        replica.start()
    dbrouter.forget_health()
    wait_for(lambda: _names() == ["kept"] and dbrouter.replica_usable(), message="the standby back in use")


def test_the_replica_is_configured_from_the_environment_with_a_short_connect_timeout():
    show = (
        "from django.conf import settings as s; r = s.DATABASES['replica']; "
        "print(r['HOST'], r['PORT'], r['OPTIONS'], r['TEST']['MIRROR'], s.DATABASE_ROUTERS)"
    )
    env = os.environ | {"DJANGO_DEBUG": "1", "DATABASE_REPLICA_URL": "postgres://reader@standby:5433/rollout"}
    result = subprocess.run(
        [sys.executable, "manage.py", "shell", "-v0", "-c", show], cwd=ROOT, env=env, capture_output=True, text=True
    )
    expected = "standby 5433 {'connect_timeout': 1} default ['rollout.dbrouter.ReplicaRouter']"
    assert expected in result.stdout, result.stderr
    env["REPLICA_MAX_LAG_SECONDS"] = "60"
    result = subprocess.run([sys.executable, "manage.py", "check"], cwd=ROOT, env=env, capture_output=True, text=True)
    assert result.returncode != 0 and "REPLICA_MAX_LAG_SECONDS must be below DAILY_LISTS_REFRESH_DELAY" in result.stderr


@pytest.mark.parametrize(
    ("sql", "noted"),
    [
        ('INSERT INTO "checkpoints_arrival" ("id") VALUES (1)', {"checkpoints_arrival"}),
        ('UPDATE "rollout_followup" SET "state" = 2', {"rollout_followup"}),
        ('DELETE FROM "venues_checkin" WHERE 1', {"venues_checkin"}),
        ("WITH x AS (DELETE FROM t RETURNING 1) SELECT 1", {"*"}),  # could not read: every table
        ("TRUNCATE venues_checkin", {"*"}),
        ('SELECT "id" FROM "venues_checkin"', set()),
        ("SAVEPOINT s1", set()),
    ],
)
def test_the_writes_of_a_request_are_noted_by_table(sql, noted):
    token = start_unit()
    try:
        dbrouter._note_write(sql)
        assert dbrouter._written.get() == noted
    finally:
        dbrouter.end_unit(token)


@pytest.mark.django_db
def test_without_a_replica_nothing_watches_the_primarys_statements():
    from django.db import connection

    connection.ensure_connection()
    assert not dbrouter.replica_configured()
    assert dbrouter._writes_wrapper not in connection.execute_wrappers
    with reading_from_replica():
        assert Province.objects.all().db == "default"


APP_DB = "rollout_app"
APP_REPLICA = "app_replica"


@pytest.fixture(scope="module")
def app_servers(servers, django_db_setup, django_db_blocker):
    """The whole app on the test's two servers: the test database's schema copied to a database of the
    test's own primary (pg_dump --schema-only), and its standby under an alias of its own, which exists before
    the test's database access is set up (a module fixture), so the test may name it."""
    primary, replica = servers
    primary.create_database(APP_DB)
    test_db = _server_url(connections["default"].settings_dict["NAME"])
    schema = subprocess.run(
        ["pg_dump", "--schema-only", "--no-owner", "--no-privileges", test_db],
        capture_output=True, text=True, check=True,
    ).stdout  # fmt: skip
    subprocess.run(
        ["psql", "-q", "-v", "ON_ERROR_STOP=1", primary.database_url(APP_DB)],
        input=schema, capture_output=True, text=True, check=True,
    )  # fmt: skip
    connections.settings[APP_REPLICA] = (
        dict(connections.settings["default"])
        | dj_database_url.parse(replica.database_url(APP_DB))
        | {"TEST": {"CHARSET": None, "COLLATION": None, "MIGRATE": True, "NAME": None, "MIRROR": "default"}}
    )
    yield primary
    with django_db_blocker.unblock():
        connections[APP_REPLICA].close()
    del connections.settings[APP_REPLICA]
    with psycopg.connect(primary.url, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE "{APP_DB}" WITH (FORCE)')


@pytest.fixture
def app_routed(app_servers, transactional_db, settings, monkeypatch, tmp_path):
    """``default`` is the test's own primary for the length of the test (as in production: the router's
    primary is ``default``); the test database is back before the test's teardown flushes it."""
    default = connections["default"]
    saved = dict(default.settings_dict)
    default.close()
    default.settings_dict.update(dj_database_url.parse(app_servers.database_url(APP_DB)))
    monkeypatch.setattr(dbrouter, "REPLICA_ALIAS", APP_REPLICA)
    settings.REPLICA_MAX_LAG_SECONDS = 30
    settings.PRIVATE_FILES_ROOT = tmp_path / "files"
    dbrouter.forget_health()
    call_command("load_admin_units", verbosity=0)
    start_unit()
    try:
        yield connections[APP_REPLICA]
    finally:
        default.close()
        default.settings_dict.clear()
        default.settings_dict.update(saved)
        dbrouter.forget_health()
        start_unit()


def _server_url(name: str) -> str:
    db = connections["default"].settings_dict
    return f"postgres://{db['USER'] or 'postgres'}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{name}"


def _read(replica) -> str:
    return " ".join(query["sql"] for query in replica.captured_queries)


@pytest.mark.django_db(transaction=True, databases=["default", APP_REPLICA])
def test_the_dashboard_the_exports_and_the_list_builds_read_from_the_replica_and_other_pages_do_not(app_routed):
    replica = app_routed
    admin = UserFactory.with_role(Role.PROVINCE_ADMIN)
    agency_admin = UserFactory.with_role(Role.AGENCY_ADMIN, agency=AgencyFactory(district=district("bat_xat")))
    wait_for(lambda: _in_recovery(APP_REPLICA) and User.objects.using(APP_REPLICA).filter(pk=agency_admin.pk).exists())

    start_unit()
    with CaptureQueriesContext(replica) as reads:
        overview_build(admin, overview_scope_for(admin))
    assert "dashboard_districtday" in _read(reads)

    start_unit()
    with CaptureQueriesContext(replica) as reads:
        daily_list = daily_list_build(district=district("bat_xat"), day=local_today(), notify=False)
    assert "checkpoints_arrival" in _read(reads) and "INSERT" not in _read(reads)
    assert DailyList.objects.using("default").filter(pk=daily_list.pk).exists()  # written to the primary

    start_unit()
    with CaptureQueriesContext(replica) as reads:
        output, _name = checkpoint_list_export(by=admin, checkpoint=CheckpointFactory(), day=local_today())
    output.close()
    assert "checkpoints_arrival" in _read(reads)

    client = Client()
    client.force_login(agency_admin)
    with CaptureQueriesContext(replica) as reads:
        response = client.get(reverse("venues:visit-export"), {"first": "2021-11-01", "last": "2021-11-02"})
    assert response.status_code == 200 and "venues_checkin" in _read(reads)
    with CaptureQueriesContext(replica) as reads:  # the visitor log page itself is not opted in
        assert client.get(reverse("venues:visit-list")).status_code == 200
    assert reads.captured_queries == []
    # The health answer says how the replica is (never a 503 for it).
    health = client.get("/healthz").json()
    assert health["database"] == "ok" and health["replica"] == {"usable": True, "lag_seconds": 0}
