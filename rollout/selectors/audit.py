"""Reading the audit log: the filtered events, and each event said in words, a page at a time.

Every filter matches one index that starts with it and ends with ``at`` (see ``AuditEvent.Meta``), so a
page newest first is a backward walk of that index stopped after one page; the pages are not counted
(a count would read every matching event).
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.apps import apps
from django.core.exceptions import ValidationError
from django.db import connection
from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from rollout.models import AuditEvent, Role, User
from rollout.services.audit import ACTION_SENTENCES, OBJECT_LABELS, SUBJECTS, action_label
from rollout.timeutils import days_bounds

# A person typed as part of a name or username matches at most this many accounts.
MAX_PEOPLE_MATCHED = 200


@dataclass(frozen=True)
class AuditFilters:
    person: str = ""
    action: str = ""
    object_type: str = ""
    object_id: str = ""
    first: date | None = None
    last: date | None = None

    def as_detail(self) -> dict[str, Any]:
        """The filters as an audit detail: only the ones set, dates as ISO text."""
        values = {
            "person": self.person,
            "action": self.action,
            "object_type": self.object_type,
            "object_id": self.object_id,
            "first": self.first.isoformat() if self.first else "",
            "last": self.last.isoformat() if self.last else "",
        }
        return {k: v for k, v in values.items() if v}


def usernames_matching(text: str) -> list[str]:
    """Accounts whose username starts with ``text`` or whose full name contains it, plus ``text`` itself
    (the events of a deleted account keep its username)."""
    text = text.strip()
    if not text:
        return []
    found = User.objects.filter(Q(username__istartswith=text) | Q(full_name__icontains=text))
    return sorted({text, *found.values_list("username", flat=True)[:MAX_PEOPLE_MATCHED]})


def audit_events(filters: AuditFilters, *, actor: User | None = None) -> QuerySet[AuditEvent]:
    """Events matching ``filters`` (and only ``actor``'s when given), newest first."""
    events = AuditEvent.objects.select_related("actor").order_by("-at")
    if actor is not None:
        events = events.filter(actor=actor)
    if filters.person:
        # One username walks its index in order; several are merged and sorted (still one index).
        usernames = usernames_matching(filters.person)
        if len(usernames) == 1:
            events = events.filter(actor_username=usernames[0])
        else:
            events = events.filter(actor_username__in=usernames)
    if filters.action:
        events = events.filter(action=filters.action)
    if filters.object_type:
        events = events.filter(object_type=filters.object_type)
        if filters.object_id:
            events = events.filter(object_id=filters.object_id)
    if filters.first or filters.last:
        start, end = days_bounds(filters.first or filters.last, filters.last or filters.first)
        events = events.filter(at__gte=start, at__lt=end)
    return events


_OBJECT_TYPES_SQL = """
    WITH RECURSIVE types(t) AS (
        SELECT (SELECT object_type FROM audit_table WHERE object_type > '' ORDER BY object_type LIMIT 1)
        UNION ALL
        SELECT (SELECT object_type FROM audit_table WHERE object_type > types.t ORDER BY object_type LIMIT 1)
        FROM types WHERE types.t IS NOT NULL
    )
    SELECT t FROM types WHERE t IS NOT NULL
"""


def audit_object_types() -> list[str]:
    """The object types present in the log, read by hopping the object-type index (a few probes, not a
    scan of every event). Plain enough SQL for SQLite too (``make run``)."""
    with connection.cursor() as cursor:
        cursor.execute(_OBJECT_TYPES_SQL.replace("audit_table", connection.ops.quote_name(AuditEvent._meta.db_table)))
        return [row[0] for row in cursor.fetchall()]


def object_type_label(object_type: str) -> str:
    """The kind of object in words (the model's name), or the type as stored if no model has it."""
    model = _model(object_type)
    return str(model._meta.verbose_name).capitalize() if model is not None else object_type


# --- A page of events said in words ---------------------------------------------------------------


@dataclass
class AuditLine:
    event: AuditEvent
    actor: str
    action: str
    sentence: str
    facts: list[str] = field(default_factory=list)

    @property
    def text(self) -> str:
        """The sentence with its facts, as one line (the workbook's column)."""
        return f"{self.sentence} ({'; '.join(self.facts)})" if self.facts else self.sentence


def audit_lines(events: Sequence[AuditEvent]) -> list[AuditLine]:
    """Each event in words. Objects are named with one query per kind of object for the whole batch."""
    objects = _object_labels(events)
    return [_line(e, objects.get((e.object_type, e.object_id), "")) for e in events]


def audit_lines_streamed(events: QuerySet[AuditEvent], *, batch: int = 2000) -> Iterator[AuditLine]:
    """``audit_lines`` over a large queryset, read from the database and named ``batch`` events at a time."""
    chunk: list[AuditEvent] = []
    for event in events.iterator(chunk_size=batch):
        chunk.append(event)
        if len(chunk) == batch:
            yield from audit_lines(chunk)
            chunk = []
    yield from audit_lines(chunk)


def actor_name(event: AuditEvent) -> str:
    if event.actor is not None:
        return event.actor.get_full_name()
    return event.actor_username or _("The system")


def _line(event: AuditEvent, object_label: str) -> AuditLine:
    detail = event.detail if isinstance(event.detail, dict) else {}
    actor = actor_name(event)
    what = _what(detail, object_label)
    template = ACTION_SENTENCES.get(event.action)
    if template is None:
        sentence = f"{actor}: {action_label(event.action)} {what}"
    else:
        sentence = str(template) % {"actor": actor, "what": what}
    return AuditLine(
        event=event,
        actor=actor,
        action=action_label(event.action),
        sentence=re.sub(r"\s+", " ", sentence).strip(),
        facts=_facts(detail),
    )


def _what(detail: dict[str, Any], object_label: str) -> str:
    name = detail.get("view") or detail.get("export") or detail.get("list") or ""
    subject = str(SUBJECTS.get(name, name)) if isinstance(name, str) else ""
    if subject and object_label:
        return _("%(subject)s of %(object)s") % {"subject": subject, "object": object_label}
    return subject or object_label


def _day(value: Any) -> str:
    try:
        return date.fromisoformat(str(value)).strftime("%d/%m/%Y")
    except ValueError:
        return str(value)


def _count(detail: dict[str, Any], key: str) -> int | None:
    value = detail.get(key)
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _facts(detail: dict[str, Any]) -> list[str]:
    """The detail's days, counts and reasons in words; other keys stay in the raw detail."""
    facts: list[str] = []
    if detail.get("username"):
        facts.append(_("as “%(username)s”") % {"username": detail["username"]})
    if detail.get("day"):
        facts.append(_("day %(day)s") % {"day": _day(detail["day"])})
    first, last = detail.get("first") or detail.get("start"), detail.get("last") or detail.get("end")
    if first and last:
        facts.append(f"{_day(first)}–{_day(last)}" if first != last else _day(first))
    elif first or last:
        facts.append(_day(first or last))
    if (rows := _count(detail, "rows")) is not None:
        facts.append(ngettext("%(n)s row", "%(n)s rows", rows) % {"n": rows})
    if (inside := _count(detail, "inside")) is not None:
        facts.append(ngettext("%(n)s person inside", "%(n)s people inside", inside) % {"n": inside})
    if (page := _count(detail, "page")) is not None and page > 1:
        facts.append(_("page %(n)s") % {"n": page})
    if detail.get("reason"):
        facts.append(_("reason: %(reason)s") % {"reason": detail["reason"]})
    if (people := _count(detail, "people")) is not None:
        facts.append(ngettext("%(n)s person to choose from", "%(n)s people to choose from", people) % {"n": people})
    if (candidates := _count(detail, "candidates")) is not None:
        facts.append(ngettext("%(n)s contact found", "%(n)s contacts found", candidates) % {"n": candidates})
    if (created := _count(detail, "created")) is not None:
        facts.append(ngettext("%(n)s created", "%(n)s created", created) % {"n": created})
    for key, words in (("role", _("role %(role)s")), ("role_added", _("role %(role)s added")),
                       ("role_removed", _("role %(role)s removed"))):  # fmt: skip
        if detail.get(key):
            facts.append(words % {"role": _role(detail[key])})
    if detail.get("active") is True:
        facts.append(_("activated"))
    elif detail.get("active") is False:
        facts.append(_("deactivated"))
    return facts


def _role(value: Any) -> str:
    try:
        return str(Role(value).label)
    except ValueError:
        return str(value)


# --- Naming objects in batches --------------------------------------------------------------------


def _model(object_type: str):
    try:
        return apps.get_model(object_type)
    except (LookupError, ValueError):
        return None


def _object_labels(events: Iterable[AuditEvent]) -> dict[tuple[str, str], str]:
    wanted: dict[str, set[str]] = defaultdict(set)
    for event in events:
        if event.object_type and event.object_id:
            wanted[event.object_type].add(event.object_id)
    labels: dict[tuple[str, str], str] = {}
    for object_type, ids in wanted.items():
        labeller = OBJECT_LABELS.get(object_type, lambda pks, t=object_type: _labels_by_str(t, pks))
        found = labeller(ids)
        for pk in ids:
            labels[(object_type, pk)] = found.get(pk) or _gone(object_type, pk)
    return labels


def _labels_by_str(object_type: str, ids: Iterable[str]) -> dict[str, str]:
    model = _model(object_type)
    if model is None:
        return {}
    pks = []
    for pk in ids:
        try:
            pks.append(model._meta.pk.to_python(pk))
        except ValidationError:
            continue
    return {str(pk): str(obj) for pk, obj in model._default_manager.in_bulk(pks).items()}


def _gone(object_type: str, pk: str) -> str:
    """An object deleted since (a purged list, a removed account): its kind and number."""
    return _("%(kind)s #%(id)s (deleted)") % {"kind": object_type_label(object_type).lower(), "id": pk}


def user_labels(ids: Iterable[str]) -> dict[str, str]:
    """Accounts by their full name and username (one query)."""
    pks = [int(pk) for pk in ids if pk.isdigit()]
    return {str(u.pk): f"{u.get_full_name()} ({u.username})" for u in User.objects.filter(pk__in=pks)}
