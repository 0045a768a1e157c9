"""Fixed-window rate limits for public endpoints, counted in the shared cache (Redis in production).

``@rate_limit("checkin-ip", "30/m", key=ip)`` answers 429 with a Vietnamese page (or JSON for API paths)
once the key has been seen more than the rate allows in the current window.
"""

from __future__ import annotations

import functools
import time
from collections.abc import Callable
from functools import wraps

from django.core.cache import cache, caches
from django.core.cache.backends.redis import RedisCache
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from rollout.http import client_ip

_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400}


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
        return _hit_many_redis(backend, checks)
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
    pipe = _redis_pipeline(backend, checks)
    pipe.set(backend.make_key(mark), 1, ex=mark_seconds, nx=True)
    *results, marked = pipe.execute()
    return _within(results, checks), bool(marked)


def _cache_key(scope: str, key: str, window: int) -> str:
    return f"rl:{scope}:{key}:{int(time.time() // window)}"


def _hit_many_redis(backend: RedisCache, checks: list[tuple[str, str, str]]) -> bool:
    return _within(_redis_pipeline(backend, checks).execute(), checks)


@functools.cache
def _redis_client(backend: RedisCache):
    """One Redis client object per cache backend: Django builds a new one on every cache call."""
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


def too_many(request: HttpRequest) -> HttpResponse:
    message = _("Too many requests. Please wait a moment and try again.")
    if request.path.startswith("/api/") or "application/json" in request.headers.get("Accept", ""):
        return JsonResponse({"message": message, "extra": {}}, status=429)
    return render(request, "429.html", {"message": message}, status=429)


def rate_limit(scope: str, rate: str, *, key: Callable[..., str] = ip, methods: tuple[str, ...] = ("POST",)):
    """Limit a view per key (IP by default; a callable taking the request and view kwargs)."""

    def decorator(view):
        @wraps(view)
        def wrapped(request: HttpRequest, *args, **kwargs):
            if request.method in methods and not hit(scope, key(request, **kwargs), rate):
                return too_many(request)
            return view(request, *args, **kwargs)

        return wrapped

    return decorator
