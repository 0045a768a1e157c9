"""The provincial roll-up workbook, read back with openpyxl; revisions, the schedule and the command."""

from __future__ import annotations

import io
import zipfile
from itertools import takewhile
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command
from openpyxl import load_workbook
from openpyxl.chart import BarChart

from reports.fields import NUMBER_KEYS
from reports.models import Rollup, RollupReason
from reports.rollup_xlsx import SUMMARY_HEADER_ROW
from reports.services.rollups import rollup_build, rollups_build_due
from reports.services.submissions import report_review
from rollout.models import JobRun, Role
from tests.factories import CheckInFactory, UserFactory, VenueFactory, district
from tests.reports.conftest import LAST_WEEK, local
from venues.models import CheckIn

pytestmark = pytest.mark.django_db
FIRST_FIGURE_COLUMN = 9  # I: the summary's first figure column


@pytest.fixture
def week_sent(send, district_officer, other_district_officer, bat_xat, sa_pa):
    """Bát Xát on time, Sa Pa late, Lào Cai city on time; the six others missing."""
    city = UserFactory.with_role(Role.DISTRICT_OFFICER, district=district("lao_cai"))
    send(district_officer, bat_xat, LAST_WEEK, at=local(LAST_WEEK, "15:00"), difficulties="=1+1")
    send(other_district_officer, sa_pa, LAST_WEEK, at=local("2021-11-06", "09:00"), venues_with_qr=70)
    send(city, district("lao_cai"), LAST_WEEK, at=local("2021-11-04", "10:00"), vneid_installs=30000)
    send(district_officer, bat_xat, LAST_WEEK - _week(), at=local("2021-10-29", "09:00"), venues_with_qr=35)
    return city


def _week():
    from datetime import timedelta

    return timedelta(days=7)


def _summary(path: Path):
    wb = load_workbook(path)
    ws = wb.worksheets[0]
    rows = list(ws.iter_rows(min_row=SUMMARY_HEADER_ROW, values_only=True))
    # The table ends at the first empty row (the signatures come below it).
    header, body = rows[0], list(takewhile(any, rows[1:]))
    return wb, header, body[:-1], body[-1]


def _by_name(districts):
    return {row[1]: row for row in districts}


def test_summary_totals_equal_the_sum_of_the_districts(clock, week_sent):
    outcome = rollup_build(week_ending=LAST_WEEK, reason=RollupReason.SCHEDULED)
    _wb, header, districts, total = _summary(outcome.path)
    assert len(districts) == 9 == outcome.rollup.rows
    assert total[1] == "Toàn tỉnh"
    for offset in range(len(NUMBER_KEYS)):
        column = FIRST_FIGURE_COLUMN - 1 + offset
        assert total[column] == sum(row[column] or 0 for row in districts), header[column]
    assert total[FIRST_FIGURE_COLUMN] == 40 + 70 + 40  # venues with QR: the three reports


def test_missing_late_and_on_time_districts_show_as_such(clock, week_sent):
    outcome = rollup_build(week_ending=LAST_WEEK, reason=RollupReason.SCHEDULED)
    _wb, header, districts, total = _summary(outcome.path)
    rows = _by_name(districts)
    assert header[3] == "Trạng thái"
    assert rows["Huyện Bát Xát"][3] == "Đúng hạn"
    assert rows["Thị xã Sa Pa"][3] == "Muộn"
    assert rows["Huyện Si Ma Cai"][3] == "Chưa gửi" and rows["Huyện Si Ma Cai"][8] is None
    assert rows["Thị xã Sa Pa"][5] == local("2021-11-06", "09:00").replace(tzinfo=None)
    assert total[3] == "Đã gửi 3/9"
    assert outcome.rollup.summary | {"totals": None} == {
        "on_time": 2, "late": 1, "missing": 6, "approved": 0, "returned": 0, "districts": 9, "totals": None,
    }  # fmt: skip


def test_the_chart_of_installs_by_district_exists(clock, week_sent):
    outcome = rollup_build(week_ending=LAST_WEEK, reason=RollupReason.SCHEDULED)
    wb = load_workbook(outcome.path)
    assert wb.sheetnames == [
        "Tổng hợp", "Theo dõi thực hiện chỉ đạo", "Nội dung", "Số liệu hệ thống", "So với tuần trước", "Biểu đồ"
    ]  # fmt: skip
    charts = wb["Biểu đồ"]._charts
    assert len(charts) == 1 and isinstance(charts[0], BarChart)
    assert len(charts[0].series) == 3
    with zipfile.ZipFile(outcome.path) as zf:
        assert any(name.startswith("xl/charts/chart") for name in zf.namelist())


def test_details_keep_texts_as_text_and_other_sheets_add_up(clock, week_sent):
    VenueFactory(district=district("bat_xat"))
    outcome = rollup_build(week_ending=LAST_WEEK, reason=RollupReason.SCHEDULED)
    wb = load_workbook(outcome.path)
    details = {row[0].value: row for row in wb["Nội dung"].iter_rows(min_row=5)}
    assert details["Huyện Bát Xát"][2].value == "=1+1" and details["Huyện Bát Xát"][2].data_type == "s"
    system = list(wb["Số liệu hệ thống"].iter_rows(min_row=5, values_only=True))
    assert system[-1][0] == "Toàn tỉnh"
    for column in range(1, len(system[0])):
        assert system[-1][column] == sum(row[column] for row in system[:-1])
    changes = {row[0]: row for row in wb["So với tuần trước"].iter_rows(min_row=6, values_only=True)}
    # Venues with QR (2nd figure): this week 40, previous week 35, change +5.
    assert changes["Huyện Bát Xát"][4:7] == (40, 35, 5)
    assert changes["Thị xã Sa Pa"][4:7] == (70, None, None)


def test_a_late_report_after_the_rollup_builds_a_new_revision(
    clock, week_sent, send, bat_xat, django_capture_on_commit_callbacks
):
    rollup_build(week_ending=LAST_WEEK, reason=RollupReason.SCHEDULED)
    officer = UserFactory.with_role(Role.DISTRICT_OFFICER, district=district("si_ma_cai"))
    with django_capture_on_commit_callbacks(execute=True):
        send(officer, district("si_ma_cai"), LAST_WEEK, at=local("2021-11-08", "10:00"))
    revisions = list(Rollup.objects.filter(week_ending=LAST_WEEK).order_by("revision"))
    assert [(r.revision, r.reason) for r in revisions] == [(1, "scheduled"), (2, "late_report")]
    _wb, _h, districts, _t = _summary(Path(settings.PRIVATE_FILES_ROOT) / revisions[1].file_path)
    assert _by_name(districts)["Huyện Si Ma Cai"][3] == "Muộn"
    assert (Path(settings.PRIVATE_FILES_ROOT) / revisions[0].file_path).exists()  # every revision is kept


def test_an_approval_builds_a_new_revision(
    clock, week_sent, province_admin, bat_xat, django_capture_on_commit_callbacks
):
    from reports.models import WeeklyReport

    rollup_build(week_ending=LAST_WEEK, reason=RollupReason.SCHEDULED)
    report = WeeklyReport.objects.get(district=bat_xat, week_ending=LAST_WEEK)
    with django_capture_on_commit_callbacks(execute=True):
        report_review(by=province_admin, report=report, version_number=1, decision="approved")
    latest = Rollup.objects.filter(week_ending=LAST_WEEK).latest("revision")
    assert (latest.revision, latest.reason, latest.summary["approved"]) == (2, "approval", 1)


def test_an_unchanged_week_is_not_built_twice_unless_forced(clock, week_sent):
    first = rollup_build(week_ending=LAST_WEEK, reason=RollupReason.LATE_REPORT)
    again = rollup_build(week_ending=LAST_WEEK, reason=RollupReason.LATE_REPORT)
    assert again.built is False and again.rollup.pk == first.rollup.pk
    forced = rollup_build(week_ending=LAST_WEEK, reason=RollupReason.MANUAL, force=True)
    assert forced.rollup.revision == 2
    assert JobRun.objects.filter(job="weekly_rollup", status="succeeded").count() == 3
    assert "không thay đổi" in JobRun.objects.order_by("started_at", "pk")[1].result  # a frozen clock: ties


def test_the_schedule_builds_after_1730_friday_once_and_catches_up_a_missed_week(clock, week_sent):
    clock.move_to(local(LAST_WEEK, "17:29"))
    # Not yet this week's; the week before had none (the system is new), so it is caught up.
    assert [o.rollup.week_ending.isoformat() for o in rollups_build_due()] == ["2021-10-29"]
    clock.move_to(local(LAST_WEEK, "17:30"))
    assert [o.rollup.week_ending for o in rollups_build_due()] == [LAST_WEEK]
    assert rollups_build_due() == []  # a second run (retry, duplicate beat) builds nothing
    # The system was down on Friday 12/11: Saturday's run catches up.
    clock.move_to(local("2021-11-13", "17:30"))
    assert [o.rollup.week_ending.isoformat() for o in rollups_build_due()] == ["2021-11-12"]
    assert Rollup.objects.count() == 3


def test_checkin_counts_survive_the_retention_purge_in_later_revisions(clock, week_sent, bat_xat):
    from reports.models import Rollup as R

    venue = VenueFactory(district=bat_xat)
    CheckInFactory(venue=venue, checked_in_at=local("2021-11-03", "09:00"))
    CheckInFactory(venue=venue, checked_in_at=local("2021-11-04", "09:00"))
    rollup_build(week_ending=LAST_WEEK, reason=RollupReason.SCHEDULED)
    CheckIn.objects.all().delete()  # the retention job ran
    second = rollup_build(week_ending=LAST_WEEK, reason=RollupReason.MANUAL, force=True)
    assert R.objects.get(pk=second.rollup.pk).system_figures[str(bat_xat.pk)]["checkins"] == 2


def test_a_failed_write_leaves_no_ready_revision(clock, week_sent, monkeypatch):
    def broken(wb, path):
        raise OSError("disk full")

    monkeypatch.setattr("reports.services.rollups.save_workbook_atomic", broken)
    with pytest.raises(OSError):
        rollup_build(week_ending=LAST_WEEK, reason=RollupReason.SCHEDULED)
    assert list(Rollup.objects.values_list("status", flat=True)) == ["failed"]
    assert JobRun.objects.get(job="weekly_rollup").status == "failed"


def test_the_command_prints_each_file_and_its_row_count(clock, week_sent):
    out = io.StringIO()
    call_command("build_weekly_rollup", "--week-ending", "2021-11-05", stdout=out)
    path, rows = out.getvalue().strip().rsplit(" ", 1)
    assert Path(path).is_file() and rows == "9"
    assert Path(path).parent.parent.parent == Path(settings.PRIVATE_FILES_ROOT)
    out = io.StringIO()
    call_command("build_weekly_rollup", stdout=out)  # default: the latest week past its deadline
    assert "2021-11-05" in out.getvalue()
    with pytest.raises(CommandError, match="Friday"):
        call_command("build_weekly_rollup", "--week-ending", "2021-11-04")
    with pytest.raises(CommandError):
        call_command("build_weekly_rollup", "--week-ending", "05/11/2021")
