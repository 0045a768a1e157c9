"""Request helpers that must agree everywhere (lockout, rate limits, audit log)."""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest


def client_ip(request: HttpRequest) -> str:
    """The caller's IP address, trusting exactly ``PROXY_COUNT`` reverse proxies.

    With no proxy configured, X-Forwarded-For is ignored: anyone can send that header.
    """
    remote = request.META.get("REMOTE_ADDR", "") or "0.0.0.0"  # noqa: S104 (an address, not a bind)
    hops = settings.PROXY_COUNT
    if hops <= 0:
        return remote
    forwarded = [p.strip() for p in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if p.strip()]
    if len(forwarded) < hops:
        return remote
    return forwarded[-hops]


def login_cooloff_seconds() -> int:
    """How long a locked-out sign-in waits. Every attempt during the lockout starts the cool-off again
    (django-axes' default), so this is exactly the wait from now."""
    return int(settings.AXES_COOLOFF_TIME.total_seconds())


def error_page_stylesheet() -> str:
    """The stylesheet URL of the standalone error pages (500, 503), or "" when it cannot be had.

    Those pages must render whatever is broken, a missing static-files manifest included: they stay
    readable unstyled, and may carry no inline style under the Content-Security-Policy.
    """
    from django.templatetags.static import static

    try:
        return static("css/error.css")
    except Exception:  # any failure here must not turn the error page into another error
        return ""
