"""The overview (/dashboard/): every KPI equals a direct count over the raw rows; scope; drill-down."""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.conf import settings
from django.urls import reverse

from checkpoints.models import Arrival
from dashboard import selectors as dashboard_selectors
from dashboard.tasks import daily_stats_recompute_task, daily_stats_refresh_today_task
from rollout.charts import Kpi
from rollout.models import District, Venue
from rollout.timeutils import day_bounds, days_bounds
from tests.factories import VenueFactory
from tests.rollout.world import at, build_world, raw_kpis
from venues.models import CheckIn

pytestmark = pytest.mark.django_db

NOW = datetime(2021, 11, 10, 15, 0, tzinfo=ZoneInfo("Asia/Ho_Chi_Minh"))
KPI_KEYS = {
    "venues_with_qr", "venues_active_7d", "checkins_today", "checkins_7d", "arrivals_today", "arrivals_7d",
    "adoption_pc_covid", "adoption_health_book", "adoption_vneid", "vaccination_updated_today", "testing_live",
    "daily_lists_delivered", "reports_sent", "pc_covid_arrivals",
}  # fmt: skip
KPI_RE = re.compile(
    r'data-kpi="(?P<key>\w+)" data-value="(?P<value>\d*)"(?: data-total="(?P<total>\d+)")? '
    r'data-previous="(?P<previous>[\d.]*)"'
)


@pytest.fixture
def world(units, time_machine):
    time_machine.move_to(NOW, tick=False)
    w = build_world(NOW.date())
    # The figures come from the scheduled jobs, as in production: nightly rebuild, then today's refresh.
    daily_stats_recompute_task.delay()
    daily_stats_refresh_today_task.delay()
    return w


def kpis_on_page(html: str) -> dict[str, tuple[int, int | None]]:
    return {
        m["key"]: (int(m["value"]), int(m["total"]) if m["total"] is not None else None) for m in KPI_RE.finditer(html)
    }


def previous_on_page(html: str) -> dict[str, float | None]:
    return {m["key"]: float(m["previous"]) if m["previous"] else None for m in KPI_RE.finditer(html)}


def home_districts() -> list[District]:
    return list(District.objects.filter(province_id=settings.HOME_PROVINCE_CODE))


def test_every_kpi_on_the_province_overview_equals_a_direct_count(world, client_for, province_viewer):
    html = client_for(province_viewer).get(reverse("dashboard")).content.decode()
    shown = kpis_on_page(html)
    assert set(shown) == KPI_KEYS  # a new card needs its direct count here
    assert shown == raw_kpis(world.today, home_districts())
    # The world is not trivial: the comparison can fail.
    assert shown["checkins_today"] == (4, None)  # 00:00 counts, 23:59:59 the day before does not
    assert shown["checkins_7d"] == (9, None)  # the closed venue's check-in still counts
    assert shown["venues_active_7d"] == (4, 5)  # of the active venues; "idle" had none
    assert shown["arrivals_7d"] == (5, None)
    assert shown["adoption_pc_covid"] == (5 + 38 + 70, 30 + 42 + 80)  # latest update per active agency
    assert shown["pc_covid_arrivals"] == (3, 4)  # had or installed at the checkpoint, of those asked
    assert shown["vaccination_updated_today"] == (1, 3)
    assert shown["testing_live"] == (2, 4)
    assert shown["daily_lists_delivered"] == (1, 9)  # Bát Xát's list of yesterday; Sa Pa's was not built
    assert shown["reports_sent"] == (1, 9)  # this week only Bát Xát has sent so far


def test_last_week_figures_equal_direct_counts(world, client_for, province_viewer):
    html = client_for(province_viewer).get(reverse("dashboard")).content.decode()
    previous = previous_on_page(html)
    today = world.today
    week_ago = today - timedelta(days=7)
    checkins = CheckIn.objects.all()
    arrivals = Arrival.objects.all()
    start, end = days_bounds(today - timedelta(days=13), week_ago)
    # "Today" (at 15:00) against last week's same day up to 15:00, never against the whole day.
    day_start, same_time = day_bounds(week_ago)[0], at(week_ago, NOW.hour)
    assert previous["checkins_7d"] == checkins.filter(checked_in_at__gte=start, checked_in_at__lt=end).count() == 4
    assert (
        previous["checkins_today"]
        == checkins.filter(checked_in_at__gte=day_start, checked_in_at__lt=same_time).count()
        == 2
    )
    assert previous["arrivals_7d"] == arrivals.filter(arrived_at__gte=start, arrived_at__lt=end).count() == 3
    assert previous["arrivals_today"] == arrivals.filter(arrived_at__gte=day_start, arrived_at__lt=same_time).count()
    # Adoption a week ago: committee's update of d-9 (30/40), school 5/30, hotel's d-12 (40/80).
    assert previous["adoption_pc_covid"] == round(100 * (30 + 5 + 40) / (40 + 30 + 80), 1)
    # Arrivals' PC-Covid a week earlier: installed (d-7) and had (d-12), of three asked (d-9: no smartphone).
    assert previous["pc_covid_arrivals"] == round(100 * 2 / 3, 1)
    # Vaccination a week ago: two of the three vaccinating facilities updated that day, but at 19:00 and
    # 21:00, so none had by 15:00.
    assert previous["vaccination_updated_today"] == 0.0
    # Testing a week ago: only the clinic was live (the centre's first result came later).
    assert previous["testing_live"] == 25.0


def test_every_kpi_on_a_district_officers_overview_equals_a_direct_count(world, client_for, district_officer):
    response = client_for(district_officer).get(reverse("dashboard"))
    html = response.content.decode()
    shown = kpis_on_page(html)
    assert set(shown) == KPI_KEYS
    assert shown == raw_kpis(world.today, [world.bat_xat])
    assert shown["checkins_today"] == (3, None)
    assert "Huyện Bát Xát" in html and "Thị xã Sa Pa" not in html


def test_district_table_matches_the_raw_rows_per_district(world, client_for, province_viewer):
    overview = client_for(province_viewer).get(reverse("dashboard")).context["overview"]
    rows = {r.code: r for r in overview.rows}
    start, end = days_bounds(world.today - timedelta(days=6), world.today)
    for d in (world.bat_xat, world.sa_pa):
        assert (
            rows[d.pk].checkins_7d
            == CheckIn.objects.filter(venue__district=d, checked_in_at__gte=start, checked_in_at__lt=end).count()
        )
        assert (
            rows[d.pk].arrivals_7d
            == Arrival.objects.filter(destination_district=d, arrived_at__gte=start, arrived_at__lt=end).count()
        )
    assert len(rows) == 9 and overview.total.checkins_7d == 9


def test_the_overview_reads_aggregates_so_figures_survive_the_personal_data_purge(world, client_for, province_viewer):
    before = kpis_on_page(client_for(province_viewer).get(reverse("dashboard")).content.decode())
    CheckIn.objects.all().delete()
    Arrival.objects.all().delete()
    after = kpis_on_page(client_for(province_viewer).get(reverse("dashboard")).content.decode())
    assert after == before and after["checkins_7d"] == (9, None)


def test_district_table_sorts_by_any_column(world, client_for, province_viewer):
    client = client_for(province_viewer)
    rows = client.get(reverse("dashboard"), {"sort": "-checkins_7d"}).context["overview"].rows
    assert [r.name for r in rows[:2]] == ["Huyện Bát Xát", "Thị xã Sa Pa"]
    rows = client.get(reverse("dashboard"), {"sort": "checkins_7d"}).context["overview"].rows
    assert rows[-1].name == "Huyện Bát Xát"
    rows = client.get(reverse("dashboard"), {"sort": "nonsense"}).context["overview"].rows
    assert [r.code for r in rows] == sorted(r.code for r in rows)


def test_charts_cover_30_or_90_days_and_their_numbers_are_in_a_table(world, client_for, province_viewer):
    client = client_for(province_viewer)
    response = client.get(reverse("dashboard"))
    charts = {c.key: c for c in response.context["overview"].charts}
    assert set(charts) == {"checkins", "arrivals", "adoption", "health", "reports"}
    # Report timeliness, per week whose deadline passed: last week Bát Xát on time, Sa Pa late.
    assert charts["reports"].labels[-1] == "05/11"
    assert [d["data"][-1] for d in charts["reports"].datasets] == [round(100 * 2 / 9, 1), round(100 * 1 / 9, 1)]
    # The day under way is left out of the trends (half a day would read as a plunge): 30 days to yesterday.
    yesterday = world.today - timedelta(days=1)
    assert len(charts["checkins"].labels) == 30 and charts["checkins"].labels[-1] == yesterday.strftime("%d/%m")
    start, end = days_bounds(yesterday - timedelta(days=29), yesterday)
    assert (
        sum(charts["checkins"].datasets[0]["data"])
        == CheckIn.objects.filter(checked_in_at__gte=start, checked_in_at__lt=end).count()
        == CheckIn.objects.filter(checked_in_at__gte=start).count() - 4  # today's four are not drawn
    )
    assert len(charts["arrivals"].datasets) == 9  # one per destination district
    html = response.content.decode()
    assert 'id="chart-checkins" type="application/json"' in html
    assert "Đến hết ngày hôm qua" in html
    assert "Các con số dạng bảng" in html  # the table under each chart, readable without JavaScript
    assert len(client.get(reverse("dashboard"), {"days": 90}).context["overview"].charts[0].labels) == 90


def test_province_overview_stays_within_the_query_budget(
    world, client_for, province_viewer, django_assert_max_num_queries
):
    client = client_for(province_viewer)
    with django_assert_max_num_queries(25):
        assert client.get(reverse("dashboard")).status_code == 200


def test_district_overview_stays_within_the_query_budget(
    world, client_for, district_officer, django_assert_max_num_queries
):
    client = client_for(district_officer)
    with django_assert_max_num_queries(25):
        assert client.get(reverse("dashboard")).status_code == 200


# --- Drill-down and scope ---------------------------------------------------------------------


def test_province_viewer_drills_down_to_a_district_and_a_commune(world, client_for, province_viewer):
    client = client_for(province_viewer)
    response = client.get(reverse("dashboard:district", args=[world.bat_xat.pk]))
    assert response.status_code == 200
    assert kpis_on_page(response.content.decode()) == raw_kpis(world.today, [world.bat_xat])
    communes = {r.code: r for r in response.context["communes"]}
    market = world.venues["market"]
    assert communes[market.commune_id].checkins_today == 2
    # Active venues per commune: switched-off venues with check-ins in the week are not counted.
    start, end = days_bounds(world.today - timedelta(days=6), world.today)
    week = CheckIn.objects.filter(venue__district=world.bat_xat, checked_in_at__gte=start, checked_in_at__lt=end)
    for code, row in communes.items():
        in_commune = week.filter(venue__commune_id=code)
        assert row.venues_active_7d == in_commune.filter(venue__is_active=True).values("venue").distinct().count()
    closed = world.venues["closed"]
    assert week.filter(venue=closed).exists() and communes[closed.commune_id].venues_active_7d < (
        week.filter(venue__commune_id=closed.commune_id).values("venue").distinct().count()
    )
    assert response.context["laggards"][0].agency.pk == world.agencies["silent"].pk  # never reported
    response = client.get(reverse("dashboard:commune", args=[world.bat_xat.pk, market.commune_id]))
    assert response.status_code == 200
    venues = {r.venue.pk: r for r in response.context["venues"]}
    assert venues[market.pk].checkins_today == 2 and venues[market.pk].checkins_7d == 3


def test_district_officer_cannot_open_another_districts_overview(world, client_for, district_officer):
    client = client_for(district_officer)
    assert client.get(reverse("dashboard:district", args=[world.bat_xat.pk])).status_code == 200
    assert client.get(reverse("dashboard:district", args=[world.sa_pa.pk])).status_code == 404
    sa_pa_commune = world.venues["hotel"].commune_id
    url = reverse("dashboard:commune", args=[world.sa_pa.pk, sa_pa_commune])
    assert client.get(url).status_code == 404
    # A Sa Pa commune under Bát Xát's address is no way round either.
    url = reverse("dashboard:commune", args=[world.bat_xat.pk, sa_pa_commune])
    assert client.get(url).status_code == 404


def test_other_district_officer_sees_only_sa_pa(world, client_for, other_district_officer):
    html = client_for(other_district_officer).get(reverse("dashboard")).content.decode()
    assert kpis_on_page(html) == raw_kpis(world.today, [world.sa_pa])
    assert "Huyện Bát Xát" not in html


@pytest.mark.parametrize("persona", ["outsider", "agency_admin", "checkpoint_staff", "facility_staff"])
def test_roles_without_an_overview_get_their_home_and_no_drilldown(request, world, client_for, persona):
    client = client_for(request.getfixturevalue(persona))
    response = client.get(reverse("dashboard"))
    assert response.status_code == 200 and "overview" not in response.context
    assert client.get(reverse("dashboard:district", args=[world.bat_xat.pk])).status_code == 404
    commune = world.venues["market"].commune_id
    assert client.get(reverse("dashboard:commune", args=[world.bat_xat.pk, commune])).status_code == 404


def test_anonymous_is_sent_to_sign_in(world, client_for):
    response = client_for(None).get(reverse("dashboard:district", args=[world.bat_xat.pk]))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_health_officer_gets_the_province_overview(world, client_for, health_officer):
    html = client_for(health_officer).get(reverse("dashboard")).content.decode()
    # Health officers work with facilities and people, not with the districts' weekly reports.
    assert kpis_on_page(html) == raw_kpis(world.today, home_districts(), with_reports=False)
    assert "Y tế" in html


def test_extra_kpi_cards_plug_in_through_one_selector(world, client_for, province_viewer, monkeypatch):
    """How the daily-lists and report-completeness cards are added by the other apps."""
    monkeypatch.setattr(dashboard_selectors.overview, "EXTRA_KPIS", [lists_delivered_card])
    html = client_for(province_viewer).get(reverse("dashboard")).content.decode()
    assert kpis_on_page(html)["daily_lists_delivered"] == (7, 9)


def lists_delivered_card(user, scope, today) -> Kpi:
    return Kpi("daily_lists_delivered", "Daily lists delivered today", 7, total=len(scope.districts), previous=100.0)


def test_no_figures_yet_shows_zeros_not_an_error(units, client_for, province_viewer):
    response = client_for(province_viewer).get(reverse("dashboard"))
    assert response.status_code == 200
    assert kpis_on_page(response.content.decode())["checkins_today"] == (0, None)
    assert not Venue.objects.exists()


def test_today_is_compared_with_the_same_time_last_week(units, time_machine, client_for, province_viewer):
    """At 13:30, last week's check-ins after 13:30 do not count; the hour under way counts in proportion."""
    today = NOW.date()
    week_ago = today - timedelta(days=7)
    venue = VenueFactory(district=District.objects.get(pk=home_districts()[0].pk))
    times = [at(week_ago, 8), at(week_ago, 12, 59), at(week_ago, 20), at(week_ago, 23, 59)]
    times += [at(week_ago, 13, m) for m in (0, 10, 20, 40)]  # the hour under way: half of 4
    times += [at(today, 9), at(today, 13, 15)]
    CheckIn.objects.bulk_create(
        CheckIn(venue=venue, full_name="Lò Thị Mai", phone="0912345678", checked_in_at=t) for t in times
    )
    time_machine.move_to(at(today, 13, 30), tick=False)
    daily_stats_recompute_task.delay()
    daily_stats_refresh_today_task.delay()
    html = client_for(province_viewer).get(reverse("dashboard")).content.decode()
    assert kpis_on_page(html)["checkins_today"] == (2, None)
    assert previous_on_page(html)["checkins_today"] == 2 + 2  # 08:00, 12:59, then half of 13:00-13:59
    assert "so với cùng giờ tuần trước (đến 13:30)" in html
    # The same page for a day that is over compares whole days.
    time_machine.move_to(at(today + timedelta(days=1), 0, 5), tick=False)
    overview = dashboard_selectors.overview_build(
        province_viewer, dashboard_selectors.overview_scope_for(province_viewer), today=today
    )
    card = next(k for k in overview.kpis if k.key == "checkins_today")
    assert (card.value, card.previous) == (2, 8)
