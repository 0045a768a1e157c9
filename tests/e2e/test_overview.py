"""The overview in a real browser: a province viewer and a district officer, desktop and phone widths."""

from __future__ import annotations

import io
import random
from datetime import time, timedelta

import pytest
from django.core.management import call_command

from checkpoints.models import Arrival
from rollout.models import Checkpoint, Commune, District, Venue
from rollout.timeutils import local_datetime, local_now, local_today
from tests.e2e.conftest import PHONE, wait_until
from venues.models import CheckIn

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]
PASSWORD = "demo-pass-e2e"


def add_activity(days: int = 30, per_day: int = 400) -> None:
    """Check-ins and arrivals over the last ``days`` days (the demo of those apps may not be merged yet)."""
    rng = random.Random(6)
    venues = list(Venue.objects.filter(is_active=True).values_list("pk", flat=True))
    weights = [rng.random() ** 2 for _ in venues]
    checkpoints = list(Checkpoint.objects.values_list("pk", flat=True))
    districts = list(District.objects.filter(province_id=10).values_list("pk", flat=True))
    communes: dict[int, list[int]] = {}
    for code, district in Commune.objects.filter(district__in=districts).values_list("pk", "district"):
        communes.setdefault(district, []).append(code)
    today, now = local_today(), local_now()
    checkins, arrivals = [], []
    for back in range(days):
        day = today - timedelta(days=back)
        n = int(per_day * (0.6 + 0.4 * (days - back) / days))
        for venue in rng.choices(venues, weights=weights, k=n):
            moment = local_datetime(day, time(rng.randint(6, 21), rng.randint(0, 59)))
            if moment <= now:
                checkins.append(
                    CheckIn(venue_id=venue, full_name="Lò Văn Minh", phone="0912345678", checked_in_at=moment,
                            flagged=rng.random() < 0.02)
                )  # fmt: skip
        for _ in range(n // 8):
            moment = local_datetime(day, time(rng.randint(0, 23), rng.randint(0, 59)))
            district = rng.choice(districts)
            if moment <= now:
                arrivals.append(
                    Arrival(checkpoint_id=rng.choice(checkpoints), destination_district_id=district,
                            destination_commune_id=rng.choice(communes[district]), arrived_at=moment,
                            full_name="Giàng A Páo")
                )  # fmt: skip
    CheckIn.objects.bulk_create(checkins, batch_size=2000)
    Arrival.objects.bulk_create(arrivals, batch_size=2000)


@pytest.fixture
def province(live_server, units, settings):
    settings.DEMO_PASSWORD = PASSWORD
    call_command("seed_demo", stdout=io.StringIO())
    add_activity()
    call_command("recompute_daily_stats", "--days", "30", "--force", stdout=io.StringIO())
    return live_server


def sign_in(page, base_url: str, username: str) -> None:
    page.goto(f"{base_url}/accounts/login/")
    page.get_by_label("Tên đăng nhập").fill(username)
    page.get_by_label("Mật khẩu").fill(PASSWORD)
    page.get_by_role("button", name="Đăng nhập").click()
    page.wait_for_url(f"{base_url}/dashboard/")


def charts_drawn(page) -> None:
    """Chart.js drew the five charts: the canvases are shown and hold pixels; the tables folded away."""
    wait_until(page, "document.querySelectorAll('.chartbox:not([hidden]) canvas').length === 5")
    drawn = page.evaluate(
        "Array.from(document.querySelectorAll('canvas[data-chart]')).every(c => c.width > 0 && "
        "c.getContext('2d').getImageData(0, 0, c.width, c.height).data.some(v => v !== 0))"
    )
    assert drawn
    assert page.locator("details.chartdata[open]").count() == 0


def test_province_viewer_sees_the_province_overview(province, new_page, artifacts):
    errors: list[str] = []
    for name, options in (("desktop", {}), ("phone", PHONE)):
        page = new_page(**options)
        page.on("pageerror", lambda e: errors.append(str(e)))
        sign_in(page, province.url, "province_viewer")
        assert page.get_by_role("heading", name="Tổng quan toàn tỉnh").is_visible()
        assert page.locator("[data-kpi]").count() == 13  # with daily lists delivered and reports sent
        charts_drawn(page)
        table = page.locator("table.areas")
        for district in ("Thành phố Lào Cai", "Huyện Bát Xát", "Thị xã Sa Pa", "Huyện Văn Bàn"):
            assert table.get_by_role("link", name=district).count() == 1
        page.screenshot(path=str(artifacts / f"overview-province-{name}.png"), full_page=True)
    # Sort by check-ins, then drill down to a district and one of its communes.
    page.get_by_role("link", name="Lượt quét, 7 ngày").click()
    page.wait_for_url("**sort=-checkins_7d**")
    page.locator("table.areas tbody").get_by_role("link", name="Thị xã Sa Pa").click()
    page.wait_for_url("**/dashboard/district/88/**")
    assert page.get_by_role("heading", name="Thị xã Sa Pa", exact=True).is_visible()
    page.locator("table.areas tbody a").first.click()
    assert page.get_by_role("heading", name="Địa điểm").is_visible()
    page.screenshot(path=str(artifacts / "overview-commune-phone.png"), full_page=True)
    assert errors == []


def test_district_officer_sees_only_the_district(province, new_page, artifacts):
    for name, options in (("desktop", {}), ("phone", PHONE)):
        page = new_page(**options)
        sign_in(page, province.url, "district_bat_xat")
        main = page.locator("main")
        assert page.get_by_role("heading", name="Huyện Bát Xát", exact=True).is_visible()
        charts_drawn(page)
        text = main.inner_text()
        for other in ("Thị xã Sa Pa", "Thành phố Lào Cai", "Huyện Văn Bàn", "Tổng quan toàn tỉnh"):
            assert other not in text, other
        assert "Xã, phường, thị trấn" in text and "Cơ quan, đơn vị chậm cài đặt ứng dụng" in text
        page.screenshot(path=str(artifacts / f"overview-district-{name}.png"), full_page=True)
    page.goto(f"{province.url}/dashboard/district/88/")
    assert "Không tìm thấy" in page.content() or page.title().startswith("404")
