"""F1 candidates of an F0's records: who shared a venue or a vehicle with them, one row per person.

See ``tracing.services.search`` for the rules; each kind of contact is found with one query.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import connection
from django.db.models import BooleanField, Q
from django.db.models.expressions import RawSQL

from checkpoints.models import Arrival, Declaration
from rollout.timeutils import day_bounds, local_date
from tracing.models import Candidate, CandidateSource
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


def _f0_keys(f0: list[Record]) -> set[tuple]:
    return {key for r in f0 for key in r.person_keys()}


def venue_contacts(f0: list[Record], buffer: timedelta) -> list[Contact]:
    """Check-ins at the F0's venues whose presence (widened by ``buffer``) overlaps the F0's: one query."""
    visits = _merged_visits([r for r in f0 if r.kind == "checkin"])
    if not visits:
        return []
    overlap = Q(pk__in=[])
    for venue_id, came, left in visits:
        # A visit never runs past the midnight after its check-in, so one overlapping ours began on or
        # after the local day of (our start - buffer): a lower bound that lets the index do the work.
        day_start, _end = day_bounds(local_date(came - buffer))
        overlap |= Q(
            venue_id=venue_id, checked_in_at__gte=day_start, checked_in_at__lt=left + buffer, left_at__gt=came - buffer
        )
    rows = (
        CheckIn.objects.with_effective_checkout()
        .filter(overlap)
        .exclude(pk__in=[r.pk for r in f0 if r.kind == "checkin"])
        .order_by()  # the model's default ordering would sort every row for nothing
        .values(*CHECKIN_FIELDS, *CHECKIN_PLACE)
    )
    by_venue = defaultdict(list)
    for venue_id, came, left in visits:
        by_venue[venue_id].append((came, left))
    contacts = []
    for row in rows:
        record = record_from("checkin", row, row["checked_in_at"])
        c_in, c_left = row["checked_in_at"], row["left_at"]
        for came, left in by_venue[row["venue_id"]]:
            if not (c_in < left + buffer and c_left > came - buffer):
                continue
            seconds = max((min(left, c_left) - max(came, c_in)).total_seconds(), 0.0)
            contacts.append(
                Contact(
                    record=record,
                    kind="venue",
                    place=row["venue__name"],
                    place_id=row["venue_id"],
                    at=min(max(c_in, came), c_left),
                    until=c_left,
                    seconds=seconds,
                    district_id=row["venue__district_id"],
                )
            )
    return contacts


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
    within = timedelta(minutes=settings.TRACING_SAME_VEHICLE_MINUTES)
    trips = [r for r in f0 if r.kind == "arrival" and r.data["plate"].strip()]
    if not trips:
        return []
    same = Q(pk__in=[])
    for r in trips:
        same |= Q(
            checkpoint_id=r.data["checkpoint_id"],
            plate__iexact=r.data["plate"].strip(),
            arrived_at__gte=r.at - within,
            arrived_at__lte=r.at + within,
        )
    rows = (
        Arrival.objects.filter(same)
        .exclude(pk__in=[r.pk for r in f0 if r.kind == "arrival"])
        .order_by()
        .values(*TRAVEL_FIELDS, "arrived_at", "checkpoint_id", "checkpoint__name")
    )
    return [
        Contact(
            record=record_from("arrival", row, row["arrived_at"]),
            kind="vehicle",
            place=row["checkpoint__name"],
            place_id=row["checkpoint_id"],
            at=row["arrived_at"],
            until=None,
            seconds=0.0,
            district_id=row["destination_district_id"],
        )
        for row in rows
    ]


def candidates_ranked(contacts: list[Contact], f0: list[Record]) -> list[Candidate]:
    """One unsaved ``Candidate`` per person met, ranked."""
    return [Candidate(**row) for row in candidate_rows(contacts, f0)]


def candidate_rows(contacts: list[Contact], f0: list[Record]) -> list[dict[str, Any]]:
    """One row per person met (a dict of ``Candidate`` attnames, without the search), ranked.

    Rows, not model instances: a search at a busy venue meets hundreds of people, and building a model
    instance for each costs more than everything else the ranking does."""
    f0_keys = _f0_keys(f0)
    contacts = [c for c in contacts if not f0_keys.intersection(c.record.person_keys())]  # the F0's other records
    by_record = defaultdict(list)
    for c in contacts:
        by_record[(c.record.kind, c.record.pk)].append(c)
    records = [cs[0].record for cs in by_record.values()]
    homes = _home_districts(records)
    rows = []
    for people in group_people(records):
        met = sorted(
            (c for r in people for c in by_record[(r.kind, r.pk)]),
            key=lambda c: (c.at, c.kind, c.place_id),
        )
        rows.append(_candidate(people, met, homes))
    rows.sort(key=lambda c: (not c["same_vehicle"], -c["exposure_minutes"], c["first_contact_at"], c["full_name"]))
    for rank, row in enumerate(rows, start=1):
        row["rank"] = rank
    return rows


def _candidate(people: list[Record], met: list[Contact], homes: dict[tuple, int]) -> dict[str, Any]:
    latest = sorted(people, key=lambda r: r.at, reverse=True)
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
                "from": iso(c.at),
                "to": iso(c.until) if c.until else None,
                "minutes": int(c.seconds // 60),
            }
            for c in met
        ],
    }


def _home_districts(records: list[Record]) -> dict[tuple, int]:
    """Person key -> the destination district of their latest arrival or declaration (arrivals first)."""
    ids = {r.id_number for r in records if r.id_number}
    phones = {r.phone for r in records if r.phone}
    if not ids and not phones:
        return {}
    keys = {k for r in records for k in r.person_keys()}
    homes: dict[tuple, int] = {}
    for model, moment in ((Declaration, "-created_at"), (Arrival, "-arrived_at")):
        rows = (
            model.objects.filter(_any_of(model, "id_number", ids) | _any_of(model, "phone", phones))
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
    """``field IN values``. On PostgreSQL ``= ANY(%s)`` with the values as one array: with a thousand
    candidates' phones, binding a thousand parameters one by one costs more than the query itself."""
    if connection.vendor != "postgresql" or not values:
        return Q(**{f"{field}__in": values})
    column = f"{connection.ops.quote_name(model._meta.db_table)}.{connection.ops.quote_name(field)}"
    # The column comes from the model, the values go as a parameter.
    return Q(RawSQL(f"{column} = ANY(%s)", (sorted(values),), output_field=BooleanField()))  # noqa: S611
