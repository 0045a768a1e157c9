"""The navigation a user sees, by role. One list: each app adds its entries here.

An entry is shown when the user holds one of its roles; the page itself still checks scope.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.http import HttpRequest
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from rollout.models import Role
from rollout.permissions import can
from rollout.selectors.background import background_status

_ALL = tuple(Role.values)
_PROVINCE = (Role.PROVINCE_ADMIN, Role.PROVINCE_VIEWER)
_HEALTH = (*_PROVINCE, Role.HEALTH_OFFICER)
# Lists of people (personal data): not for province viewers (SPEC §1, §9).
_PERSONAL = (Role.PROVINCE_ADMIN, Role.HEALTH_OFFICER)


@dataclass(frozen=True)
class NavItem:
    label: str
    url_name: str
    roles: tuple[str, ...]
    icon: str = "dot"
    capability: str = ""  # when set, shown to whoever ``can`` it (``roles`` unused)

    def shown_to(self, user) -> bool:
        return can(user, self.capability) if self.capability else user.has_role(*self.roles)


NAV_ITEMS: list[NavItem] = [
    NavItem(_("Overview"), "dashboard", _ALL, "overview"),
    NavItem(_("Directive scorecard"), "reports:scorecard", (), "grid", capability="scorecard.view"),
    # Checkpoints and arrivals
    NavItem(_("Record arrivals"), "checkpoints:arrival-record", (Role.CHECKPOINT_STAFF,), "qr"),
    NavItem(
        _("Arrivals"), "checkpoints:arrival-list", (*_PERSONAL, Role.DISTRICT_OFFICER, Role.CHECKPOINT_STAFF), "list"
    ),
    NavItem(_("Daily lists"), "checkpoints:daily-list-list", (*_PERSONAL, Role.DISTRICT_OFFICER), "report"),
    NavItem(_("Tracing lists"), "tracing:lists", (), "list", capability="tracing.lists"),
    # Venues and agencies
    NavItem(_("Venues"), "rollout:venue-list", (*_PROVINCE, Role.DISTRICT_OFFICER, Role.AGENCY_ADMIN), "venue"),
    NavItem(_("Venue inspections"), "venues:inspection-list", (*_PROVINCE, Role.DISTRICT_OFFICER), "search"),
    NavItem(_("Visitor log"), "venues:visit-list", (Role.AGENCY_ADMIN,), "list"),
    NavItem(_("QR posters"), "venues:poster-list", (Role.AGENCY_ADMIN,), "qr"),
    NavItem(_("Agencies"), "rollout:agency-list", (*_PROVINCE, Role.DISTRICT_OFFICER, Role.AGENCY_ADMIN), "agency"),
    NavItem(
        _("App adoption"), "platforms:adoption-list", (*_PROVINCE, Role.DISTRICT_OFFICER, Role.AGENCY_ADMIN), "phone"
    ),
    # Weekly reports
    NavItem(_("Weekly reports"), "reports:report-list", (*_PROVINCE, Role.DISTRICT_OFFICER), "report"),
    NavItem(_("Reporting completeness"), "reports:completeness-grid", (*_PROVINCE, Role.DISTRICT_OFFICER), "grid"),
    NavItem(_("Weekly roll-ups"), "reports:rollup-list", _PROVINCE, "rollup"),
    NavItem(_("Weekly report document"), "reports:document-list", (), "report", capability="report_documents.read"),
    # Health
    NavItem(
        _("Health facilities"),
        "rollout:facility-list",
        (*_HEALTH, Role.DISTRICT_OFFICER, Role.FACILITY_STAFF),
        "facility",
    ),
    NavItem(
        _("Testing platform"), "platforms:testing-list", (*_HEALTH, Role.DISTRICT_OFFICER, Role.FACILITY_STAFF), "flask"
    ),
    NavItem(
        _("Vaccination updates"),
        "platforms:vaccination-overview",
        (*_HEALTH, Role.DISTRICT_OFFICER, Role.FACILITY_STAFF),
        "syringe",
    ),
    NavItem(
        _("Checkpoints"),
        "checkpoints:checkpoint-list",
        (*_PROVINCE, Role.HEALTH_OFFICER, Role.DISTRICT_OFFICER, Role.CHECKPOINT_STAFF),
        "checkpoint",
    ),
    # Contact tracing
    NavItem(_("Contact tracing"), "tracing:search-new", (), "search", capability="tracing.search"),
    # Administration
    NavItem(_("Accounts"), "accounts:user-list", (Role.PROVINCE_ADMIN,), "accounts"),
    NavItem(_("Jobs"), "rollout:job-list", (Role.PROVINCE_ADMIN,), "jobs"),
    NavItem(_("Audit log"), "rollout:audit-list", (), "search", capability="audit.read_all"),
]


def navigation(request: HttpRequest) -> dict:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav_items": []}
    current = request.resolver_match.view_name if request.resolver_match else ""
    visible = [item for item in NAV_ITEMS if item.shown_to(user)]
    # The entry for this very page is active; otherwise the first one of the same entity
    # ("rollout:venue-list" on every "rollout:venue-…" page).
    active = next((i for i in visible if i.url_name == current), None) or next(
        (i for i in visible if current.rsplit("-", 1)[0] == i.url_name.rsplit("-", 1)[0]), None
    )
    items = [{"label": i.label, "url": reverse(i.url_name), "icon": i.icon, "active": i is active} for i in visible]
    unread = user.notifications.filter(read_at__isnull=True).count()
    context = {"nav_items": items, "unread_notifications": unread}
    if user.is_province_admin:
        context["background"] = background_status()
    return context
