"""The overview's tables: a row per district or commune with its figures, sorting and the total row."""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.safestring import SafeString

from platforms.selectors.adoption import InstallRates
from rollout.charts import cells, percent
from rollout.figures import formatter

# --- Tables -----------------------------------------------------------------------------------


@dataclass
class AreaRow(InstallRates):
    """One line of the district table (or of a district's commune table)."""

    code: int
    name: str
    url: str = ""
    venues_with_qr: int = 0
    venues_active_7d: int = 0
    checkins_today: int = 0
    checkins_7d: int = 0
    checkins_flagged_7d: int = 0
    arrivals_today: int = 0
    arrivals_7d: int = 0
    staff_headcount: int = 0
    pc_covid: int = 0
    health_book: int = 0
    vneid: int = 0
    vaccination_updated: int = 0
    vaccination_facilities: int = 0
    testing_live: int = 0
    testing_qualified: int = 0

    @property
    def venues_active_pct(self) -> float | None:
        return percent(self.venues_active_7d, self.venues_with_qr)

    @property
    def vaccination_pct(self) -> float | None:
        return percent(self.vaccination_updated, self.vaccination_facilities)

    @property
    def testing_pct(self) -> float | None:
        return percent(self.testing_live, self.testing_qualified)

    # The cells after the name, as HTML: built here because a table of 20-odd rows of 12 figures costs
    # more in template lookups than the rest of the page (bench/dashboard.py).

    @property
    def cells_short(self) -> SafeString:
        """Venues and arrivals (the commune table)."""
        f = formatter()
        share = self.venues_active_pct
        share = "" if share is None else f' <small class="muted">({f.pct(share, 0)})</small>'
        return cells(
            f.num(self.venues_with_qr), f.num(self.venues_active_7d) + share, f.num(self.checkins_today),
            f.num(self.checkins_7d), f.num(self.checkins_flagged_7d), f.num(self.arrivals_today),
            f.num(self.arrivals_7d),
        )  # fmt: skip

    @property
    def cells_full(self) -> SafeString:
        """Everything (the district table)."""
        f = formatter()
        testing = f"{f.num(self.testing_live)}/{f.num(self.testing_qualified)}"
        if self.testing_pct is not None:
            testing += f' <small class="muted">({f.pct(self.testing_pct, 0)})</small>'
        return self.cells_short + cells(
            f.pct(self.pc_covid_pct), f.pct(self.health_book_pct), f.pct(self.vneid_pct),
            f"{f.num(self.vaccination_updated)}/{f.num(self.vaccination_facilities)}", testing,
        )  # fmt: skip


SORT_KEYS = (
    "name", "venues_with_qr", "venues_active_pct", "checkins_today", "checkins_7d", "checkins_flagged_7d",
    "arrivals_today", "arrivals_7d", "pc_covid_pct", "health_book_pct", "vneid_pct", "vaccination_pct", "testing_pct",
)  # fmt: skip


def sort_rows(rows: list[AreaRow], sort: str) -> tuple[list[AreaRow], str]:
    """Sort by ``sort`` ("checkins_7d", or "-checkins_7d" for descending); unknown keys keep code order."""
    key = sort.lstrip("-")
    if key not in SORT_KEYS:
        return sorted(rows, key=lambda r: r.code), ""
    present = [r for r in rows if getattr(r, key) is not None]
    missing = [r for r in rows if getattr(r, key) is None]  # no figure: always last
    present.sort(key=lambda r: getattr(r, key), reverse=sort.startswith("-"))
    return present + missing, sort


def total_row(rows: list[AreaRow], label: str) -> AreaRow:
    total = AreaRow(code=0, name=label)
    for name in AreaRow.__dataclass_fields__:
        if name in {"code", "name", "url"}:
            continue
        setattr(total, name, sum(getattr(r, name) for r in rows))
    return total
