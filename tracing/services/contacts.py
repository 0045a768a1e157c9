"""F1 candidates of an F0's records: who shared a venue or a vehicle with them, one row per person.

See ``tracing.services.search`` for the rules; each kind of contact is found with one query, whatever the
number of people or visits asked about.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import connection
from django.db.models import BooleanField, DateTimeField, Q
from django.db.models.expressions import RawSQL

from checkpoints.models import Arrival, Declaration
from rollout.rawsql import fetch_binary
from rollout.timeutils import day_bounds, local_date, local_tz
from tracing.models import CandidateSource
from tracing.services.records import (
    CHECKIN_FIELDS,
    CHECKIN_PLACE,
    TRAVEL_FIELDS,
    Record,
    group_people,
    iso,
    record_from,
)
from venues.models import CheckIn


@dataclass
class Contact:
    """One record of another person that met the F0: where, from when, for how long."""

    record: Record
    kind: str  # "venue" or "vehicle"
    place: str
    place_id: int
    at: datetime  # first contact
    until: datetime | None
    seconds: float
    district_id: int | None  # of the place (venue) or the destination (arrival)
    via: Any = None  # in a second ring: the key of the F1 met (see ``venue_contacts_of``)


def _f0_keys(f0: list[Record]) -> set[tuple]:
    return {key for r in f0 for key in r.person_keys()}


def venue_contacts(f0: list[Record], buffer: timedelta) -> list[Contact]:
    """Check-ins at the F0's venues whose presence (widened by ``buffer``) overlaps the F0's: one query."""
    return venue_contacts_of({None: f0}, buffer)


def venue_contacts_of(sources: dict[Any, list[Record]], buffer: timedelta) -> list[Contact]:
    """``venue_contacts`` for several people at once (their visits batched together, never a query per
    person): each contact's ``via`` is the key of the person in ``sources`` it met. A second ring asks this
    for many F1s."""
    visits = [
        (key, *visit)
        for key, records in sources.items()
        for visit in _merged_visits([r for r in records if r.kind == "checkin"])
    ]
    if not visits:
        return []
    own = {r.pk for records in sources.values() for r in records if r.kind == "checkin"}
    pairs = [(i, row) for i, row in _checkins_overlapping(visits, buffer) if row["pk"] not in own]
    # Newest check-in first, then the visits in order: the order the people are ranked in on a tie.
    pairs.sort(key=lambda pair: (-pair[1]["checked_in_at"].timestamp(), -pair[1]["pk"], pair[0]))
    records: dict[int, Record] = {}
    contacts = []
    for i, row in pairs:
        key, _venue_id, came, left = visits[i]
        record = records.get(row["pk"])
        if record is None:
            record = records[row["pk"]] = record_from("checkin", row, row["checked_in_at"])
        c_in, c_left = row["checked_in_at"], row["left_at"]
        contacts.append(
            Contact(
                record=record,
                kind="venue",
                place=row["venue__name"],
                place_id=row["venue_id"],
                at=min(max(c_in, came), c_left),
                until=c_left,
                seconds=max((min(left, c_left) - max(came, c_in)).total_seconds(), 0.0),
                district_id=row["venue__district_id"],
                via=key,
            )
        )
    return contacts


# A contact's visit: where, and no check-out time (``left_at`` says when they left); each datetime read
# costs a parse, and hundreds of rows are usual.
CONTACT_PLACE = [name for name in CHECKIN_PLACE if name != "checked_out_at"]


def _checkins_overlapping(visits: list[tuple], buffer: timedelta) -> list[tuple[int, dict[str, Any]]]:
    """(index in ``visits``, check-in with ``left_at``) for every check-in whose presence overlaps one of
    ``visits`` widened by ``buffer``: one query, whatever the number of visits.

    The visits are a list joined LATERAL to an index scan on (venue, checked_in_at) each: a visit never runs
    past the midnight after its check-in, so one overlapping ours began on or after the local day of (our
    start - buffer), and before our end + buffer; of those, the ones that left after our start - buffer.
    (An OR of one branch per visit made PostgreSQL test every branch on every row found, and building the
    branches through the ORM cost more than running them.)"""
    starts, sinces, untils, first_days, last_days = [], [], [], [], []
    for _key, _venue_id, came, left in visits:
        since = came - buffer
        first_days.append(local_date(since))
        starts.append(day_bounds(first_days[-1])[0])
        sinces.append(since)
        untils.append(left + buffer)
        last_days.append(local_date(untils[-1]))
    if connection.vendor != "postgresql":  # SQLite (``make run``): the same filter, one query per visit
        return [
            (i, row)
            for i, visit in enumerate(zip(visits, starts, sinces, untils, first_days, last_days, strict=True))
            for row in _checkins_overlapping_one(*visit)
        ]
    table = connection.ops.quote_name(CheckIn._meta.db_table)
    # The visit's values come from the outer list ``v``; the rule for ``left_at`` stays the model's. The
    # days too: with them PostgreSQL reads only the visit's one or two day partitions.
    this_visit = RawSQL(  # noqa: S611 (names from the model, no values)
        f"{table}.venue_id = v.venue_id AND {table}.checked_in_at >= v.day_start AND {table}.checked_in_at < v.until"
        f" AND {table}.day >= v.first_day AND {table}.day <= v.last_day",
        (),
        output_field=BooleanField(),
    )
    found = (
        CheckIn.objects.with_effective_checkout()
        .filter(this_visit, left_at__gt=RawSQL("v.since", (), output_field=DateTimeField()))
        .order_by()
        .values(*CHECKIN_FIELDS, *CONTACT_PLACE)
    )
    inner, params = found.query.sql_with_params()
    # OFFSET 0 keeps the subquery a subquery, planned once per visit with the visit's values: flattened into
    # the join, PostgreSQL may join the venues first and scan every check-in of a venue through the
    # venue-only index (seconds at a busy venue, for a second ring) instead of the (venue, time) range.
    inner += " OFFSET 0"
    visits_list = (
        "unnest(%s::int[], %s::int[], %s::timestamptz[], %s::timestamptz[], %s::timestamptz[], %s::date[], %s::date[])"
        " AS v(i, venue_id, day_start, since, until, first_day, last_day)"
    )
    sql = f"SELECT v.i, c.* FROM {visits_list} CROSS JOIN LATERAL ({inner}) c"  # noqa: S608 (the ORM's SQL)
    columns = [list(range(len(visits))), [v[1] for v in visits], starts, sinces, untils, first_days, last_days]
    rows, names = fetch_binary(sql, [*columns, *params])
    names = names[1:]  # the inner query's aliases
    return [(row[0], dict(zip(names, row[1:], strict=True))) for row in rows]


def _checkins_overlapping_one(visit: tuple, day_start, since, until, first_day, last_day) -> list[dict[str, Any]]:
    return list(
        CheckIn.objects.with_effective_checkout()
        .filter(
            venue_id=visit[1],
            checked_in_at__gte=day_start,
            checked_in_at__lt=until,
            day__gte=first_day,
            day__lte=last_day,
            left_at__gt=since,
        )
        .order_by()
        .values(*CHECKIN_FIELDS, *CONTACT_PLACE)
    )


def _merged_visits(checkins: list[Record]) -> list[tuple[int, datetime, datetime]]:
    """The F0's presence per venue, overlapping visits (two records of one person) merged into one."""
    merged: list[tuple[int, datetime, datetime]] = []
    for r in sorted(checkins, key=lambda r: (r.data["venue_id"], r.at)):
        venue_id, came, left = r.data["venue_id"], r.at, r.data["left_at"]
        if merged and merged[-1][0] == venue_id and came <= merged[-1][2]:
            merged[-1] = (venue_id, merged[-1][1], max(left, merged[-1][2]))
        else:
            merged.append((venue_id, came, left))
    return merged


def vehicle_contacts(f0: list[Record]) -> list[Contact]:
    """Arrivals with the plate of one of the F0's arrivals, at the same checkpoint, close in time: one query."""
    return vehicle_contacts_of({None: f0})


def vehicle_contacts_of(sources: dict[Any, list[Record]]) -> list[Contact]:
    """``vehicle_contacts`` for several people at once (one query); ``via`` as in ``venue_contacts_of``."""
    within = timedelta(minutes=settings.TRACING_SAME_VEHICLE_MINUTES)
    trips = [
        (key, r) for key, records in sources.items() for r in records if r.kind == "arrival" and r.data["plate"].strip()
    ]
    if not trips:
        return []
    same = Q(pk__in=[])
    for _key, r in trips:
        same |= Q(
            checkpoint_id=r.data["checkpoint_id"],
            plate__iexact=r.data["plate"].strip(),
            arrived_at__gte=r.at - within,
            arrived_at__lte=r.at + within,
            day__gte=local_date(r.at - within),  # only the one or two days' partitions
            day__lte=local_date(r.at + within),
        )
    own = [r.pk for records in sources.values() for r in records if r.kind == "arrival"]
    rows = (
        Arrival.objects.filter(same)
        .exclude(pk__in=own)
        .order_by()
        .values(*TRAVEL_FIELDS, "arrived_at", "checkpoint_id", "checkpoint__name")
    )
    contacts = []
    for row in rows:
        record = record_from("arrival", row, row["arrived_at"])
        plate = row["plate"].strip().casefold()
        met: set = set()
        for key, r in trips:
            if (
                key in met
                or r.data["checkpoint_id"] != row["checkpoint_id"]
                or r.data["plate"].strip().casefold() != plate
                or abs(r.at - row["arrived_at"]) > within
            ):
                continue
            contacts.append(
                Contact(
                    record=record,
                    kind="vehicle",
                    place=row["checkpoint__name"],
                    place_id=row["checkpoint_id"],
                    at=row["arrived_at"],
                    until=None,
                    seconds=0.0,
                    district_id=row["destination_district_id"],
                    via=key,
                )
            )
            met.add(key)  # one contact per arrival and person met, however many of their trips match
    return contacts


def candidate_rows(
    contacts: list[Contact], f0: list[Record], window: tuple[datetime, datetime]
) -> list[dict[str, Any]]:
    """One row per person met (a dict of ``Candidate`` attnames, without the search), ranked. ``window``:
    the moments searched, where their arrivals and declarations tell the district they belong to.

    Rows, not model instances: a search at a busy venue meets hundreds of people, and building a model
    instance for each costs more than everything else the ranking does."""
    f0_keys = _f0_keys(f0)
    contacts = [c for c in contacts if not f0_keys.intersection(c.record.person_keys())]  # the F0's other records
    by_record = defaultdict(list)
    for c in contacts:
        by_record[(c.record.kind, c.record.pk)].append(c)
    records = [cs[0].record for cs in by_record.values()]
    homes = _home_districts(records, *window)
    tz = local_tz()
    rows = []
    for people in group_people(records):
        met = sorted(
            (c for r in people for c in by_record[(r.kind, r.pk)]),
            key=lambda c: (c.at, c.kind, c.place_id),
        )
        rows.append(_candidate(people, met, homes, tz))
    rows.sort(key=lambda c: (not c["same_vehicle"], -c["exposure_minutes"], c["first_contact_at"], c["full_name"]))
    for rank, row in enumerate(rows, start=1):
        row["rank"] = rank
    return rows


def _candidate(people: list[Record], met: list[Contact], homes: dict[tuple, int], tz: ZoneInfo) -> dict[str, Any]:
    latest = sorted(people, key=lambda r: r.at, reverse=True) if len(people) > 1 else people
    phones = list(dict.fromkeys(r.phone for r in latest if r.phone))
    same_vehicle = any(c.kind == "vehicle" for c in met)
    # The district they belong to: where a matching arrival or declaration was bound for; else the
    # district of the first venue where they met the F0.
    district_id = next((homes[k] for r in latest for k in r.person_keys() if k in homes), None)
    if district_id is None:
        district_id = next((c.district_id for c in met if c.kind == "vehicle"), met[0].district_id)
    first_venue = next((c for c in met if c.kind == "venue"), None)
    first_vehicle = next((c for c in met if c.kind == "vehicle"), None)
    return {
        "full_name": latest[0].full_name,
        "phone": phones[0] if phones else "",
        "phones": phones,
        "id_number": next((r.id_number for r in latest if r.id_number), ""),
        "district_id": district_id,
        "source": CandidateSource.CHECKPOINT if same_vehicle else CandidateSource.VENUE,
        "venue_id": first_venue.place_id if first_venue else None,
        "checkpoint_id": first_vehicle.place_id if first_vehicle else None,
        "place": "; ".join(dict.fromkeys(c.place for c in met))[:500],
        "first_contact_at": met[0].at,
        "exposure_minutes": int(sum(c.seconds for c in met) // 60),
        "same_vehicle": same_vehicle,
        "reasons": [
            {
                "kind": c.kind,
                "place": c.place,
                f"{'venue' if c.kind == 'venue' else 'checkpoint'}_id": c.place_id,
                "from": iso(c.at, tz),
                "to": iso(c.until, tz) if c.until else None,
                "minutes": int(c.seconds // 60),
            }
            | ({"via": c.via} if c.via is not None else {})
            for c in met
        ],
    }


def _home_districts(records: list[Record], start: datetime, end: datetime) -> dict[tuple, int]:
    """Person key -> the destination district of their latest arrival or declaration in the window
    (arrivals first)."""
    ids = {r.id_number for r in records if r.id_number}
    phones = {r.phone for r in records if r.phone}
    if not ids and not phones:
        return {}
    keys = {k for r in records for k in r.person_keys()}
    homes: dict[tuple, int] = {}
    in_window = {
        Declaration: Declaration.objects.filter(created_at__gte=start, created_at__lt=end),
        Arrival: Arrival.objects.between(start, end),
    }
    for model, moment in ((Declaration, "-created_at"), (Arrival, "-arrived_at")):
        rows = (
            in_window[model]
            .filter(_any_of(model, "id_number", ids) | _any_of(model, "phone", phones))
            .order_by(moment)
            .values_list("id_number", "phone", "name_folded", "destination_district_id")
        )
        found: dict[tuple, int] = {}
        for id_number, phone, folded, district_id in rows:
            for key in (("id", id_number), ("phone", phone, folded)):
                if key in keys:
                    found.setdefault(key, district_id)
        homes |= found  # an arrival's destination wins over a declaration's
    return homes


def _any_of(model, field: str, values: set[str]) -> Q:
    """``field IN values``. On PostgreSQL the values go as one array, unnested in a subquery: with a
    thousand candidates' phones, binding a thousand parameters one by one costs more than the query
    itself, and ``= ANY(array)`` makes the planner estimate every value against every day's partition."""
    if connection.vendor != "postgresql" or not values:
        return Q(**{f"{field}__in": values})
    column = f"{connection.ops.quote_name(model._meta.db_table)}.{connection.ops.quote_name(field)}"
    # The column comes from the model, the values go as a parameter.
    return Q(RawSQL(f"{column} IN (SELECT unnest(%s::text[]))", (sorted(values),), output_field=BooleanField()))  # noqa: S611
