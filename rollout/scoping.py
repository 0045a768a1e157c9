"""THE rule for who sees what: one function per model, used by every view, API, export and task.

Each function returns the queryset of rows a user may see (or, with ``for_change=True``, change).
A view never filters by district "by hand"; it asks here and then narrows the result. A user with
several roles sees the union of what each role allows.

Province-wide roles see all rows of the home province's data. Personal data (check-ins, arrivals)
is visible only to roles that need it (SPEC §1, §9): province viewers get figures, not people.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, TypeVar

from django.conf import settings
from django.db.models import Model, Q, QuerySet

from dashboard.models import ArrivalDay, DistrictDay, VenueDay
from platforms.models import AdoptionUpdate, VaccinationUpdate
from rollout.models import Agency, Commune, District, HealthFacility, JobRun, Province, Role, User, Venue
from venues.models import CheckIn, Inspection

if TYPE_CHECKING:
    from checkpoints.models import Arrival, DailyList
    from rollout.models import Checkpoint

M = TypeVar("M", bound=Model)

# A rule maps a role to ALL (every row) or to a function building the Q of the rows it allows.
ALL = "all"
Rule = Callable[[User], Q] | str

_P_ADMIN, _P_VIEWER, _HEALTH = Role.PROVINCE_ADMIN, Role.PROVINCE_VIEWER, Role.HEALTH_OFFICER
_DISTRICT, _CHECKPOINT = Role.DISTRICT_OFFICER, Role.CHECKPOINT_STAFF
_AGENCY, _FACILITY = Role.AGENCY_ADMIN, Role.FACILITY_STAFF


def _apply(user: User, queryset: QuerySet[M], rules: dict[str, Rule]) -> QuerySet[M]:
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


def districts_for(user: User) -> QuerySet[District]:
    """Home-province districts whose data the user works with."""
    home = District.objects.filter(province_id=settings.HOME_PROVINCE_CODE)
    everyone_home: Rule = ALL
    return _apply(
        user,
        home,
        {
            _P_ADMIN: everyone_home,
            _P_VIEWER: everyone_home,
            _HEALTH: everyone_home,
            # Checkpoints record arrivals bound for every district of the province.
            _CHECKPOINT: everyone_home,
            _DISTRICT: lambda u: Q(pk__in=u.scoped_district_ids()),
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
        _DISTRICT: lambda u: Q(district__in=u.scoped_district_ids()),
        _AGENCY: lambda u: Q(pk__in=u.scoped_agency_ids()),
    }
    if not for_change:
        rules[_P_VIEWER] = ALL
    return _apply(user, Agency.objects.all(), rules)


def venues_for(user: User, *, for_change: bool = False) -> QuerySet[Venue]:
    rules: dict[str, Rule] = {
        _P_ADMIN: ALL,
        _DISTRICT: lambda u: Q(district__in=u.scoped_district_ids()),
        _AGENCY: lambda u: Q(agency__in=u.scoped_agency_ids()),
    }
    if not for_change:
        rules[_P_VIEWER] = ALL
    return _apply(user, Venue.objects.all(), rules)


def checkpoints_for(user: User, *, for_change: bool = False) -> QuerySet[Checkpoint]:
    from rollout.models import Checkpoint

    rules: dict[str, Rule] = {_P_ADMIN: ALL}
    if not for_change:
        rules |= {
            _P_VIEWER: ALL,
            _HEALTH: ALL,
            _DISTRICT: lambda u: Q(district__in=u.scoped_district_ids()),
            _CHECKPOINT: lambda u: Q(pk__in=u.scoped_checkpoint_ids()),
        }
    return _apply(user, Checkpoint.objects.all(), rules)


def facilities_for(user: User, *, for_change: bool = False) -> QuerySet[HealthFacility]:
    rules: dict[str, Rule] = {
        _P_ADMIN: ALL,
        _HEALTH: ALL,
        _FACILITY: lambda u: Q(pk__in=u.scoped_facility_ids()),
    }
    if not for_change:
        rules |= {
            _P_VIEWER: ALL,
            _DISTRICT: lambda u: Q(district__in=u.scoped_district_ids()),
        }
    return _apply(user, HealthFacility.objects.all(), rules)


def users_for(user: User) -> QuerySet[User]:
    """Accounts a user may see: province admins manage everyone; anyone else sees only themself."""
    if not user.is_authenticated or not user.is_active:
        return User.objects.none()
    if user.is_province_admin:
        return User.objects.all()
    return User.objects.filter(pk=user.pk)


# --- Activity (personal data) -----------------------------------------------------------------


def checkins_for(user: User) -> QuerySet[CheckIn]:
    return _apply(
        user,
        CheckIn.objects.all(),
        {
            _P_ADMIN: ALL,
            _HEALTH: ALL,
            _DISTRICT: lambda u: Q(venue__district__in=u.scoped_district_ids()),
            _AGENCY: lambda u: Q(venue__agency__in=u.scoped_agency_ids()),
        },
    )


def inspections_for(user: User, *, for_change: bool = False) -> QuerySet[Inspection]:
    rules: dict[str, Rule] = {
        _P_ADMIN: ALL,
        _DISTRICT: lambda u: Q(venue__district__in=u.scoped_district_ids()),
    }
    if not for_change:
        rules[_P_VIEWER] = ALL
    return _apply(user, Inspection.objects.all(), rules)


def arrivals_for(user: User) -> QuerySet[Arrival]:
    from checkpoints.models import Arrival

    return _apply(
        user,
        Arrival.objects.all(),
        {
            _P_ADMIN: ALL,
            _HEALTH: ALL,
            _DISTRICT: lambda u: Q(destination_district__in=u.scoped_district_ids()),
            _CHECKPOINT: lambda u: Q(checkpoint__in=u.scoped_checkpoint_ids()),
        },
    )


# --- Weekly reports and roll-ups (issue 5) ----------------------------------------------------
# Province admins and viewers see every district's weekly reports; a district officer sees and
# writes only their own district's. Only province admins approve or return reports. Roll-ups (the
# provincial workbook for Sở TT&TT) are for province staff only.

if TYPE_CHECKING:
    from reports.models import Rollup, WeeklyReport


def report_districts_for(user: User, *, for_change: bool = False) -> QuerySet[District]:
    """Districts whose weekly reports the user may see (or, ``for_change``, write and submit)."""
    home = District.objects.filter(province_id=settings.HOME_PROVINCE_CODE)
    rules: dict[str, Rule] = {_DISTRICT: lambda u: Q(pk__in=u.scoped_district_ids())}
    if not for_change:
        rules |= {_P_ADMIN: ALL, _P_VIEWER: ALL}
    return _apply(user, home, rules)


def weekly_reports_for(user: User, *, for_change: bool = False) -> QuerySet[WeeklyReport]:
    from reports.models import WeeklyReport

    return WeeklyReport.objects.filter(district__in=report_districts_for(user, for_change=for_change))


def weekly_reports_for_review(user: User) -> QuerySet[WeeklyReport]:
    """Reports the user may approve or return."""
    from reports.models import WeeklyReport

    return _apply(user, WeeklyReport.objects.all(), {_P_ADMIN: ALL})


def rollups_for(user: User) -> QuerySet[Rollup]:
    from reports.models import Rollup

    return _apply(user, Rollup.objects.filter(status=Rollup.Status.READY), {_P_ADMIN: ALL, _P_VIEWER: ALL})


# --- Issue 3: venue QR check-in, staff scanning and inspections -------------------------------


def checkin_venues_for(user: User) -> QuerySet[Venue]:
    """Venues whose QR code the user manages (rotation) and where the user records entries and exits
    (staff scanning mode): the venues the user may change."""
    return venues_for(user, for_change=True)


def inspection_venues_for(user: User) -> QuerySet[Venue]:
    """Venues on which the user may record an inspection (directive 6.iii): a district's officers for
    their district's venues, province admins for all."""
    return _apply(
        user,
        Venue.objects.all(),
        {_P_ADMIN: ALL, _DISTRICT: lambda u: Q(district__in=u.scoped_district_ids())},
    )


# --- Issue 6: dashboard aggregates, adoption, vaccination updates, job runs -----------------------
# The aggregates hold figures, not people: every province-wide role reads them all; a district officer
# reads the district's; agency admins and checkpoint staff read their own venues' or checkpoint's.


def overview_districts_for(user: User) -> QuerySet[District]:
    """Districts shown on the overview (/dashboard/): the province for province-wide roles, the
    officer's own district(s) for district officers, nothing for other roles (they get their home)."""
    home = District.objects.filter(province_id=settings.HOME_PROVINCE_CODE)
    return _apply(
        user,
        home,
        {
            _P_ADMIN: ALL,
            _P_VIEWER: ALL,
            _HEALTH: ALL,
            _DISTRICT: lambda u: Q(pk__in=u.scoped_district_ids()),
        },
    )


def district_days_for(user: User) -> QuerySet[DistrictDay]:
    return _apply(
        user,
        DistrictDay.objects.all(),
        {
            _P_ADMIN: ALL,
            _P_VIEWER: ALL,
            _HEALTH: ALL,
            _DISTRICT: lambda u: Q(district__in=u.scoped_district_ids()),
        },
    )


def venue_days_for(user: User) -> QuerySet[VenueDay]:
    return _apply(
        user,
        VenueDay.objects.all(),
        {
            _P_ADMIN: ALL,
            _P_VIEWER: ALL,
            _HEALTH: ALL,
            _DISTRICT: lambda u: Q(district__in=u.scoped_district_ids()),
            _AGENCY: lambda u: Q(venue__agency__in=u.scoped_agency_ids()),
        },
    )


def arrival_days_for(user: User) -> QuerySet[ArrivalDay]:
    return _apply(
        user,
        ArrivalDay.objects.all(),
        {
            _P_ADMIN: ALL,
            _P_VIEWER: ALL,
            _HEALTH: ALL,
            _DISTRICT: lambda u: Q(district__in=u.scoped_district_ids()),
            _CHECKPOINT: lambda u: Q(checkpoint__in=u.scoped_checkpoint_ids()),
        },
    )


def adoption_updates_for(user: User) -> QuerySet[AdoptionUpdate]:
    """Adoption figures follow the agency: whoever may see an agency sees its updates. Who may add an
    update is ``agencies_for(user, for_change=True)``."""
    return AdoptionUpdate.objects.filter(agency__in=agencies_for(user))


def vaccination_updates_for(user: User) -> QuerySet[VaccinationUpdate]:
    """Vaccination logs follow the facility. Who may log for a facility is
    ``facilities_for(user, for_change=True)``."""
    return VaccinationUpdate.objects.filter(facility__in=facilities_for(user))


def job_runs_for(user: User) -> QuerySet[JobRun]:
    """The jobs panel is for province administrators."""
    return _apply(user, JobRun.objects.all(), {_P_ADMIN: ALL})


# --- Issue 4: arrivals recording, checkpoint lists, daily lists -------------------------------


def checkpoints_for_arrivals(user: User) -> QuerySet[Checkpoint]:
    """Checkpoints at which the user may record or import arrivals."""
    from rollout.models import Checkpoint

    return _apply(
        user,
        Checkpoint.objects.filter(is_active=True),
        {
            _P_ADMIN: ALL,
            _CHECKPOINT: lambda u: Q(pk__in=u.scoped_checkpoint_ids()),
        },
    )


def checkpoint_lists_for(user: User) -> QuerySet[Checkpoint]:
    """Checkpoints whose whole list of arrivals (every destination) the user may export."""
    from rollout.models import Checkpoint

    return _apply(
        user,
        Checkpoint.objects.all(),
        {
            _P_ADMIN: ALL,
            _HEALTH: ALL,
            _CHECKPOINT: lambda u: Q(pk__in=u.scoped_checkpoint_ids()),
        },
    )


def daily_lists_for(user: User) -> QuerySet[DailyList]:
    """Daily arrival lists (personal data): the district's own officers and province staff who work
    with people (province admins, health officers). Province viewers get figures, not lists."""
    from checkpoints.models import DailyList

    return _apply(
        user,
        DailyList.objects.all(),
        {
            _P_ADMIN: ALL,
            _HEALTH: ALL,
            _DISTRICT: lambda u: Q(district__in=u.scoped_district_ids()),
        },
    )
