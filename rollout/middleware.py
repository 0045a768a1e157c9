"""Request hygiene applied once, before any view sees the request."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse, QueryDict

from rollout.text import CONTROL_CHARACTERS, strip_control_characters

ViewFunction = Callable[..., HttpResponse]


class ControlCharactersMiddleware:
    """Strip control characters (NUL included) from every query parameter, names and values; a path
    holding one is "not found" (no page or object is named with one, and a path part may reach a query).

    Query parameters are search and filter input: a NUL reaching PostgreSQL is a 500, and no search
    term needs a control character, so dropping them answers what the person meant. Form fields
    (POST) are refused instead, by Django's own NUL check and ``rollout.validators.no_control_characters``,
    so a person sees what was wrong with what they typed.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if CONTROL_CHARACTERS.search(request.path_info):
            raise Http404
        if not _has_control_characters(request.GET):
            return self.get_response(request)  # the usual case: nothing to copy
        cleaned = QueryDict(mutable=True)
        for key, values in request.GET.lists():
            for value in values:
                cleaned.appendlist(strip_control_characters(key), strip_control_characters(value))
        cleaned._mutable = False
        request.GET = cleaned
        return self.get_response(request)


def _has_control_characters(query: QueryDict) -> bool:
    return any(CONTROL_CHARACTERS.search(text) for key, values in query.lists() for text in (key, *values))


class PermissionsPolicyMiddleware:
    """Send ``Permissions-Policy`` on every answer: each feature in ``PERMISSIONS_POLICY_DENIED`` is off,
    unless the view asked for it with ``allow_features`` (then it is on for this site only, never for frames
    of other sites)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if "Permissions-Policy" not in response:
            allowed = getattr(response, "_permissions_allowed", frozenset())
            response["Permissions-Policy"] = ", ".join(
                f"{feature}=(self)" if feature in allowed else f"{feature}=()"
                for feature in settings.PERMISSIONS_POLICY_DENIED
            )
        return response


def allow_features(*features: str) -> Callable[[ViewFunction], ViewFunction]:
    """View decorator: turn these Permissions-Policy features on for this site on the view's pages
    (the staff scan pages need the camera)."""
    unknown = set(features) - set(settings.PERMISSIONS_POLICY_DENIED)
    if unknown:
        raise ValueError(f"Not in PERMISSIONS_POLICY_DENIED: {sorted(unknown)}")

    def decorator(view: ViewFunction) -> ViewFunction:
        @wraps(view)
        def wrapped(request: HttpRequest, *args, **kwargs) -> HttpResponse:
            response = view(request, *args, **kwargs)
            response._permissions_allowed = frozenset(features)
            return response

        return wrapped

    return decorator
