"""Administrative units in memory: names by code, parents, and name lookups for imports.

Arrivals point at units by GSO code. Lists and imports touch thousands of rows, so they look units up
here (one load per process, ~10,000 communes) instead of joining or querying per row. The 2021 tree
does not change while the system runs (``load_admin_units`` is a deployment step).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache
from threading import Lock

from rollout.models import Commune, District, Province
from rollout.text import fold

# Legal titles in front of unit names: "Tỉnh Lào Cai", "Huyện Bát Xát", "Xã A Mú Sung"…
_TITLE = re.compile(r"^(tinh|thanh pho|thi xa|quan|huyen|phuong|thi tran|xa)\s+")
AMBIGUOUS = -1


@dataclass
class UnitIndex:
    province_name: dict[int, str] = field(default_factory=dict)
    district_name: dict[int, str] = field(default_factory=dict)
    district_province: dict[int, int] = field(default_factory=dict)
    commune_name: dict[int, str] = field(default_factory=dict)
    commune_district: dict[int, int] = field(default_factory=dict)
    # Folded names (with and without the title) -> code; AMBIGUOUS when two units share a short name.
    province_by_name: dict[str, int] = field(default_factory=dict)
    district_by_name: dict[tuple[int, str], int] = field(default_factory=dict)
    commune_by_name: dict[tuple[int, str], int] = field(default_factory=dict)

    def find_province(self, text: str) -> int | None:
        raw = str(text).strip()
        if raw.isdigit():
            return int(raw) if int(raw) in self.province_name else None
        return self.province_by_name.get(_folded(raw))

    def find_district(self, province: int, text: str) -> int | None:
        raw = str(text).strip()
        if raw.isdigit():
            return int(raw) if self.district_province.get(int(raw)) == province else None
        return self.district_by_name.get((province, _folded(raw)))

    def find_commune(self, district: int, text: str) -> int | None:
        raw = str(text).strip()
        if raw.isdigit():
            return int(raw) if self.commune_district.get(int(raw)) == district else None
        return self.commune_by_name.get((district, _folded(raw)))


@lru_cache(maxsize=4096)
def _folded(text: str) -> str:
    # Imports repeat the same few unit names thousands of times.
    return fold(text)


def _names(name: str) -> set[str]:
    folded = fold(name)
    return {folded, _TITLE.sub("", folded)}


def _add(table: dict, key, code: int, *, full: bool) -> None:
    existing = table.get(key)
    if existing is None or full:
        table[key] = code
    elif existing != code:
        table[key] = AMBIGUOUS


_cache: UnitIndex | None = None
_lock = Lock()


def unit_index() -> UnitIndex:
    """The process-wide index, loaded on first use (and again while the units table is empty)."""
    global _cache
    if _cache is not None:
        return _cache
    with _lock:
        if _cache is None:
            index = _load()
            if not index.commune_name:
                return index  # units not loaded yet: do not keep an empty index
            _cache = index
    return _cache


def _load() -> UnitIndex:
    index = UnitIndex()
    for code, name in Province.objects.values_list("code", "name"):
        index.province_name[code] = name
        for key in _names(name):
            _add(index.province_by_name, key, code, full=key == fold(name))
    for code, name, province in District.objects.values_list("code", "name", "province_id"):
        index.district_name[code] = name
        index.district_province[code] = province
        for key in _names(name):
            _add(index.district_by_name, (province, key), code, full=key == fold(name))
    for code, name, district in Commune.objects.values_list("code", "name", "district_id"):
        index.commune_name[code] = name
        index.commune_district[code] = district
        for key in _names(name):
            _add(index.commune_by_name, (district, key), code, full=key == fold(name))
    return index
