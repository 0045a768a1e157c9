"""Import of the 2021 administrative-unit tree from the ``vietnam-provinces`` package (0.6.0)."""

from __future__ import annotations

import json
from dataclasses import dataclass

from django.db import transaction
from vietnam_provinces import NESTED_DIVISIONS_JSON_PATH

from rollout.models import Commune, District, Province
from rollout.models.units import DivisionType
from rollout.selectors.units import home_province_forget
from rollout.text import fold

# The package's own division_type is unreliable for districts ("huyện" for cities and towns),
# so the type is read from the name's prefix, which is the legal title.
_PROVINCE_PREFIXES = {"Thành phố": DivisionType.CITY, "Tỉnh": DivisionType.PROVINCE}
_DISTRICT_PREFIXES = {
    "Thành phố": DivisionType.PROVINCIAL_CITY,
    "Thị xã": DivisionType.TOWN,
    "Quận": DivisionType.URBAN_DISTRICT,
    "Huyện": DivisionType.RURAL_DISTRICT,
}
_COMMUNE_PREFIXES = {
    "Phường": DivisionType.WARD,
    "Thị trấn": DivisionType.TOWNSHIP,
    "Xã": DivisionType.COMMUNE,
}


def _division_type(name: str, prefixes: dict[str, str]) -> str:
    lowered = name.lower()  # the data has "Thành Phố Bắc Kạn" beside "Thành phố Lào Cai"
    for prefix, kind in prefixes.items():
        if lowered.startswith(prefix.lower() + " "):
            return kind
    raise ValueError(f"Unknown administrative title in {name!r}")


@dataclass
class LoadResult:
    provinces: int
    districts: int
    communes: int
    created: int
    updated: int


def admin_units_load() -> LoadResult:
    """Create or update every province, district and commune; running it twice changes nothing."""
    tree = json.loads(NESTED_DIVISIONS_JSON_PATH.read_text(encoding="utf-8"))
    provinces, districts, communes = [], [], []
    for p in tree:
        provinces.append(
            Province(
                code=p["code"],
                name=p["name"],
                name_search=fold(p["name"]),
                codename=p["codename"],
                division_type=_division_type(p["name"], _PROVINCE_PREFIXES),
                phone_code=p.get("phone_code"),
            )
        )
        for d in p["districts"]:
            districts.append(
                District(
                    code=d["code"],
                    province_id=p["code"],
                    name=d["name"],
                    name_search=fold(d["name"]),
                    codename=d["codename"],
                    short_codename=d["short_codename"],
                    division_type=_division_type(d["name"], _DISTRICT_PREFIXES),
                )
            )
            for w in d["wards"]:
                communes.append(
                    Commune(
                        code=w["code"],
                        district_id=d["code"],
                        name=w["name"],
                        name_search=fold(w["name"]),
                        codename=w["codename"],
                        short_codename=w["short_codename"],
                        division_type=_division_type(w["name"], _COMMUNE_PREFIXES),
                    )
                )

    created = updated = 0
    with transaction.atomic():
        for model, rows in ((Province, provinces), (District, districts), (Commune, communes)):
            c, u = _upsert(model, rows)
            created += c
            updated += u
    home_province_forget()  # bulk writes send no signals
    return LoadResult(len(provinces), len(districts), len(communes), created, updated)


def _upsert(model, rows: list) -> tuple[int, int]:
    """Insert missing rows and update changed ones; unchanged rows are not written."""
    fields = [f.attname for f in model._meta.concrete_fields if not f.primary_key]
    existing = {obj.pk: obj for obj in model.objects.all()}
    to_create = [row for row in rows if row.pk not in existing]
    to_update = [
        row
        for row in rows
        if row.pk in existing and any(getattr(row, f) != getattr(existing[row.pk], f) for f in fields)
    ]
    model.objects.bulk_create(to_create, batch_size=2000)
    if to_update:
        model.objects.bulk_update(to_update, fields, batch_size=2000)
    return len(to_create), len(to_update)
