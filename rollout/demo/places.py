"""Which province the demo is seeded for, and which of its districts plays which part.

The demo was written for Lào Cai (its real checkpoints, hospitals and tourist sites, district by district).
For any other province (``HOME_PROVINCE_CODE`` or ``seed_demo --province``) the same story is told with that
province's real districts and communes from the units data: each district takes the part of the Lào Cai
district of the same rank by size (the provincial city first), and the hand-written Lào Cai places give way
to generic ones named after the province's own units.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field

from django.conf import settings
from django.db.models import Count

from rollout.demo import names
from rollout.models import District, Province
from rollout.models.org import CheckpointKind, VenueKind
from rollout.models.units import DivisionType
from rollout.selectors.units import province_short_name
from rollout.text import fold

LAO_CAI = 10

LAO_CAI_WEIGHTS = names.DISTRICT_WEIGHTS


@dataclass
class DemoProvince:
    province: Province
    districts: dict[str, District]  # by short codename
    weights: dict[str, int]  # share of venues and activity, by short codename
    parts: dict[str, str] = field(default_factory=dict)  # Lào Cai short codename -> this province's

    @property
    def is_lao_cai(self) -> bool:
        return self.province.pk == LAO_CAI and set(self.districts) == set(LAO_CAI_WEIGHTS)

    @property
    def short_name(self) -> str:
        return province_short_name(self.province.name)

    @property
    def mail_domain(self) -> str:
        return f"demo.{fold(self.short_name).replace(' ', '')}.gov.vn"

    def like(self, lao_cai_short: str) -> str:
        """The short codename of the district that plays the part of this Lào Cai district."""
        return self.parts[lao_cai_short]

    def district_like(self, lao_cai_short: str) -> District:
        return self.districts[self.like(lao_cai_short)]

    def weighted(self, rng: random.Random) -> District:
        names = list(self.weights)
        return self.districts[rng.choices(names, weights=[self.weights[n] for n in names])[0]]


def demo_province() -> DemoProvince:
    code = settings.HOME_PROVINCE_CODE
    province = Province.objects.filter(pk=code).first()
    if province is None:
        raise RuntimeError(f"No province with GSO code {code}: run load_admin_units first.")
    rows = list(District.objects.filter(province=province).annotate(n=Count("communes")).order_by("code"))
    if not rows:
        raise RuntimeError(f"{province.name} has no districts in the units data: run load_admin_units first.")
    districts = {d.short_codename: d for d in rows}
    if set(districts) == set(LAO_CAI_WEIGHTS):
        return DemoProvince(province, districts, dict(LAO_CAI_WEIGHTS), {s: s for s in LAO_CAI_WEIGHTS})
    weights = {d.short_codename: max(d.n, 1) for d in rows}
    capital = _capital(rows)
    weights[capital.short_codename] *= 2  # the seat of the province draws the most people
    by_size = sorted(rows, key=lambda d: (-weights[d.short_codename], d.code))
    parts = {short: by_size[i % len(by_size)].short_codename for i, short in enumerate(LAO_CAI_WEIGHTS)}
    return DemoProvince(province, districts, weights, parts)


def _capital(rows: list[District]) -> District:
    """The provincial city, else the first urban district (a centrally-run city), else the first district."""
    for kind in (DivisionType.PROVINCIAL_CITY, DivisionType.URBAN_DISTRICT, DivisionType.TOWN):
        for d in rows:
            if d.division_type == kind:
                return d
    return rows[0]


def checkpoints(place: DemoProvince) -> list[tuple[str, str, str, str]]:
    """(name, kind, location, district short codename) of the demo checkpoints."""
    if place.is_lao_cai:
        return list(names.CHECKPOINTS)
    city, name = place.like("lao_cai"), place.short_name
    rows = [
        (f"Chốt kiểm soát Ga {name}", CheckpointKind.RAIL, f"Ga {name}", city),
        (f"Chốt kiểm soát Bến xe {name}", CheckpointKind.ROAD, "Bến xe khách trung tâm", city),
    ]
    # Gateways on the roads into the province: rural districts first (they are on its edge).
    outer = sorted(place.districts.values(), key=lambda d: (d.division_type != DivisionType.RURAL_DISTRICT, d.code))
    for number, d in enumerate(outer[:10], start=1):
        rows.append((f"Chốt kiểm soát cửa ngõ số {number}, {_title(d.name)}", CheckpointKind.ROAD,
                     f"Quốc lộ, {_title(d.name)}", d.short_codename))  # fmt: skip
    return rows


def hospitals(place: DemoProvince) -> list[tuple[str, str, bool]]:
    """(name, district short codename, does RT-PCR) of the province's hospitals."""
    if place.is_lao_cai:
        return list(names.HOSPITALS)
    city, second = place.like("lao_cai"), place.like("sa_pa")
    own = place.province.name.replace("Tỉnh", "tỉnh").replace("Thành phố", "thành phố")
    return [
        (f"Bệnh viện Đa khoa {own}", city, True),
        (f"Bệnh viện Sản Nhi {own}", city, True),
        (f"Trung tâm Kiểm soát bệnh tật {own}", city, True),
        (f"Bệnh viện Y dược cổ truyền {own}", city, False),
        (f"Bệnh viện Đa khoa số 2 {own}", second, True),
    ]


def tourist_sites(place: DemoProvince) -> list[tuple[str, str, str]]:
    """(name, district short codename, venue kind) of the sites every visitor passes through."""
    if place.is_lao_cai:
        return list(names.TOURIST_SITES)
    rows = [(f"Bến xe khách {place.short_name}", place.like("lao_cai"), VenueKind.BUS_STATION)]
    for short in ("sa_pa", "bao_thang", "bac_ha", "van_ban"):
        d = place.district_like(short)
        name = f"Bến xe khách {d.name.split(' ', 1)[1]}" if " " in d.name else f"Bến xe khách {d.name}"
        if all(name != r[0] for r in rows):
            rows.append((name, d.short_codename, VenueKind.BUS_STATION))
    return rows


def _title(name: str) -> str:
    """ "Huyện Gia Lâm" -> "huyện Gia Lâm": a unit's title in the middle of a sentence."""
    for title in ("Huyện", "Thành phố", "Thị xã", "Quận", "Phường", "Xã", "Thị trấn"):
        if name.startswith(title + " "):
            return title.lower() + name[len(title) :]
    return name
