"""The weekly report to the Provincial People's Committee as a document (DOCX and PDF), beside the roll-up.

A province admin edits the free-text parts (number, introduction, assessment, proposals, recipients,
signer); each save is a new ``ReportDocumentRevision`` (every one kept) and records the build of its
files in the outbox, in the same transaction: the save never waits for LibreOffice and never fails
because the worker or the broker is down. ``document_finalize`` locks the week's document.

``document_build`` (the task's service) claims the revision, reads the scorecard and the districts'
reports, writes the DOCX (temporary name, then renamed), converts it to PDF with LibreOffice headless,
and marks the revision ready. A DOCX whose PDF failed is kept; the task is retried by the outbox.
"""

from __future__ import annotations

import logging
from datetime import date
from pathlib import Path

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Max, Q
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from reports import weeks
from reports.document_docx import DistrictText, DocumentContent, document_build_docx
from reports.models import (
    DOCUMENT_TEXT_FIELDS,
    ReportDocument,
    ReportDocumentRevision,
    ReportStatus,
    Rollup,
    WeeklyReport,
)
from reports.scorecard import scorecard_build
from rollout import outbox
from rollout.errors import ApplicationError
from rollout.models import District, Province, User
from rollout.office import ConversionError, convert_to_pdf
from rollout.permissions import can
from rollout.services.audit import Action, audit_record
from rollout.text import unit_in_sentence
from rollout.timeutils import local_now
from rollout.workbooks import atomic_path

logger = logging.getLogger(__name__)
BUILD_TASK = "reports.tasks.report_document_build_task"


def document_defaults(week_ending: date) -> dict[str, str]:
    """The free text of a first revision, in the official language: the admin edits from here."""
    with translation.override(settings.LANGUAGE_CODE):
        province = unit_in_sentence(Province.home().name)
        return {
            "doc_number": "",
            "intro": _(
                "Implementing Document No. 5279/UBND-VX of 02/11/2021 of the People's Committee of %(province)s "
                "on the unified rollout of the COVID-19 technology platforms, the Department of Information and "
                "Communications reports the results of the week from %(start)s to %(end)s as follows:"
            )
            % {
                "province": province,
                "start": f"{weeks.week_start(week_ending):%d/%m/%Y}",
                "end": f"{week_ending:%d/%m/%Y}",
            },
            "assessment": "",
            "proposals": "",
            "recipients": "\n".join(
                [
                    _("- The People's Committee of %(province)s (to report);") % {"province": province},
                    _("- The Department's director and deputy directors;"),
                    _("- The district-level People's Committees;"),
                    _("- Archived: Office."),
                ]
            ),
            "signer_title": _("DIRECTOR"),
            "signer_name": "",
        }


def _check_values(values: dict[str, str]) -> dict[str, str]:
    cleaned = {name: (values.get(name) or "").strip() for name in DOCUMENT_TEXT_FIELDS}
    errors = {}
    if not cleaned["intro"]:
        errors["intro"] = [_("Write the introduction of the report.")]
    if not cleaned["recipients"]:
        errors["recipients"] = [_("List at least one recipient.")]
    if not cleaned["signer_title"]:
        errors["signer_title"] = [_("Write the signer's title (for example GIÁM ĐỐC).")]
    if errors:
        raise ApplicationError(_("The document was not saved: correct the fields marked."), {"fields": errors})
    return cleaned


def document_revise(*, by: User, week_ending: date, values: dict[str, str], request=None) -> ReportDocumentRevision:
    """Save the free text as a new revision and record the build of its files (after commit)."""
    if not can(by, "report_documents.edit"):
        raise PermissionDenied
    if not weeks.is_week_ending(week_ending) or not weeks.has_started(week_ending):
        raise ApplicationError(_("Choose a Friday of a week that has started."))
    cleaned = _check_values(values)
    with transaction.atomic():
        document, _created = ReportDocument.objects.get_or_create(week_ending=week_ending)
        document = ReportDocument.objects.select_for_update().get(pk=document.pk)
        if document.is_final:
            raise ApplicationError(_("This week's report is final: it can no longer be changed."))
        top = document.revisions.aggregate(n=Max("number"))["n"] or 0
        revision = ReportDocumentRevision.objects.create(document=document, number=top + 1, created_by=by, **cleaned)
        audit_record(
            Action.REPORT_DOCUMENT_SAVE,
            request=request,
            actor=by,
            obj=document,
            detail={"revision": revision.number},
        )
        outbox.enqueue(BUILD_TASK, revision_id=revision.pk)
    return revision


def document_finalize(*, by: User, week_ending: date, request=None) -> ReportDocument:
    """Lock the week's document: its latest revision is the report sent."""
    if not can(by, "report_documents.edit"):
        raise PermissionDenied
    with transaction.atomic():
        document = ReportDocument.objects.select_for_update().filter(week_ending=week_ending).first()
        if document is None or not document.revisions.exists():
            raise ApplicationError(_("Save the report once before making it final."))
        if document.is_final:
            return document
        latest = document.revisions.order_by("-number").first()
        if latest.build_status != ReportDocumentRevision.Build.READY:
            raise ApplicationError(_("Wait until the latest revision's files are ready, then make it final."))
        document.status = ReportDocument.Status.FINAL
        document.finalized_at, document.finalized_by = timezone.now(), by
        document.save(update_fields=["status", "finalized_at", "finalized_by"])
        audit_record(
            Action.REPORT_DOCUMENT_FINAL, request=request, actor=by, obj=document, detail={"revision": latest.number}
        )
    return document


# --- Building the files (in the worker) ----------------------------------------------------------


def _district_texts(week_ending: date) -> tuple[list[DistrictText], list[str]]:
    """The districts' difficulties and proposals, from the latest version each sent; who sent nothing."""
    districts = list(District.objects.filter(province_id=settings.HOME_PROVINCE_CODE).order_by("code"))
    reports = {
        r.district_id: r
        for r in WeeklyReport.objects.filter(week_ending=week_ending, district__in=districts)
        .exclude(status=ReportStatus.DRAFT)
        .select_related("current_version")
    }
    texts, missing = [], []
    for d in districts:
        version = reports[d.pk].current_version if d.pk in reports else None
        if version is None:
            missing.append(d.name)
        elif version.difficulties.strip() or version.proposals.strip():
            texts.append(DistrictText(d.name, version.difficulties, version.proposals))
    return texts, missing


def document_content(revision: ReportDocumentRevision, *, rollup: Rollup | None) -> DocumentContent:
    week = revision.document.week_ending
    texts, missing = _district_texts(week)
    if rollup is not None:
        appendix = _(
            "Appendix: the province roll-up workbook of the districts' weekly reports, revision %(revision)s "
            "built %(at)s (file %(file)s), is attached."
        ) % {
            "revision": rollup.revision,
            "at": timezone.localtime(rollup.created_at).strftime("%H:%M %d/%m/%Y"),
            "file": rollup.filename,
        }
    else:
        appendix = _("Appendix: the province roll-up workbook will be attached once built.")
    return DocumentContent(
        week_ending=week,
        issued_on=timezone.localtime(revision.created_at).date(),
        scorecard=scorecard_build(week),
        districts=texts,
        missing=missing,
        appendix=appendix,
        **revision.free_text(),
    )


def _claim(revision_id: int) -> bool:
    """Take the revision for this build; a revision already built (a duplicate message) is left alone."""
    return bool(
        ReportDocumentRevision.objects.filter(pk=revision_id)
        .filter(~Q(build_status=ReportDocumentRevision.Build.READY))
        .update(build_status=ReportDocumentRevision.Build.BUILDING, error="")
    )


def document_build(*, revision_id: int) -> ReportDocumentRevision | None:
    """Write the revision's DOCX and PDF. Raises on failure (the outbox retries), after recording it."""
    if not _claim(revision_id):
        return None
    revision = ReportDocumentRevision.objects.select_related("document").get(pk=revision_id)
    week = revision.document.week_ending
    rollup = Rollup.objects.filter(week_ending=week, status=Rollup.Status.READY).order_by("-revision").first()
    folder = f"report_documents/{week:%Y-%m-%d}"
    root = Path(settings.PRIVATE_FILES_ROOT)
    docx_relative, pdf_relative = f"{folder}/{revision.filename('docx')}", f"{folder}/{revision.filename('pdf')}"
    try:
        with translation.override(settings.LANGUAGE_CODE):  # the official document: the official language
            document = document_build_docx(document_content(revision, rollup=rollup))
        with atomic_path(root / docx_relative) as tmp:
            document.save(tmp)
        revision.docx_path, revision.rollup = docx_relative, rollup
        convert_to_pdf(root / docx_relative, root / pdf_relative)
        revision.pdf_path = pdf_relative
    except BaseException as exc:
        revision.build_status = ReportDocumentRevision.Build.FAILED
        revision.error = f"{type(exc).__name__}: {exc}"[:2000]
        revision.save(update_fields=["build_status", "error", "docx_path", "pdf_path", "rollup"])
        if isinstance(exc, ConversionError):  # the DOCX is kept and offered; the PDF is tried again
            logger.warning("report document revision %s: PDF not made", revision.pk)
        raise
    revision.build_status = ReportDocumentRevision.Build.READY
    revision.built_at = local_now()
    revision.save(update_fields=["build_status", "built_at", "docx_path", "pdf_path", "rollup", "error"])
    return revision
