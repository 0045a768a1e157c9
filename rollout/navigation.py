"""The navigation a user sees, by role. One list: each app adds its entries here.

An entry is shown when the user holds one of its roles; the page itself still checks scope.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.http import HttpRequest
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from rollout.models import Role

_ALL = tuple(Role.values)
_PROVINCE = (Role.PROVINCE_ADMIN, Role.PROVINCE_VIEWER)


@dataclass(frozen=True)
class NavItem:
    label: str
    url_name: str
    roles: tuple[str, ...]
    icon: str = "dot"


NAV_ITEMS: list[NavItem] = [
    NavItem(_("Overview"), "dashboard", _ALL, "overview"),
    NavItem(_("Agencies"), "rollout:agency-list", (*_PROVINCE, Role.DISTRICT_OFFICER, Role.AGENCY_ADMIN), "agency"),
    NavItem(_("Venues"), "rollout:venue-list", (*_PROVINCE, Role.DISTRICT_OFFICER, Role.AGENCY_ADMIN), "venue"),
    NavItem(
        _("Checkpoints"),
        "checkpoints:checkpoint-list",
        (*_PROVINCE, Role.HEALTH_OFFICER, Role.DISTRICT_OFFICER, Role.CHECKPOINT_STAFF),
        "checkpoint",
    ),
    NavItem(
        _("Health facilities"),
        "rollout:facility-list",
        (*_PROVINCE, Role.HEALTH_OFFICER, Role.DISTRICT_OFFICER, Role.FACILITY_STAFF),
        "facility",
    ),
    NavItem(_("Accounts"), "accounts:user-list", (Role.PROVINCE_ADMIN,), "accounts"),
    # Issue 4: arrivals and daily lists.
    NavItem(_("Record arrivals"), "checkpoints:arrival-record", (Role.CHECKPOINT_STAFF,), "qr"),
    NavItem(
        _("Arrivals"),
        "checkpoints:arrival-list",
        (Role.PROVINCE_ADMIN, Role.HEALTH_OFFICER, Role.DISTRICT_OFFICER, Role.CHECKPOINT_STAFF),
        "list",
    ),
    NavItem(
        _("Daily lists"),
        "checkpoints:daily-list-list",
        (Role.PROVINCE_ADMIN, Role.HEALTH_OFFICER, Role.DISTRICT_OFFICER),
        "report",
    ),
]


def navigation(request: HttpRequest) -> dict:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav_items": []}
    items = []
    current = request.resolver_match.view_name if request.resolver_match else ""
    for item in NAV_ITEMS:
        if not user.has_role(*item.roles):
            continue
        # "rollout:venue-list" is active on every "rollout:venue-…" page.
        active = current.rsplit("-", 1)[0] == item.url_name.rsplit("-", 1)[0]
        items.append({"label": item.label, "url": reverse(item.url_name), "icon": item.icon, "active": active})
    unread = user.notifications.filter(read_at__isnull=True).count()
    return {"nav_items": items, "unread_notifications": unread}
