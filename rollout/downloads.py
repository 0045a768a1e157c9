"""Serving private files (lists, roll-ups, exports): only through a view that checked scope, always audited."""

from __future__ import annotations

from pathlib import Path

from django.conf import settings
from django.db import models
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.utils.http import content_disposition_header

from rollout.services.audit import Action, audit_record

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def private_path(relative: str) -> Path:
    """Absolute path of a stored file; refuses anything that would escape the private root."""
    root = Path(settings.PRIVATE_FILES_ROOT).resolve()
    path = (root / relative).resolve()
    if root not in path.parents:
        raise Http404
    return path


def private_file_response(
    request: HttpRequest, relative: str, *, filename: str, obj: models.Model | None = None, content_type: str = XLSX
) -> FileResponse:
    """Stream a stored file as a download and write the DOWNLOAD audit event (caller checked scope)."""
    path = private_path(relative)
    if not path.is_file():
        raise Http404
    audit_record(Action.DOWNLOAD, request=request, obj=obj, detail={"file": relative})
    return FileResponse(path.open("rb"), as_attachment=True, filename=filename, content_type=content_type)


def download_response(content: bytes, *, filename: str, content_type: str = XLSX, inline: bool = False) -> HttpResponse:
    """A generated file as a download (or shown inline): the one place a Content-Disposition is built,
    with the filename encoded for any browser (Vietnamese letters included)."""
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = content_disposition_header(not inline, filename)
    return response
