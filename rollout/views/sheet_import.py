"""Shared upload-page behaviour of the imports: the file goes to ``rollout.services.imports``, which bounds
it and records an import job; the job's page (``rollout.views.imports``) shows the checked rows and takes
the confirmation. A refused file stays on the upload page with the message under the field (answered 400).
"""

from __future__ import annotations

from typing import Any

from django.forms import Form
from django.http import HttpRequest

from rollout.errors import ApplicationError
from rollout.models import ImportJob
from rollout.services import imports


def import_upload(
    request: HttpRequest, form: Form, *, kind: str, params: dict[str, Any] | None = None
) -> ImportJob | None:
    """The job of the uploaded ``file``, or None when the form or the file was refused (the form then
    carries the message)."""
    if not form.is_valid():
        return None
    try:
        return imports.import_start(kind=kind, by=request.user, upload=form.cleaned_data["file"], params=params)
    except ApplicationError as exc:
        form.add_error("file", exc.message)
        return None
