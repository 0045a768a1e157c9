"""Pictures of a search, drawn on the server as SVG (no JavaScript, printable, the same on every screen):
the F0's days as time lines, and the chain F0 → places → F1 → F2.

Everything a person typed (names, places) goes through ``format_html``; the numbers are ours.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from checkpoints.models import DeclarationKind, Vehicle
from rollout.timeutils import day_bounds, local_date
from tracing.models import Candidate


def parse(moment: str | None) -> datetime | None:
    return datetime.fromisoformat(moment) if moment else None


def _join(parts: list[SafeString]) -> SafeString:
    # Every part was built by format_html: what a person typed is escaped there.
    return mark_safe("".join(parts))  # noqa: S308


def _label(choices, value: str | None) -> str:
    try:
        return str(choices(value).label) if value else ""
    except ValueError:
        return value or ""


def short_name(full_name: str) -> str:
    """ "Nguyễn Văn An" -> "Nguyễn V. An": the family and given names whole, the middle ones as initials."""
    words = full_name.split()
    if len(words) <= 2:
        return full_name
    return " ".join([words[0], *(f"{w[0]}." for w in words[1:-1]), words[-1]])


def _fit(text: str, width: float, char: float = 6.6) -> str:
    most = max(int((width - 12) / char), 3)
    return text if len(text) <= most else text[: most - 1].rstrip() + "…"


# --- The F0's timeline -----------------------------------------------------------------------------


def timeline_items(timeline: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The stored timeline with its moments as datetimes and its codes as words, for pages."""
    items = []
    for item in timeline:
        items.append(
            item
            | {
                "at": parse(item["at"]),
                "until": parse(item.get("until")),
                "vehicle_label": _label(Vehicle, item.get("vehicle")),
                "declaration_label": _label(DeclarationKind, item.get("declaration_kind")),
            }
        )
    return items


TL_WIDTH, TL_LEFT, TL_RIGHT, TL_TOP, TL_ROW = 960, 64, 12, 26, 38


def timeline_svg(items: list[dict[str, Any]]) -> SafeString:
    """One horizontal line per day (0–24 h) with a bar per venue visit and a mark per arrival or declaration."""
    by_day: dict[date, list[dict[str, Any]]] = defaultdict(list)
    for item in items:
        by_day[local_date(item["at"])].append(item)
    if not by_day:
        return mark_safe("")
    days = sorted(by_day)
    hour = (TL_WIDTH - TL_LEFT - TL_RIGHT) / 24
    height = TL_TOP + len(days) * TL_ROW + 4
    parts = []
    for h in range(0, 25, 3):
        x = round(TL_LEFT + h * hour, 1)
        parts.append(format_html('<line class="grid" x1="{}" y1="{}" x2="{}" y2="{}"/>', x, TL_TOP - 6, x, height))
        parts.append(format_html('<text class="hour" x="{}" y="{}">{}h</text>', x, TL_TOP - 10, h))
    for row, day in enumerate(days):
        top = TL_TOP + row * TL_ROW
        middle = top + TL_ROW / 2
        midnight = day_bounds(day)[0]

        def x_of(moment: datetime, midnight=midnight) -> float:
            minutes = min(max((moment - midnight).total_seconds() / 60, 0), 24 * 60)
            return round(TL_LEFT + minutes / 60 * hour, 1)

        parts.append(format_html('<text class="day" x="4" y="{}">{}</text>', middle + 4, f"{day:%d/%m}"))
        parts.append(
            format_html(
                '<line class="axis" x1="{}" y1="{}" x2="{}" y2="{}"/>', TL_LEFT, middle, TL_WIDTH - TL_RIGHT, middle
            )
        )
        marks = sorted(by_day[day], key=lambda item: item["at"])
        for item, after in zip(marks, [*marks[1:], None], strict=True):
            # A label may run until the next mark of the day, never over it.
            room = (x_of(after["at"]) if after else TL_WIDTH) - x_of(item["at"])
            parts.append(_timeline_mark(item, x_of, top, room))
    return format_html(
        '<svg class="timeline-picture" viewBox="0 0 {w} {h}" width="{w}" height="{h}" role="img" '
        'aria-labelledby="timeline-picture-title"><title id="timeline-picture-title">{t}</title>{body}</svg>',
        w=TL_WIDTH,
        h=height,
        t=_("The F0's days: a bar per venue visit, a diamond per arrival, a dot per declaration"),
        body=_join(parts),
    )


def _timeline_mark(item: dict[str, Any], x_of, top: float, room: float) -> SafeString:
    at, middle = item["at"], top + TL_ROW / 2
    if item["kind"] == "checkin":
        x1, x2 = x_of(at), x_of(item["until"] or at)
        width = round(max(x2 - x1, 3), 1)
        kind = "checkin" if item.get("checked_out") else "checkin default-stay"
        title = f"{item['place']}: {at:%H:%M}–{item['until']:%H:%M}" if item["until"] else item["place"]
        # The place inside a bar wide enough for it, else just after the bar.
        inside = width > 90
        return format_html(
            '<g class="{}"><title>{}</title><rect x="{}" y="{}" width="{}" height="{}" rx="3"/>'
            '<text class="{}" x="{}" y="{}">{}</text></g>',
            kind,
            title,
            x1,
            top + 7,
            width,
            TL_ROW - 14,
            "barlabel" if inside else "sidelabel",
            x1 + 5 if inside else round(x1 + width + 4, 1),
            middle + 4,
            _fit(item["place"], width if inside else min(150, room - width - 6)) if inside or room - width > 50 else "",
        )
    x = x_of(at)
    if item["kind"] == "arrival":
        title = f"{item['place']} {at:%H:%M} {item.get('vehicle_label', '')} {item.get('plate', '')}".strip()
        return format_html(
            '<g class="arrival"><title>{}</title><polygon points="{},{} {},{} {},{} {},{}"/>'
            '<text class="marklabel" x="{}" y="{}">{}</text></g>',
            title,
            x,
            top + 6,
            x + 8,
            middle,
            x,
            top + TL_ROW - 6,
            x - 8,
            middle,
            x + 11,
            middle + 4,
            _fit(item.get("plate") or item["place"], min(130, room - 14)) if room > 60 else "",
        )
    title = f"{item.get('declaration_label', '')} {at:%H:%M}"
    return format_html('<g class="declaration"><title>{}</title><circle cx="{}" cy="{}" r="6"/></g>', title, x, middle)


# --- The chain F0 → places → F1 → F2 ----------------------------------------------------------------

CH_ROW, CH_BOX, CH_TOP = 30, 24, 34
COLUMNS = {"f0": (8, 170), "place": (238, 240), "f1": (540, 260), "f2": (862, 250)}
CH_WIDTH = 1120
MAX_F1_PER_PLACE = 8
MAX_F2_PER_F1 = 4


@dataclass
class Node:
    column: str
    row: float  # its middle, in rows
    label: str
    title: str
    css: str

    @property
    def x(self) -> float:
        return COLUMNS[self.column][0]

    @property
    def width(self) -> float:
        return COLUMNS[self.column][1]

    @property
    def y(self) -> float:
        return round(CH_TOP + self.row * CH_ROW + CH_ROW / 2, 1)


@dataclass
class Chain:
    nodes: list[Node] = field(default_factory=list)
    edges: list[tuple[Node, Node, str]] = field(default_factory=list)
    rows: int = 0
    hidden: int = 0  # candidates counted in a "+N more" box

    def add(self, node: Node) -> Node:
        self.nodes.append(node)
        return node


def _place_key(reason: dict[str, Any]) -> tuple[str, int]:
    return (reason["kind"], reason.get("venue_id") or reason.get("checkpoint_id") or 0)


def chain_layout(f0_label: str, candidates: list[Candidate]) -> Chain:
    """Where each box goes: places in the order the F0 met someone there; under each, its F1s by rank (a
    person who met the F0 at several places sits under the first, with thin lines from the others); beside
    each F1, the F2s met through them. Long lists end in a "+N more" box so the picture stays readable."""
    ring1 = [c for c in candidates if c.ring == 1]
    ring2: dict[int, list[Candidate]] = defaultdict(list)
    for c in candidates:
        if c.ring == 2:
            ring2[c.via_id].append(c)
    places: dict[tuple, dict[str, Any]] = {}
    for f1 in ring1:
        for reason in f1.reasons:
            place = places.setdefault(
                _place_key(reason), {"name": reason["place"], "first": reason["from"], "f1": [], "all": set()}
            )
            place["first"] = min(place["first"], reason["from"])
            place["all"].add(f1.pk)
        if f1.reasons:
            places[_place_key(f1.reasons[0])]["f1"].append(f1)

    chain = Chain()
    f1_nodes: dict[int, Node] = {}
    place_nodes: dict[tuple, Node] = {}
    for key, place in sorted(places.items(), key=lambda kv: kv[1]["first"]):
        start = chain.rows
        shown = place["f1"][:MAX_F1_PER_PLACE]
        for f1 in shown:
            f2s = ring2.get(f1.pk, [])
            f2_shown = f2s[:MAX_F2_PER_F1]
            more = len(f2s) - len(f2_shown)
            size = max(1, len(f2_shown) + (1 if more else 0))
            node = f1_nodes[f1.pk] = chain.add(_person_node("f1", f1, chain.rows + (size - 1) / 2))
            for i, f2 in enumerate(f2_shown):
                chain.edges.append((node, chain.add(_person_node("f2", f2, chain.rows + i)), "ring2"))
            if more:
                chain.edges.append((node, chain.add(_more_node("f2", more, chain.rows + len(f2_shown))), "more"))
                chain.hidden += more
            chain.rows += size
        hidden = len(place["f1"]) - len(shown)
        more_node = None
        if hidden:
            more_node = chain.add(_more_node("f1", hidden, chain.rows))
            chain.hidden += hidden + sum(len(ring2.get(f1.pk, [])) for f1 in place["f1"][MAX_F1_PER_PLACE:])
            chain.rows += 1
        if chain.rows == start:  # everyone met here sits under an earlier place
            chain.rows += 1
        kind = key[0]
        count = len(place["all"])
        node = place_nodes[key] = chain.add(
            Node(
                "place",
                start + (chain.rows - start - 1) / 2,
                f"{_fit(place['name'], COLUMNS['place'][1] - 40)} · {count}",
                _("%(place)s: %(count)s F1") % {"place": place["name"], "count": count},
                "place checkpoint" if kind == "vehicle" else "place venue",
            )
        )
        for f1 in shown:
            chain.edges.append((node, f1_nodes[f1.pk], "ring1"))
        if more_node is not None:
            chain.edges.append((node, more_node, "more"))
    for f1 in ring1:  # the other places where a shown F1 met the F0
        for key in dict.fromkeys(_place_key(r) for r in f1.reasons[1:]):
            if f1.pk in f1_nodes and key != _place_key(f1.reasons[0]):
                chain.edges.append((place_nodes[key], f1_nodes[f1.pk], "ring1 secondary"))
    f0 = chain.add(Node("f0", max(chain.rows - 1, 0) / 2, _fit(f0_label, COLUMNS["f0"][1]), f0_label, "f0"))
    for node in place_nodes.values():
        chain.edges.insert(0, (f0, node, "f0"))
    chain.rows = max(chain.rows, 1)
    return chain


def _person_node(column: str, c: Candidate, row: float) -> Node:
    minutes = _("%(minutes)s min") % {"minutes": c.exposure_minutes}
    label = f"{c.rank}. {short_name(c.full_name)}"
    if c.same_vehicle:
        label += " · " + _("same vehicle")
    elif c.ring == 1 or c.exposure_minutes:
        label += f" · {minutes}"
    title = f"{c.rank}. {c.full_name} · {c.get_status_display()} · {minutes}"
    return Node(column, row, _fit(label, COLUMNS[column][1]), title, f"person st-{c.status}")


def _more_node(column: str, count: int, row: float) -> Node:
    label = _("+%(count)s more") % {"count": count}
    return Node(column, row, label, label, "more")


def chain_svg(chain: Chain) -> SafeString:
    height = CH_TOP + chain.rows * CH_ROW + 8
    parts = [
        format_html('<text class="colhead" x="{}" y="18">{}</text>', COLUMNS[col][0] + 2, head)
        for col, head in (("f0", "F0"), ("place", _("Places")), ("f1", "F1"), ("f2", "F2"))
    ]
    for source, target, css in chain.edges:
        x1, y1, x2, y2 = source.x + source.width, source.y, target.x, target.y
        bend = round((x2 - x1) / 2, 1)
        parts.append(
            format_html(
                '<path class="edge {}" d="M{} {} C{} {} {} {} {} {}"/>',
                css,
                x1,
                y1,
                x1 + bend,
                y1,
                x2 - bend,
                y2,
                x2,
                y2,
            )
        )
    for node in chain.nodes:
        parts.append(
            format_html(
                '<g class="node {}"><title>{}</title><rect x="{}" y="{}" width="{}" height="{}" rx="5"/>'
                '<text x="{}" y="{}">{}</text></g>',
                node.css,
                node.title,
                node.x,
                node.y - CH_BOX / 2,
                node.width,
                CH_BOX,
                node.x + 7,
                node.y + 4,
                node.label,
            )
        )
    return format_html(
        '<svg class="chain-picture" viewBox="0 0 {w} {h}" width="{w}" height="{h}" role="img" '
        'aria-labelledby="chain-picture-title"><title id="chain-picture-title">{t}</title>{body}</svg>',
        w=CH_WIDTH,
        h=height,
        t=_("Chain of contacts: F0, the places, the F1s met there and the F2s met through them"),
        body=_join(parts),
    )
