"""The second ring (F2) of a search, on request: the contacts of chosen F1s after they met the F0.

Each chosen F1 is treated as an F0 over the window from their first contact with the F0 to the search's
last day: their records are found the way the F0's are (ID number, or phone and accent-free name,
transitively), their presence before that first contact is cut off, and the contacts are found by the
same rules as the F1s (``tracing.services.contacts``), for all chosen F1s in one query per kind. The F0,
every F1 and anyone already in the second ring are left out; the rest are ranked like the F1s and stored
as ``Candidate`` rows with ``ring=2`` and ``via`` the F1 they met (the one with the most minutes).
"""

from __future__ import annotations

import dataclasses
import functools
from collections import defaultdict
from collections.abc import Iterable
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Max, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from rollout.errors import ApplicationError
from rollout.models import User
from rollout.permissions import can
from rollout.services.audit import Action, audit_record
from rollout.text import fold
from rollout.timeutils import day_bounds, days_bounds, local_date
from tracing.models import Candidate, TracingSearch
from tracing.scoping import searches_for
from tracing.services.contacts import candidate_rows, vehicle_contacts_of, venue_contacts_of
from tracing.services.records import Record, group_people, people_records, same_people
from tracing.services.search import store_candidates


def candidate_keys(candidate: Candidate) -> set[tuple]:
    """The person keys (as in ``Record.person_keys``) a stored candidate is known by."""
    return _keys(candidate.id_number, candidate.full_name, candidate.phone, candidate.phones, fold)


def _keys(id_number: str, full_name: str, phone: str, phones: list[str] | None, folder) -> set[tuple]:
    keys: set[tuple] = set()
    if id_number:
        keys.add(("id", id_number))
    folded = folder(full_name)
    for each in phones or ([phone] if phone else []):
        keys.add(("phone", each, folded))
    return keys


def _known_keys(search: TracingSearch) -> set[tuple]:
    """The keys of every candidate of the search so far (F1s and F2s), read as plain values: a search
    asked for several second rings holds thousands, and names repeat."""
    folded = functools.lru_cache(maxsize=None)(fold)
    rows = search.candidates.values_list("id_number", "full_name", "phone", "phones")
    return {key for row in rows for key in _keys(*row, folded)}


def _seed(search: TracingSearch, f1s: list[Candidate], start, end) -> list[Record]:
    """The records of the F0 as the search asked for them (see ``tracing.services.search._identify``; a name
    alone never made candidates) and of the chosen F1s."""
    ids, pairs, phones = set(), set(), set()
    if search.id_number:
        ids.add(search.id_number)
    elif search.phone and search.full_name:
        pairs.add((search.phone, fold(search.full_name)))
    elif search.phone:
        phones.add(search.phone)
    for candidate in f1s:
        for key in candidate_keys(candidate):
            if key[0] == "id":
                ids.add(key[1])
            else:
                pairs.add((key[1], key[2]))
    return people_records(start, end, ids=ids, pairs=pairs, phones=phones)


def _after(records: list[Record], first_contact) -> list[Record]:
    """The presence from ``first_contact`` on: a visit that began before it is taken from then."""
    kept = []
    for r in records:
        end = r.data.get("left_at") or r.at
        if end < first_contact:
            continue
        kept.append(dataclasses.replace(r, at=max(r.at, first_contact)) if r.kind == "checkin" else r)
    return kept


def ring2_request(search: TracingSearch, *, by: User, ranks: Iterable[int], request=None) -> QuerySet[Candidate]:
    """Find, store and audit the F2 candidates of the F1s with ``ranks``; returns the new rows in rank order."""
    if not can(by, "tracing.search") or not searches_for(by).filter(pk=search.pk).exists():
        raise PermissionDenied
    wanted = sorted({int(r) for r in ranks})
    if not wanted:
        message = _("Tick at least one F1 whose contacts you want.")
        raise ApplicationError(message, {"fields": {"ranks": [message]}})
    chosen = list(search.candidates.filter(ring=1, rank__in=wanted))
    unknown = sorted(set(wanted) - {c.rank for c in chosen})
    if unknown:
        message = _("These numbers are not F1 candidates of this search: %(ranks)s.") % {
            "ranks": ", ".join(map(str, unknown))
        }
        raise ApplicationError(message, {"fields": {"ranks": [message]}})
    fresh = [c for c in chosen if c.ring2_asked_at is None]
    if not fresh:
        message = _("The contacts of these F1s were already asked for.")
        raise ApplicationError(message, {"fields": {"ranks": [message]}})

    found = _second_ring(search, fresh)
    with transaction.atomic():
        TracingSearch.objects.select_for_update().get(pk=search.pk)  # one request numbers ranks at a time
        taken = set(
            search.candidates.filter(pk__in=[c.pk for c in fresh], ring2_asked_at__isnull=False).values_list(
                "rank", flat=True
            )
        )
        if taken:
            message = _("The contacts of these F1s were already asked for.")
            raise ApplicationError(message, {"fields": {"ranks": [message]}})
        last = search.candidates.aggregate(last=Max("rank"))["last"] or 0
        for row in found:
            row["rank"] += last
        store_candidates(search, found, ring=2)
        Candidate.objects.filter(pk__in=[c.pk for c in fresh]).update(ring2_asked_at=timezone.now())
        audit_record(
            Action.TRACING_RING2,
            request=request,
            actor=by,
            obj=search,
            detail={"f1_ranks": [c.rank for c in fresh], "candidates": len(found)},
        )
    # Read when used: thousands of F2s are stored as rows, and only some callers want them as objects.
    return search.candidates.filter(ring=2, rank__gt=last).order_by("rank")


def _second_ring(search: TracingSearch, f1s: list[Candidate]) -> list[dict[str, Any]]:
    """Ring-2 candidate rows (as ``candidate_rows``: ranked 1…n, ``via_id`` set) of ``f1s``."""
    search_start, window_end = days_bounds(search.start, search.end)
    window_start = min(search_start, day_bounds(local_date(min(c.first_contact_at for c in f1s)))[0])
    seed = _seed(search, f1s, window_start, window_end)
    records = same_people(seed, window_start, window_end) if seed else []

    f1_by_key = {key: c for c in f1s for key in candidate_keys(c)}
    f0_q_keys = _f0_query_keys(search)
    excluded = _known_keys(search)  # every F1 and F2 so far: nobody is listed twice
    sources: dict[int, list[Record]] = {}  # F1 rank -> their records from the first contact on
    for people in group_people(records):
        keys = {key for r in people for key in r.person_keys()}
        if _is_f0(people, keys, search, f0_q_keys):
            excluded |= keys
            continue
        f1 = next((f1_by_key[k] for k in keys if k in f1_by_key), None)
        if f1 is not None:
            sources[f1.rank] = _after(people, f1.first_contact_at)
            excluded |= keys

    buffer = timedelta(minutes=settings.TRACING_BUFFER_MINUTES)
    contacts = venue_contacts_of(sources, buffer) + vehicle_contacts_of(sources)
    contacts = [c for c in contacts if c.at < window_end]
    by_record = {(c.record.kind, c.record.pk): c.record for c in contacts}
    left_out = set()
    for people in group_people(list(by_record.values())):
        if excluded.intersection(k for r in people for k in r.person_keys()):
            left_out |= {(r.kind, r.pk) for r in people}
    contacts = [c for c in contacts if (c.record.kind, c.record.pk) not in left_out]

    # Each reason names the F1 met by rank ("via"); the row's ``via`` is the F1 with the most minutes.
    pks = {c.rank: c.pk for c in f1s}
    rows = candidate_rows(contacts, [], (window_start, window_end))
    for row in rows:
        minutes: dict[int, int] = defaultdict(int)
        for reason in row["reasons"]:
            minutes[reason["via"]] += reason["minutes"]
        order = [reason["via"] for reason in row["reasons"]]  # first contact first
        row["via_id"] = pks[max(order, key=lambda rank: (minutes[rank], -order.index(rank)))]
    return rows


def _f0_query_keys(search: TracingSearch) -> set[tuple]:
    if search.id_number:
        return {("id", search.id_number)}
    if search.phone and search.full_name:
        return {("phone", search.phone, fold(search.full_name))}
    return set()


def _is_f0(people: list[Record], keys: set[tuple], search: TracingSearch, f0_keys: set[tuple]) -> bool:
    """Whether these records are the search's F0: the person the search asked for."""
    if f0_keys:
        return bool(f0_keys & keys)
    return bool(search.phone) and any(r.phone == search.phone for r in people)
