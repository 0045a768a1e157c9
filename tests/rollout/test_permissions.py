"""The permission table: who may DO what, one place; views and templates ask it, never a role name."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from rollout.models import Role
from rollout.permissions import CAPABILITIES, can

pytestmark = pytest.mark.django_db
ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize(
    ("persona", "capability", "allowed"),
    [
        ("province_admin", "reports.review", True),
        ("province_viewer", "reports.review", False),
        ("province_viewer", "rollups.read", True),
        ("health_officer", "tracing.search", True),
        ("district_officer", "tracing.search", False),
        ("checkpoint_staff", "arrivals.read", True),
        ("province_viewer", "arrivals.read", False),  # figures, not people
        ("agency_admin", "venues.add", True),
        ("agency_admin", "venues.add_without_agency", False),
        ("outsider", "jobs.view", False),
    ],
)
def test_capabilities_follow_the_table(request, persona, capability, allowed):
    assert can(request.getfixturevalue(persona), capability) is allowed


def test_every_capability_names_real_roles():
    assert set().union(*CAPABILITIES.values()) <= set(Role.values)


def test_views_apis_and_templates_name_no_role():
    """Who may do what is asked of the table: role names in a view, an API or a template are a defect."""
    places = [
        *ROOT.glob("*/views.py"), *ROOT.glob("*/views/*.py"), *ROOT.glob("*/apis.py"),
        *ROOT.glob("templates/**/*.html"), *ROOT.glob("*/templates/**/*.html"),
    ]  # fmt: skip
    role_names = "|".join(Role.values)
    pattern = re.compile(rf"is_province_admin|has_province_scope|has_role\(\s*[\"'*]|[\"']({role_names})[\"']")
    offenders = [str(p.relative_to(ROOT)) for p in places if pattern.search(p.read_text())]
    assert offenders == []
