"""Pages of the directive scorecard and of the weekly report document (province roles).

The scorecard is figures, not people: its page, print and XLSX read ``reports.scorecard``. The document
is edited by province admins, read by province roles; its files are built in the background.
"""

from __future__ import annotations

from datetime import date

from django.conf import settings
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from reports import weeks
from reports.forms import ReportDocumentForm
from reports.models import ReportDocument, ReportDocumentRevision
from reports.scorecard import STATUS_LABELS, default_week, scorecard_build
from reports.scorecard_xlsx import scorecard_workbook
from reports.services import documents
from rollout import outbox
from rollout.downloads import download_response, private_file_response
from rollout.errors import ApplicationError
from rollout.permissions import can, capability_required
from rollout.workbooks import workbook_bytes

WEEKS_OFFERED = 12
CONTENT_TYPES = {
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "pdf": "application/pdf",
}


def _week_from(request: HttpRequest) -> date:
    """The week asked for (``?week=`` a Friday, not in the future), else the latest one due."""
    raw = request.GET.get("week", "")
    if not raw:
        return default_week()
    try:
        week = date.fromisoformat(raw)
    except ValueError:
        raise Http404 from None
    if not weeks.is_week_ending(week) or week > weeks.current_week():
        raise Http404
    return week


def _week_choices() -> list[date]:
    return list(reversed(weeks.recent_weeks(WEEKS_OFFERED)))


# --- The scorecard ------------------------------------------------------------------------------


@capability_required("scorecard.view")
def scorecard(request: HttpRequest) -> HttpResponse:
    week = _week_from(request)
    card = scorecard_build(week, user=request.user)
    return render(
        request,
        "reports/scorecard.html",
        {
            "card": card,
            "counts": [(status, label, card.counts()[status]) for status, label in STATUS_LABELS.items()],
            "week_choices": _week_choices(),
            "week": week,
        },
    )


@capability_required("scorecard.view")
def scorecard_xlsx(request: HttpRequest) -> HttpResponse:
    week = _week_from(request)
    # For the People's Committee's meeting: in the official language, like the roll-up.
    with translation.override(settings.LANGUAGE_CODE):
        content = workbook_bytes(scorecard_workbook(scorecard_build(week)))
    return download_response(content, filename=f"theo-doi-chi-dao-tuan-{week:%Y-%m-%d}.xlsx")


# --- The weekly report document -----------------------------------------------------------------


@capability_required("report_documents.read")
def document_list(request: HttpRequest) -> HttpResponse:
    choices = _week_choices()
    documents_by_week = {
        d.week_ending: d for d in ReportDocument.objects.filter(week_ending__in=choices).prefetch_related("revisions")
    }
    rows = []
    for week in choices:
        document = documents_by_week.get(week)
        latest = max(document.revisions.all(), key=lambda r: r.number, default=None) if document else None
        rows.append({"week": week, "label": weeks.week_label(week), "document": document, "latest": latest})
    return render(request, "reports/document_list.html", {"rows": rows})


def _document_week(week: date) -> date:
    if not weeks.is_week_ending(week) or week > weeks.current_week():
        raise Http404
    return week


@capability_required("report_documents.read")
def document_detail(request: HttpRequest, week: date) -> HttpResponse:
    week = _document_week(week)
    document = ReportDocument.objects.filter(week_ending=week).first()
    revisions = list(document.revisions.select_related("created_by", "rollup")) if document else []
    latest = revisions[0] if revisions else None
    editable = can(request.user, "report_documents.edit") and not (document and document.is_final)
    form = None
    status = 200
    if editable:
        initial = latest.free_text() if latest else documents.document_defaults(week)
        form = ReportDocumentForm(request.POST or None, initial=initial)
        if request.method == "POST":
            if form.is_valid():
                try:
                    revision = documents.document_revise(
                        by=request.user, week_ending=week, values=form.cleaned_data, request=request
                    )
                except ApplicationError as exc:
                    for field, problems in exc.extra.get("fields", {}).items():
                        for problem in problems:
                            form.add_error(field if field in form.fields else None, problem)
                    messages.error(request, exc.message)
                else:
                    messages.success(
                        request,
                        _("Revision %(n)s saved; its DOCX and PDF are being made and appear here in a moment.")
                        % {"n": revision.number},
                    )
                    outbox.notify_if_waiting(request)
                    return redirect("reports:document-detail", week=week)
            status = 400
    elif request.method == "POST":
        raise Http404
    return render(
        request,
        "reports/document_detail.html",
        {
            "week": week,
            "week_label": weeks.week_label(week),
            "document": document,
            "revisions": revisions,
            "latest": latest,
            "form": form,
            "can_finalize": editable and latest is not None and latest.build_status == latest.Build.READY,
        },
        status=status,
    )


@require_POST
@capability_required("report_documents.edit")
def document_finalize(request: HttpRequest, week: date) -> HttpResponse:
    week = _document_week(week)
    try:
        documents.document_finalize(by=request.user, week_ending=week, request=request)
    except ApplicationError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("The report is final: it can no longer be changed."))
    return redirect("reports:document-detail", week=week)


@capability_required("report_documents.read")
def document_download(request: HttpRequest, pk: int, kind: str) -> HttpResponse:
    if kind not in CONTENT_TYPES:
        raise Http404
    revision = get_object_or_404(ReportDocumentRevision.objects.select_related("document"), pk=pk)
    relative = revision.docx_path if kind == "docx" else revision.pdf_path
    if not relative:
        raise Http404
    return private_file_response(
        request, relative, filename=revision.filename(kind), obj=revision, content_type=CONTENT_TYPES[kind]
    )
