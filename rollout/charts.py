"""KPI cards and charts as every page draws them: a card's figure and its change, a chart and the same
numbers as a table. Apps build them; the templates ``includes/chart.html`` and the overview's cards show them.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe

from rollout.figures import formatter


def percent(part: int | None, whole: int | None) -> float | None:
    """A percentage with one decimal, or None when there is nothing to divide by."""
    if part is None or not whole:
        return None
    return round(100 * part / whole, 1)


@dataclass
class Kpi:
    """One card: a count (``total`` None) or a rate ``value`` of ``total``, with last week's figure."""

    key: str
    label: str
    value: int | None
    total: int | None = None
    previous: float | None = None  # last week's count, or its percentage for a rate
    detail: str = ""
    url: str = ""
    higher_is_better: bool = True

    @property
    def is_rate(self) -> bool:
        return self.total is not None

    @property
    def percent(self) -> float | None:
        return percent(self.value, self.total) if self.is_rate else None

    @property
    def figure(self) -> float | None:
        return self.percent if self.is_rate else self.value

    @property
    def change(self) -> float | None:
        if self.previous is None or self.figure is None:
            return None
        return round(self.figure - self.previous, 1)

    @property
    def trend(self) -> str:
        """ "good", "bad" or "flat", for the colour of the change."""
        if not self.change:
            return "flat"
        return "good" if (self.change > 0) == self.higher_is_better else "bad"


@dataclass
class Chart:
    """A chart and the same numbers as a table (readable without JavaScript)."""

    key: str
    title: str
    labels: list[str]
    datasets: list[dict]
    kind: str = "line"
    percent: bool = False
    stacked: bool = False
    note: str = ""  # said under the title, e.g. that the day under way is left out

    def as_json(self) -> dict:
        return {
            "kind": self.kind,
            "labels": self.labels,
            "datasets": self.datasets,
            "percent": self.percent,
            "stacked": self.stacked,
        }

    @property
    def table(self) -> list[tuple[str, list]]:
        return [(label, [ds["data"][i] for ds in self.datasets]) for i, label in enumerate(self.labels)]

    def table_rows(self) -> list[SafeString]:
        """The table's body rows, newest day first, as HTML. Built here rather than in the template:
        a 90-day chart of nine districts is over 800 cells, and template lookups per cell cost more
        than the rest of the page (bench/dashboard.py)."""
        f = formatter()
        cell = f.pct if self.percent else f.num
        return [
            format_html("<tr><td>{}</td>{}</tr>", label, cells(*(cell(v) for v in values)))
            for label, values in reversed(self.table)
        ]


def cells(*values: str) -> SafeString:
    # Only figures formatted above go in here: nothing typed by a person.
    return mark_safe("".join(f'<td class="num">{v}</td>' for v in values))  # noqa: S308
