"""The audit log in words: every event for province admins (filters, XLSX export); one's own history for
everyone signed in."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from rollout.downloads import download_response
from rollout.errors import ApplicationError
from rollout.forms import AuditDaysForm, AuditFilterForm
from rollout.models import User
from rollout.permissions import capability_required
from rollout.selectors.audit import AuditFilters, audit_events, audit_lines, audit_object_types, object_type_label
from rollout.services.audit import ACTION_LABELS
from rollout.services.audit_export import audit_log_export
from rollout.text import fold
from rollout.views.listing import uncounted_page

PER_PAGE = 50
# The person field suggests usernames from this many accounts (a province has a few hundred).
MAX_SUGGESTED_PEOPLE = 2000


def _filter_form(request: HttpRequest) -> AuditFilterForm:
    actions = [(action, str(label)) for action, label in ACTION_LABELS.items()]
    types = sorted(((t, object_type_label(t)) for t in audit_object_types()), key=lambda pair: pair[1])
    return AuditFilterForm(request.GET or None, actions=actions, object_types=types)


def _filters(form: AuditDaysForm) -> AuditFilters:
    data = form.cleaned_data if form.is_bound else {}
    return AuditFilters(
        person=(data.get("person") or "").strip(),
        action=data.get("action") or "",
        object_type=data.get("object_type") or "",
        object_id=(data.get("object_id") or "").strip(),
        first=data.get("first"),
        last=data.get("last"),
    )


def _querystring(request: HttpRequest) -> str:
    params = request.GET.copy()
    params.pop("page", None)
    return params.urlencode()


@capability_required("audit.read_all")
def audit_list(request: HttpRequest) -> HttpResponse:
    form = _filter_form(request)
    page = lines = None
    if not form.is_bound or form.is_valid():
        page = uncounted_page(audit_events(_filters(form)), request.GET.get("page"), per_page=PER_PAGE)
        lines = audit_lines(page.object_list)
    people = User.objects.order_by("username").values_list("username", flat=True)[:MAX_SUGGESTED_PEOPLE]
    return render(
        request,
        "rollout/audit_list.html",
        {
            "form": form,
            "page": page,
            "lines": lines,
            "people": people,
            "filters": {"querystring": _querystring(request)},
        },
    )


@capability_required("audit.read_all")
def audit_export(request: HttpRequest) -> HttpResponse:
    form = _filter_form(request)
    back = reverse("rollout:audit-list") + (f"?{_querystring(request)}" if request.GET else "")
    if form.is_bound and not form.is_valid():
        messages.error(request, _("Check the filters: %(errors)s") % {"errors": _errors_text(form)})
        return redirect(back)
    try:
        content, _rows = audit_log_export(by=request.user, filters=_filters(form), request=request)
    except ApplicationError as exc:
        messages.error(request, exc.message)
        return redirect(back)
    name = fold(_("audit log")).replace(" ", "-")
    return download_response(content, filename=f"{name}.xlsx")


def _errors_text(form: AuditDaysForm) -> str:
    return " ".join(
        f"{form.fields[field].label if field in form.fields else ''}: {' '.join(errors)}".lstrip(": ")
        for field, errors in form.errors.items()
    )


@login_required
def audit_mine(request: HttpRequest) -> HttpResponse:
    """What the signed-in user did, in the same words as the province's audit page."""
    form = AuditDaysForm(request.GET or None)
    page = lines = None
    if not form.is_bound or form.is_valid():
        events = audit_events(_filters(form), actor=request.user)
        page = uncounted_page(events, request.GET.get("page"), per_page=PER_PAGE)
        lines = audit_lines(page.object_list)
    return render(
        request,
        "rollout/audit_mine.html",
        {"form": form, "page": page, "lines": lines, "filters": {"querystring": _querystring(request)}},
    )
