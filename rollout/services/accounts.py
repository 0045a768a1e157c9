"""Accounts: creation by province admins (single and bulk), roles, invitations (SPEC §1, 6.iii)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import IO, Any

from django.conf import settings
from django.contrib.auth.tokens import default_token_generator
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.urls import reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from rollout import outbox, tabular
from rollout.errors import ApplicationError
from rollout.models import Agency, Checkpoint, District, HealthFacility, Role, RoleAssignment, User
from rollout.models.accounts import ROLE_SCOPE_FIELD
from rollout.permissions import can
from rollout.services.audit import Action, audit_record
from rollout.services.mail import email_send
from rollout.uploads import max_rows
from rollout.validators import normalize_phone


@dataclass
class AccountInput:
    username: str
    email: str
    full_name: str
    role: str
    phone: str = ""
    scope_id: int | None = None


def _scope_model(role: str) -> type | None:
    field = ROLE_SCOPE_FIELD[role]
    return {
        "district": District,
        "checkpoint": Checkpoint,
        "agency": Agency,
        "facility": HealthFacility,
        None: None,
    }[field]


def scope_resolve(role: str, scope_id: int | None) -> dict[str, Any]:
    """The RoleAssignment scope fields for a role, checking that the scope exists."""
    if role not in ROLE_SCOPE_FIELD:
        raise ValidationError({"role": _("Unknown role.")})
    field = ROLE_SCOPE_FIELD[role]
    if field is None:
        return {}
    model = _scope_model(role)
    queryset = model.objects.all()
    if model is District:
        queryset = queryset.filter(province_id=settings.HOME_PROVINCE_CODE)
    if scope_id is None:
        raise ValidationError({"scope": _("This role needs a %(scope)s.") % {"scope": model._meta.verbose_name}})
    obj = queryset.filter(pk=scope_id).first()
    if obj is None:
        raise ValidationError(
            {"scope": _("No %(scope)s with code %(code)s.") % {"scope": model._meta.verbose_name, "code": scope_id}}
        )
    return {field: obj}


def _require_admin(by: User) -> None:
    if not can(by, "accounts.manage"):
        raise PermissionDenied


def _validate(data: AccountInput) -> dict[str, Any]:
    errors: dict[str, list[str]] = {}
    username = data.username.strip()
    if not username:
        errors["username"] = [_("This field is required.")]
    else:
        try:
            User.username_validator(username)
        except ValidationError as exc:
            errors["username"] = exc.messages
        if User.objects.filter(username__iexact=username).exists():
            errors["username"] = [_("This username is already taken.")]
    email = data.email.strip().lower()
    try:
        validate_email(email)
    except ValidationError:
        errors["email"] = [_("Enter a valid e-mail address.")]
    phone = data.phone.strip()
    if phone:
        try:
            phone = normalize_phone(phone)
        except ValidationError as exc:
            errors["phone"] = exc.messages
    if not data.full_name.strip():
        errors["full_name"] = [_("This field is required.")]
    scope: dict[str, Any] = {}
    try:
        scope = scope_resolve(data.role, data.scope_id)
    except ValidationError as exc:
        errors.update(exc.message_dict)
    if errors:
        raise ValidationError(errors)
    return {"username": username, "email": email, "phone": phone, "full_name": data.full_name.strip(), "scope": scope}


def user_create(*, by: User, data: AccountInput, request=None) -> User:
    """Create an account with one role; it has no password until the invitation is used."""
    _require_admin(by)
    clean = _validate(data)
    with transaction.atomic():
        user = User(
            username=clean["username"],
            email=clean["email"],
            full_name=clean["full_name"],
            phone=clean["phone"],
            is_staff=data.role == Role.PROVINCE_ADMIN,
        )
        user.set_unusable_password()
        user.save()
        RoleAssignment.objects.create(user=user, role=data.role, **clean["scope"])
        audit_record(Action.ACCOUNT_CREATE, request=request, actor=by, obj=user, detail={"role": data.role})
        _queue_invitation(user)
    return user


def role_assign(*, by: User, user: User, role: str, scope_id: int | None, request=None) -> RoleAssignment:
    _require_admin(by)
    scope = scope_resolve(role, scope_id)
    if user.role_assignments.filter(role=role, **scope).exists():
        raise ApplicationError(_("The user already has this role."))
    with transaction.atomic():
        assignment = RoleAssignment.objects.create(user=user, role=role, **scope)
        if role == Role.PROVINCE_ADMIN and not user.is_staff:
            user.is_staff = True
            user.save(update_fields=["is_staff"])
        audit_record(Action.ACCOUNT_CHANGE, request=request, actor=by, obj=user, detail={"role_added": role})
    return assignment


def role_remove(*, by: User, assignment: RoleAssignment, request=None) -> None:
    _require_admin(by)
    user = assignment.user
    if user.pk == by.pk and assignment.role == Role.PROVINCE_ADMIN:
        raise ApplicationError(_("You cannot remove your own administrator role."))
    with transaction.atomic():
        role = assignment.role
        assignment.delete()
        if role == Role.PROVINCE_ADMIN and not user.role_assignments.filter(role=Role.PROVINCE_ADMIN).exists():
            user.is_staff = False
            user.save(update_fields=["is_staff"])
        audit_record(Action.ACCOUNT_CHANGE, request=request, actor=by, obj=user, detail={"role_removed": role})


def user_set_active(*, by: User, user: User, active: bool, request=None) -> None:
    _require_admin(by)
    if user.pk == by.pk and not active:
        raise ApplicationError(_("You cannot deactivate your own account."))
    user.is_active = active
    user.save(update_fields=["is_active"])
    audit_record(Action.ACCOUNT_CHANGE, request=request, actor=by, obj=user, detail={"active": active})


def invitation_resend(*, by: User, user: User, request=None) -> None:
    _require_admin(by)
    audit_record(Action.ACCOUNT_CHANGE, request=request, actor=by, obj=user, detail={"invitation": "resent"})
    _queue_invitation(user)


def _queue_invitation(user: User) -> None:
    outbox.enqueue("rollout.tasks.invitation_send_task", user_id=user.pk)


def invitation_send(*, user_id: int) -> bool:
    """E-mail a link to set the password. Runs in the worker, outside any transaction."""
    user = User.objects.filter(pk=user_id, is_active=True).first()
    if user is None or not user.email:
        return False
    path = reverse(
        "accounts:invitation",
        kwargs={
            "uidb64": urlsafe_base64_encode(force_bytes(user.pk)),
            "token": default_token_generator.make_token(user),
        },
    )
    context = {
        "user": user,
        "link": settings.SITE_URL + path,
        "site_url": settings.SITE_URL,
        "days": settings.PASSWORD_RESET_TIMEOUT // 86400,
    }
    email_send("account_invitation", to=[user.email], context=context)
    return True


# --- Bulk creation from XLSX ------------------------------------------------------------------


def _email(value: str) -> str:
    value = value.strip().lower()
    validate_email(value)
    return value


def _username(value: str) -> str:
    value = value.strip()
    User.username_validator(value)
    return value


def import_columns() -> list[tabular.Column]:
    roles = {str(label): value for value, label in Role.choices} | {value: value for value in Role.values}
    return [
        tabular.Column(
            "username", gettext_lazy("Username"), tabular.from_validator(_username), width=20,
            example="nguyen.van.an", help=gettext_lazy("Letters, digits and . _ - only."),
        ),
        tabular.Column("full_name", gettext_lazy("Full name"), tabular.text(200), width=28, example="Nguyễn Văn An"),
        tabular.Column(
            "email", gettext_lazy("E-mail"), tabular.from_validator(_email), width=30,
            example="an.nv@laocai.gov.vn", help=gettext_lazy("The invitation is sent here."),
        ),
        tabular.Column(
            "phone", gettext_lazy("Phone"), tabular.from_validator(normalize_phone), required=False, width=15,
            example="0912345678",
        ),
        tabular.Column(
            "role", gettext_lazy("Role"), tabular.choice(roles), width=28, example=str(Role.DISTRICT_OFFICER.label),
            choices=tuple(str(label) for label in Role.labels),
        ),
        tabular.Column(
            "scope", gettext_lazy("Scope code"), tabular.integer(1, 10**9), required=False, width=14, example=82,
            help=gettext_lazy(
                "District code, or the checkpoint, agency or facility code from the lists; empty for province roles."
            ),
        ),
    ]  # fmt: skip


def users_import_read(upload: IO[bytes], progress: Callable[[int], None] | None = None) -> tabular.Table:
    """Parse and fully validate an account sheet; store nothing."""
    table = tabular.read_table(upload, import_columns(), max_rows=max_rows("accounts"))
    seen: dict[str, int] = {}
    letters = {c.key: chr(ord("A") + i) for i, c in enumerate(import_columns())}
    headers = {c.key: str(c.header) for c in import_columns()}
    for done, row in enumerate(table.rows, start=1):
        if progress:
            progress(done)
        # Every error of the row at once: the rules run on whatever could be read, and a cell already
        # named (unreadable) is not named twice.
        named = {e.cell for e in row.errors}
        v = row.values
        data = AccountInput(
            username=v.get("username") or "",
            email=v.get("email") or "",
            full_name=v.get("full_name") or "",
            role=v.get("role") or "",
            phone=v.get("phone") or "",
            scope_id=v.get("scope"),
        )
        try:
            _validate(data)
        except ValidationError as exc:
            for field, messages in exc.message_dict.items():
                key = field if field in letters else "scope"
                ref = f"{letters[key]}{row.number}"
                if ref not in named:
                    row.errors.append(tabular.CellError(ref, headers[key], " ".join(messages)))
                    named.add(ref)
        name = data.username.lower()
        if name and name in seen:
            row.errors.append(
                tabular.CellError(
                    f"A{row.number}", headers["username"], _("Same username as row %(n)s.") % {"n": seen[name]}
                )
            )
        if name:
            seen.setdefault(name, row.number)
    return table


def users_import_commit(*, by: User, rows: list[dict[str, Any]], request=None) -> list[User]:
    """Create every account or none: one transaction; invitations are queued after commit."""
    _require_admin(by)
    created = []
    with transaction.atomic():
        for values in rows:
            data = AccountInput(**values)
            try:
                created.append(user_create(by=by, data=data, request=request))
            except ValidationError as exc:
                raise ApplicationError(
                    _("Account %(username)s can no longer be created: %(reason)s")
                    % {
                        "username": data.username,
                        "reason": "; ".join(m for ms in exc.message_dict.values() for m in ms),
                    }
                ) from exc
        audit_record(Action.ACCOUNT_IMPORT, request=request, actor=by, detail={"created": len(created)})
    return created


# --- The import job (rollout.services.imports): check, then store on confirmation -----------------


def users_import_check(job, upload: IO[bytes], progress: Callable[[int], None]) -> dict[str, Any]:
    """Check an account sheet for its import job: every row shown; the accounts to create kept only
    when no row has a problem (a sheet is created whole or not at all)."""
    table = users_import_read(upload, progress)
    rows = tabular.preview_rows(table.rows, ("username", "full_name", "email", "role"))
    kept = [
        {
            "username": r.values["username"],
            "email": r.values["email"],
            "full_name": r.values["full_name"],
            "phone": r.values.get("phone") or "",
            "role": r.values["role"],
            "scope_id": r.values.get("scope"),
        }
        for r in table.rows
    ] if not table.invalid else []  # fmt: skip
    return {
        "rows": rows,
        "errors": [r for r in rows if r["errors"]],
        "invalid": len(table.invalid),
        "kept": kept,
        "can_store": bool(kept),
    }


def users_import_store(job, request=None) -> tuple[str, str]:
    created = users_import_commit(by=job.user, rows=job.result["kept"], request=request)
    return _("%(n)s accounts created; invitations are being sent.") % {"n": len(created)}, reverse("accounts:user-list")
