"""Vietnamese names, addresses and phone numbers for the demo, drawn from a seeded generator."""

from __future__ import annotations

import random

from django.conf import settings

from rollout.models import Commune, District
from rollout.models.org import CheckpointKind, VenueKind

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

# Share of Lào Cai's venues and activity per district (roughly by population and tourism); other
# provinces weigh their districts by size (rollout.demo.places).
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
    "Báo {province}",
    "Cục Thuế tỉnh",
    "Kho bạc Nhà nước tỉnh",
    "Bảo hiểm xã hội tỉnh",
]
ASSOCIATIONS = [
    "Hội Liên hiệp Phụ nữ tỉnh",
    "Hội Nông dân tỉnh",
    "Tỉnh đoàn {province}",
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


def home_districts() -> dict[str, District]:
    return {d.short_codename: d for d in District.objects.filter(province_id=settings.HOME_PROVINCE_CODE)}
