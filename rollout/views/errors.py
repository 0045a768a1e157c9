"""Error pages: in Vietnamese, and those that must work while the database is down."""

from __future__ import annotations

import math
import sys

from django.conf import settings
from django.core.exceptions import RequestDataTooBig, TooManyFieldsSent, TooManyFilesSent
from django.http import HttpRequest, HttpResponse, HttpResponseServerError, JsonResponse
from django.shortcuts import render
from django.template import loader
from django.utils.translation import gettext as _
from django.views import defaults

from rollout.http import error_page_stylesheet, login_cooloff_seconds
from rollout.outage import database_unavailable_response, is_database_unavailable


def server_error(request: HttpRequest) -> HttpResponse:
    """``handler500``: 503 "try again in a moment" when the database is unavailable, the 500 page otherwise.

    Django calls it inside its ``except`` block for any exception a view or a middleware raised (DEBUG off),
    so the exception is still at hand. The 500 page itself (templates/500.html) needs no database either.
    """
    exc = sys.exc_info()[1]
    if is_database_unavailable(exc):
        return database_unavailable_response(request, exc)
    if request.path.startswith("/api/"):  # API clients read the API's one error shape, never a page
        message = _("An unexpected error occurred on the server. Please try again later.")
        return JsonResponse({"message": message, "extra": {}}, status=500)
    # Rendered without the request: no context processor (session, user, navigation) may reach the database.
    # The page's text is fixed Vietnamese with an English line, so no translation catalogue is needed either.
    html = loader.get_template("500.html").render({"stylesheet": error_page_stylesheet()})
    return HttpResponseServerError(html)


def bad_request(request: HttpRequest, exception: Exception) -> HttpResponse:
    """``handler400``: Django's own 400 page is English and bare, and says nothing of what was wrong."""
    if isinstance(exception, RequestDataTooBig):
        megabytes = max(1, settings.DATA_UPLOAD_MAX_MEMORY_SIZE // (1024 * 1024))
        message = _("The data sent is too large: at most %(megabytes)d MB.") % {"megabytes": megabytes}
    elif isinstance(exception, (TooManyFieldsSent, TooManyFilesSent)):
        message = _("The form sent has too many fields or files.")
    else:
        message = _("The request could not be understood. Please go back and try again.")
    if request.path.startswith("/api/"):  # the API's one error shape, as rollout.errors gives it
        return JsonResponse({"message": message, "extra": {}}, status=400)
    return render(request, "400.html", {"message": message}, status=400)


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    """``CSRF_FAILURE_VIEW``: most often a form left open past its session, or cookies turned off."""
    message = _(
        "The form could not be sent because its security check failed. This happens when the page was open "
        "for a long time or cookies are turned off. Reload the page and send the form again."
    )
    return render(request, "403.html", {"message": message}, status=403)


def page_not_found(request: HttpRequest, exception: Exception) -> HttpResponse:
    """``handler404``: a path under /api/ that names no resource (``/api/v1/venues/abc/``) answers in the
    API's error shape, as the API's own "not found" does; pages get the Vietnamese 404 page."""
    if request.path.startswith("/api/"):
        return JsonResponse({"message": _("Not found."), "extra": {}}, status=404)
    return defaults.page_not_found(request, exception)


def locked_out(request: HttpRequest, original_response: HttpResponse | None = None, credentials=None) -> HttpResponse:
    """``AXES_LOCKOUT_CALLABLE`` for the sign-in page: says how long to wait, for people and for clients."""
    seconds = login_cooloff_seconds()
    response = render(request, "accounts/locked_out.html", {"cooloff_minutes": math.ceil(seconds / 60)}, status=429)
    response["Retry-After"] = str(seconds)
    return response
