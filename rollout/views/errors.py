"""Error views that must work while the database is down."""

from __future__ import annotations

import sys

from django.http import HttpRequest, HttpResponse
from django.views import defaults

from rollout.outage import database_unavailable_response, is_database_unavailable


def server_error(request: HttpRequest) -> HttpResponse:
    """``handler500``: 503 "try again in a moment" when the database is unavailable, the 500 page otherwise.

    Django calls it inside its ``except`` block for any exception a view or a middleware raised (DEBUG off),
    so the exception is still at hand. The 500 page itself (templates/500.html) needs no database either.
    """
    exc = sys.exc_info()[1]
    if is_database_unavailable(exc):
        return database_unavailable_response(request, exc)
    return defaults.server_error(request)
