"""The demo province (Lào Cai): master data and demo users.

``manage.py seed_demo`` runs every step listed in ``DEMO_STEPS`` in order. Each app adds its own
step (activity data) in its own ``demo.py``; a step must be idempotent: running seed_demo again
leaves an already-seeded database as it is, apart from resetting the demo passwords.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import time, timedelta
from typing import TextIO

from django.conf import settings
from django.db import transaction

from rollout.models import (
    Agency,
    Checkpoint,
    Commune,
    District,
    FocalOfficer,
    HealthFacility,
    Role,
    RoleAssignment,
    User,
    Venue,
)
from rollout.models.org import AgencyKind, CheckpointKind, FacilityKind, TestingStatus, VenueKind
from rollout.text import fold
from rollout.timeutils import local_datetime, local_today

# Dotted paths of the steps, in order. Apps append theirs here.
DEMO_STEPS: list[str] = [
    "rollout.demo.seed_master_data",
    "rollout.demo.seed_users",
    "venues.demo.seed_checkins",  # venue check-ins and inspections
    "checkpoints.demo.seed_arrivals",  # declarations, arrivals and their daily lists
    "platforms.demo.seed_platform_activity",  # adoption, testing platform, vaccination logs
    # Weekly reports read the system figures of everything above.
    "reports.demo.seed_reports",
    # Last: the daily figures are computed from whatever raw data exists.
    "dashboard.demo.seed_daily_stats",
]


@dataclass
class DemoContext:
    out: TextIO
    rng: random.Random = field(default_factory=lambda: random.Random(2021))
    days: int = 30


# --- Names ------------------------------------------------------------------------------------

SURNAMES = [
    "Nguyễn",
    "Trần",
    "Lê",
    "Phạm",
    "Hoàng",
    "Vũ",
    "Đỗ",
    "Bùi",
    "Đặng",
    "Ngô",
    "Lý",
    "Giàng",
    "Lò",
    "Vàng",
    "Sùng",
    "Thào",
    "Ma",
    "Hà",
    "Lù",
    "Tẩn",
    "Phàn",
    "Đinh",
    "Dương",
    "Lương",
]
MIDDLE_MALE = ["Văn", "Đức", "Minh", "Quang", "Hữu", "A", "Seo", "Văn", "Công", "Tiến"]
MIDDLE_FEMALE = ["Thị", "Thu", "Thanh", "Ngọc", "Thị", "Thị", "Mai", "Hồng"]
GIVEN_MALE = [
    "An",
    "Bình",
    "Cường",
    "Dũng",
    "Hải",
    "Hùng",
    "Long",
    "Nam",
    "Phong",
    "Quân",
    "Sơn",
    "Tuấn",
    "Thắng",
    "Trung",
    "Vinh",
    "Páo",
    "Sử",
    "Chử",
    "Dín",
    "Lử",
    "Khánh",
    "Đạt",
    "Hiếu",
    "Kiên",
]
GIVEN_FEMALE = [
    "Anh",
    "Chi",
    "Dung",
    "Hà",
    "Hạnh",
    "Hoa",
    "Hương",
    "Lan",
    "Linh",
    "Mai",
    "Ngọc",
    "Phương",
    "Thảo",
    "Trang",
    "Vân",
    "Yến",
    "Mỷ",
    "Sính",
    "Dợ",
    "Nhung",
    "Huyền",
    "Loan",
    "Tâm",
    "Xuân",
]
STREETS = [
    "Hoàng Liên",
    "Nguyễn Huệ",
    "Trần Hưng Đạo",
    "Hồng Hà",
    "Hoàng Quốc Việt",
    "Lê Thanh",
    "Minh Khai",
    "Cốc Lếu",
    "Nhạc Sơn",
    "Điện Biên",
    "Võ Nguyên Giáp",
    "Hoàng Sào",
    "Mường Hoa",
    "Xuân Viên",
    "Ngọc Uyển",
]
SHOP_WORDS = [
    "Hoàng Liên",
    "Fansipan",
    "Mường Hoa",
    "Hàm Rồng",
    "Sông Hồng",
    "Núi Xanh",
    "Mây Trắng",
    "Thung Lũng",
    "Ban Mai",
    "Bình Minh",
    "Hoa Đào",
    "Tây Bắc",
    "Phố Núi",
    "Cầu Mây",
    "Thác Bạc",
    "Bản Mây",
    "Sương Mù",
    "Cát Cát",
    "Tả Van",
    "Y Tý",
    "Đồi Chè",
    "Mận Hậu",
    "Hương Rừng",
    "Gió Núi",
    "Đá Cổ",
]

# Share of the province's venues and activity per district (roughly by population and tourism).
DISTRICT_WEIGHTS = {
    "lao_cai": 25,
    "sa_pa": 18,
    "bao_thang": 12,
    "bao_yen": 9,
    "van_ban": 9,
    "bat_xat": 9,
    "bac_ha": 7,
    "muong_khuong": 6,
    "si_ma_cai": 5,
}

DEPARTMENTS = [
    "Sở Thông tin và Truyền thông",
    "Sở Y tế",
    "Sở Giáo dục và Đào tạo",
    "Sở Tài chính",
    "Sở Kế hoạch và Đầu tư",
    "Sở Công Thương",
    "Sở Giao thông vận tải",
    "Sở Xây dựng",
    "Sở Tài nguyên và Môi trường",
    "Sở Nông nghiệp và Phát triển nông thôn",
    "Sở Lao động - Thương binh và Xã hội",
    "Sở Văn hóa, Thể thao và Du lịch",
    "Sở Nội vụ",
    "Sở Tư pháp",
    "Sở Khoa học và Công nghệ",
    "Sở Ngoại vụ",
    "Ban Dân tộc tỉnh",
    "Thanh tra tỉnh",
    "Văn phòng UBND tỉnh",
    "Công an tỉnh",
    "Bộ Chỉ huy Quân sự tỉnh",
    "Bộ Chỉ huy Bộ đội Biên phòng tỉnh",
    "Ban Quản lý Khu kinh tế tỉnh",
    "Đài Phát thanh - Truyền hình tỉnh",
    "Báo Lào Cai",
    "Cục Thuế tỉnh",
    "Kho bạc Nhà nước tỉnh",
    "Bảo hiểm xã hội tỉnh",
]
ASSOCIATIONS = [
    "Hội Liên hiệp Phụ nữ tỉnh",
    "Hội Nông dân tỉnh",
    "Tỉnh đoàn Lào Cai",
    "Hội Cựu chiến binh tỉnh",
    "Hội Chữ thập đỏ tỉnh",
    "Liên đoàn Lao động tỉnh",
    "Ủy ban MTTQ Việt Nam tỉnh",
    "Hội Doanh nghiệp tỉnh",
]
ENTERPRISE_FORMS = ["Công ty TNHH", "Công ty CP", "Công ty TNHH MTV", "Hợp tác xã"]
ENTERPRISE_TRADES = [
    "Thương mại",
    "Du lịch",
    "Xây dựng",
    "Vận tải",
    "Chè",
    "Nông sản",
    "Khoáng sản",
    "Dịch vụ",
    "Khách sạn",
    "Dược phẩm",
    "Điện lực",
    "Thủy điện",
]
SCHOOL_LEVELS = ["Trường Tiểu học", "Trường THCS", "Trường PTDTBT THCS", "Trường THPT số 1", "Trường Mầm non"]

CHECKPOINTS = [
    ("Chốt kiểm soát Cửa khẩu quốc tế Lào Cai", CheckpointKind.BORDER, "Cầu Hồ Kiều, phường Lào Cai", "lao_cai"),
    ("Chốt kiểm soát Cửa khẩu đường bộ số II Kim Thành", CheckpointKind.BORDER, "Khu thương mại Kim Thành", "lao_cai"),
    ("Chốt kiểm soát Ga Lào Cai", CheckpointKind.RAIL, "Ga Lào Cai, phường Phố Mới", "lao_cai"),
    ("Chốt kiểm soát nút giao IC19 cao tốc Nội Bài – Lào Cai", CheckpointKind.ROAD, "IC19, xã Cam Đường", "lao_cai"),
    (
        "Chốt kiểm soát nút giao IC16 cao tốc Nội Bài – Lào Cai",
        CheckpointKind.ROAD,
        "IC16, thị trấn Phố Lu",
        "bao_thang",
    ),
    ("Chốt kiểm soát Ga Phố Lu", CheckpointKind.RAIL, "Ga Phố Lu, thị trấn Phố Lu", "bao_thang"),
    ("Chốt kiểm soát Quốc lộ 70, xã Bảo Hà", CheckpointKind.ROAD, "Quốc lộ 70, Km 126", "bao_yen"),
    ("Chốt kiểm soát Quốc lộ 279, xã Nghĩa Đô", CheckpointKind.ROAD, "Quốc lộ 279, giáp Hà Giang", "bao_yen"),
    ("Chốt kiểm soát Quốc lộ 279, xã Khánh Yên Hạ", CheckpointKind.ROAD, "Quốc lộ 279, giáp Yên Bái", "van_ban"),
    ("Chốt kiểm soát Quốc lộ 4D, đèo Ô Quy Hồ", CheckpointKind.ROAD, "Quốc lộ 4D, giáp Lai Châu", "sa_pa"),
    ("Chốt kiểm soát Quốc lộ 4, xã Cán Cấu", CheckpointKind.ROAD, "Quốc lộ 4, giáp Hà Giang", "si_ma_cai"),
    ("Chốt kiểm soát Cửa khẩu Mường Khương", CheckpointKind.BORDER, "Cửa khẩu Mường Khương", "muong_khuong"),
]

HOSPITALS = [
    ("Bệnh viện Đa khoa tỉnh Lào Cai", "lao_cai", True),
    ("Bệnh viện Sản Nhi tỉnh Lào Cai", "lao_cai", True),
    ("Trung tâm Kiểm soát bệnh tật tỉnh Lào Cai", "lao_cai", True),
    ("Bệnh viện Y dược cổ truyền tỉnh", "lao_cai", False),
    ("Bệnh viện Nội tiết tỉnh Lào Cai", "lao_cai", False),
    ("Bệnh viện Phục hồi chức năng tỉnh", "lao_cai", False),
    ("Bệnh viện Đa khoa số 2 tỉnh Lào Cai", "bao_thang", True),
    ("Bệnh viện Đa khoa Sa Pa", "sa_pa", False),
]
CLINICS = [
    "Phòng khám đa khoa Hồng Đức",
    "Phòng khám đa khoa Hợp Lực",
    "Phòng khám đa khoa Thiện Nhân",
    "Phòng khám đa khoa An Bình",
    "Phòng khám Sản phụ khoa Hạnh Phúc",
    "Phòng khám Nhi Tâm Đức",
    "Phòng khám đa khoa Sa Pa Care",
    "Phòng khám đa khoa Bắc Hà",
    "Phòng khám Răng Hàm Mặt Nụ Cười",
    "Phòng khám đa khoa Phố Lu",
    "Phòng khám đa khoa Bảo Yên",
    "Phòng khám đa khoa Khánh Yên",
    "Phòng khám Mắt Ánh Sáng",
    "Phòng khám đa khoa Kim Tân",
    "Phòng khám đa khoa Cốc Lếu",
]
TOURIST_SITES = [
    ("Khu du lịch bản Cát Cát", "sa_pa", VenueKind.TOURIST),
    ("Ga cáp treo Fansipan", "sa_pa", VenueKind.TOURIST),
    ("Khu du lịch Hàm Rồng", "sa_pa", VenueKind.TOURIST),
    ("Thác Bạc", "sa_pa", VenueKind.TOURIST),
    ("Nhà thờ đá Sa Pa", "sa_pa", VenueKind.RELIGIOUS),
    ("Đền Thượng Lào Cai", "lao_cai", VenueKind.RELIGIOUS),
    ("Đền Mẫu Lào Cai", "lao_cai", VenueKind.RELIGIOUS),
    ("Đền Bảo Hà", "bao_yen", VenueKind.RELIGIOUS),
    ("Dinh thự Hoàng A Tưởng", "bac_ha", VenueKind.TOURIST),
    ("Chùa Tiên Phước", "lao_cai", VenueKind.RELIGIOUS),
    ("Bến xe khách trung tâm Lào Cai", "lao_cai", VenueKind.BUS_STATION),
    ("Bến xe khách Sa Pa", "sa_pa", VenueKind.BUS_STATION),
    ("Bến xe khách Bắc Hà", "bac_ha", VenueKind.BUS_STATION),
    ("Bến xe khách Phố Lu", "bao_thang", VenueKind.BUS_STATION),
    ("Bến xe khách Khánh Yên", "van_ban", VenueKind.BUS_STATION),
    ("Ga Lào Cai", "lao_cai", VenueKind.BUS_STATION),
]

PRIVATE_VENUES = [  # (kind, name prefixes, weight)
    (VenueKind.RESTAURANT, ["Nhà hàng", "Quán ăn", "Quán lẩu", "Quán phở", "Quán cà phê"], 40),
    (VenueKind.HOTEL, ["Khách sạn", "Nhà nghỉ", "Homestay"], 30),
    (VenueKind.SUPERMARKET, ["Siêu thị mini", "Cửa hàng tiện lợi", "Siêu thị điện máy"], 14),
    (VenueKind.OTHER, ["Cửa hàng thuốc", "Tiệm tóc", "Phòng tập", "Cửa hàng điện thoại"], 16),
]


def person_name(rng: random.Random) -> str:
    if rng.random() < 0.5:
        return f"{rng.choice(SURNAMES)} {rng.choice(MIDDLE_MALE)} {rng.choice(GIVEN_MALE)}"
    return f"{rng.choice(SURNAMES)} {rng.choice(MIDDLE_FEMALE)} {rng.choice(GIVEN_FEMALE)}"


def mobile(rng: random.Random) -> str:
    return rng.choice(["091", "094", "097", "098", "086", "096", "083", "088", "035", "038", "070", "077"]) + "".join(
        str(rng.randrange(10)) for _ in range(7)
    )


def address(rng: random.Random, commune: Commune) -> str:
    if commune.division_type == "ward":
        return f"Số {rng.randint(1, 450)}, đường {rng.choice(STREETS)}, {commune.name}"
    return f"Thôn {rng.choice(['Bản', 'Làng', 'Tổ'])} {rng.randint(1, 12)}, {commune.name}"


def _weighted_district(rng: random.Random, districts: dict[str, District]) -> District:
    names = list(DISTRICT_WEIGHTS)
    return districts[rng.choices(names, weights=[DISTRICT_WEIGHTS[n] for n in names])[0]]


def home_districts() -> dict[str, District]:
    return {d.short_codename: d for d in District.objects.filter(province_id=settings.HOME_PROVINCE_CODE)}


# --- Steps ------------------------------------------------------------------------------------


def seed_master_data(ctx: DemoContext) -> None:
    if Agency.objects.exists():
        ctx.out.write("master data: already present, kept\n")
        return
    districts = home_districts()
    if set(districts) != set(DISTRICT_WEIGHTS):
        raise RuntimeError("The demo province is Lào Cai (HOME_PROVINCE_CODE=10); run load_admin_units first.")
    communes: dict[int, list[Commune]] = {}
    for c in Commune.objects.filter(district__in=districts.values()):
        communes.setdefault(c.district_id, []).append(c)
    with transaction.atomic():
        agencies = _seed_agencies(ctx.rng, districts, communes)
        venues = _seed_venues(ctx.rng, districts, communes, agencies)
        _date_venue_registration(ctx.rng)
        checkpoints = _seed_checkpoints(ctx.rng, districts, communes)
        facilities = _seed_facilities(ctx.rng, districts, communes)
        officers = _seed_focal_officers(ctx.rng, districts, agencies)
    ctx.out.write(
        f"master data: agencies={len(agencies)} venues={venues} checkpoints={checkpoints} "
        f"facilities={facilities} focal_officers={officers}\n"
    )


def _agency(
    name: str, kind: str, district: District, commune: Commune | None, rng: random.Random, staff: int
) -> Agency:
    return Agency(
        name=name,
        name_search=fold(name),
        kind=kind,
        district=district,
        commune=commune,
        address=address(rng, commune) if commune else "",
        staff_headcount=staff,
    )


def _seed_agencies(rng, districts, communes) -> list[Agency]:
    city = districts["lao_cai"]
    city_wards = [c for c in communes[city.pk] if c.division_type == "ward"]
    rows = [
        _agency(
            f"{n} Lào Cai" if n.startswith("Sở") else n,
            AgencyKind.DEPARTMENT,
            city,
            rng.choice(city_wards),
            rng,
            rng.randint(35, 220),
        )
        for n in DEPARTMENTS
    ]
    rows += [
        _agency(
            n,
            AgencyKind.PARTY_MASS if "MTTQ" in n or "đoàn" in n else AgencyKind.ASSOCIATION,
            city,
            rng.choice(city_wards),
            rng,
            rng.randint(12, 60),
        )
        for n in ASSOCIATIONS
    ]
    for d in districts.values():
        title = d.name.replace("Huyện", "huyện").replace("Thành phố", "thành phố").replace("Thị xã", "thị xã")
        rows.append(
            _agency(f"UBND {title}", AgencyKind.DISTRICT_COMMITTEE, d, communes[d.pk][0], rng, rng.randint(60, 140))
        )
        for c in communes[d.pk]:
            title = c.name.replace("Xã", "xã").replace("Phường", "phường").replace("Thị trấn", "thị trấn")
            rows.append(_agency(f"UBND {title}", AgencyKind.COMMUNE_COMMITTEE, d, c, rng, rng.randint(18, 40)))
    used = set()
    while len(rows) < 300:
        d = _weighted_district(rng, districts)
        c = rng.choice(communes[d.pk])
        roll = rng.random()
        if roll < 0.45:
            name = f"{rng.choice(SCHOOL_LEVELS)} {c.name.split(' ', 1)[1]}"
            kind, staff = AgencyKind.SCHOOL, rng.randint(20, 90)
        elif roll < 0.85:
            name = f"{rng.choice(ENTERPRISE_FORMS)} {rng.choice(ENTERPRISE_TRADES)} {rng.choice(SHOP_WORDS)}"
            kind, staff = AgencyKind.ENTERPRISE, rng.randint(8, 400)
        else:
            name = f"Ban quản lý chợ {c.name.split(' ', 1)[1]}"
            kind, staff = AgencyKind.MARKET, rng.randint(5, 25)
        if name in used:
            continue
        used.add(name)
        rows.append(_agency(name, kind, d, c, rng, staff))
    return Agency.objects.bulk_create(rows)


def _venue(name, kind, district, commune, rng, agency=None) -> Venue:
    owner = "" if agency else person_name(rng)
    return Venue(
        name=name,
        name_search=fold(name),
        kind=kind,
        agency=agency,
        owner_name=owner,
        owner_phone="" if agency else mobile(rng),
        address=address(rng, commune),
        district=district,
        commune=commune,
        is_active=rng.random() > 0.02,
    )


def _seed_venues(rng, districts, communes, agencies) -> int:
    kind_of = {AgencyKind.SCHOOL: VenueKind.SCHOOL, AgencyKind.MARKET: VenueKind.MARKET}
    rows = []
    for a in agencies:
        commune = a.commune or communes[a.district_id][0]
        if a.kind == AgencyKind.MARKET:
            rows.append(_venue(a.name.replace("Ban quản lý chợ", "Chợ"), VenueKind.MARKET, a.district, commune, rng, a))
        rows.append(
            _venue(
                f"Trụ sở {a.name}" if a.kind not in kind_of else a.name,
                kind_of.get(a.kind, VenueKind.AGENCY_OFFICE),
                a.district,
                commune,
                rng,
                a,
            )
        )
    for name, short, kind in TOURIST_SITES:
        d = districts[short]
        rows.append(_venue(name, kind, d, rng.choice(communes[d.pk]), rng))
    weights = [w for _, _, w in PRIVATE_VENUES]
    used = {v.name for v in rows}
    while len(rows) < 900:
        d = _weighted_district(rng, districts)
        kind, prefixes, _ = rng.choices(PRIVATE_VENUES, weights=weights)[0]
        if (
            kind == VenueKind.HOTEL
            and d.short_codename not in {"sa_pa", "lao_cai", "bac_ha", "bat_xat"}
            and rng.random() < 0.6
        ):
            continue  # hotels and homestays cluster where the tourists go
        name = f"{rng.choice(prefixes)} {rng.choice(SHOP_WORDS)}"
        if name in used:
            name = f"{name} {rng.randint(2, 9)}"
        if name in used:
            continue
        used.add(name)
        rows.append(_venue(name, kind, d, rng.choice(communes[d.pk]), rng))
    Venue.objects.bulk_create(rows)
    return len(rows)


def _date_venue_registration(rng: random.Random) -> None:
    """Venues got their QR codes over the months before today, not all on the day the demo was built:
    most in the first campaign (two to four months ago), the rest week by week since. The dashboard
    and the weekly reports count "venues with QR" as of each day from these dates."""
    today = local_today()
    by_day: dict[int, list[int]] = {}
    for pk in Venue.objects.order_by("pk").values_list("pk", flat=True):
        back = rng.randint(60, 120) if rng.random() < 0.7 else rng.randint(1, 59)
        by_day.setdefault(back, []).append(pk)
    for back, pks in by_day.items():
        Venue.objects.filter(pk__in=pks).update(created_at=local_datetime(today - timedelta(days=back), time(9, 0)))


def _seed_checkpoints(rng, districts, communes) -> int:
    rows = []
    for name, kind, location, short in CHECKPOINTS:
        d = districts[short]
        rows.append(
            Checkpoint(
                name=name,
                name_search=fold(name),
                kind=kind,
                location=location,
                district=d,
                commune=rng.choice(communes[d.pk]),
            )
        )
    Checkpoint.objects.bulk_create(rows)
    return len(rows)


def _facility(name, kind, district, commune, rng, *, rapid, pcr, vaccination) -> HealthFacility:
    status = TestingStatus.NOT_STARTED
    if rapid or pcr:
        status = rng.choices(list(TestingStatus.values), weights=[2, 2, 3, 5])[0]
    return HealthFacility(
        name=name,
        name_search=fold(name),
        kind=kind,
        district=district,
        commune=commune,
        address=address(rng, commune),
        does_rapid_antigen=rapid,
        does_rt_pcr=pcr,
        does_vaccination=vaccination,
        testing_status=status,
    )


def _seed_facilities(rng, districts, communes) -> int:
    rows = []
    for name, short, pcr in HOSPITALS:
        d = districts[short]
        rows.append(
            _facility(name, FacilityKind.HOSPITAL, d, communes[d.pk][0], rng, rapid=True, pcr=pcr, vaccination=True)
        )
    for d in districts.values():
        title = d.name.replace("Huyện", "huyện").replace("Thành phố", "thành phố").replace("Thị xã", "thị xã")
        rows.append(
            _facility(
                f"Trung tâm Y tế {title}",
                FacilityKind.DISTRICT_CENTRE,
                d,
                communes[d.pk][0],
                rng,
                rapid=True,
                pcr=d.short_codename in {"lao_cai", "sa_pa", "bao_thang"},
                vaccination=True,
            )
        )
        for c in communes[d.pk]:
            title = c.name.replace("Xã", "xã").replace("Phường", "phường").replace("Thị trấn", "thị trấn")
            rows.append(
                _facility(
                    f"Trạm Y tế {title}",
                    FacilityKind.COMMUNE_STATION,
                    d,
                    c,
                    rng,
                    rapid=rng.random() < 0.7,
                    pcr=False,
                    vaccination=True,
                )
            )
    for name in CLINICS:
        d = _weighted_district(rng, districts)
        rows.append(
            _facility(
                name,
                FacilityKind.PRIVATE_CLINIC,
                d,
                rng.choice(communes[d.pk]),
                rng,
                rapid=rng.random() < 0.6,
                pcr=False,
                vaccination=False,
            )
        )
    today = local_today()
    for f in rows:
        if f.testing_status == TestingStatus.LIVE:
            f.testing_first_result_on = today - timedelta(days=rng.randint(3, 60))
    HealthFacility.objects.bulk_create(rows)
    return len(rows)


def _seed_focal_officers(rng, districts, agencies) -> int:
    rows = []
    for d in districts.values():
        rows.append(
            FocalOfficer(
                full_name=person_name(rng),
                position="Phó Trưởng phòng Văn hóa và Thông tin",
                phone=mobile(rng),
                email=f"vhtt.{d.short_codename.replace('_', '')}@demo.laocai.gov.vn",
                district=d,
            )
        )
    for a in agencies:
        rows.append(
            FocalOfficer(
                full_name=person_name(rng),
                position=rng.choice(
                    ["Chánh Văn phòng", "Phó Chánh Văn phòng", "Chuyên viên", "Trưởng phòng Hành chính"]
                ),
                phone=mobile(rng),
                email=f"daumoi.{a.pk}@demo.laocai.gov.vn",
                agency=a,
            )
        )
    FocalOfficer.objects.bulk_create(rows)
    return len(rows)


def demo_users() -> list[tuple[str, str, str, dict]]:
    """(username, full name, role, scope) for every demo account."""
    districts = home_districts()
    users = [
        ("province_admin", "Trần Minh Đức", Role.PROVINCE_ADMIN, {}),
        ("province_viewer", "Lê Thị Thu Hà", Role.PROVINCE_VIEWER, {}),
        ("health_officer", "Phạm Văn Sơn", Role.HEALTH_OFFICER, {}),
    ]
    rng = random.Random(7)
    for short, d in sorted(districts.items()):
        users.append((f"district_{short}", person_name(rng), Role.DISTRICT_OFFICER, {"district": d}))
    checkpoint = Checkpoint.objects.order_by("pk").first()
    agency = (
        Agency.objects.filter(kind=AgencyKind.MARKET).order_by("pk").first() or Agency.objects.order_by("pk").first()
    )
    facility = HealthFacility.objects.filter(kind=FacilityKind.DISTRICT_CENTRE).order_by("pk").first()
    users += [
        ("checkpoint_staff", "Giàng A Páo", Role.CHECKPOINT_STAFF, {"checkpoint": checkpoint}),
        ("agency_admin", "Nguyễn Thị Lan", Role.AGENCY_ADMIN, {"agency": agency}),
        ("facility_staff", "Lò Thị Mai", Role.FACILITY_STAFF, {"facility": facility}),
    ]
    return users


def seed_users(ctx: DemoContext) -> None:
    """Demo accounts, one per role (and one per district); passwords reset to DEMO_PASSWORD."""
    count = 0
    for username, full_name, role, scope in demo_users():
        user, _ = User.objects.get_or_create(
            username=username,
            defaults={"full_name": full_name, "email": f"{username.replace('_', '.')}@demo.laocai.gov.vn"},
        )
        user.set_password(settings.DEMO_PASSWORD)
        user.is_active = True
        user.is_staff = role == Role.PROVINCE_ADMIN
        user.save()
        RoleAssignment.objects.get_or_create(user=user, role=role, **scope)
        count += 1
    ctx.out.write(f"demo users: {count} (password from DEMO_PASSWORD)\n")
