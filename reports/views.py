"""Pages of the weekly reports: lists, the report (form, template, upload, review), the grid, roll-ups.

Every page asks ``rollout.scoping`` which districts' reports the user may see or write; a report is
addressed by district code and week (its Friday), so a week not started yet has a page too.
"""

from __future__ import annotations

from datetime import date, timedelta

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from reports import fields, selectors, weeks
from reports.figures import LABELS, SystemFigures, district_week_figures
from reports.forms import ReviewForm, RollupBuildForm, WeeklyReportForm
from reports.models import (
    DistrictReportSetting,
    ReminderLog,
    ReportStatus,
    RollupReason,
    Source,
    WeeklyReport,
)
from reports.scoping import report_districts_for, rollups_for, weekly_reports_for, weekly_reports_for_review
from reports.services import reminders, submissions
from reports.template_xlsx import template_build, template_read
from rollout import outbox
from rollout.downloads import download_response, private_file_response
from rollout.errors import ApplicationError
from rollout.forms import UploadForm
from rollout.models import District
from rollout.permissions import can, capability_required

GRID_WEEKS = 12


# --- Helpers ----------------------------------------------------------------------------------


def _week(week: date) -> date:
    """A week a page may show: named by a Friday, and not later than the current week."""
    if not weeks.is_week_ending(week) or week > weeks.current_week():
        raise Http404
    return week


def _district(request: HttpRequest, code: int, *, for_change: bool = False) -> District:
    return get_object_or_404(report_districts_for(request.user, for_change=for_change), pk=code)


def _report(request: HttpRequest, district: District, week: date) -> WeeklyReport | None:
    return (
        weekly_reports_for(request.user)
        .select_related("current_version")
        .filter(district=district, week_ending=week)
        .first()
    )


def _can_write(request: HttpRequest, district: District, report: WeeklyReport | None, week: date) -> bool:
    return (
        (report is None or not report.is_locked)
        and weeks.has_started(week)
        and report_districts_for(request.user, for_change=True).filter(pk=district.pk).exists()
    )


def _week_param(request: HttpRequest, default: date) -> date:
    try:
        week = date.fromisoformat(request.GET.get("week", ""))
    except ValueError:
        return default
    week = weeks.week_ending_for(week)
    return min(week, weeks.current_week())


def _system(district: District, week: date) -> SystemFigures:
    return district_week_figures(week, [district.pk])[district.pk]


# --- Lists ------------------------------------------------------------------------------------


@login_required
def report_list(request: HttpRequest) -> HttpResponse:
    """Province staff: every district for one week. District officers: their district's weeks."""
    user = request.user
    districts = report_districts_for(user)
    if not districts.exists():
        raise PermissionDenied
    current = weeks.current_week()
    if can(user, "reports.read_all"):
        week = _week_param(request, current)
        rows = selectors.week_overview(user, week)
        return render(
            request,
            "reports/week_overview.html",
            {
                "week": week,
                "week_label": weeks.week_label(week),
                "due_at": weeks.due_at(week),
                "rows": rows,
                "summary": selectors.week_completeness(user, week),
                "previous_week": week - timedelta(days=7),
                "next_week": week + timedelta(days=7) if week < current else None,
                "rule": weeks.timeliness_rule_text(),
            },
        )
    history = [
        (d, selectors.district_history(user, d, weeks.recent_weeks(GRID_WEEKS))) for d in districts.order_by("code")
    ]
    return render(
        request,
        "reports/district_reports.html",
        {"history": history, "current": current, "due_at": weeks.due_at(current), "rule": weeks.timeliness_rule_text()},
    )


@login_required
def completeness_grid(request: HttpRequest) -> HttpResponse:
    if not report_districts_for(request.user).exists():
        raise PermissionDenied
    grid = selectors.completeness_grid(request.user, count=GRID_WEEKS)
    return render(request, "reports/grid.html", {"grid": grid, "rule": weeks.timeliness_rule_text()})


# --- One report -------------------------------------------------------------------------------


def _detail_context(request: HttpRequest, district: District, week: date, **extra) -> dict:
    report = _report(request, district, week)
    values = selectors.visible_values(request.user, report)
    system = _system(district, week)
    can_review = bool(
        report
        and report.status == ReportStatus.SUBMITTED
        and weekly_reports_for_review(request.user).filter(pk=report.pk).exists()
    )
    returned = (
        report.reviews.select_related("reviewed_by").first()
        if report and report.status == ReportStatus.RETURNED
        else None
    )
    return {
        "district": district,
        "week": week,
        "week_label": weeks.week_label(week),
        "due_at": weeks.due_at(week),
        "rule": weeks.timeliness_rule_text(week),
        "report": report,
        "item": selectors.DistrictWeek(district, week, report),
        "values": values,
        "lines": selectors.figure_lines(values, system),
        "context_figures": selectors.context_figures(system),
        "versions": list(report.versions.select_related("submitted_by").order_by("-number")) if report else [],
        "reviews": list(report.reviews.select_related("reviewed_by", "version")) if report else [],
        "returned": returned,
        "officer": submissions.primary_focal_officer(district),
        "can_write": _can_write(request, district, report, week),
        "can_review": can_review,
        "upload_form": extra.pop("upload_form", None) or UploadForm(),
        "review_form": extra.pop("review_form", None)
        or ReviewForm(initial={"version": report.current_version.number if report and report.current_version else 1}),
        **extra,
    }


@login_required
def report_detail(request: HttpRequest, code: int, week: date) -> HttpResponse:
    district = _district(request, code)
    return render(request, "reports/report_detail.html", _detail_context(request, district, _week(week)))


def _initial(report: WeeklyReport | None, system: SystemFigures) -> dict:
    if report is not None:
        return report.values()
    return {f.key: getattr(system, f.system) for f in fields.NUMBERS if f.prefill}


@login_required
def report_edit(request: HttpRequest, code: int, week: date) -> HttpResponse:
    district = _district(request, code, for_change=True)
    week = _week(week)
    report = _report(request, district, week)
    if not _can_write(request, district, report, week):
        messages.error(request, _("This report can no longer be changed."))
        return redirect("reports:report-detail", code=district.pk, week=week)
    system = _system(district, week)
    form = WeeklyReportForm(request.POST or None, initial=_initial(report, system))
    if request.method == "POST" and form.is_valid():
        submit = request.POST.get("action") == "submit"
        try:
            if submit:
                done = submissions.report_submit(
                    by=request.user, district=district, week_ending=week, values=form.cleaned_data, request=request
                )
            else:
                submissions.report_draft_save(
                    by=request.user, district=district, week_ending=week, values=form.cleaned_data
                )
        except ApplicationError as exc:
            form.add_service_errors(exc.extra.get("fields", {}))
            messages.error(request, exc.message)
        else:
            if submit:
                messages.success(request, _submitted_message(done))
                return redirect("reports:report-detail", code=district.pk, week=week)
            messages.success(request, _("Draft saved. It is not sent until you press “Send the report”."))
            return redirect("reports:report-edit", code=district.pk, week=week)
    values = {key: form[key].value() for key in fields.NUMBER_KEYS}
    lines = selectors.figure_lines(_as_ints(values), system)
    return render(
        request,
        "reports/report_form.html",
        {
            "district": district,
            "week": week,
            "week_label": weeks.week_label(week),
            "due_at": weeks.due_at(week),
            "rule": weeks.timeliness_rule_text(week),
            "report": report,
            "form": form,
            "rows": [(line, form[line.key]) for line in lines],
            "context_figures": selectors.context_figures(system),
            "officer": submissions.primary_focal_officer(district),
        },
    )


def _as_ints(values: dict) -> dict:
    result = {}
    for key, value in values.items():
        try:
            result[key] = int(value) if value not in (None, "") else None
        except (TypeError, ValueError):
            result[key] = None
    return result


def _submitted_message(done: submissions.Submission) -> str:
    if done.version.late:
        return _("Report sent (version %(n)s). It was sent after the deadline.") % {"n": done.version.number}
    return _("Report sent (version %(n)s) before the deadline.") % {"n": done.version.number}


@login_required
def report_template(request: HttpRequest, code: int, week: date) -> HttpResponse:
    """The official template for this district and week, pre-filled."""
    district = _district(request, code)
    week = _week(week)
    report = _report(request, district, week)
    template = template_build(
        district=district,
        week_ending=week,
        values=selectors.visible_values(request.user, report),
        system=_system(district, week),
        officer=submissions.primary_focal_officer(district),
    )
    response = download_response(template.content, filename=template.filename)
    return response


@login_required
@require_POST
def report_upload(request: HttpRequest, code: int, week: date) -> HttpResponse:
    district = _district(request, code, for_change=True)
    week = _week(week)
    form = UploadForm(request.POST, request.FILES)
    errors: list[str] = []
    if form.is_valid():
        try:
            values = template_read(form.cleaned_data["file"], district=district, week_ending=week)
            done = submissions.report_submit(
                by=request.user, district=district, week_ending=week, values=values, source=Source.XLSX, request=request
            )
        except ApplicationError as exc:
            errors = exc.extra.get("errors", [])
            form.add_error("file", exc.message)
        else:
            messages.success(request, _submitted_message(done))
            return redirect("reports:report-detail", code=district.pk, week=week)
    context = _detail_context(request, district, week, upload_form=form, upload_errors=errors)
    return render(request, "reports/report_detail.html", context, status=400)


@login_required
@require_POST
def report_review(request: HttpRequest, code: int, week: date) -> HttpResponse:
    district = _district(request, code)
    week = _week(week)
    report = get_object_or_404(weekly_reports_for_review(request.user), district=district, week_ending=week)
    form = ReviewForm(request.POST)
    if form.is_valid():
        try:
            review = submissions.report_review(
                by=request.user,
                report=report,
                version_number=form.cleaned_data["version"],
                decision=form.cleaned_data["decision"],
                comment=form.cleaned_data["comment"],
                request=request,
            )
        except ApplicationError as exc:
            for message in exc.extra.get("fields", {}).get("comment", []):
                form.add_error("comment", message)
            messages.error(request, exc.message)
        else:
            messages.success(
                request,
                _("Report approved; the week is locked.")
                if review.decision == "approved"
                else _("Report returned to the district with your comment."),
            )
            outbox.notify_if_waiting(request)
            return redirect("reports:report-detail", code=district.pk, week=week)
    context = _detail_context(request, district, week, review_form=form)
    return render(request, "reports/report_detail.html", context, status=400)


@login_required
def report_version(request: HttpRequest, code: int, week: date, number: int) -> HttpResponse:
    district = _district(request, code)
    week = _week(week)
    report = get_object_or_404(weekly_reports_for(request.user), district=district, week_ending=week)
    version = get_object_or_404(report.versions.select_related("submitted_by"), number=number)
    system = SystemFigures.from_dict(version.system_figures)
    return render(
        request,
        "reports/report_version.html",
        {
            "district": district,
            "week": week,
            "week_label": weeks.week_label(week),
            "report": report,
            "version": version,
            "lines": selectors.figure_lines(version.values(), system),
            "system": [(LABELS[k], v) for k, v in system.as_dict().items()],
        },
    )


# --- Roll-ups and settings (province) ---------------------------------------------------------


@login_required
def rollup_list(request: HttpRequest) -> HttpResponse:
    user = request.user
    if not can(user, "rollups.read"):
        raise PermissionDenied
    form = RollupBuildForm(request.POST or None, initial={"week_ending": weeks.last_due_week()})
    if request.method == "POST":
        if not can(user, "rollups.build"):
            raise PermissionDenied
        if form.is_valid():
            week = form.cleaned_data["week_ending"]
            if not weeks.is_week_ending(week) or not weeks.has_started(week):
                form.add_error("week_ending", _("Choose a Friday of a week that has started."))
            else:
                outbox.enqueue(
                    "reports.tasks.weekly_rollup_build_task",
                    week_ending=week.isoformat(),
                    reason=RollupReason.MANUAL,
                    force=True,
                    by_id=user.pk,
                )
                messages.success(
                    request,
                    _("The roll-up of the week ending %(week)s is being built; it appears below in a moment.")
                    % {"week": f"{week:%d/%m/%Y}"},
                )
                outbox.notify_if_waiting(request)
                return redirect("reports:rollup-list")
    return render(
        request,
        "reports/rollup_list.html",
        {"rows": selectors.rollup_weeks_for(user, GRID_WEEKS), "form": form, "can_build": can(user, "rollups.build")},
    )


@login_required
def rollup_download(request: HttpRequest, pk: int) -> HttpResponse:
    rollup = get_object_or_404(rollups_for(request.user), pk=pk)
    return private_file_response(request, rollup.file_path, filename=rollup.filename, obj=rollup)


@capability_required("reports.reminders")
def reminder_settings(request: HttpRequest) -> HttpResponse:
    districts = report_districts_for(request.user).order_by("code")
    if request.method == "POST":
        district = get_object_or_404(districts, pk=request.POST.get("district"))
        enabled = request.POST.get("enabled") == "1"
        reminders.reminders_set(by=request.user, district=district, enabled=enabled)
        messages.success(
            request,
            (_("Reminders switched on for %(district)s.") if enabled else _("Reminders switched off for %(district)s."))
            % {"district": district.name},
        )
        return redirect("reports:reminder-settings")
    disabled = set(DistrictReportSetting.objects.filter(reminders_enabled=False).values_list("district", flat=True))
    last = {}
    for log in ReminderLog.objects.filter(district__in=districts).order_by("district", "-day"):
        last.setdefault(log.district_id, log)
    rows = [
        {
            "district": d,
            "enabled": d.pk not in disabled,
            "last": last.get(d.pk),
            "officer": submissions.primary_focal_officer(d),
        }
        for d in districts
    ]
    return render(request, "reports/reminder_settings.html", {"rows": rows})
