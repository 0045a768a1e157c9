"""Testing-platform rollout (3.i) and vaccination data updates (3.ii)."""

from __future__ import annotations

from datetime import date, timedelta

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from platforms.forms import TestingStatusForm, VaccinationLogForm
from platforms.selectors.health import (
    cutoff_at,
    cutoff_passed,
    testing_by_district,
    testing_facilities,
    vaccinating_facilities,
    vaccination_compliance,
    vaccination_day_status,
    vaccination_history,
)
from platforms.services.health import (
    OverwriteNotConfirmed,
    testing_status_update,
    vaccination_days_open,
    vaccination_update_log,
)
from rollout import scoping
from rollout.charts import Chart, percent
from rollout.errors import ApplicationError
from rollout.models.org import TestingStatus
from rollout.permissions import can
from rollout.text import fold
from rollout.timeutils import local_today

# --- Testing platform -------------------------------------------------------------------------


@login_required
def testing_list(request: HttpRequest) -> HttpResponse:
    """Facilities qualified to test, their rollout status, and % live per district."""
    facilities = scoping.facilities_for(request.user)
    per_district, total = testing_by_district(facilities)
    rows = testing_facilities(facilities).select_related("district", "commune")
    district = request.GET.get("district", "")
    if district.isdigit():
        rows = rows.filter(district_id=int(district))
    status = request.GET.get("status", "")
    if status in TestingStatus.values:
        rows = rows.filter(testing_status=status)
    query = request.GET.get("q", "").strip()
    if query:
        rows = rows.filter(name_search__contains=fold(query))
    page = Paginator(rows.order_by("district_id", "name_search"), 50).get_page(request.GET.get("page"))
    params = request.GET.copy()
    params.pop("page", None)
    changeable = set(
        scoping.facilities_for(request.user, for_change=True)
        .filter(pk__in=[f.pk for f in page])
        .values_list("pk", flat=True)
    )
    return render(
        request,
        "platforms/testing_list.html",
        {
            "page": page,
            "per_district": per_district,
            "total": total,
            "statuses": TestingStatus.choices,
            "districts": scoping.districts_for(request.user).filter(pk__in=facilities.values("district")),
            "filters": {"q": query, "district": district, "status": status, "querystring": params.urlencode()},
            "changeable": changeable,
        },
    )


@login_required
def testing_edit(request: HttpRequest, pk: int) -> HttpResponse:
    facility = get_object_or_404(
        testing_facilities(scoping.facilities_for(request.user, for_change=True)).select_related("district"), pk=pk
    )
    initial = {"testing_status": facility.testing_status, "testing_first_result_on": facility.testing_first_result_on}
    form = TestingStatusForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            testing_status_update(
                by=request.user,
                facility=facility,
                status=form.cleaned_data["testing_status"],
                first_result_on=form.cleaned_data["testing_first_result_on"],
            )
        except ValidationError as exc:
            for field, errors in exc.message_dict.items():
                form.add_error(field if field in form.fields else None, errors)
        else:
            messages.success(request, _("Status saved."))
            return redirect("platforms:testing-list")
    return render(request, "platforms/testing_edit.html", {"facility": facility, "form": form})


# --- Vaccination data updates -----------------------------------------------------------------


def _day(request: HttpRequest, today: date) -> date:
    try:
        day = date.fromisoformat(request.GET.get("day", ""))
    except ValueError:
        return today
    return min(day, today)


@login_required
def vaccination_overview(request: HttpRequest) -> HttpResponse:
    """Who has updated the day's vaccination data, who has not (after the cut-off: to remind), and
    the compliance over 30 days. Facility staff see their facility and a link to log the day."""
    user = request.user
    today = local_today()
    day = _day(request, today)
    facilities = scoping.facilities_for(user)
    statuses = vaccination_day_status(facilities, day)
    district = request.GET.get("district", "")
    if district.isdigit():
        statuses = [s for s in statuses if s.facility.district_id == int(district)]
    own = list(
        vaccinating_facilities(scoping.facilities_for(user, for_change=True)).filter(pk__in=user.scoped_facility_ids())
    )
    window = [today - timedelta(days=i) for i in range(29, -1, -1)]
    charted = vaccinating_facilities(facilities)
    if district.isdigit():
        charted = charted.filter(district_id=int(district))
    per_day = vaccination_compliance(charted, window)
    chart = Chart(
        "vaccination",
        _("Facilities that updated the day's vaccination data (%)"),
        [date_format(d, "d/m") for d in window],
        [
            {"label": _("Updated on the platform"), "data": [percent(v[0], v[2]) for v in per_day.values()]},
            {"label": _("By the cut-off"), "data": [percent(v[1], v[2]) for v in per_day.values()]},
        ],
        percent=True,
    )
    counts = {"updated": 0, "logged": 0, "missing": 0}
    for s in statuses:
        counts[s.state] += 1
    return render(
        request,
        "platforms/vaccination_overview.html",
        {
            "day": day,
            "today": today,
            "previous_day": day - timedelta(days=1),
            "next_day": day + timedelta(days=1) if day < today else None,
            "cutoff": cutoff_at(day),
            "cutoff_passed": cutoff_passed(day),
            "statuses": statuses,
            "counts": counts,
            "total": len(statuses),
            "own": own,
            # The compliance chart reads the district aggregates: province roles and district officers.
            "chart": chart if can(user, "vaccination.trend") else None,
            "districts": scoping.districts_for(user).filter(pk__in=facilities.values("district")),
            "filters": {"district": district},
        },
    )


@login_required
def vaccination_log(request: HttpRequest, pk: int) -> HttpResponse:
    """A facility logs (or corrects) a day's update; its last days are listed below. A day already
    logged opens with its saved figures (``?day=``), and replacing a saved figure is asked first."""
    facility = get_object_or_404(
        vaccinating_facilities(scoping.facilities_for(request.user, for_change=True)).select_related("district"), pk=pk
    )
    first, last = vaccination_days_open()
    day = _day_param(request, first, last)
    saved = facility.vaccination_updates.filter(day=day).first()
    initial = {"day": day}
    if saved is not None:
        initial |= {
            "doses_given": saved.doses_given,
            "updated_on_platform": "yes" if saved.updated_on_platform else "no",
        }
    form = VaccinationLogForm(request.POST or None, initial=initial)
    form.fields["day"].widget.attrs["min"] = first.isoformat()
    overwrite = None
    if request.method == "POST" and form.is_valid():
        try:
            vaccination_update_log(
                by=request.user,
                facility=facility,
                day=form.cleaned_data["day"],
                doses_given=form.cleaned_data["doses_given"],
                updated_on_platform=form.updated,
                ask_before_overwrite=True,
                confirmed_old_doses=form.cleaned_data["confirm_overwrite"],
            )
        except OverwriteNotConfirmed as exc:
            overwrite = exc
            data = request.POST.copy()
            data["confirm_overwrite"] = str(exc.extra["old"])  # a second submit replaces this figure only
            form = VaccinationLogForm(data, initial=initial)
            form.fields["day"].widget.attrs["min"] = first.isoformat()
        except ValidationError as exc:
            for field, errors in exc.message_dict.items():
                form.add_error(field if field in form.fields else None, errors)
        except ApplicationError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(
                request,
                _("The update of %(day)s is saved.") % {"day": form.cleaned_data["day"].strftime("%d/%m/%Y")},
            )
            return redirect("platforms:vaccination-log", pk=facility.pk)
    history = vaccination_history(facility)
    return render(
        request,
        "platforms/vaccination_log.html",
        {
            "facility": facility,
            "form": form,
            "overwrite": overwrite,
            "history": history,
            "today": last,
            "first_day": first,
            "cutoff": cutoff_at(last),
            "logged_today": any(u.day == last for u in history),
        },
    )


def _day_param(request: HttpRequest, first: date, last: date) -> date:
    """The day the form opens on: ``?day=`` when it is one that may be logged, else today."""
    try:
        day = date.fromisoformat(request.GET.get("day", ""))
    except ValueError:
        return last
    return day if first <= day <= last else last
