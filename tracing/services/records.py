"""The personal-data rows contact tracing reads, reduced to records, and how records make people.

Two records are one person when they share an ID number, or a phone *and* an accent-free name (a
family's shared phone must not merge strangers); the rule is transitive.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from django.db.models import Q

from checkpoints.models import Arrival, Declaration
from rollout.timeutils import local_tz
from venues.models import CheckIn

MAX_PEOPLE = 50  # people listed to choose from


def iso(moment: datetime, tz: ZoneInfo | None = None) -> str:
    """Local time with its offset (2021-11-02T10:00:00+07:00): what people reading the result expect.
    ``tz``: the local zone, when the caller formats many moments."""
    return moment.astimezone(tz or local_tz()).isoformat()


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
    # Computed once: merging hundreds of contacts into people asks for them many times.
    keys: tuple[tuple, ...] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        keys: list[tuple] = []
        if self.id_number:
            keys.append(("id", self.id_number))
        if self.phone:
            keys.append(("phone", self.phone, self.name_folded))
        self.keys = tuple(keys) or (("record", self.kind, self.pk),)

    def person_keys(self) -> tuple[tuple, ...]:
        """What makes two records one person: the ID number, or the phone with the name."""
        return self.keys


def group_people(records: list[Record]) -> list[list[Record]]:
    """Records merged into people: two records are one person when they share a key (transitively)."""
    parent: dict[tuple, tuple] = {}

    def find(key: tuple) -> tuple:
        while parent.setdefault(key, key) != key:
            parent[key] = parent[parent[key]]
            key = parent[key]
        return key

    for record in records:
        first, *rest = record.keys
        for key in rest:
            parent[find(key)] = find(first)
    groups: dict[tuple, list[Record]] = defaultdict(list)
    for record in records:
        groups[find(record.keys[0])].append(record)
    return list(groups.values())


CHECKIN_FIELDS = ["pk", "full_name", "name_folded", "phone", "id_number", "checked_in_at", "left_at"]
CHECKIN_PLACE = ["venue_id", "venue__name", "venue__district_id", "checked_out_at"]
TRAVEL_FIELDS = [
    "pk", "full_name", "name_folded", "phone", "id_number", "destination_district_id",
    "origin_province__name", "origin_district__name", "origin_commune__name", "destination_district__name",
    "vehicle", "plate",
]  # fmt: skip


def _checkins(q: Q, start: datetime, end: datetime) -> list[Record]:
    rows = (
        CheckIn.objects.between(start, end).with_effective_checkout().filter(q).values(*CHECKIN_FIELDS, *CHECKIN_PLACE)
    )
    return [record_from("checkin", r, r["checked_in_at"]) for r in rows]


def _arrivals(q: Q, start: datetime, end: datetime) -> list[Record]:
    rows = (
        Arrival.objects.between(start, end)
        .filter(q)
        .values(*TRAVEL_FIELDS, "arrived_at", "checkpoint_id", "checkpoint__name")
    )
    return [record_from("arrival", r, r["arrived_at"]) for r in rows]


def _declarations(q: Q, start: datetime, end: datetime) -> list[Record]:
    rows = Declaration.objects.filter(q, created_at__gte=start, created_at__lt=end).values(
        *TRAVEL_FIELDS, "created_at", "kind", "travel_date"
    )
    return [record_from("declaration", r, r["created_at"]) for r in rows]


def record_from(kind: str, row: dict[str, Any], at: datetime) -> Record:
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


def records_in(q: Q, start: datetime, end: datetime) -> list[Record]:
    return _checkins(q, start, end) + _arrivals(q, start, end) + _declarations(q, start, end)


def people_records(
    start: datetime,
    end: datetime,
    *,
    ids: Iterable[str] = (),
    pairs: Iterable[tuple[str, str]] = (),
    phones: Iterable[str] = (),
) -> list[Record]:
    """Records in the window with one of the ID numbers, (phone, accent-free name) pairs, or phones (any
    name): one query per kind, whatever the number of people.

    The queries ask for plain lists the indexes answer (ID numbers, phones, names) and the exact pairs are
    kept here: an OR of one branch per person (hundreds in a second ring) cost the ORM more to build than
    the database to run."""
    ids = {i for i in ids if i}
    phones = {p for p in phones if p}
    pairs = {(p, n) for p, n in pairs if p}
    if not (ids or phones or pairs):
        return []
    q = Q(pk__in=[])
    if ids:
        q |= Q(id_number__in=sorted(ids))
    if phones:
        q |= Q(phone__in=sorted(phones))
    if pairs:
        q |= Q(phone__in=sorted({p for p, _n in pairs}), name_folded__in=sorted({n for _p, n in pairs}))
    return [
        r
        for r in records_in(q, start, end)
        if r.id_number in ids or r.phone in phones or (r.phone, r.name_folded) in pairs
    ]


def same_people(records: list[Record], start: datetime, end: datetime) -> list[Record]:
    """Records in the window sharing an ID number or a (phone, name) pair with ``records``."""
    return people_records(
        start, end, ids={r.id_number for r in records}, pairs={(r.phone, r.name_folded) for r in records}
    )


def people_summary(groups: list[list[Record]]) -> list[dict[str, Any]]:
    people = []
    for records in groups:
        latest = max(records, key=lambda r: r.at)
        people.append(
            {
                "full_name": latest.full_name,
                "phone": next((r.phone for r in sorted(records, key=lambda r: r.at, reverse=True) if r.phone), ""),
                "id_number": next((r.id_number for r in records if r.id_number), ""),
                "records": len(records),
                "last_seen_at": iso(latest.at),
            }
        )
    people.sort(key=lambda p: p["last_seen_at"], reverse=True)
    return people[:MAX_PEOPLE]
