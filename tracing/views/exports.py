"""A whole search's F1 candidates as XLSX, for the health officer who ran it and province admins."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404

from rollout.downloads import download_response
from rollout.permissions import capability_required
from tracing.selectors import tracing_search_list_for
from tracing.services.workbook import export_filename, search_export


@capability_required("tracing.search")
def export(request: HttpRequest, pk: int) -> HttpResponse:
    """Another officer's search is 404, as on the API; the export is audited (ids and counts)."""
    search = get_object_or_404(tracing_search_list_for(request.user), pk=pk)
    content = search_export(search, by=request.user, request=request)
    return download_response(content, filename=export_filename(search))
