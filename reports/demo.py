"""Demo step: eight past weeks of weekly reports for the nine districts, with their roll-ups.

Most districts report on time; some weeks a district is late; one district misses one week; one
report is returned with a comment and sent again. Older weeks are approved; the latest past week
waits for review, and the current week is partly sent, so every page has something to show.
Idempotent: skipped when any weekly report exists.
"""

from __future__ import annotations

import random
from datetime import date, datetime, time, timedelta

from django.db import transaction

from reports import fields, weeks
from reports.figures import district_week_figures
from reports.models import (
    ReportReview,
    ReportStatus,
    ReviewDecision,
    Rollup,
    RollupReason,
    Source,
    WeeklyReport,
    WeeklyReportVersion,
)
from reports.services.rollups import rollup_build
from rollout.demo import DemoContext, places
from rollout.models import FocalOfficer, User
from rollout.timeutils import local_datetime, local_now

PAST_WEEKS = 8
# (short codename, weeks ago) — sent after the deadline.
LATE = {("muong_khuong", 7), ("van_ban", 5), ("muong_khuong", 3), ("bac_ha", 2), ("si_ma_cai", 1)}
MISSING = ("si_ma_cai", 4)
RETURNED = ("bao_yen", 1)  # returned with a comment, then sent again
POPULATION = {  # rounded 2021 figures, for plausible install counts
    "lao_cai": 130_000,
    "sa_pa": 63_000,
    "bao_thang": 110_000,
    "bao_yen": 85_000,
    "van_ban": 90_000,
    "bat_xat": 80_000,
    "bac_ha": 64_000,
    "muong_khuong": 65_000,
    "si_ma_cai": 38_000,
}
DIFFICULTIES = [
    "Nhiều hộ dân vùng cao chưa có điện thoại thông minh, sóng di động yếu ở các thôn xa trung tâm.",
    "Một số cơ sở kinh doanh nhỏ chưa duy trì quét mã QR thường xuyên, nhất là vào giờ cao điểm.",
    "Người cao tuổi gặp khó khăn khi tự khai báo y tế trên ứng dụng PC-Covid.",
    "Tài khoản VNEID cần kích hoạt tại Công an xã; tiến độ cấp tài khoản định danh còn chậm.",
    "Cán bộ xã kiêm nhiệm nhiều việc, thời gian dành cho hướng dẫn người dân còn hạn chế.",
    "Một số điểm du lịch đông khách cuối tuần, việc kiểm soát quét mã tại cổng chưa chặt chẽ.",
]
PROPOSALS = [
    "Đề nghị Sở TT&TT hỗ trợ in bổ sung mã QR khổ lớn cho các chợ phiên.",
    "Đề nghị Sở TT&TT tổ chức tập huấn trực tuyến cho cán bộ phụ trách nền tảng cấp xã.",
    "Đề nghị các doanh nghiệp viễn thông tăng cường phủ sóng tại các xã vùng cao.",
    "Đề nghị Công an tỉnh đẩy nhanh việc kích hoạt tài khoản định danh điện tử mức 2.",
    "Kiến nghị bổ sung kinh phí in tờ rơi hướng dẫn cài đặt bằng tiếng dân tộc.",
    "",
]
RETURN_COMMENT = (
    "Số địa điểm được kiểm tra không khớp với biên bản kiểm tra gửi kèm; đề nghị rà soát lại số liệu "
    "kiểm tra và xử phạt, bổ sung nội dung khó khăn, vướng mắc."
)


def seed_reports(ctx: DemoContext) -> None:
    if WeeklyReport.objects.exists():
        ctx.out.write("weekly reports: already present, kept\n")
        return
    place = places.demo_province()
    districts = place.districts
    # Lào Cai's story (who is late, missing, returned) told by the districts playing those parts.
    late = {(place.like(short), ago) for short, ago in LATE}
    missing = (place.like(MISSING[0]), MISSING[1])
    returned = (place.like(RETURNED[0]), RETURNED[1])
    rng = random.Random(5279)
    officers = {u.username: u for u in User.objects.filter(username__startswith="district_")}
    admin = User.objects.filter(username="province_admin").first()
    current = weeks.current_week()
    now = local_now()
    past = [current - timedelta(days=7 * i) for i in range(PAST_WEEKS, 0, -1)]  # oldest first
    focal = {o.district_id: o for o in FocalOfficer.objects.filter(district__isnull=False).order_by("-is_primary")}
    count = 0
    with transaction.atomic():
        for index, week in enumerate(past):
            ago = PAST_WEEKS - index
            system = district_week_figures(week, [d.pk for d in districts.values()])
            for short, district in sorted(districts.items()):
                if (short, ago) == missing:
                    continue
                values = _values(rng, place, short, index, system[district.pk])
                by = officers.get(f"district_{short}")
                first = min(_sent_at(rng, week, late=(short, ago) in late), now - timedelta(hours=3))
                report = WeeklyReport.objects.create(district=district, week_ending=week, updated_by=by)
                version = _send(report, values, first, by, focal.get(district.pk), system[district.pk], rng)
                count += 1
                if (short, ago) == returned:
                    back, again = first + timedelta(hours=20), first + timedelta(days=2, hours=3)
                    if again > now:  # early on Saturday: compress the story into the hours since
                        back, again = first + (now - first) / 3, first + 2 * (now - first) / 3
                    _review(report, version, ReviewDecision.RETURNED, admin, back)
                    values = values | {
                        "venues_inspected": values["venues_inspected"] + 2,
                        "difficulties": values["difficulties"] + " Đã rà soát, bổ sung theo ý kiến của Sở.",
                    }
                    version = _send(report, values, again, by, focal.get(district.pk), system[district.pk], rng)
                if ago >= 3 or (ago == 2 and rng.random() < 0.6):
                    approved_at = min(report.submitted_at + timedelta(days=3), now)
                    _review(report, version, ReviewDecision.APPROVED, admin, approved_at)
        count += _current_week(rng, current, place, officers, focal)
    for week in past:
        outcome = rollup_build(week_ending=week, reason=RollupReason.SCHEDULED, force=True)
        at = weeks.rollup_at(week)
        Rollup.objects.filter(pk=outcome.rollup.pk).update(created_at=at, finished_at=at + timedelta(seconds=4))
    ctx.out.write(f"weekly reports: {count} reports over {PAST_WEEKS} past weeks, {len(past)} roll-ups\n")


def _values(rng: random.Random, place: places.DemoProvince, short: str, index: int, system) -> dict:
    weight = place.weights[short]
    if not place.is_lao_cai:  # on Lào Cai's scale: 25 for the largest district
        weight = max(5, 25 * weight // max(place.weights.values()))
    inspected = rng.randint(2, 4) + weight // 3 + rng.randint(0, 4)
    violations = rng.randint(0, max(1, inspected // 4))
    share = 0.22 + 0.045 * index + rng.uniform(-0.02, 0.02)
    population = POPULATION[short] if place.is_lao_cai else weight * 5_000
    pc_covid = int(population * share)
    return {
        "agencies_with_qr": system.agencies_with_qr + (rng.randint(1, 3) if rng.random() < 0.25 else 0),
        "venues_with_qr": system.venues_with_qr + (rng.randint(1, 6) if rng.random() < 0.3 else 0),
        "venues_inspected": inspected,
        "violations_found": violations,
        "sanctions_imposed": rng.randint(0, violations),
        "communication_sessions": rng.randint(2, 6) + weight // 4,
        "people_guided": rng.randint(150, 400) * (weight // 5 + 1),
        "pc_covid_installs": max(pc_covid, system.pc_covid),
        "health_book_installs": max(int(pc_covid * rng.uniform(0.45, 0.6)), system.health_book),
        "vneid_installs": max(int(pc_covid * rng.uniform(0.3, 0.45)), system.vneid),
        "difficulties": rng.choice(DIFFICULTIES),
        "proposals": rng.choice(PROPOSALS),
        "focal_officer_confirmed": True,
    }


def _sent_at(rng: random.Random, week: date, *, late: bool) -> datetime:
    if late:
        day, hour = rng.choice([(week, 19), (week + timedelta(days=1), 9), (week + timedelta(days=3), 10)])
        return local_datetime(day, time(hour, rng.randint(0, 59)))
    day = week - timedelta(days=rng.choice([0, 0, 0, 1, 1, 2]))
    return local_datetime(day, time(rng.randint(8, 16), rng.randint(0, 59)))


def _send(report, values, at, by, officer, system, rng) -> WeeklyReportVersion:
    """What ``report_submit`` does, at a time in the past."""
    number = report.versions.count() + 1
    version = WeeklyReportVersion.objects.create(
        report=report,
        number=number,
        source=Source.XLSX if rng.random() < 0.4 else Source.WEB,
        submitted_at=at,
        submitted_by=by,
        late=not weeks.is_on_time(at, report.week_ending),
        focal_officer_name=officer.full_name if officer else "",
        focal_officer_phone=officer.phone if officer else "",
        focal_officer_email=officer.email if officer else "",
        system_figures=system.as_dict(),
        **{k: values[k] for k in fields.ALL_KEYS},
    )
    for key in fields.ALL_KEYS:
        setattr(report, key, values[key])
    report.status = ReportStatus.SUBMITTED
    report.current_version = version
    report.first_submitted_at = report.first_submitted_at or at
    report.submitted_at = at
    report.save()
    return version


def _review(report, version, decision, admin, at) -> None:
    report.status = ReportStatus.APPROVED if decision == ReviewDecision.APPROVED else ReportStatus.RETURNED
    report.save(update_fields=["status"])
    review = ReportReview.objects.create(
        report=report,
        version=version,
        decision=decision,
        comment=RETURN_COMMENT if decision == ReviewDecision.RETURNED else "",
        reviewed_by=admin,
    )
    ReportReview.objects.filter(pk=review.pk).update(reviewed_at=at)


def _current_week(rng, week, place: places.DemoProvince, officers, focal) -> int:
    """A few districts have already sent this week's report, one is drafting."""
    start = weeks.week_bounds(week)[0]
    now = local_now()
    if now - start < timedelta(days=2):
        return 0
    districts = place.districts
    system = district_week_figures(week, [d.pk for d in districts.values()])
    count = 0
    for short in dict.fromkeys(place.like(s) for s in ("lao_cai", "sa_pa", "bao_thang")):
        district = districts[short]
        at = min(now - timedelta(hours=1), start + timedelta(days=5, hours=9))
        report = WeeklyReport.objects.create(district=district, week_ending=week)
        values = _values(rng, place, short, PAST_WEEKS, system[district.pk])
        _send(report, values, at, officers.get(f"district_{short}"), focal.get(district.pk), system[district.pk], rng)
        count += 1
    drafting = place.district_like("van_ban")
    if WeeklyReport.objects.filter(district=drafting, week_ending=week).exists():
        return count  # a small province: the drafting district has already sent
    draft = _values(rng, place, drafting.short_codename, PAST_WEEKS, system[drafting.pk])
    WeeklyReport.objects.create(
        district=drafting,
        week_ending=week,
        **{k: draft[k] for k in fields.ALL_KEYS if k in fields.NUMBER_KEYS[:5]},
    )
    return count + 1
