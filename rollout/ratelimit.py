"""Fixed-window rate limits for public endpoints, counted in the shared cache (Redis in production).

``@rate_limit("checkin-ip", "30/m", key=ip)`` answers 429 with a Vietnamese page (or JSON for API paths)
once the key has been seen more than the rate allows in the current window.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from functools import wraps

from django.core.cache import cache
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
    limit, window = parse_rate(rate)
    bucket = int(time.time() // window)
    cache_key = f"rl:{scope}:{key}:{bucket}"
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
