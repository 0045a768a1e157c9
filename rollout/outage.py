"""While the database is down or restarting, every request gets a clear "try again in a moment" answer.

An unreachable database surfaces as ``OperationalError`` / ``InterfaceError`` wherever the request first needs
it: loading the session, the signed-in user, axes' lockout check, a context processor, a view's query. Such a
request answers 503 with ``Retry-After`` instead of 500: a self-contained page for people, the API's error
shape for ``/api/``. Nothing here touches the database, the session or the user, and the page is rendered
without a request, so no context processor runs.

Two entry points build that answer (see ``rollout.views.errors.server_error`` and ``DatabaseUnavailableMiddleware``):
the ``handler500`` view sees every exception, including those raised inside middleware, but only with DEBUG
off; the middleware's ``process_exception`` sees only what views raise, in both modes, so a developer with
DEBUG on sees the same page as users in the common case.

Connections are health-checked (settings), so the first request after PostgreSQL is back reconnects by itself.
"""

from __future__ import annotations

import logging
import threading
import time

from django.conf import settings
from django.db import InterfaceError, OperationalError
from django.db.backends.signals import connection_created
from django.dispatch import receiver
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.template.loader import get_template
from django.utils.translation import gettext as _

from rollout.http import error_page_stylesheet

logger = logging.getLogger(__name__)

try:  # psycopg's own errors, in case one escapes Django's wrapping (e.g. raised while connecting elsewhere)
    import psycopg

    _PSYCOPG_ERRORS: tuple[type[BaseException], ...] = (psycopg.OperationalError, psycopg.InterfaceError)
except ImportError:  # SQLite-only installs
    _PSYCOPG_ERRORS = ()

UNAVAILABLE_ERRORS: tuple[type[BaseException], ...] = (OperationalError, InterfaceError, *_PSYCOPG_ERRORS)


def is_database_unavailable(exc: BaseException | None) -> bool:
    """Whether ``exc`` (or an exception it was raised from) says the database cannot be reached or used now."""
    seen = 0
    while exc is not None and seen < 10:
        if isinstance(exc, UNAVAILABLE_ERRORS):
            return True
        exc = exc.__cause__ or exc.__context__
        seen += 1
    return False


class _Outage:
    """Per process: when this process first saw the database unavailable, so it logs once per outage."""

    def __init__(self) -> None:
        self.since: float | None = None
        self._lock = threading.Lock()

    def seen(self, exc: BaseException) -> None:
        with self._lock:
            first = self.since is None
            if first:
                self.since = time.monotonic()
        if first:
            # The exception's class only: its message may quote a statement's parameters.
            logger.warning("Database unavailable (%s); answering 503 until it is back", type(exc).__name__)

    def ended(self) -> None:
        with self._lock:
            since, self.since = self.since, None
        if since is not None:
            logger.warning("Database reachable again after %.0f s", time.monotonic() - since)


outage = _Outage()


@receiver(connection_created)
def _database_reconnected(sender, connection, **kwargs) -> None:
    # A new connection means the database answers again: the next failure is a new outage.
    outage.ended()


def database_unavailable_response(request: HttpRequest, exc: BaseException) -> HttpResponse:
    """503 with Retry-After: the API's error shape under /api/, otherwise the standalone 503 page."""
    outage.seen(exc)
    message = _("The system is briefly unavailable. Please try again in a moment.")
    if request.path.startswith("/api/"):
        response: HttpResponse = JsonResponse({"message": message, "extra": {}}, status=503)
    else:
        # No request: no context processor may reach for the database, the session or the user.
        html = get_template("503.html").render({"message": message, "stylesheet": error_page_stylesheet()})
        response = HttpResponse(html, status=503, content_type="text/html; charset=utf-8")
    response["Retry-After"] = str(settings.DATABASE_UNAVAILABLE_RETRY_AFTER)
    # Django logs every 5xx response at ERROR, with the traceback and the path; an outage is logged once above.
    response._has_been_logged = True
    return response


class DatabaseUnavailableMiddleware:
    """Answers 503 for a view that fails because the database is unavailable, whether DEBUG is on or off."""

    def __init__(self, get_response) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if is_database_unavailable(exception):
            return database_unavailable_response(request, exception)
        return None
