"""One application error type, and one error shape for the API.

Services raise ``ApplicationError`` for expected failures (bad input, a state that does not allow the
action). Pages show its message; the API answers ``{"message": ..., "extra": {...}}`` with field
errors under ``extra.fields``.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from django.utils.translation import gettext as _
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler


class ApplicationError(Exception):
    def __init__(self, message: str, extra: dict[str, Any] | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.extra = extra or {}


def _fields_from_django(error: DjangoValidationError) -> dict[str, list[str]]:
    if hasattr(error, "message_dict"):
        return {field: list(messages) for field, messages in error.message_dict.items()}
    return {"non_field_errors": list(error.messages)}


def api_exception_handler(exc: Exception, context: dict) -> Response | None:
    if isinstance(exc, DjangoValidationError):
        exc = exceptions.ValidationError(_fields_from_django(exc))
    elif isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, PermissionDenied):
        exc = exceptions.PermissionDenied()

    if isinstance(exc, ApplicationError):
        return Response({"message": exc.message, "extra": exc.extra}, status=status.HTTP_400_BAD_REQUEST)

    response = exception_handler(exc, context)
    if response is None:
        return None
    if isinstance(exc, exceptions.ValidationError):
        detail = exc.detail if isinstance(exc.detail, dict) else {"non_field_errors": exc.detail}
        response.data = {"message": _("The data is not valid."), "extra": {"fields": detail}}
    else:
        message = response.data.get("detail", str(exc)) if isinstance(response.data, dict) else str(exc)
        response.data = {"message": str(message), "extra": {}}
    return response
