"""THE rule for who sees what: one engine (``visible``) and the rules of the core's rows.

Each ``*_for`` function returns the queryset of rows a user may see (or, with ``for_change=True``,
change). A view never filters by district "by hand"; it asks a ``*_for`` and then narrows the result. A
user with several roles sees the union of what each role allows. Each app declares the rules of its own
rows beside its models, in ``<app>/scoping.py``, and applies them with ``visible``: this module imports
no app.

Province-wide roles see all rows of the home province's data. Personal data (check-ins, arrivals)
is visible only to roles that need it (SPEC §1, §9): province viewers get figures, not people.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from django.conf import settings
from django.db.models import Model, Q, QuerySet

from rollout.models import Agency, Checkpoint, Commune, District, HealthFacility, JobRun, Province, Role, User, Venue

M = TypeVar("M", bound=Model)

# A rule maps a role to ALL (every row) or to a function building the Q of the rows it allows.
ALL = "all"
Rule = Callable[[User], Q] | str


# Rules through a field path to the user's scope: ``in_districts("venue__district")``.
def in_districts(path: str) -> Rule:
    return lambda u: Q(**{f"{path}__in": u.scoped_district_ids()})


def in_agencies(path: str) -> Rule:
    return lambda u: Q(**{f"{path}__in": u.scoped_agency_ids()})


def in_checkpoints(path: str) -> Rule:
    return lambda u: Q(**{f"{path}__in": u.scoped_checkpoint_ids()})


def in_facilities(path: str) -> Rule:
    return lambda u: Q(**{f"{path}__in": u.scoped_facility_ids()})


_P_ADMIN, _P_VIEWER, _HEALTH = Role.PROVINCE_ADMIN, Role.PROVINCE_VIEWER, Role.HEALTH_OFFICER
_DISTRICT, _CHECKPOINT = Role.DISTRICT_OFFICER, Role.CHECKPOINT_STAFF
_AGENCY, _FACILITY = Role.AGENCY_ADMIN, Role.FACILITY_STAFF


def visible(user: User, queryset: QuerySet[M], rules: dict[str, Rule]) -> QuerySet[M]:
    """THE engine: the rows of ``queryset`` the user may see by the ``rules`` (role -> ALL or a Q builder);
    a user with several roles sees the union."""
    if not user.is_authenticated or not user.is_active:
        return queryset.none()
    allowed = Q()
    matched = False
    for role, rule in rules.items():
        if not user.has_role(role):
            continue
        if rule == ALL:
            return queryset
        allowed = allowed | rule(user) if matched else rule(user)  # type: ignore[operator]
        matched = True
    return queryset.filter(allowed) if matched else queryset.none()


# --- Reference data ---------------------------------------------------------------------------
# Administrative units are public reference data (travellers pick their origin from all 63
# provinces); any signed-in user may read them.


def provinces_for(user: User) -> QuerySet[Province]:
    return Province.objects.all() if user.is_authenticated else Province.objects.none()


def communes_for(user: User) -> QuerySet[Commune]:
    return Commune.objects.all() if user.is_authenticated else Commune.objects.none()


def districts_for(user: User, *, for_change: bool = False) -> QuerySet[District]:
    """Home-province districts whose data the user works with (``for_change``: whose master data the user
    may change: every district for province admins, their own for district officers)."""
    home = District.objects.filter(province_id=settings.HOME_PROVINCE_CODE)
    if for_change:
        return visible(user, home, {_P_ADMIN: ALL, _DISTRICT: in_districts("pk")})
    everyone_home: Rule = ALL
    return visible(
        user,
        home,
        {
            _P_ADMIN: everyone_home,
            _P_VIEWER: everyone_home,
            _HEALTH: everyone_home,
            # Checkpoints record arrivals bound for every district of the province.
            _CHECKPOINT: everyone_home,
            _DISTRICT: in_districts("pk"),
            # Subqueries, not joins: a join through agencies would repeat districts.
            _AGENCY: lambda u: Q(pk__in=Agency.objects.filter(pk__in=u.scoped_agency_ids()).values("district")),
            _FACILITY: lambda u: Q(
                pk__in=HealthFacility.objects.filter(pk__in=u.scoped_facility_ids()).values("district")
            ),
        },
    )


# --- Master data ------------------------------------------------------------------------------


def agencies_for(user: User, *, for_change: bool = False) -> QuerySet[Agency]:
    rules: dict[str, Rule] = {
        _P_ADMIN: ALL,
        _DISTRICT: in_districts("district"),
        _AGENCY: in_agencies("pk"),
    }
    if not for_change:
        rules[_P_VIEWER] = ALL
    return visible(user, Agency.objects.all(), rules)


def venues_for(user: User, *, for_change: bool = False) -> QuerySet[Venue]:
    rules: dict[str, Rule] = {
        _P_ADMIN: ALL,
        _DISTRICT: in_districts("district"),
        _AGENCY: in_agencies("agency"),
    }
    if not for_change:
        rules[_P_VIEWER] = ALL
    return visible(user, Venue.objects.all(), rules)


def checkpoints_for(user: User, *, for_change: bool = False) -> QuerySet[Checkpoint]:
    from rollout.models import Checkpoint

    rules: dict[str, Rule] = {_P_ADMIN: ALL}
    if not for_change:
        rules |= {
            _P_VIEWER: ALL,
            _HEALTH: ALL,
            _DISTRICT: in_districts("district"),
            _CHECKPOINT: in_checkpoints("pk"),
        }
    return visible(user, Checkpoint.objects.all(), rules)


def facilities_for(user: User, *, for_change: bool = False) -> QuerySet[HealthFacility]:
    rules: dict[str, Rule] = {
        _P_ADMIN: ALL,
        _HEALTH: ALL,
        _FACILITY: in_facilities("pk"),
    }
    if not for_change:
        rules |= {
            _P_VIEWER: ALL,
            _DISTRICT: in_districts("district"),
        }
    return visible(user, HealthFacility.objects.all(), rules)


def users_for(user: User) -> QuerySet[User]:
    """Accounts a user may see: province admins manage everyone; anyone else sees only themself."""
    if not user.is_authenticated or not user.is_active:
        return User.objects.none()
    if user.is_province_admin:
        return User.objects.all()
    return User.objects.filter(pk=user.pk)


# --- Jobs -------------------------------------------------------------------------------------


def job_runs_for(user: User) -> QuerySet[JobRun]:
    """The jobs panel is for province administrators."""
    return visible(user, JobRun.objects.all(), {_P_ADMIN: ALL})
