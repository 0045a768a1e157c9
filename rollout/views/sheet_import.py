"""Shared import-page behaviour: upload a sheet, see every row checked, then confirm.

Nothing is stored before the confirmation: the checked rows wait in the session between the two steps,
and only when every row is valid (a sheet with one bad row is fixed and uploaded again, never half-saved).
"""

from __future__ import annotations

from collections.abc import Callable

from django.contrib import messages
from django.forms import Form
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _

from rollout import outbox
from rollout.errors import ApplicationError
from rollout.tabular import Table


def import_check(
    request: HttpRequest,
    form: Form,
    *,
    session_key: str,
    read: Callable[[object], Table],
    keep: Callable[[Table], list[dict]],
) -> Table | None:
    """Step 1: read and check the uploaded ``file``; when no row is invalid, the rows ``keep`` picks
    (called only then) wait for the confirmation. None when nothing was uploaded (or the file could
    not be read: the form then carries the message)."""
    if request.method != "POST" or not form.is_valid():
        return None
    try:
        table = read(form.cleaned_data["file"])
    except ApplicationError as exc:
        form.add_error("file", exc.message)
        return None
    rows = [] if table.invalid else keep(table)
    if rows:
        request.session[session_key] = rows
    else:
        request.session.pop(session_key, None)
    return table


def import_confirm(
    request: HttpRequest,
    *,
    session_key: str,
    again: str,
    commit: Callable[[list[dict]], tuple[str, str]],
) -> HttpResponse:
    """Step 2: store the rows kept in step 1; ``commit`` returns (success message, URL name to go to).
    Without kept rows, or when storing fails, back to the upload page (``again``) with the message."""
    rows = request.session.pop(session_key, None)
    if not rows:
        messages.error(request, _("Nothing to import: upload the file again."))
        return redirect(again)
    try:
        message, done = commit(rows)
    except ApplicationError as exc:
        messages.error(request, exc.message)
        return redirect(again)
    messages.success(request, message)
    outbox.notify_if_waiting(request)
    return redirect(done)
