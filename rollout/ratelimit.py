"""Fixed-window rate limits for public endpoints, counted in the shared cache (Redis in production).

``@rate_limit("checkin-ip", "30/m", key=ip)`` answers 429 with a Vietnamese page (or JSON for API paths)
once the key has been seen more than the rate allows in the current window.

A Redis that is down or does not answer never fails or stalls a request: the limits and marks are then
counted in this process alone (each process allows the full rate), and ``cache_breaker`` skips Redis for
its cooldown, so a silent Redis costs one timeout per cooldown rather than one per request. When Redis
answers again its counters are used again.
"""

from __future__ import annotations

import functools
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from functools import wraps
from typing import TypeVar

from django.core.cache import cache, caches
from django.core.cache.backends.redis import RedisCache
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from redis.exceptions import RedisError

from rollout.breaker import Breaker
from rollout.http import client_ip

T = TypeVar("T")

_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400}

# One breaker for the cache: whoever else talks to Redis on a request's path may ask it first.
cache_breaker = Breaker("Redis cache", cooldown=5.0)


class LocalCounters:
    """Counters of this process alone with an expiry each, for while Redis is unreachable.

    Bounded: past ``size`` entries the least recently used goes, so a flood of distinct keys (addresses,
    phones) costs a few megabytes at most; a forgotten entry only restarts a count or a mark.
    """

    def __init__(self, size: int) -> None:
        self.size = size
        self._entries: OrderedDict[str, list[float]] = OrderedDict()  # key -> [count, expires at]
        self._lock = threading.Lock()

    def incr(self, key: str, ttl: float) -> int:
        """Count one; the count within the entry's life (``ttl`` seconds from its first count)."""
        now = time.monotonic()
        with self._lock:
            entry = self._entries.get(key)
            if entry is None or entry[1] <= now:
                entry = self._entries[key] = [0, now + ttl]
            entry[0] += 1
            self._entries.move_to_end(key)
            while len(self._entries) > self.size:
                self._entries.popitem(last=False)
            return int(entry[0])

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()


local_counters = LocalCounters(size=20_000)


def parse_rate(rate: str) -> tuple[int, int]:
    """ "30/m" -> (30, 60)."""
    count, _, unit = rate.partition("/")
    return int(count), _UNITS[unit]


def ip(request: HttpRequest, **kwargs) -> str:
    return client_ip(request)


def hit(scope: str, key: str, rate: str) -> bool:
    """Count one request; True while the key is within its rate."""
    return hit_many([(scope, key, rate)])


def hit_many(checks: list[tuple[str, str, str]]) -> bool:
    """Count one request against several (scope, key, rate) limits; True while all are within rate.

    Every counter is counted (no short-circuit), so a request over one limit still uses up the others.
    On Redis all counters take one round trip (a pipeline of SET NX EX + INCR per counter); on other
    caches (the development file cache) each counter is counted on its own.
    """
    backend = caches["default"]
    if isinstance(backend, RedisCache):
        results = _on_redis(lambda: _redis_pipeline(backend, checks).execute())
        return _local_within(checks) if results is None else _within(results, checks)
    results = [_hit_one(scope, key, rate) for scope, key, rate in checks]
    return all(results)


def hit_many_and_mark(checks: list[tuple[str, str, str]], *, mark: str, mark_seconds: int) -> tuple[bool, bool]:
    """``hit_many`` plus a marker in the same cache round trip: (within every rate, marker was new).

    The marker (e.g. "this phone checked in at this venue") lives ``mark_seconds`` from its first
    setting; "new" means it was not already there.
    """
    backend = caches["default"]
    if not isinstance(backend, RedisCache):
        results = [_hit_one(scope, key, rate) for scope, key, rate in checks]  # count them all
        return all(results), cache.add(mark, 1, mark_seconds)

    def counted_and_marked() -> list:
        pipe = _redis_pipeline(backend, checks)
        pipe.set(backend.make_key(mark), 1, ex=mark_seconds, nx=True)
        return pipe.execute()

    results = _on_redis(counted_and_marked)
    if results is None:
        return _local_within(checks), local_counters.incr(mark, mark_seconds) == 1
    *counts, marked = results
    return _within(counts, checks), bool(marked)


def mark_once(mark: str, seconds: int) -> bool:
    """Set a marker that lives ``seconds``; True when it was not already there (the ``hit_many_and_mark``
    marker on its own)."""
    backend = caches["default"]
    if not isinstance(backend, RedisCache):
        return cache.add(mark, 1, seconds)
    added = _on_redis(lambda: backend.add(mark, 1, seconds))
    return local_counters.incr(mark, seconds) == 1 if added is None else added


def _on_redis(call: Callable[[], T]) -> T | None:
    """The call's result; None when Redis is unreachable, or was a moment ago (the breaker is open)."""
    if not cache_breaker.allow():
        return None
    try:
        result = call()
    except RedisError as exc:  # ConnectionError, TimeoutError and the like: never the request's fault
        cache_breaker.failed(exc)
        return None
    cache_breaker.succeeded()
    return result


def _local_within(checks: list[tuple[str, str, str]]) -> bool:
    """``_within`` counted in this process: the same windows and keys as on Redis."""
    within = []
    for scope, key, rate in checks:  # every counter counted, as on Redis
        limit, window = parse_rate(rate)
        within.append(local_counters.incr(_cache_key(scope, key, window), window + 1) <= limit)
    return all(within)


def _cache_key(scope: str, key: str, window: int) -> str:
    return f"rl:{scope}:{key}:{int(time.time() // window)}"


@functools.cache
def _redis_client(backend: RedisCache):
    """One Redis client object per cache backend: Django builds a new one on every cache call.

    Kept across an outage: its pool drops a broken connection and connects again on the next command.
    """
    return backend._cache.get_client(write=True)


def _redis_pipeline(backend: RedisCache, checks: list[tuple[str, str, str]]):
    pipe = _redis_client(backend).pipeline(transaction=False)
    for scope, key, rate in checks:
        _limit, window = parse_rate(rate)
        name = backend.make_key(_cache_key(scope, key, window))  # our own keys: no validation pass
        # SET NX EX gives a new window's counter its expiry; INCR keeps it.
        pipe.set(name, 0, ex=window + 1, nx=True)
        pipe.incr(name)
    return pipe


def _within(results: list, checks: list[tuple[str, str, str]]) -> bool:
    counts = results[1 : 2 * len(checks) : 2]
    return all(count <= parse_rate(rate)[0] for count, (_s, _k, rate) in zip(counts, checks, strict=True))


def _hit_one(scope: str, key: str, rate: str) -> bool:
    limit, window = parse_rate(rate)
    cache_key = _cache_key(scope, key, window)
    # add() creates the counter with its expiry; incr() is atomic on Redis.
    if cache.add(cache_key, 1, timeout=window + 1):
        return True
    try:
        return cache.incr(cache_key) <= limit
    except ValueError:  # expired between add() and incr()
        cache.add(cache_key, 1, timeout=window + 1)
        return True


def too_many(request: HttpRequest, *, retry_after: int = 60) -> HttpResponse:
    """The 429 answer: a page, or JSON for the API; ``Retry-After`` tells clients (and retrying phones)
    how many seconds to wait. The windows are fixed, so the current one ends within a minute for "/m"."""
    message = _("Too many requests. Please wait a moment and try again.")
    if request.path.startswith("/api/") or "application/json" in request.headers.get("Accept", ""):
        response = JsonResponse({"message": message, "extra": {}}, status=429)
    else:
        response = render(request, "429.html", {"message": message}, status=429)
    response["Retry-After"] = str(max(1, retry_after))
    return response


def seconds_left(rate: str) -> int:
    """Seconds until the current fixed window of ``rate`` ends, when its counters start again."""
    _limit, window = parse_rate(rate)
    return window - int(time.time()) % window


def rate_limit(scope: str, rate: str, *, key: Callable[..., str] = ip, methods: tuple[str, ...] = ("POST",)):
    """Limit a view per key (IP by default; a callable taking the request and view kwargs)."""

    def decorator(view):
        @wraps(view)
        def wrapped(request: HttpRequest, *args, **kwargs):
            if request.method in methods and not hit(scope, key(request, **kwargs), rate):
                return too_many(request, retry_after=seconds_left(rate))
            return view(request, *args, **kwargs)

        return wrapped

    return decorator
