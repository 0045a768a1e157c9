"""Django admin for master data. Only province administrators get in (SPEC §1)."""

from __future__ import annotations

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.utils.translation import gettext_lazy as _

from rollout.models import (
    Agency,
    AuditEvent,
    Checkpoint,
    Commune,
    District,
    FocalOfficer,
    HealthFacility,
    JobRun,
    Province,
    RoleAssignment,
    User,
    Venue,
)

admin.site.site_header = _("Data administration — Department of Information and Communications")
admin.site.site_title = _("Data administration")
admin.site.index_title = _("Master data")


def _is_province_admin(request) -> bool:
    return request.user.is_active and request.user.is_province_admin


# The admin's own permission model is replaced by our role: province admins manage master data.
admin.site.has_permission = _is_province_admin


class ProvinceAdminOnly(admin.ModelAdmin):
    def has_module_permission(self, request) -> bool:
        return _is_province_admin(request)

    def has_view_permission(self, request, obj=None) -> bool:
        return _is_province_admin(request)

    def has_add_permission(self, request) -> bool:
        return _is_province_admin(request)

    def has_change_permission(self, request, obj=None) -> bool:
        return _is_province_admin(request)

    def has_delete_permission(self, request, obj=None) -> bool:
        return _is_province_admin(request)


class ReadOnly(ProvinceAdminOnly):
    """Imported or recorded data: viewable, never edited by hand."""

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Province)
class ProvinceAdmin(ReadOnly):
    list_display = ["code", "name", "division_type"]
    search_fields = ["name", "name_search"]


@admin.register(District)
class DistrictAdmin(ReadOnly):
    list_display = ["code", "name", "province", "division_type"]
    list_filter = ["province"]
    search_fields = ["name", "name_search"]


@admin.register(Commune)
class CommuneAdmin(ReadOnly):
    list_display = ["code", "name", "district", "division_type"]
    search_fields = ["name", "name_search"]
    list_select_related = ["district"]


class FocalOfficerInline(admin.TabularInline):
    model = FocalOfficer
    extra = 0


@admin.register(Agency)
class AgencyAdmin(ProvinceAdminOnly):
    list_display = ["name", "kind", "district", "staff_headcount", "is_active"]
    list_filter = ["kind", "district", "is_active"]
    search_fields = ["name", "name_search"]
    autocomplete_fields = ["commune"]
    list_select_related = ["district"]
    inlines = [FocalOfficerInline]


@admin.register(Venue)
class VenueAdmin(ProvinceAdminOnly):
    list_display = ["name", "kind", "district", "agency", "is_active"]
    list_filter = ["kind", "district", "is_active"]
    search_fields = ["name", "name_search", "address"]
    autocomplete_fields = ["agency", "commune"]
    list_select_related = ["district", "agency"]


@admin.register(HealthFacility)
class HealthFacilityAdmin(ProvinceAdminOnly):
    list_display = [
        "name",
        "kind",
        "district",
        "does_rapid_antigen",
        "does_rt_pcr",
        "does_vaccination",
        "testing_status",
    ]
    list_filter = ["kind", "district", "testing_status"]
    search_fields = ["name", "name_search"]
    autocomplete_fields = ["commune"]
    list_select_related = ["district"]


@admin.register(FocalOfficer)
class FocalOfficerAdmin(ProvinceAdminOnly):
    list_display = ["full_name", "position", "district", "agency", "email", "is_primary"]
    list_filter = ["district"]
    search_fields = ["full_name", "email"]
    autocomplete_fields = ["agency"]


class RoleAssignmentInline(admin.TabularInline):
    model = RoleAssignment
    extra = 0
    autocomplete_fields = ["agency"]


@admin.register(User)
class UserAdmin(ProvinceAdminOnly, BaseUserAdmin):
    list_display = ["username", "full_name", "email", "is_active", "last_login"]
    search_fields = ["username", "full_name", "email"]
    ordering = ["username"]
    fieldsets = [
        (None, {"fields": ["username", "password"]}),
        (_("Personal info"), {"fields": ["full_name", "email", "phone"]}),
        (_("Status"), {"fields": ["is_active", "is_staff", "last_login", "date_joined"]}),
    ]
    add_fieldsets = [(None, {"fields": ["username", "full_name", "email", "password1", "password2"]})]
    readonly_fields = ["last_login", "date_joined"]
    list_filter = ["is_active", "role_assignments__role"]
    filter_horizontal = []
    inlines = [RoleAssignmentInline]


@admin.register(AuditEvent)
class AuditEventAdmin(ReadOnly):
    list_display = ["at", "actor_username", "action", "object_type", "object_id", "ip"]
    list_filter = ["action"]
    search_fields = ["actor_username", "object_id"]
    date_hierarchy = "at"


@admin.register(JobRun)
class JobRunAdmin(ReadOnly):
    list_display = ["job", "started_at", "finished_at", "status", "result"]
    list_filter = ["job", "status"]


@admin.register(Checkpoint)
class CheckpointAdmin(ProvinceAdminOnly):
    list_display = ["name", "kind", "location", "district", "is_active"]
    list_filter = ["kind", "district", "is_active"]
    search_fields = ["name", "name_search", "location"]
    autocomplete_fields = ["commune"]
