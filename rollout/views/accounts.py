"""Sign-in, invitations, and account management by province admins."""

from __future__ import annotations

from axes.utils import reset as axes_reset
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse_lazy
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from rollout import outbox, scoping
from rollout.downloads import download_response
from rollout.errors import ApplicationError
from rollout.forms import AccountForm, LoginForm, RoleForm, TableUploadForm, home_districts
from rollout.models import Agency, Checkpoint, HealthFacility, Role, RoleAssignment
from rollout.permissions import capability_required
from rollout.services import accounts
from rollout.tabular import template_workbook
from rollout.text import fold
from rollout.views.sheet_import import import_upload
from rollout.workbooks import workbook_bytes


class LoginView(auth_views.LoginView):
    template_name = "accounts/login.html"
    authentication_form = LoginForm
    redirect_authenticated_user = True


class InvitationView(auth_views.PasswordResetConfirmView):
    """The link in the invitation e-mail: set a first password, then sign in."""

    template_name = "accounts/invitation.html"
    success_url = reverse_lazy("accounts:invitation-done")
    post_reset_login = False


class InvitationDoneView(auth_views.PasswordResetCompleteView):
    template_name = "accounts/invitation_done.html"


@capability_required("accounts.manage")
def user_list(request: HttpRequest) -> HttpResponse:
    users = scoping.users_for(request.user).prefetch_related("role_assignments").order_by("username")
    query = request.GET.get("q", "").strip()
    if query:
        users = users.filter(Q(username__icontains=query) | Q(full_name__icontains=query) | Q(email__icontains=query))
    role = request.GET.get("role", "")
    if role in Role.values:
        users = users.filter(role_assignments__role=role).distinct()
    page = Paginator(users, 50).get_page(request.GET.get("page"))
    return render(request, "accounts/user_list.html", {"page": page, "q": query, "role": role, "roles": Role.choices})


@capability_required("accounts.manage")
def user_create(request: HttpRequest) -> HttpResponse:
    form = AccountForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = accounts.AccountInput(
            username=form.cleaned_data["username"],
            email=form.cleaned_data["email"],
            full_name=form.cleaned_data["full_name"],
            phone=form.cleaned_data["phone"],
            role=form.cleaned_data["role"],
            scope_id=form.scope_id,
        )
        try:
            user = accounts.user_create(by=request.user, data=data, request=request)
        except ValidationError as exc:
            for field, errors in exc.message_dict.items():
                form.add_error(field if field in form.fields else None, errors)
        else:
            messages.success(
                request,
                _("Account %(username)s created; the invitation will be sent to %(email)s.")
                % {"username": user.username, "email": user.email},
            )
            outbox.notify_if_waiting(request)
            return redirect("accounts:user-detail", pk=user.pk)
    return render(request, "accounts/user_form.html", {"form": form})


@capability_required("accounts.manage")
def user_detail(request: HttpRequest, pk: int) -> HttpResponse:
    account = get_object_or_404(scoping.users_for(request.user), pk=pk)
    form = RoleForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            accounts.role_assign(
                by=request.user, user=account, role=form.cleaned_data["role"], scope_id=form.scope_id, request=request
            )
        except (ApplicationError, ValidationError) as exc:
            messages.error(request, getattr(exc, "message", None) or "; ".join(exc.messages))
        else:
            messages.success(request, _("Role added."))
            return redirect("accounts:user-detail", pk=account.pk)
    assignments = account.role_assignments.select_related("district", "checkpoint", "agency", "facility")
    return render(request, "accounts/user_detail.html", {"account": account, "assignments": assignments, "form": form})


@capability_required("accounts.manage")
@require_POST
def user_action(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    account = get_object_or_404(scoping.users_for(request.user), pk=pk)
    try:
        if action == "resend":
            accounts.invitation_resend(by=request.user, user=account, request=request)
            messages.success(request, _("Invitation sent again to %(email)s.") % {"email": account.email})
            outbox.notify_if_waiting(request)
        elif action in ("activate", "deactivate"):
            accounts.user_set_active(by=request.user, user=account, active=action == "activate", request=request)
            messages.success(request, _("Account updated."))
        elif action == "unlock":
            axes_reset(username=account.username)
            messages.success(request, _("Sign-in lock removed."))
        elif action == "remove-role":
            assignment = get_object_or_404(RoleAssignment, pk=request.POST.get("assignment"), user=account)
            accounts.role_remove(by=request.user, assignment=assignment, request=request)
            messages.success(request, _("Role removed."))
        else:
            raise PermissionDenied
    except ApplicationError as exc:
        messages.error(request, exc.message)
    return redirect("accounts:user-detail", pk=account.pk)


@capability_required("accounts.manage")
def user_import(request: HttpRequest) -> HttpResponse:
    """Upload a sheet; its page shows every row checked, then the confirmation: nothing is created before."""
    posted = request.method == "POST"
    form = TableUploadForm(request.POST if posted else None, request.FILES if posted else None)
    if posted:
        job = import_upload(request, form, kind="accounts")
        if job is not None:
            return redirect("import-job", pk=job.pk)
    return render(request, "accounts/user_import.html", {"form": form}, status=400 if form.errors else 200)


@capability_required("accounts.manage")
def user_import_template(request: HttpRequest) -> HttpResponse:
    lists = {
        _("Districts"): [(_("Code"), _("Name"))] + [(d.code, d.name) for d in home_districts()],
        _("Checkpoints"): [(_("Code"), _("Name"))] + [(c.pk, c.name) for c in Checkpoint.objects.all()],
        _("Agencies"): [(_("Code"), _("Name"))] + [(a.pk, a.name) for a in Agency.objects.order_by("pk")],
        _("Facilities"): [(_("Code"), _("Name"))] + [(f.pk, f.name) for f in HealthFacility.objects.order_by("pk")],
    }
    wb = template_workbook(
        accounts.import_columns(),
        sheet_title=_("Accounts"),
        instructions=[
            _("One account per row from row 2; row 2 holds an example you may overwrite."),
            _("Province roles need no scope code; the others take a code from the list sheets."),
            _("Each account receives an e-mail with a link to set its password."),
        ],
        lists=lists,
    )
    return download_response(workbook_bytes(wb), filename=f"{fold(_('account template')).replace(' ', '-')}.xlsx")
