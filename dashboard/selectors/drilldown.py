"""A district's drill-down: its communes, a commune's venues and arrivals."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from django.db.models import Count, Max, Q, Sum
from django.urls import reverse
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from dashboard.scoping import arrival_days_for, venue_days_for
from dashboard.selectors.areas import AreaRow, sort_rows
from dashboard.selectors.overview import WEEK
from rollout import scoping
from rollout.charts import Chart
from rollout.dbrouter import reading_from_replica
from rollout.models import Commune, District, User, Venue

# --- A district's drill-down: communes and agencies -------------------------------------------


@reading_from_replica()
def commune_rows(user: User, district: District, today: date, *, sort: str = "") -> tuple[list[AreaRow], str]:
    """The district's communes: venues, activity and arrivals over the last 7 days."""
    first = today - timedelta(days=WEEK - 1)
    rows = {
        c.pk: AreaRow(code=c.pk, name=c.name, url=reverse("dashboard:commune", args=[district.pk, c.pk]))
        for c in Commune.objects.filter(district=district).order_by("code")
    }
    venues = (
        scoping.venues_for(user)
        .filter(district=district, is_active=True, commune__isnull=False)
        .order_by()
        .values("commune")
        .annotate(n=Count("id"))
    )
    for v in venues:
        if v["commune"] in rows:
            rows[v["commune"]].venues_with_qr = v["n"]
    # "Active" is "not among the venues switched off" (the same venues as venue__is_active=True): a join
    # with the venues made PostgreSQL read every venue of the province (63,753 at a tenth of Hà Nội) for
    # each page; the few switched off come from their own index ("venue_inactive").
    switched_off = Venue.objects.filter(is_active=False).values("pk")
    activity = (
        venue_days_for(user)
        .filter(district=district, day__gte=first, day__lte=today, commune__isnull=False)
        .order_by()
        .values("commune")
        .annotate(
            active=Count("venue", distinct=True, filter=~Q(venue__in=switched_off)),
            week=Sum("checkins"),
            flagged=Sum("checkins_flagged"),
            today=Sum("checkins", filter=Q(day=today)),
        )
    )
    for a in activity:
        if (row := rows.get(a["commune"])) is not None:
            row.venues_active_7d, row.checkins_7d = a["active"], a["week"] or 0
            row.checkins_flagged_7d, row.checkins_today = a["flagged"] or 0, a["today"] or 0
    arrivals = (
        arrival_days_for(user)
        .filter(district=district, day__gte=first, day__lte=today, commune__isnull=False)
        .order_by()
        .values("commune")
        .annotate(week=Sum("arrivals"), today=Sum("arrivals", filter=Q(day=today)))
    )
    for a in arrivals:
        if (row := rows.get(a["commune"])) is not None:
            row.arrivals_7d, row.arrivals_today = a["week"] or 0, a["today"] or 0
    return sort_rows(list(rows.values()), sort)


@dataclass
class VenueActivity:
    venue: Venue
    checkins_today: int
    checkins_7d: int
    flagged_7d: int
    last_day: date | None


@reading_from_replica()
def venue_activity(user: User, commune: Commune, today: date) -> list[VenueActivity]:
    """A commune's venues with their check-ins (today, 7 days) and last day with any; idle first."""
    first = today - timedelta(days=WEEK - 1)
    venues = list(scoping.venues_for(user).filter(commune=commune).select_related("agency").order_by("name"))
    stats = {
        r["venue"]: r
        for r in venue_days_for(user)
        .filter(venue__in=[v.pk for v in venues], day__lte=today)
        .order_by()
        .values("venue")
        .annotate(
            last=Max("day"),
            week=Sum("checkins", filter=Q(day__gte=first)),
            flagged=Sum("checkins_flagged", filter=Q(day__gte=first)),
            today=Sum("checkins", filter=Q(day=today)),
        )
    }
    rows = []
    for v in venues:
        s = stats.get(v.pk, {})
        rows.append(VenueActivity(v, s.get("today") or 0, s.get("week") or 0, s.get("flagged") or 0, s.get("last")))
    rows.sort(key=lambda r: (r.checkins_7d > 0, r.last_day or date.min, r.venue.name_search))
    return rows


@reading_from_replica()
def commune_arrivals(user: User, commune: Commune, today: date, span: int) -> Chart:
    window = [today - timedelta(days=i) for i in range(span - 1, -1, -1)]
    per_day = dict(
        arrival_days_for(user)
        .filter(commune=commune, day__gte=window[0], day__lte=today)
        .order_by()
        .values("day")
        .annotate(n=Sum("arrivals"))
        .values_list("day", "n")
    )
    checkins = dict(
        venue_days_for(user)
        .filter(commune=commune, day__gte=window[0], day__lte=today)
        .order_by()
        .values("day")
        .annotate(n=Sum("checkins"))
        .values_list("day", "n")
    )
    return Chart(
        "commune",
        _("Check-ins and arrivals per day"),
        [date_format(d, "d/m") for d in window],
        [
            {"label": _("Check-ins"), "data": [checkins.get(d, 0) for d in window]},
            {"label": _("Arrivals"), "data": [per_day.get(d, 0) for d in window]},
        ],
    )
