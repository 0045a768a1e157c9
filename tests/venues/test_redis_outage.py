"""Public check-ins while Redis is down or silent: every check-in is answered and stored, the limits and the
repeat mark count in the process, and Redis is used again once it answers.

Each test runs its own Redis (tests/redis_server.py) or a silent listener; the machine's Redis is never stopped.
"""

from __future__ import annotations

import logging
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from types import SimpleNamespace

import pytest
import redis
import time_machine
from django.test import Client, override_settings
from django.urls import reverse

from rollout import breaker, ratelimit
from tests.redis_server import RedisServer, free_port
from tests.venues.helpers import checkin_url, local, visitor
from venues.models import CheckIn
from venues.services import checkins as svc

pytestmark = pytest.mark.django_db

PHONE, NAME = "0912345678", "Lò Thị Mai"  # visitor()'s; they must never reach a log


@contextmanager
def _cache_at(url: str, *, timeout: float = 0.5) -> Iterator[None]:
    """The default cache on ``url``, set up as production sets it up (timeouts included).

    override_settings(CACHES=...) makes Django drop its cache connections (django.test.signals); the
    rate limiter's own Redis client, cached per backend, is dropped here too.
    """
    caches = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": url,
            "KEY_PREFIX": "rollout",
            "OPTIONS": {"socket_connect_timeout": timeout, "socket_timeout": timeout},
        }
    }
    ratelimit._redis_client.cache_clear()
    try:
        with override_settings(CACHES=caches):
            yield
    finally:
        ratelimit._redis_client.cache_clear()


@pytest.fixture(autouse=True)
def _fresh_breaker():
    """Neither an open breaker nor in-process counts may leak into the next test."""
    ratelimit.cache_breaker.reset()
    ratelimit.local_counters.clear()
    yield
    ratelimit.cache_breaker.reset()
    ratelimit.local_counters.clear()


@pytest.fixture
def own_redis() -> Iterator[RedisServer]:
    server = RedisServer().start()
    try:
        with _cache_at(server.url):
            yield server
    finally:
        server.close()


class SilentRedis:
    """Accepts TCP connections and never answers: a hung Redis, or one behind a dead network path."""

    def __init__(self) -> None:
        self.port = free_port()
        self.accepted = 0
        self._sock = socket.create_server(("127.0.0.1", self.port))
        self._sock.settimeout(0.05)  # so the accepting thread sees ``close`` (a closed socket does not wake it)
        self._closed = threading.Event()
        self._held: list[socket.socket] = []
        self._thread = threading.Thread(target=self._accept, daemon=True)
        self._thread.start()

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def _accept(self) -> None:
        while not self._closed.is_set():
            try:
                conn, _addr = self._sock.accept()
            except TimeoutError:
                continue
            self._held.append(conn)  # held open, never read: the client waits for its own timeout
            self.accepted += 1

    def close(self) -> None:
        self._closed.set()
        self._thread.join(5)
        self._sock.close()
        for conn in self._held:
            conn.close()


def _keys(server: RedisServer, pattern: str) -> list[bytes]:
    with redis.Redis.from_url(server.url) as client:
        return client.keys(pattern)


def _post(client: Client, venue, phone: str) -> int:
    return client.post(checkin_url(venue), visitor(phone=phone)).status_code


def test_checkins_are_answered_and_stored_while_redis_is_down_and_use_redis_again_when_it_returns(
    own_redis, client_for, venue, units, caplog, monkeypatch
):
    # No cooldown: every request during the outage tries Redis again (refused at once), which shows both
    # that each failure is survived and that the outage is still logged once.
    monkeypatch.setattr(ratelimit.cache_breaker, "cooldown", 0.0)
    caplog.set_level(logging.INFO)
    client = client_for(None)
    assert [_post(client, venue, f"09123456{i:02d}") for i in range(3)] == [200] * 3
    assert _keys(own_redis, "rollout:1:rl:checkin-ip:*") and _keys(own_redis, "rollout:1:checkin-seen:*")

    own_redis.stop()
    assert [_post(client, venue, f"09876543{i:02d}") for i in range(5)] == [200] * 5
    assert [_post(client, venue, PHONE) for _tap in range(2)] == [200, 200]  # a double tap
    assert client.get(checkin_url(venue)).status_code == 200  # the form, limited per address too
    assert client.get(reverse("declarations:units"), {"province": "10"}).status_code == 200  # @rate_limit
    assert CheckIn.objects.count() == 3 + 5 + 1
    assert CheckIn.objects.filter(phone=PHONE).count() == 1

    outage = [r for r in caplog.records if r.levelno >= logging.WARNING]
    assert [r.name for r in outage] == ["rollout.breaker"]  # one warning for the whole outage
    assert "Redis cache unavailable" in outage[0].getMessage()

    own_redis.start()  # empty: it keeps nothing on disk
    assert _post(client, venue, "0911222333") == 200
    assert _keys(own_redis, "rollout:1:rl:checkin-ip:*") and _keys(own_redis, "rollout:1:checkin-seen:*")
    assert not ratelimit.cache_breaker.is_open
    assert "Redis cache answers again" in caplog.text
    assert PHONE not in caplog.text and "0912345600" not in caplog.text and NAME not in caplog.text


def test_limits_still_hold_in_the_process_while_redis_is_down(own_redis, client_for, venue, units, settings):
    settings.CHECKIN_RATE_PER_IP = "3/m"
    settings.CHECKIN_PAGE_RATE_PER_IP = "2/m"
    own_redis.stop()
    client = client_for(None)
    with time_machine.travel(local("2021-11-02 10:00:05"), tick=False):  # one window, whatever the clock
        codes = [_post(client, venue, f"09123456{i:02d}") for i in range(4)]
        other = Client(REMOTE_ADDR="203.0.113.7", HTTP_ACCEPT_LANGUAGE="vi")
        assert _post(other, venue, "0987654321") == 200  # the limit is per address, as on Redis
        pages = [client.get(checkin_url(venue)).status_code for _view in range(3)]
    assert codes == [200, 200, 200, 429]
    assert CheckIn.objects.count() == 4
    assert pages == [200, 200, 429]


def test_a_staff_entry_twice_is_one_visit_while_redis_is_down(own_redis, venue):
    """Staff scans ask for the repeat mark on its own (no rate limits with it)."""
    own_redis.stop()
    data = svc.CheckInInput(full_name=NAME, phone=PHONE)
    first, created = svc.checkin_create(venue=venue, data=data)
    again, created_again = svc.checkin_create(venue=venue, data=data)
    assert (created, created_again) == (True, False) and again == first
    assert CheckIn.objects.count() == 1


def test_a_silent_redis_is_asked_once_per_cooldown_not_once_per_checkin(
    client_for, venue, units, monkeypatch, django_capture_on_commit_callbacks
):
    """Each ask of a silent Redis waits for the timeout; the breaker keeps that to one per cooldown.

    Counted as connections to the silent listener: redis-py opens a fresh one for each command after a
    timeout, so the count is the number of times a check-in waited. The whole POST is covered, the
    dashboard bump after the commit included.
    """
    monkeypatch.setattr(ratelimit.cache_breaker, "cooldown", 60.0)
    client = client_for(None)

    def post(phone: str) -> int:
        with django_capture_on_commit_callbacks(execute=True):  # as after a real commit, request by request
            return _post(client, venue, phone)

    silent = SilentRedis()
    try:
        with _cache_at(silent.url, timeout=0.2):
            codes = [post(f"09123456{i:02d}") for i in range(10)]
            assert silent.accepted == 1
            assert ratelimit.cache_breaker.is_open

            # After the cooldown: one trial, which waits once and opens the breaker again.
            later = time.monotonic() + 61
            monkeypatch.setattr(breaker, "time", SimpleNamespace(monotonic=lambda: later))
            codes += [post(f"09876543{i:02d}") for i in range(3)]
            assert silent.accepted == 2
    finally:
        silent.close()
    assert codes == [200] * 13
    assert CheckIn.objects.count() == 13


def test_local_counters_forget_the_least_recently_used_beyond_their_size():
    counters = ratelimit.LocalCounters(size=3)
    for key in ("a", "b", "c"):
        counters.incr(key, 60)
    assert counters.incr("a", 60) == 2  # "a" is now the most recently used
    counters.incr("d", 60)  # one too many: "b" goes
    assert counters.incr("b", 60) == 1  # counted afresh (and "c" went for it)
    assert counters.incr("a", 60) == 3
    assert len(counters._entries) == 3


def test_local_counters_start_again_once_expired():
    counters = ratelimit.LocalCounters(size=10)
    assert [counters.incr("k", 60) for _ in range(3)] == [1, 2, 3]
    assert counters.incr("gone", 0) == 1
    assert counters.incr("gone", 0) == 1  # expired at once
