"""Users and their roles (SPEC §1).

A user holds one or more role assignments; each assignment carries the scope the role needs
(nothing for province-wide roles, one district, checkpoint, agency or facility otherwise). Who may
see what is decided in ``rollout.scoping`` from these assignments, nowhere else.
"""

from __future__ import annotations

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.db.models import Q
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _

from rollout.models.org import Agency, HealthFacility
from rollout.models.units import District


class Role(models.TextChoices):
    PROVINCE_ADMIN = "province_admin", _("Province administrator")
    PROVINCE_VIEWER = "province_viewer", _("Province viewer")
    HEALTH_OFFICER = "health_officer", _("Health officer")
    DISTRICT_OFFICER = "district_officer", _("District officer")
    CHECKPOINT_STAFF = "checkpoint_staff", _("Checkpoint staff")
    AGENCY_ADMIN = "agency_admin", _("Agency administrator")
    FACILITY_STAFF = "facility_staff", _("Health facility staff")


PROVINCE_ROLES = frozenset({Role.PROVINCE_ADMIN, Role.PROVINCE_VIEWER, Role.HEALTH_OFFICER})

# The one scope field each role needs (None: province-wide).
ROLE_SCOPE_FIELD: dict[str, str | None] = {
    Role.PROVINCE_ADMIN: None,
    Role.PROVINCE_VIEWER: None,
    Role.HEALTH_OFFICER: None,
    Role.DISTRICT_OFFICER: "district",
    Role.CHECKPOINT_STAFF: "checkpoint",
    Role.AGENCY_ADMIN: "agency",
    Role.FACILITY_STAFF: "facility",
}
SCOPE_FIELDS = ("district", "checkpoint", "agency", "facility")


def _scope_condition() -> Q:
    """Each role carries exactly the scope field it needs, and no other."""
    condition = Q()
    for i, (role, needed) in enumerate(ROLE_SCOPE_FIELD.items()):
        clause = Q(role=role)
        for field in SCOPE_FIELDS:
            clause &= Q(**{f"{field}__isnull": field != needed})
        condition = clause if i == 0 else condition | clause
    return condition


def _unique_constraints() -> list[models.UniqueConstraint]:
    """A user holds a role once per scope (partial constraints: NULL scopes never compare equal)."""
    constraints = [
        models.UniqueConstraint(
            fields=["user", "role"],
            condition=Q(role__in=sorted(PROVINCE_ROLES)),
            name="role_assignment_unique_province_role",
        )
    ]
    for role, field in ROLE_SCOPE_FIELD.items():
        if field:
            constraints.append(
                models.UniqueConstraint(
                    fields=["user", field],
                    condition=Q(role=role),
                    name=f"role_assignment_unique_{field}",
                )
            )
    return constraints


class User(AbstractUser):
    # Vietnamese names are written whole ("Nguyễn Văn An"); first/last split does not fit.
    first_name = None  # type: ignore[assignment]
    last_name = None  # type: ignore[assignment]
    full_name = models.CharField(_("full name"), max_length=200, blank=True)
    phone = models.CharField(_("phone"), max_length=20, blank=True)

    REQUIRED_FIELDS = ["email"]

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")

    def get_full_name(self) -> str:
        return self.full_name or self.username

    def get_short_name(self) -> str:
        return self.get_full_name()

    # --- Roles (loaded once per request, then held on the object) -----------------------------

    @cached_property
    def assignments(self) -> list[RoleAssignment]:
        if not self.pk or not self.is_active:
            return []
        return list(self.role_assignments.all())

    @property
    def roles(self) -> set[str]:
        roles = {a.role for a in self.assignments}
        if self.is_superuser and self.is_active:
            # A superuser made with createsuperuser acts as a province administrator.
            roles.add(Role.PROVINCE_ADMIN)
        return roles

    def has_role(self, *roles: str) -> bool:
        return bool(self.roles.intersection(roles))

    @property
    def is_province_admin(self) -> bool:
        return self.has_role(Role.PROVINCE_ADMIN)

    @property
    def has_province_scope(self) -> bool:
        """Province admin or viewer: sees every district's data (read at least)."""
        return self.has_role(Role.PROVINCE_ADMIN, Role.PROVINCE_VIEWER)

    def _scope_ids(self, role: str, field: str) -> list[int]:
        return [getattr(a, f"{field}_id") for a in self.assignments if a.role == role]

    def scoped_district_ids(self) -> list[int]:
        return self._scope_ids(Role.DISTRICT_OFFICER, "district")

    def scoped_checkpoint_ids(self) -> list[int]:
        return self._scope_ids(Role.CHECKPOINT_STAFF, "checkpoint")

    def scoped_agency_ids(self) -> list[int]:
        return self._scope_ids(Role.AGENCY_ADMIN, "agency")

    def scoped_facility_ids(self) -> list[int]:
        return self._scope_ids(Role.FACILITY_STAFF, "facility")


class RoleAssignment(models.Model):
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="role_assignments")
    role = models.CharField(_("role"), max_length=30, choices=Role.choices)
    district = models.ForeignKey(District, on_delete=models.CASCADE, null=True, blank=True, verbose_name=_("district"))
    checkpoint = models.ForeignKey(
        "rollout.Checkpoint",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        verbose_name=_("checkpoint"),
    )
    agency = models.ForeignKey(Agency, on_delete=models.CASCADE, null=True, blank=True, verbose_name=_("agency"))
    facility = models.ForeignKey(
        HealthFacility,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        verbose_name=_("health facility"),
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("role assignment")
        verbose_name_plural = _("role assignments")
        constraints = [
            models.CheckConstraint(
                name="role_assignment_scope_matches_role",
                condition=_scope_condition(),
            ),
            *_unique_constraints(),
        ]

    def __str__(self) -> str:
        scope = self.scope
        return f"{self.get_role_display()} — {scope}" if scope else str(self.get_role_display())

    @property
    def scope(self) -> object | None:
        field = ROLE_SCOPE_FIELD.get(self.role)
        return getattr(self, field) if field else None
