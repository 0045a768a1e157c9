"""Recording arrivals at checkpoints (SPEC §4): one short transaction, follow-up work after commit."""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from checkpoints.models import Arrival, Declaration, PcCovid, TestKind
from checkpoints.scoping import checkpoints_for_arrivals
from checkpoints.services.travel import (
    TEST_KINDS,
    TEST_RESULTS,
    Errors,
    TravelInput,
    check_arrival_time,
    clean_text,
    parse_temperature,
    travel_clean,
)
from rollout.errors import ApplicationError
from rollout.hooks import district_day_changed
from rollout.models import Checkpoint, User
from rollout.timeutils import local_date

logger = logging.getLogger(__name__)

DUPLICATE_WINDOW = timedelta(hours=1)
UNIT_FIELDS = {"origin_province", "origin_district", "origin_commune", "destination_district", "destination_commune"}


class OnDuplicate:
    ASK = "ask"  # refuse, naming the likely duplicate, so the user decides
    CONFIRM = "confirm"  # a different person or a second crossing: store, flagged
    MERGE = "merge"  # the same arrival: complete the existing record, store nothing new

    ALL = (ASK, CONFIRM, MERGE)


@dataclass
class ArrivalInput(TravelInput):
    checkpoint: int | None = None
    arrived_at: datetime | None = None
    temperature: Any = None
    test_at_checkpoint: str = TestKind.NONE
    test_at_checkpoint_result: str = ""
    notes: str = ""
    pc_covid: str = PcCovid.UNKNOWN
    declaration: int | None = None

    @classmethod
    def from_declaration(cls, declaration: Declaration, **extra: Any) -> ArrivalInput:
        """Prefill from a traveller's declaration (their personal QR)."""
        values = {
            name: getattr(declaration, f"{name}_id" if name in UNIT_FIELDS else name)
            for name in TravelInput.field_names()
        }
        return cls(**values, declaration=declaration.pk, **extra)


class DuplicateSuspected(ApplicationError):
    """Same ID or phone at the same checkpoint within an hour: the user confirms or merges."""

    def __init__(self, existing: Arrival) -> None:
        local = timezone.localtime(existing.arrived_at)
        super().__init__(
            _("A likely duplicate: the same ID number or phone was recorded here at %(time)s.")
            % {"time": local.strftime("%H:%M %d/%m/%Y")},
            extra={"code": "possible_duplicate", "duplicate_of": existing.pk},
        )
        self.existing = existing


@dataclass
class ArrivalOutcome:
    arrival: Arrival
    created: bool
    merged: bool = False


def arrival_clean(data: ArrivalInput) -> dict[str, Any]:
    """Validated model field values, or ValidationError naming every bad field. No database access
    beyond the in-memory units, so a 10,000-row import can call it per row."""
    errors = Errors()
    values = travel_clean(data, errors)
    if data.checkpoint is None:
        errors.add("checkpoint", _("This field is required."))
    values["checkpoint_id"] = data.checkpoint
    if data.arrived_at is None:
        errors.add("arrived_at", _("This field is required."))
    else:
        try:
            check_arrival_time(data.arrived_at)
        except ValidationError as exc:
            errors.add("arrived_at", exc.messages[0])
    values["arrived_at"] = data.arrived_at
    try:
        values["temperature"] = parse_temperature(data.temperature)
    except ValidationError as exc:
        errors.add("temperature", exc.messages[0])
    test = data.test_at_checkpoint or TestKind.NONE
    if test not in TEST_KINDS:
        errors.add("test_at_checkpoint", _("Not one of the allowed values."))
    result = data.test_at_checkpoint_result or ""
    if result not in TEST_RESULTS:
        errors.add("test_at_checkpoint_result", _("Not one of the allowed values."))
    values["test_at_checkpoint"] = test
    values["test_at_checkpoint_result"] = "" if test == TestKind.NONE else result
    try:
        values["notes"] = clean_text(data.notes, 2000, multiline=True)
    except ValidationError as exc:
        errors.add("notes", exc.messages[0])
    if (data.pc_covid or "") not in PcCovid.values:
        errors.add("pc_covid", _("Not one of the allowed values."))
    values["pc_covid"] = data.pc_covid or ""
    values["declaration_id"] = data.declaration
    errors.raise_if_any()
    return values


def arrival_duplicate_find(
    *, checkpoint_id: int, arrived_at: datetime, phone: str, id_number: str, exclude: int | None = None
) -> Arrival | None:
    """The closest earlier-or-later arrival of the same ID or phone at the checkpoint within an hour."""
    match = Q()
    if id_number:
        match |= Q(id_number=id_number)
    if phone:
        match |= Q(phone=phone)
    if not match:
        return None
    candidates = Arrival.objects.filter(
        match,
        checkpoint_id=checkpoint_id,
        arrived_at__gte=arrived_at - DUPLICATE_WINDOW,
        arrived_at__lte=arrived_at + DUPLICATE_WINDOW,
    ).on_days_of(arrived_at - DUPLICATE_WINDOW, arrived_at + DUPLICATE_WINDOW)
    if exclude:
        candidates = candidates.exclude(pk=exclude)
    return candidates.order_by("-arrived_at").first()


def _require_checkpoint(by: User, checkpoint_id: int | None) -> None:
    if checkpoint_id is None:
        return
    if not checkpoints_for_arrivals(by).filter(pk=checkpoint_id).exists():
        raise PermissionDenied


def arrival_record(
    *,
    by: User,
    data: ArrivalInput,
    on_duplicate: str = OnDuplicate.ASK,
    import_key: str | None = None,
) -> ArrivalOutcome:
    """Record one arrival at a checkpoint the user works at.

    A likely duplicate raises ``DuplicateSuspected`` unless the caller confirmed (stored, flagged with
    ``possible_duplicate_of``) or asked to merge (the existing record is completed; nothing new is
    stored). ``import_key`` makes a retried submission (API ``external_id``) return the first record.
    """
    _require_checkpoint(by, data.checkpoint)
    values = arrival_clean(data)
    with transaction.atomic():
        if import_key:
            existing = Arrival.objects.filter(import_key=import_key).first()
            if existing is not None:
                return ArrivalOutcome(existing, created=False)
        duplicate = arrival_duplicate_find(
            checkpoint_id=values["checkpoint_id"],
            arrived_at=values["arrived_at"],
            phone=values["phone"],
            id_number=values["id_number"],
        )
        if duplicate is not None and import_key and duplicate.import_key == import_key:
            # A concurrent retry of this very submission was stored after the look-up above.
            return ArrivalOutcome(duplicate, created=False)
        if duplicate is not None and on_duplicate == OnDuplicate.MERGE:
            arrival_merge(into=duplicate, values=values)
            return ArrivalOutcome(duplicate, created=False, merged=True)
        if duplicate is not None and on_duplicate != OnDuplicate.CONFIRM:
            raise DuplicateSuspected(duplicate)
        try:
            # A savepoint: two retries of one submission can both pass the look-up; the unique key lets one
            # insert, and the other (which waited for it to commit) returns that row instead of failing.
            with transaction.atomic():
                arrival = Arrival.objects.create(
                    **values, recorded_by=by, possible_duplicate_of=duplicate, import_key=import_key or None
                )
        except IntegrityError:
            existing = Arrival.objects.filter(import_key=import_key).first() if import_key else None
            if existing is None:
                raise
            return ArrivalOutcome(existing, created=False)
        arrivals_follow_up([(arrival.destination_district_id, arrival.arrived_at)])
    return ArrivalOutcome(arrival, created=True)


# Fields a merge may fill in on the existing record when it left them empty.
_MERGEABLE = [
    "phone", "id_number", "birth_year", "origin_province_id", "origin_district_id", "origin_commune_id",
    "destination_commune_id", "destination_address", "vehicle", "plate", "purpose", "last_dose_on",
    "latest_test_on", "symptoms", "temperature", "declaration_id", "pc_covid",
]  # fmt: skip


def arrival_merge(*, into: Arrival, values: dict[str, Any]) -> Arrival:
    """Complete an existing arrival with what the new entry adds; never overwrite what it holds."""
    changed = []
    for name in _MERGEABLE:
        new = values.get(name)
        if new not in (None, "") and getattr(into, name) in (None, ""):
            setattr(into, name, new)
            changed.append(name)
    for name, empty in (("vaccine_doses", 0), ("latest_test", TestKind.NONE), ("test_at_checkpoint", TestKind.NONE)):
        if getattr(into, name) == empty and values.get(name) not in (None, empty):
            setattr(into, name, values[name])
            changed.append(name)
            if name == "latest_test":
                into.latest_test_result = values.get("latest_test_result", "")
                changed.append("latest_test_result")
            if name == "test_at_checkpoint":
                into.test_at_checkpoint_result = values.get("test_at_checkpoint_result", "")
                changed.append("test_at_checkpoint_result")
    notes = values.get("notes", "")
    if notes and notes not in into.notes:
        into.notes = f"{into.notes}\n{notes}".strip()
        changed.append("notes")
    if changed:
        into.save(update_fields=changed)
    return into


def arrivals_follow_up(arrivals: Iterable[tuple[int, datetime]]) -> None:
    """Record, with arrivals (destination district, arrival time) being stored, the work they cause:
    lists of past days that already exist are rebuilt, and the dashboard figures of those days."""
    from checkpoints.services.daily_lists import daily_lists_refresh_queue

    pairs = {(district, local_date(moment)) for district, moment in arrivals}
    daily_lists_refresh_queue(pairs)
    for district_id, day in pairs:
        district_day_changed(day=day, district_id=district_id)


def checkpoint_for(by: User, checkpoint_id: int | None) -> Checkpoint:
    """The checkpoint an arrival is recorded at: the given one if allowed, else the user's only one."""
    allowed = checkpoints_for_arrivals(by)
    if checkpoint_id is not None:
        checkpoint = allowed.filter(pk=checkpoint_id).first()
        if checkpoint is None:
            raise PermissionDenied
        return checkpoint
    own = list(allowed.filter(pk__in=by.scoped_checkpoint_ids())[:2])
    if len(own) == 1:
        return own[0]
    raise ApplicationError(_("Choose the checkpoint."), extra={"fields": {"checkpoint": [_("Choose the checkpoint.")]}})
