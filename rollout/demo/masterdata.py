"""The demo province's master data (agencies, venues, checkpoints, facilities, focal officers) and
the demo users: the first two demo steps."""

from __future__ import annotations

import random
from datetime import time, timedelta

from django.conf import settings
from django.db import transaction

from rollout.demo import DemoContext, places
from rollout.demo.names import (
    ASSOCIATIONS,
    CLINICS,
    DEPARTMENTS,
    ENTERPRISE_FORMS,
    ENTERPRISE_TRADES,
    PRIVATE_VENUES,
    SCHOOL_LEVELS,
    SHOP_WORDS,
    address,
    mobile,
    person_name,
)
from rollout.demo.places import DemoProvince
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
from rollout.models.org import AgencyKind, FacilityKind, TestingStatus, VenueKind
from rollout.text import fold
from rollout.timeutils import local_datetime, local_today

# --- Steps ------------------------------------------------------------------------------------


def seed_master_data(ctx: DemoContext) -> None:
    if Agency.objects.exists():
        ctx.out.write("master data: already present, kept\n")
        return
    place = places.demo_province()
    districts = place.districts
    communes: dict[int, list[Commune]] = {}
    for c in Commune.objects.filter(district__in=districts.values()):
        communes.setdefault(c.district_id, []).append(c)
    with transaction.atomic():
        agencies = _seed_agencies(ctx.rng, place, communes)
        venues = _seed_venues(ctx.rng, place, communes, agencies)
        _date_venue_registration(ctx.rng)
        checkpoints = _seed_checkpoints(ctx.rng, place, communes)
        facilities = _seed_facilities(ctx.rng, place, communes)
        officers = _seed_focal_officers(ctx.rng, place, agencies)
    ctx.out.write(
        f"master data ({place.province.name}): agencies={len(agencies)} venues={venues} checkpoints={checkpoints} "
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


def _seed_agencies(rng, place: DemoProvince, communes) -> list[Agency]:
    districts = place.districts
    city = place.district_like("lao_cai")
    city_wards = [c for c in communes[city.pk] if c.division_type == "ward"] or communes[city.pk]
    rows = [
        _agency(
            f"{n} {place.short_name}" if n.startswith("Sở") else n.format(province=place.short_name),
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
            n.format(province=place.short_name),
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
        d = place.weighted(rng)
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


def _seed_venues(rng, place: DemoProvince, communes, agencies) -> int:
    districts = place.districts
    hotel_districts = {place.like(s) for s in ("sa_pa", "lao_cai", "bac_ha", "bat_xat")}
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
    for name, short, kind in places.tourist_sites(place):
        d = districts[short]
        rows.append(_venue(name, kind, d, rng.choice(communes[d.pk]), rng))
    weights = [w for _, _, w in PRIVATE_VENUES]
    used = {v.name for v in rows}
    while len(rows) < 900:
        d = place.weighted(rng)
        kind, prefixes, _ = rng.choices(PRIVATE_VENUES, weights=weights)[0]
        if kind == VenueKind.HOTEL and d.short_codename not in hotel_districts and rng.random() < 0.6:
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


def _seed_checkpoints(rng, place: DemoProvince, communes) -> int:
    rows = []
    for name, kind, location, short in places.checkpoints(place):
        d = place.districts[short]
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


def _seed_facilities(rng, place: DemoProvince, communes) -> int:
    districts = place.districts
    pcr_districts = {place.like(s) for s in ("lao_cai", "sa_pa", "bao_thang")}
    rows = []
    for name, short, pcr in places.hospitals(place):
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
                pcr=d.short_codename in pcr_districts,
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
        d = place.weighted(rng)
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


def _seed_focal_officers(rng, place: DemoProvince, agencies) -> int:
    rows = []
    for d in place.districts.values():
        rows.append(
            FocalOfficer(
                full_name=person_name(rng),
                position="Phó Trưởng phòng Văn hóa và Thông tin",
                phone=mobile(rng),
                email=f"vhtt.{d.short_codename.replace('_', '')}@{place.mail_domain}",
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
                email=f"daumoi.{a.pk}@{place.mail_domain}",
                agency=a,
            )
        )
    FocalOfficer.objects.bulk_create(rows)
    return len(rows)


def demo_users() -> list[tuple[str, str, str, dict]]:
    """(username, full name, role, scope) for every demo account."""
    districts = places.demo_province().districts
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
    domain = places.demo_province().mail_domain
    for username, full_name, role, scope in demo_users():
        user, _ = User.objects.get_or_create(
            username=username,
            defaults={"full_name": full_name, "email": f"{username.replace('_', '.')}@{domain}"},
        )
        user.set_password(settings.DEMO_PASSWORD)
        user.is_active = True
        user.is_staff = role == Role.PROVINCE_ADMIN
        user.save()
        RoleAssignment.objects.get_or_create(user=user, role=role, **scope)
        count += 1
    ctx.out.write(f"demo users: {count} (password from DEMO_PASSWORD)\n")
