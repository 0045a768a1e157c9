"""The directive scorecard: every indicator equals a direct count over the raw rows, the statuses follow
the thresholds in settings, the page is for province roles, and it reads only the small tables."""

from __future__ import annotations

import io
import subprocess
from datetime import date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from django.conf import settings
from django.db import connection
from django.db.models import Q
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation
from openpyxl import load_workbook

from checkpoints.models import Arrival, DailyList
from dashboard.services.stats import daily_stats_backfill
from platforms.models import VaccinationUpdate
from reports import weeks
from reports.models import ReportStatus, RollupReason, WeeklyReport, WeeklyReportVersion
from reports.scorecard import Status, scorecard_build
from reports.scorecard_xlsx import scorecard_workbook
from reports.services.rollups import rollup_build
from rollout.models import Commune, District
from rollout.timeutils import local_datetime
from rollout.workbooks import workbook_bytes
from tests.factories import CheckpointFactory
from tests.rollout.world import at, build_world, raw_kpis
from venues.models import CheckIn, Inspection

pytestmark = pytest.mark.django_db

HANOI = ZoneInfo("Asia/Ho_Chi_Minh")
# Saturday morning: the week ending Friday 12/11/2021 is the latest one due, and it is over.
NOW = datetime(2021, 11, 13, 10, 0, tzinfo=HANOI)
WEEK = date(2021, 11, 12)
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
CLAUSES = ["1", "2", "3.i", "3.ii", "3.iii", "4.i", "4.ii", "4.iii", "5", "6.i", "6.ii", "6.iii", "6.iv"]


@pytest.fixture
def world(units, time_machine, settings, tmp_path):
    settings.PRIVATE_FILES_ROOT = tmp_path / "files"
    # Venues, agencies and facilities registered well before the four weeks: every week counts them.
    time_machine.move_to(NOW - timedelta(days=60), tick=False)
    w = build_world(NOW.date())
    CheckpointFactory(district=w.sa_pa)  # active, recorded nobody this week
    time_machine.move_to(NOW, tick=False)
    # Sa Pa's list of Wednesday was built late (08:00 the next morning): not delivered by 07:00.
    late_day = date(2021, 11, 10)
    DailyList.objects.create(
        district=w.sa_pa, day=late_day, revision=1, rows=1, file="lists/x.xlsx", generated_at=at(date(2021, 11, 11), 8)
    )
    # Bát Xát's report of the week counts communication sessions; Sa Pa's (late) none.
    for report, sessions in (
        (WeeklyReport.objects.get(district=w.bat_xat, week_ending=WEEK), 3),
        (WeeklyReport.objects.get(district=w.sa_pa, week_ending=WEEK), 0),
    ):
        version = WeeklyReportVersion.objects.create(
            report=report, number=1, source="web", submitted_at=report.first_submitted_at,
            communication_sessions=sessions,
        )  # fmt: skip
        report.current_version = version
        report.save()
    daily_stats_backfill(days=29)  # from the Saturday that starts the four weeks
    return w


def home() -> list[District]:
    return list(District.objects.filter(province_id=settings.HOME_PROVINCE_CODE))


def direct_counts() -> dict[str, tuple[int, int]]:
    """Each clause's indicator for the week, counted straight from the raw rows."""
    districts = home()
    start, end = weeks.week_bounds(WEEK)
    first = weeks.week_start(WEEK)
    days = [first + timedelta(days=i) for i in range(7)]
    kpis = raw_kpis(WEEK, districts, with_reports=False)  # the state at the week's last day
    vaccinating = kpis["vaccination_updated_today"][1]
    cutoff_ok = Q()
    for day in days:
        cutoff_ok |= Q(day=day, platform_updated_at__lte=local_datetime(day, settings.VACCINATION_UPDATE_CUTOFF))
    on_time_updates = VaccinationUpdate.objects.filter(cutoff_ok, updated_on_platform=True, facility__is_active=True)
    checkpoints = list(CheckpointFactory._meta.model.objects.filter(district__in=districts, is_active=True))
    scanning = Arrival.objects.filter(checkpoint__in=checkpoints, arrived_at__gte=start, arrived_at__lt=end)
    lists_on_time = sum(
        DailyList.objects.filter(
            district__in=districts,
            day=day,
            generated_at__lte=local_datetime(day + timedelta(days=1), settings.DAILY_LIST_DEADLINE),
        ).count()
        for day in days
    )
    communes = (
        CheckIn.objects.filter(venue__district__in=districts, checked_in_at__gte=start, checked_in_at__lt=end)
        .values("venue__commune")
        .distinct()
        .count()
    )
    reports = WeeklyReport.objects.filter(district__in=districts, week_ending=WEEK).exclude(status=ReportStatus.DRAFT)
    inspecting = (
        Inspection.objects.filter(venue__district__in=districts, inspected_on__gte=first, inspected_on__lte=WEEK)
        .values("venue__district")
        .distinct()
        .count()
    )
    return {
        "1": kpis["adoption_pc_covid"],
        "3.i": kpis["testing_live"],
        "3.ii": (on_time_updates.count(), vaccinating * 7),
        "4.i": (scanning.values("checkpoint").distinct().count(), len(checkpoints)),
        "4.iii": (lists_on_time, len(districts) * 7),
        "5": kpis["venues_active_7d"],
        "6.i": (communes, Commune.objects.filter(district__in=districts).count()),
        "6.ii": (reports.filter(current_version__communication_sessions__gt=0).count(), len(districts)),
        "6.iii": (inspecting, len(districts)),
        "6.iv": (sum(1 for r in reports if r.on_time), len(districts)),
    }


def test_every_indicator_equals_a_direct_count(world):
    card = scorecard_build(WEEK)
    assert [r.clause for r in card.rows] == CLAUSES
    shown = {r.clause: (r.current.part, r.current.whole) for r in card.rows if r.current.whole is not None}
    expected = direct_counts()
    assert shown == expected | {"2": (0, 1)}  # no roll-up built yet
    # The world is not trivial: each comparison can fail.
    assert expected["1"] == (5 + 38 + 40, 30 + 42 + 80)  # latest updates by Friday; the hotel's of Saturday not
    assert expected["3.ii"] == (1, 21)  # the station's 19:00 update; the hospital's came at 21:00
    assert expected["4.i"] == (2, 3)
    assert expected["4.iii"] == (1, 63)  # Bát Xát's list of Friday; Sa Pa's of Wednesday came at 08:00
    assert expected["6.i"][0] == 3
    assert expected["6.ii"] == (1, 9) and expected["6.iii"] == (1, 9) and expected["6.iv"] == (1, 9)


def test_clauses_the_system_does_not_measure_say_so(world):
    card = scorecard_build(WEEK)
    for clause in ("3.iii", "4.ii"):
        row = card.row(clause)
        assert row.status == Status.NO_DATA and row.note and all(w.whole is None for w in row.weeks)


def test_the_trend_is_four_weeks_ending_with_the_week(world):
    card = scorecard_build(WEEK)
    assert card.weeks == [date(2021, 10, 22), date(2021, 10, 29), date(2021, 11, 5), WEEK]
    row = card.row("6.iv")
    # The week before: Bát Xát on time (16:00), Sa Pa had no report for it.
    assert [w.whole for w in row.weeks] == [9, 9, 9, 9]
    assert row.weeks[-2].part == 0 and row.weeks[-1].part == 1
    # Testing live: the centre's first result (d-3) counts from that day on only.
    testing = card.row("3.i")
    assert testing.weeks[-1].part == 2 and testing.weeks[-2].part == 1


def test_a_roll_up_built_puts_clause_2_on_track(world):
    assert scorecard_build(WEEK).row("2").status == Status.LAGGING
    rollup_build(week_ending=WEEK, reason=RollupReason.MANUAL)
    row = scorecard_build(WEEK).row("2")
    assert (row.current.part, row.current.whole, row.status) == (1, 1, Status.ON_TRACK)


@pytest.mark.parametrize(
    ("threshold", "status"),
    [(11.1, Status.ON_TRACK), (11.2, Status.LAGGING), (0, Status.ON_TRACK), (100, Status.LAGGING)],
)
def test_status_follows_the_threshold_in_settings(world, settings, threshold, status):
    settings.SCORECARD_THRESHOLDS = settings.SCORECARD_THRESHOLDS | {"6.iv": threshold}
    row = scorecard_build(WEEK).row("6.iv")
    assert row.current.percent == 11.1  # 1 of 9
    assert row.status == status


def test_a_week_not_due_yet_has_no_data_for_the_reports(world):
    """The week in progress: reports and roll-up are not due, so no status rather than a false "lagging"."""
    card = scorecard_build(date(2021, 11, 19))
    for clause in ("2", "6.ii", "6.iv"):
        assert card.row(clause).status == Status.NO_DATA
    assert card.row("3.i").status != Status.NO_DATA


def test_nothing_to_count_is_no_data_not_zero(units, time_machine):
    time_machine.move_to(NOW, tick=False)
    card = scorecard_build(WEEK)
    assert card.row("3.i").status == Status.NO_DATA  # no facility qualified, no figures
    assert card.row("6.iv").status == Status.LAGGING  # nine districts due, none sent


def test_the_scorecard_reads_aggregates_never_check_ins_or_arrivals(world):
    with CaptureQueriesContext(connection) as queries:
        scorecard_build(WEEK)
    tables = " ".join(q["sql"] for q in queries.captured_queries)
    assert "venues_checkin" not in tables and "checkpoints_arrival" not in tables
    assert "dashboard_districtday" in tables
    assert len(queries) <= 12


@pytest.mark.parametrize("persona", ["province_admin", "province_viewer", "health_officer"])
def test_province_roles_see_the_scorecard(world, client_for, request, persona):
    response = client_for(request.getfixturevalue(persona)).get(reverse("reports:scorecard"))
    assert response.status_code == 200
    html = response.content.decode()
    for clause in CLAUSES:
        assert f'data-clause="{clause}"' in html
    assert "Theo dõi thực hiện chỉ đạo" in html and "Chưa có số liệu" in html
    assert 'data-clause="6.iv" data-status="lagging" data-part="1" data-whole="9"' in html


def test_links_only_to_pages_the_user_may_open(world, client_for, province_viewer, health_officer):
    viewer = client_for(province_viewer).get(reverse("reports:scorecard")).context["card"]
    officer = client_for(health_officer).get(reverse("reports:scorecard")).context["card"]
    assert viewer.row("6.iv").url == reverse("reports:completeness-grid")
    assert viewer.row("4.iii").url == ""  # the daily lists hold people: not for province viewers
    assert officer.row("4.iii").url == reverse("checkpoints:daily-list-list")
    assert officer.row("2").url == ""  # roll-ups are for the province's committee roles


@pytest.mark.parametrize("persona", ["district_officer", "checkpoint_staff", "agency_admin", "outsider"])
def test_other_roles_may_not_see_it(world, client_for, request, persona):
    client = client_for(request.getfixturevalue(persona))
    assert client.get(reverse("reports:scorecard")).status_code == 403
    assert client.get(reverse("reports:scorecard-xlsx")).status_code == 403


def test_a_week_that_is_not_a_friday_is_not_found(world, client_for, province_admin):
    client = client_for(province_admin)
    assert client.get(reverse("reports:scorecard") + "?week=2021-11-11").status_code == 404
    assert client.get(reverse("reports:scorecard") + "?week=2021-12-31").status_code == 404
    assert client.get(reverse("reports:scorecard") + "?week=2021-11-05").status_code == 200


def test_the_xlsx_has_every_clause_and_prints_on_one_a4_page(world, client_for, province_viewer):
    response = client_for(province_viewer).get(reverse("reports:scorecard-xlsx") + f"?week={WEEK}")
    assert response.status_code == 200
    ws = load_workbook(io.BytesIO(response.content)).active
    clauses = [ws.cell(row=r, column=1).value for r in range(6, 6 + len(CLAUSES))]
    assert clauses == CLAUSES
    row = {ws.cell(row=5, column=c).value: ws.cell(row=6 + CLAUSES.index("6.iv"), column=c).value for c in range(1, 12)}
    assert row["Trạng thái"] == "Chậm tiến độ" and row["Trên tổng số"] == "1 trên 9"
    assert round(row["Tuần đến 12/11"], 3) == round(1 / 9, 3)
    assert ws.page_setup.orientation == "landscape" and ws.page_setup.fitToWidth == 1
    assert ws.page_setup.fitToHeight == 1 and ws.sheet_properties.pageSetUpPr.fitToPage
    assert ws.print_title_rows == "$5:$5"


def test_the_roll_up_has_the_scorecard_sheet(world):
    outcome = rollup_build(week_ending=WEEK, reason=RollupReason.MANUAL)
    ws = load_workbook(outcome.path)["Theo dõi thực hiện chỉ đạo"]
    assert [ws.cell(row=r, column=1).value for r in range(6, 6 + len(CLAUSES))] == CLAUSES
    # The roll-up being built counts for clause 2 in its own sheet.
    assert [c.value for c in ws[6 + CLAUSES.index("2")]][-3:] == ["1 trên 1", 1, "Đúng tiến độ"]


def test_the_xlsx_prints_on_one_page_in_libreoffice(world, tmp_path):
    """The meeting's print-out: LibreOffice lays the sheet out on one landscape A4 page."""
    from rollout.office import convert_to_pdf

    source, target = tmp_path / "scorecard.xlsx", tmp_path / "scorecard.pdf"
    with translation.override("vi"):
        source.write_bytes(workbook_bytes(scorecard_workbook(scorecard_build(WEEK))))
    convert_to_pdf(source, target)
    info = subprocess.run(["pdfinfo", str(target)], capture_output=True, text=True, check=True).stdout
    assert "Pages:           1" in info
    size = next(line for line in info.splitlines() if line.startswith("Page size:")).split()
    assert float(size[2]) > float(size[4])  # landscape
    ARTIFACTS.mkdir(exist_ok=True)
    subprocess.run(
        ["pdftoppm", "-r", "80", "-png", "-singlefile", str(target), str(ARTIFACTS / "scorecard-xlsx")], check=True
    )


def test_the_menu_offers_the_scorecard_to_province_roles_only(world, client_for, health_officer, district_officer):
    link = f'href="{reverse("reports:scorecard")}"'
    assert link in client_for(health_officer).get(reverse("dashboard")).content.decode()
    assert link not in client_for(district_officer).get(reverse("dashboard")).content.decode()
