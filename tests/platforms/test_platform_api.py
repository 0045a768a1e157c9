"""API for the dashboard figures: /api/v1/daily-stats/ and /api/v1/overview/, scoped like the pages."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from django.conf import settings
from django.urls import reverse

from dashboard.services.stats import daily_stats_recompute
from rollout.models import District
from tests.rollout.world import build_world, raw_kpis

pytestmark = pytest.mark.django_db

NOW = datetime(2021, 11, 10, 15, 0, tzinfo=ZoneInfo("Asia/Ho_Chi_Minh"))


@pytest.fixture
def world(units, time_machine):
    time_machine.move_to(NOW, tick=False)
    w = build_world(NOW.date())
    daily_stats_recompute(first=NOW.date().replace(day=1), last=NOW.date())
    return w


def test_daily_stats_are_scoped_and_filterable(world, client_for, province_viewer, district_officer, outsider):
    path = reverse("api:daily-stat-list")
    assert client_for(province_viewer).get(path).json()["count"] == 9 * 10
    mine = client_for(district_officer).get(path, {"page_size": 500}).json()
    assert mine["count"] == 10 and {r["district"] for r in mine["results"]} == {world.bat_xat.pk}
    assert client_for(district_officer).get(path, {"district": world.sa_pa.pk}).json()["count"] == 0
    assert client_for(outsider).get(path).json()["count"] == 0
    assert client_for(None).get(path).status_code in (401, 403)
    day = client_for(province_viewer).get(
        path, {"from": "2021-11-10", "to": "2021-11-10", "district": world.bat_xat.pk}
    )
    (row,) = day.json()["results"]
    assert (row["day"], row["checkins"], row["arrivals"]) == ("2021-11-10", 3, 2)
    assert client_for(province_viewer).get(path, {"from": "10/11/2021"}).status_code == 400


def test_overview_api_gives_the_same_kpis_as_the_page(world, client_for, province_viewer, district_officer):
    data = client_for(province_viewer).get(reverse("api:overview-list")).json()
    kpis = {k["key"]: (k["value"], k["total"]) for k in data["kpis"]}
    home = list(District.objects.filter(province_id=settings.HOME_PROVINCE_CODE))
    assert kpis == raw_kpis(world.today, home)
    assert len(data["areas"]) == 9
    mine = client_for(district_officer).get(reverse("api:overview-list")).json()
    assert mine["districts"] == [world.bat_xat.pk]
    assert {k["key"]: (k["value"], k["total"]) for k in mine["kpis"]} == raw_kpis(world.today, [world.bat_xat])


def test_overview_api_refuses_other_districts_and_roles_without_an_overview(
    world, client_for, district_officer, agency_admin, province_viewer
):
    path = reverse("api:overview-list")
    assert client_for(district_officer).get(path, {"district": world.sa_pa.pk}).status_code == 404
    assert client_for(agency_admin).get(path).status_code == 404
    one = client_for(province_viewer).get(path, {"district": world.sa_pa.pk}).json()
    assert {k["key"]: (k["value"], k["total"]) for k in one["kpis"]} == raw_kpis(world.today, [world.sa_pa])
