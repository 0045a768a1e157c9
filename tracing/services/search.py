"""Search a confirmed case (F0): their timeline and their F1 candidates (SPEC §8).

Who the F0 is: the records (check-ins, arrivals, declarations) with the ID number asked for, or with the
phone *and* the accent-free name asked for, plus every record sharing an ID number or a (phone, name)
pair with those. A phone alone is enough when all its records carry one name; a phone shared by a family
or a name alone answers with the distinct people to choose from (``ApplicationError`` with
``extra["people"]``); the caller searches again by ID number, or by phone and name.

F1 candidates:
- same venue, presence overlapping the F0's: a visit lasts from check-in to ``left_at``
  (``CheckIn.objects.with_effective_checkout``: the check-out, else the default stay, never past local
  midnight), widened by ``TRACING_BUFFER_MINUTES`` on both sides. Touching counts: a visit ending
  exactly when the F0's begins is a contact (the buffers overlap), with 0 exposure minutes. Exposure
  minutes are the true overlap (buffer excluded), summed over all shared visits, whole minutes.
- same vehicle: the same plate at the same checkpoint within ``TRACING_SAME_VEHICLE_MINUTES`` (inclusive)
  of one of the F0's arrivals.
One row per person (records merged by ID number, or by phone and name), ranked: same vehicle first,
then exposure minutes (most first), then first contact.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext as _

from checkpoints.models import Arrival, Declaration
from rollout.errors import ApplicationError
from rollout.models import User
from rollout.permissions import can
from rollout.services.audit import Action, audit_record
from rollout.text import fold
from rollout.timeutils import day_bounds, days_bounds, local_date, local_today, local_tz, oldest_kept_day
from rollout.validators import normalize_id_number, normalize_phone
from tracing.models import Candidate, CandidateSource, ReasonKind, TracingSearch
from venues.models import CheckIn

MAX_PEOPLE = 50  # people listed to choose from


# --- Records and people --------------------------------------------------------------------------


@dataclass
class Record:
    """One row of personal data, reduced to what identifies the person and when they were seen."""

    kind: str  # "checkin", "arrival", "declaration"
    pk: int
    full_name: str
    name_folded: str
    phone: str
    id_number: str
    at: datetime
    data: dict[str, Any] = field(default_factory=dict)

    def person_keys(self) -> list[tuple]:
        """What makes two records one person: the ID number, or the phone with the name."""
        keys: list[tuple] = []
        if self.id_number:
            keys.append(("id", self.id_number))
        if self.phone:
            keys.append(("phone", self.phone, self.name_folded))
        return keys or [("record", self.kind, self.pk)]


def group_people(records: list[Record]) -> list[list[Record]]:
    """Records merged into people: two records are one person when they share a key (transitively)."""
    parent: dict[tuple, tuple] = {}

    def find(key: tuple) -> tuple:
        while parent.setdefault(key, key) != key:
            parent[key] = parent[parent[key]]
            key = parent[key]
        return key

    for record in records:
        first, *rest = record.person_keys()
        for key in rest:
            parent[find(key)] = find(first)
    groups: dict[tuple, list[Record]] = defaultdict(list)
    for record in records:
        groups[find(record.person_keys()[0])].append(record)
    return list(groups.values())


_CHECKIN_FIELDS = ["pk", "full_name", "name_folded", "phone", "id_number", "checked_in_at", "left_at"]
_CHECKIN_PLACE = ["venue_id", "venue__name", "venue__district_id", "checked_out_at"]
_TRAVEL_FIELDS = [
    "pk", "full_name", "name_folded", "phone", "id_number", "destination_district_id",
    "origin_province__name", "origin_district__name", "origin_commune__name", "destination_district__name",
    "vehicle", "plate",
]  # fmt: skip


def _checkins(q: Q, start: datetime, end: datetime) -> list[Record]:
    rows = (
        CheckIn.objects.with_effective_checkout()
        .filter(q, checked_in_at__gte=start, checked_in_at__lt=end)
        .values(*_CHECKIN_FIELDS, *_CHECKIN_PLACE)
    )
    return [_record("checkin", r, r["checked_in_at"]) for r in rows]


def _arrivals(q: Q, start: datetime, end: datetime) -> list[Record]:
    rows = Arrival.objects.filter(q, arrived_at__gte=start, arrived_at__lt=end).values(
        *_TRAVEL_FIELDS, "arrived_at", "checkpoint_id", "checkpoint__name"
    )
    return [_record("arrival", r, r["arrived_at"]) for r in rows]


def _declarations(q: Q, start: datetime, end: datetime) -> list[Record]:
    rows = Declaration.objects.filter(q, created_at__gte=start, created_at__lt=end).values(
        *_TRAVEL_FIELDS, "created_at", "kind", "travel_date"
    )
    return [_record("declaration", r, r["created_at"]) for r in rows]


def _record(kind: str, row: dict[str, Any], at: datetime) -> Record:
    return Record(
        kind=kind,
        pk=row["pk"],
        full_name=row["full_name"],
        name_folded=row["name_folded"],
        phone=row["phone"],
        id_number=row["id_number"],
        at=at,
        data=row,
    )


def _records(q: Q, start: datetime, end: datetime) -> list[Record]:
    return _checkins(q, start, end) + _arrivals(q, start, end) + _declarations(q, start, end)


def _same_person_q(records: list[Record]) -> Q:
    """Rows sharing an ID number or a (phone, name) pair with ``records``."""
    q = Q(pk__in=[])
    ids = {r.id_number for r in records if r.id_number}
    if ids:
        q |= Q(id_number__in=ids)
    for phone, folded in {(r.phone, r.name_folded) for r in records if r.phone}:
        q |= Q(phone=phone, name_folded=folded)
    return q


def _people_summary(groups: list[list[Record]]) -> list[dict[str, Any]]:
    people = []
    for records in groups:
        latest = max(records, key=lambda r: r.at)
        people.append(
            {
                "full_name": latest.full_name,
                "phone": next((r.phone for r in sorted(records, key=lambda r: r.at, reverse=True) if r.phone), ""),
                "id_number": next((r.id_number for r in records if r.id_number), ""),
                "records": len(records),
                "last_seen_at": _iso(latest.at),
            }
        )
    people.sort(key=lambda p: p["last_seen_at"], reverse=True)
    return people[:MAX_PEOPLE]


# --- The search ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Query:
    phone: str
    id_number: str
    folded: str

    @property
    def name_only(self) -> bool:
        return bool(self.folded) and not self.phone and not self.id_number


def tracing_search(
    *,
    by: User | None,
    phone: str = "",
    id_number: str = "",
    full_name: str = "",
    start: date | None = None,
    end: date | None = None,
    reason: str,
    reason_kind: str = ReasonKind.CONFIRMED_CASE,
    request=None,
    as_system: bool = False,
) -> TracingSearch:
    """Find the F0's records in the window, their timeline and F1 candidates; store and audit the search.

    ``as_system`` (the management command) runs without a user; anyone else needs ``tracing.search``.
    """
    if not as_system and (by is None or not can(by, "tracing.search")):
        raise PermissionDenied
    query = _clean_query(phone, id_number, full_name)
    first, last = _window(start, end)
    reason = (reason or "").strip()
    if not reason:
        message = _("State the reason for this search.")
        raise ApplicationError(message, {"fields": {"reason": [message]}})
    if reason_kind not in ReasonKind.values:
        message = _("Choose a reason from the list.")
        raise ApplicationError(message, {"fields": {"reason_kind": [message]}})
    window_start, window_end = days_bounds(first, last)

    f0 = _identify(query, window_start, window_end, by=by, request=request, reason=reason, reason_kind=reason_kind)
    buffer = timedelta(minutes=settings.TRACING_BUFFER_MINUTES)
    contacts = _venue_contacts(f0, buffer) + _vehicle_contacts(f0)
    candidates = _candidates(contacts, f0)
    timeline = _timeline(f0)

    with transaction.atomic():
        search = TracingSearch.objects.create(
            by=by,
            reason_kind=reason_kind,
            reason=reason,
            phone=query.phone,
            id_number=query.id_number,
            full_name=full_name.strip(),
            start=first,
            end=last,
            timeline=timeline,
            record_count=len(f0),
            candidate_count=len(candidates),
        )
        for candidate in candidates:
            candidate.search = search
        Candidate.objects.bulk_create(candidates)
        # Counts and the reason only: the audit log never holds the person's data.
        audit_record(
            Action.TRACING_SEARCH,
            request=request,
            actor=by,
            obj=search,
            detail=_audit_detail(reason, reason_kind, first, last, records=len(f0), candidates=len(candidates)),
        )
    return search


def _audit_detail(reason: str, reason_kind: str, first: date, last: date, **counts: int) -> dict[str, Any]:
    return {"reason_kind": reason_kind, "reason": reason, "start": first.isoformat(), "end": last.isoformat()} | counts


def _clean_query(phone: str, id_number: str, full_name: str) -> Query:
    phone, id_number, full_name = (phone or "").strip(), (id_number or "").strip(), (full_name or "").strip()
    if not (phone or id_number or full_name):
        raise ApplicationError(_("Give a phone number, an ID number or a full name."))
    fields: dict[str, list[str]] = {}
    try:
        phone = normalize_phone(phone) if phone else ""
    except ValidationError as error:
        fields["phone"] = list(error.messages)
    try:
        id_number = normalize_id_number(id_number) if id_number else ""
    except ValidationError as error:
        fields["id_number"] = list(error.messages)
    if fields:
        raise ApplicationError(_("The data is not valid."), {"fields": fields})
    return Query(phone=phone, id_number=id_number, folded=fold(full_name))


def _window(start: date | None, end: date | None) -> tuple[date, date]:
    """The local days searched: by default the last ``TRACING_DEFAULT_DAYS``, never beyond the retention."""
    today = local_today()
    oldest = oldest_kept_day(today)
    last = end or today
    first = start or max(last - timedelta(days=settings.TRACING_DEFAULT_DAYS - 1), oldest)
    if first > last:
        message = _("The first day must not be after the last day.")
        raise ApplicationError(message, {"fields": {"start": [message]}})
    if last > today:
        message = _("The last day cannot be in the future.")
        raise ApplicationError(message, {"fields": {"end": [message]}})
    if first < oldest:
        message = _("Personal data is kept for %(days)s days: choose a first day on or after %(day)s.") % {
            "days": settings.PERSONAL_DATA_RETENTION_DAYS,
            "day": f"{oldest:%d/%m/%Y}",
        }
        raise ApplicationError(message, {"fields": {"start": [message]}})
    return first, last


def _identify(query: Query, start: datetime, end: datetime, **audit: Any) -> list[Record]:
    """The F0's records in the window; or ``ApplicationError`` with the people to choose from."""
    if query.id_number:
        seed = _records(Q(id_number=query.id_number), start, end)
    elif query.phone and query.folded:
        seed = _records(Q(phone=query.phone, name_folded=query.folded), start, end)
    elif query.phone:
        seed = _records(Q(phone=query.phone), start, end)
        if len({r.name_folded for r in seed}) > 1:
            _choose(group_people(seed), _("Several people share this phone number."), **audit)
    else:
        seed = _records(Q(name_folded=query.folded), start, end)
        if seed:
            _choose(group_people(seed), _("People with this name were found."), **audit)
    if not seed:
        return []
    return _records(_same_person_q(seed), start, end)


def _choose(groups: list[list[Record]], why: str, *, by, request, reason, reason_kind) -> None:
    """Answer with the people to choose from. Audited in its own transaction: it shows personal data."""
    people = _people_summary(groups)
    with transaction.atomic():
        audit_record(
            Action.TRACING_SEARCH,
            request=request,
            actor=by,
            detail={"reason_kind": reason_kind, "reason": reason, "people": len(groups), "outcome": "choose"},
        )
    message = _("%(why)s Choose one and search again by ID number, or by phone number and full name.") % {"why": why}
    raise ApplicationError(message, {"people": people})


# --- Contacts --------------------------------------------------------------------------------------


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


def _venue_contacts(f0: list[Record], buffer: timedelta) -> list[Contact]:
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
        .values(*_CHECKIN_FIELDS, *_CHECKIN_PLACE)
    )
    by_venue = defaultdict(list)
    for venue_id, came, left in visits:
        by_venue[venue_id].append((came, left))
    contacts = []
    for row in rows:
        record = _record("checkin", row, row["checked_in_at"])
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


def _vehicle_contacts(f0: list[Record]) -> list[Contact]:
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
        .values(*_TRAVEL_FIELDS, "arrived_at", "checkpoint_id", "checkpoint__name")
    )
    return [
        Contact(
            record=_record("arrival", row, row["arrived_at"]),
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


def _candidates(contacts: list[Contact], f0: list[Record]) -> list[Candidate]:
    """One unsaved ``Candidate`` per person met, ranked."""
    f0_keys = _f0_keys(f0)
    contacts = [c for c in contacts if not f0_keys.intersection(c.record.person_keys())]  # the F0's other records
    by_record = defaultdict(list)
    for c in contacts:
        by_record[(c.record.kind, c.record.pk)].append(c)
    records = [cs[0].record for cs in by_record.values()]
    homes = _home_districts(records)
    candidates = []
    for people in group_people(records):
        met = sorted(
            (c for r in people for c in by_record[(r.kind, r.pk)]),
            key=lambda c: (c.at, c.kind, c.place_id),
        )
        candidates.append(_candidate(people, met, homes))
    candidates.sort(key=lambda c: (not c.same_vehicle, -c.exposure_minutes, c.first_contact_at, c.full_name))
    for rank, candidate in enumerate(candidates, start=1):
        candidate.rank = rank
    return candidates


def _candidate(people: list[Record], met: list[Contact], homes: dict[tuple, int]) -> Candidate:
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
    return Candidate(
        full_name=latest[0].full_name,
        phone=phones[0] if phones else "",
        phones=phones,
        id_number=next((r.id_number for r in latest if r.id_number), ""),
        district_id=district_id,
        source=CandidateSource.CHECKPOINT if same_vehicle else CandidateSource.VENUE,
        venue_id=first_venue.place_id if first_venue else None,
        checkpoint_id=first_vehicle.place_id if first_vehicle else None,
        place="; ".join(dict.fromkeys(c.place for c in met))[:500],
        first_contact_at=met[0].at,
        exposure_minutes=int(sum(c.seconds for c in met) // 60),
        same_vehicle=same_vehicle,
        reasons=[
            {
                "kind": c.kind,
                "place": c.place,
                f"{'venue' if c.kind == 'venue' else 'checkpoint'}_id": c.place_id,
                "from": _iso(c.at),
                "to": _iso(c.until) if c.until else None,
                "minutes": int(c.seconds // 60),
            }
            for c in met
        ],
    )


def _home_districts(records: list[Record]) -> dict[tuple, int]:
    """Person key -> the destination district of their latest arrival or declaration (arrivals first)."""
    ids = {r.id_number for r in records if r.id_number}
    phones = {r.phone for r in records if r.phone}
    if not ids and not phones:
        return {}
    wanted = Q(id_number__in=ids) | Q(phone__in=phones)
    keys = {k for r in records for k in r.person_keys()}
    homes: dict[tuple, int] = {}
    for model, moment in ((Declaration, "-created_at"), (Arrival, "-arrived_at")):
        rows = (
            model.objects.filter(wanted)
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


# --- The timeline ----------------------------------------------------------------------------------


def _iso(moment: datetime) -> str:
    """Local time with its offset (2021-11-02T10:00:00+07:00): what people reading the result expect."""
    return moment.astimezone(local_tz()).isoformat()


def _origin(data: dict[str, Any]) -> str:
    parts = [data.get("origin_commune__name"), data.get("origin_district__name"), data.get("origin_province__name")]
    return ", ".join(p for p in parts if p)


def _timeline(f0: list[Record]) -> list[dict[str, Any]]:
    items = []
    for r in sorted(f0, key=lambda r: (r.at, r.kind, r.pk)):
        d = r.data
        if r.kind == "checkin":
            item = {
                "place": d["venue__name"],
                "venue_id": d["venue_id"],
                "until": _iso(d["left_at"]),
                "checked_out": d["checked_out_at"] is not None,  # False: the default stay
            }
        elif r.kind == "arrival":
            item = {
                "place": d["checkpoint__name"],
                "checkpoint_id": d["checkpoint_id"],
                "vehicle": d["vehicle"],
                "plate": d["plate"],
                "origin": _origin(d),
                "destination": d["destination_district__name"],
            }
        else:
            item = {
                "declaration_kind": d["kind"],
                "travel_date": d["travel_date"].isoformat() if d["travel_date"] else None,
                "origin": _origin(d),
                "destination": d["destination_district__name"],
            }
        items.append({"kind": r.kind, "at": _iso(r.at)} | item)
    return items
