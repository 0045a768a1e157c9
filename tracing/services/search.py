"""Search a confirmed case (F0): their timeline and their F1 candidates (SPEC §8).

Who the F0 is: the records (check-ins, arrivals, declarations) with the ID number asked for, or with the
phone *and* the accent-free name asked for, plus every record sharing an ID number or a (phone, name)
pair with those. A phone alone is enough when all its records carry one name; a phone shared by a family
or a name alone answers with the distinct people to choose from (``ApplicationError`` with
``extra["people"]``, audited); the caller searches again by ID number, or by phone and name. When
nobody matches at all, the search is stored (and audited) with no records and no candidates.

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

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

import orjson
from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, models, transaction
from django.db.models import Q
from django.utils.translation import gettext as _
from psycopg.types.json import Jsonb

from rollout.errors import ApplicationError
from rollout.models import User
from rollout.permissions import can
from rollout.rawsql import copy_rows
from rollout.services.audit import Action, audit_record
from rollout.text import fold
from rollout.timeutils import days_bounds, local_today, oldest_kept_day
from rollout.validators import normalize_id_number, normalize_phone
from tracing.models import Candidate, ReasonKind, TracingSearch
from tracing.services.contacts import candidate_rows, vehicle_contacts, venue_contacts
from tracing.services.records import Record, group_people, iso, people_summary, records_in, same_people

# --- The search ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Query:
    phone: str
    id_number: str
    folded: str


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
    contacts = venue_contacts(f0, buffer) + vehicle_contacts(f0)
    candidates = candidate_rows(contacts, f0, (window_start, window_end))
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
        store_candidates(search, candidates)
        # Counts and the reason only: the audit log never holds the person's data.
        audit_record(
            Action.TRACING_SEARCH,
            request=request,
            actor=by,
            obj=search,
            detail=_audit_detail(reason, reason_kind, first, last, records=len(f0), candidates=len(candidates)),
        )
    # The rows are kept on the search: the API answers from them instead of reading 900 rows back.
    search.candidate_rows = candidates
    return search


CANDIDATE_FIELDS = [f for f in Candidate._meta.concrete_fields if not f.primary_key]


def store_candidates(search: TracingSearch, rows: list[dict[str, Any]], **common: Any) -> None:
    """Store candidate rows (dicts of ``Candidate`` attnames) of ``search``; ``common`` is added to every row.

    Hundreds of candidates are usual at busy venues, thousands in a second ring. On PostgreSQL the rows go
    in with one COPY (psycopg formats them in C): ``bulk_create`` spent far longer preparing every field of
    every row than the database spent storing them, and one JSON document of the rows cost the database
    more to parse than to store. Missing fields get their defaults."""
    if not rows:
        return
    defaults = {f.attname: f.get_default() for f in CANDIDATE_FIELDS} | {"search_id": search.pk} | common
    if connection.vendor != "postgresql":
        Candidate.objects.bulk_create(Candidate(**(defaults | row)) for row in rows)
        return
    names = [f.attname for f in CANDIDATE_FIELDS]
    json_fields = {f.attname for f in CANDIDATE_FIELDS if isinstance(f, models.JSONField)}
    values = (
        [Jsonb(row[name], dumps=orjson.dumps) if name in json_fields else row[name] for name in names]
        for row in (defaults | row for row in rows)
    )
    with connection.cursor() as cursor:
        copy_rows(cursor, Candidate._meta.db_table, [f.column for f in CANDIDATE_FIELDS], values)


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
        seed = records_in(Q(id_number=query.id_number), start, end)
    elif query.phone and query.folded:
        seed = records_in(Q(phone=query.phone, name_folded=query.folded), start, end)
    elif query.phone:
        seed = records_in(Q(phone=query.phone), start, end)
        if len({r.name_folded for r in seed}) > 1:
            _choose(group_people(seed), _("Several people share this phone number."), **audit)
    else:
        seed = records_in(Q(name_folded=query.folded), start, end)
        if seed:
            _choose(group_people(seed), _("People with this name were found."), **audit)
    if not seed:
        return []
    return same_people(seed, start, end)


def _choose(groups: list[list[Record]], why: str, *, by, request, reason, reason_kind) -> None:
    """Answer with the people to choose from. Audited in its own transaction: it shows personal data."""
    people = people_summary(groups)
    with transaction.atomic():
        audit_record(
            Action.TRACING_SEARCH,
            request=request,
            actor=by,
            detail={"reason_kind": reason_kind, "reason": reason, "people": len(groups), "outcome": "choose"},
        )
    message = _("%(why)s Choose one and search again by ID number, or by phone number and full name.") % {"why": why}
    raise ApplicationError(message, {"people": people})


# --- The timeline ----------------------------------------------------------------------------------


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
                "until": iso(d["left_at"]),
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
        items.append({"kind": r.kind, "at": iso(r.at)} | item)
    return items
