"""Daily per-district lists (SPEC §5): content, boundaries, revisions, catch-up, downloads, e-mail."""

from __future__ import annotations

import io
from datetime import date, datetime, timedelta

import pytest
from django.core import mail
from django.core.management import CommandError, call_command
from django.urls import reverse
from openpyxl import load_workbook

from checkpoints.models import DailyList
from checkpoints.services.daily_lists import (
    daily_list_build,
    daily_lists_due,
    daily_lists_purge,
    daily_lists_run,
)
from rollout.models import AuditEvent, JobRun, Notification
from rollout.timeutils import local_today
from tests.checkpoints.conftest import HEADER_ROW, read_list
from tests.factories import district

pytestmark = pytest.mark.django_db
DAY = date(2021, 11, 2)


def test_list_has_title_block_vietnamese_headers_frozen_header_and_real_dates(arrival, files_root):
    arrival(at="2021-11-02 08:15", full_name="Lò Văn Sử", id_number="012345678901", phone="0987654321")
    daily_list = daily_list_build(district=district("bat_xat"), day=DAY)
    ws = load_workbook(files_root / daily_list.file).active
    assert ws["A1"].value == "Danh sách người đến Huyện Bát Xát"
    assert [ws.cell(row=r, column=1).value for r in range(2, 6)] == [
        "Huyện", "Ngày", "Thời điểm lập", "Số dòng",
    ]  # fmt: skip
    assert ws["B2"].value == "Huyện Bát Xát"
    assert ws["B3"].value == datetime(2021, 11, 2) and ws["B3"].number_format == "dd/mm/yyyy"
    assert ws["B4"].is_date
    assert ws["B5"].value == 1
    assert "dữ liệu cá nhân" in ws["A6"].value
    headers = [c.value for c in ws[HEADER_ROW]]
    assert headers[:6] == ["STT", "Thời điểm đến", "Họ và tên", "Năm sinh", "Số CMND/CCCD", "Số điện thoại"]
    assert "Chốt kiểm soát" in headers and "Huyện đến" not in headers
    assert ws.freeze_panes == f"A{HEADER_ROW + 1}"
    assert ws.column_dimensions["C"].width == 26
    row = ws[HEADER_ROW + 1]
    assert row[1].value == datetime(2021, 11, 2, 8, 15) and row[1].number_format == "dd/mm/yyyy hh:mm"
    assert [row[0].value, row[2].value, row[4].value, row[5].value] == [1, "Lò Văn Sử", "012345678901", "0987654321"]


def test_arrival_just_before_midnight_lands_in_that_day_and_just_after_in_the_next(arrival, files_root):
    arrival(at="2021-11-02 23:59", full_name="Trước nửa đêm")
    arrival(at="2021-11-03 00:01", full_name="Sau nửa đêm")
    first = daily_list_build(district=district("bat_xat"), day=DAY)
    second = daily_list_build(district=district("bat_xat"), day=DAY + timedelta(days=1))
    assert [r[2] for r in read_list(first, files_root)[1]] == ["Trước nửa đêm"]
    assert [r[2] for r in read_list(second, files_root)[1]] == ["Sau nửa đêm"]


def test_each_district_list_holds_exactly_the_arrivals_bound_for_it(arrival, files_root):
    for n in range(3):
        arrival("bat_xat", at=f"2021-11-02 0{n}:00")
    arrival("sa_pa", at="2021-11-02 12:00")
    built = {d.district.short_codename: d for d in daily_lists_run(day=DAY, notify=False)}
    assert len(built) == 9
    assert built["bat_xat"].rows == 3 and built["sa_pa"].rows == 1 and built["bac_ha"].rows == 0
    assert len(read_list(built["bat_xat"], files_root)[1]) == 3


def test_name_beginning_with_equals_is_stored_as_text_not_a_formula(arrival, files_root):
    arrival(full_name='=HYPERLINK("http://evil.example","bấm")', notes="=1+1")
    ws, _ = read_list(daily_list_build(district=district("bat_xat"), day=DAY), files_root)
    name = ws.cell(row=HEADER_ROW + 1, column=3)
    assert name.data_type == "s" and name.value.startswith("=HYPERLINK")
    notes = [c.value for c in ws[HEADER_ROW]].index("Ghi chú") + 1
    assert ws.cell(row=HEADER_ROW + 1, column=notes).value == "=1+1"
    assert ws.cell(row=HEADER_ROW + 1, column=notes).data_type == "s"


def test_control_characters_do_not_break_the_workbook(arrival, files_root):
    arrival(full_name="Nguyễn\x01 Văn An")
    _, rows = read_list(daily_list_build(district=district("bat_xat"), day=DAY), files_root)
    assert rows[0][2] == "Nguyễn Văn An"


def test_a_day_without_arrivals_gets_a_file_that_says_so(files_root, units):
    daily_list = daily_list_build(district=district("sa_pa"), day=DAY)
    ws, rows = read_list(daily_list, files_root)
    assert daily_list.rows == 0 and ws["B5"].value == 0
    assert [r[:2] for r in rows] == [(None, "Không có người đến địa bàn trong ngày này.")]


def test_rerunning_a_day_writes_a_new_revision_that_replaces_the_file(arrival, files_root):
    arrival()
    first = daily_list_build(district=district("bat_xat"), day=DAY)
    arrival(at="2021-11-02 11:00")
    again = daily_list_build(district=district("bat_xat"), day=DAY)
    assert DailyList.objects.count() == 1
    assert (again.pk, again.revision, again.rows) == (first.pk, 2, 2)
    assert again.checksum != first.checksum and again.size == (files_root / again.file).stat().st_size
    assert len(read_list(again, files_root)[1]) == 2
    assert [p.name for p in (files_root / again.file).parent.iterdir()] == [(files_root / again.file).name]


def test_a_leftover_temporary_file_of_a_killed_run_is_removed_by_the_next(arrival, files_root):
    final = files_root / daily_list_build(district=district("bat_xat"), day=DAY).file
    orphan = final.parent / f".{final.name}.abc123.part"
    orphan.write_bytes(b"half a workbook")
    daily_list_build(district=district("bat_xat"), day=DAY)
    assert not orphan.exists()


def test_late_arrival_for_a_past_day_regenerates_its_list(arrival, checkpoint_staff, checkpoint, files_root):
    from checkpoints.services.arrivals import ArrivalInput, arrival_record
    from tests.outbox import run_due_followups, waiting

    daily_list_build(district=district("bat_xat"), day=DAY)
    data = ArrivalInput(
        checkpoint=checkpoint.pk, arrived_at=datetime.fromisoformat("2021-11-02T20:00:00+07:00"),
        full_name="Đến muộn", phone="0912345678", destination_district=district("bat_xat").pk,
    )  # fmt: skip
    arrival_record(by=checkpoint_staff, data=data)
    arrival_record(by=checkpoint_staff, data=data, on_duplicate="confirm")  # a second late one: coalesced
    assert len(waiting("checkpoints.tasks.daily_list_refresh_task")) == 1
    run_due_followups()
    daily_list = DailyList.objects.get(district=district("bat_xat"), day=DAY)
    assert (daily_list.revision, daily_list.rows) == (2, 2)
    assert JobRun.objects.filter(job="daily_list_refresh", status="succeeded").count() == 1


def test_scheduled_run_builds_yesterday_and_catches_up_missed_days_only(units, settings):
    settings.DAILY_LISTS_CATCH_UP_DAYS = 3
    today = local_today()
    assert set(daily_lists_due(today)) == {today - timedelta(days=1)}  # a new installation: no back-fill
    daily_lists_run(day=today - timedelta(days=6), notify=False)
    bat_xat = district("bat_xat")
    daily_list_build(district=bat_xat, day=today - timedelta(days=2), notify=False)
    due = daily_lists_due(today)
    assert sorted(due) == [today - timedelta(days=n) for n in (4, 3, 2, 1)]
    assert bat_xat.pk not in due[today - timedelta(days=2)] and len(due[today - timedelta(days=2)]) == 8
    built = daily_lists_run(notify=False)
    assert len(built) == 4 * 9 - 1
    assert daily_lists_due(today) == {}
    assert daily_lists_run(notify=False) == []  # a retried run finds nothing left to do
    run = JobRun.objects.filter(job="daily_lists_build").first()
    assert run.status == "succeeded" and run.result.startswith("0 danh sách")


def test_command_prints_one_line_per_file_with_path_and_rows(arrival, files_root):
    arrival()
    out = io.StringIO()
    call_command("build_daily_lists", "--date", "2021-11-02", "--district", str(district("bat_xat").pk), stdout=out)
    lines = out.getvalue().splitlines()
    assert len(lines) == 1
    path, rows = lines[0].rsplit(" ", 1)
    assert path.endswith(".xlsx") and path.startswith(str(files_root)) and rows == "1"
    out = io.StringIO()
    call_command("build_daily_lists", "--date", "2021-11-02", "--no-email", stdout=out)
    assert len(out.getvalue().splitlines()) == 9


@pytest.mark.parametrize("args", [["--date", "2021-13-01"], ["--district", "1"]])
def test_command_refuses_bad_arguments(units, args):
    with pytest.raises((CommandError, SystemExit)):
        call_command("build_daily_lists", *args, stdout=io.StringIO(), stderr=io.StringIO())


def test_focal_officer_is_emailed_once_per_revision_and_district_officers_notified(
    arrival, focal_officers, district_officer, settings, django_capture_on_commit_callbacks
):
    settings.SITE_URL = "https://covid.laocai.gov.vn"
    arrival()
    with django_capture_on_commit_callbacks(execute=True):
        daily_list = daily_list_build(district=district("bat_xat"), day=DAY)
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["bat_xat@demo.gov.vn"]
    assert "02/11/2021" in message.subject and "Huyện Bát Xát" in message.subject
    assert f"https://covid.laocai.gov.vn/checkpoints/daily-lists/{daily_list.pk}/download/" in message.body
    assert Notification.objects.filter(user=district_officer).count() == 1
    from checkpoints.services.daily_lists import daily_list_notify

    assert daily_list_notify(daily_list_id=daily_list.pk) is False  # already told about this revision
    with django_capture_on_commit_callbacks(execute=True):
        daily_list_build(district=district("bat_xat"), day=DAY)
    assert len(mail.outbox) == 2
    assert DailyList.objects.get(pk=daily_list.pk).emailed_revision == 2


def test_purge_deletes_old_lists_and_their_files(arrival, files_root):
    old = daily_list_build(district=district("bat_xat"), day=DAY)
    kept = daily_list_build(district=district("bat_xat"), day=DAY + timedelta(days=5))
    assert daily_lists_purge(before=DAY + timedelta(days=1))[0] == 1
    assert not (files_root / old.file).exists() and (files_root / kept.file).exists()
    assert list(DailyList.objects.all()) == [kept]


# --- Who may download ---------------------------------------------------------------------------


@pytest.fixture
def lists(arrival):
    arrival("bat_xat")
    arrival("sa_pa")
    return {short: daily_list_build(district=district(short), day=DAY, notify=False) for short in ("bat_xat", "sa_pa")}


@pytest.mark.parametrize(
    ("persona", "bat_xat_status", "sa_pa_status"),
    [
        ("district_officer", 200, 404),
        ("other_district_officer", 404, 200),
        ("province_admin", 200, 200),
        ("health_officer", 200, 200),
        ("province_viewer", 404, 404),
        ("checkpoint_staff", 404, 404),
        ("outsider", 404, 404),
    ],
)
def test_download_page_only_for_own_district_and_province_staff(
    request, client_for, lists, persona, bat_xat_status, sa_pa_status
):
    client = client_for(request.getfixturevalue(persona))
    for short, expected in (("bat_xat", bat_xat_status), ("sa_pa", sa_pa_status)):
        response = client.get(reverse("checkpoints:daily-list-download", args=[lists[short].pk]))
        assert response.status_code == expected, (persona, short)
        if expected == 200:
            body = b"".join(response.streaming_content)
            assert load_workbook(io.BytesIO(body)).active["B2"].value == district(short).name


def test_district_officer_cannot_download_other_district_list_through_the_api(client_for, lists, district_officer):
    client = client_for(district_officer)
    assert client.get(f"/api/v1/daily-lists/{lists['sa_pa'].pk}/download/").status_code == 404
    assert client.get(f"/api/v1/daily-lists/{lists['sa_pa'].pk}/").status_code == 404
    assert client.get(f"/api/v1/daily-lists/{lists['bat_xat'].pk}/download/").status_code == 200


def test_every_download_is_audit_logged(client_for, lists, district_officer):
    client = client_for(district_officer)
    b"".join(client.get(reverse("checkpoints:daily-list-download", args=[lists["bat_xat"].pk])).streaming_content)
    b"".join(client.get(f"/api/v1/daily-lists/{lists['bat_xat'].pk}/download/").streaming_content)
    events = AuditEvent.objects.filter(action="download", object_id=str(lists["bat_xat"].pk))
    assert events.count() == 2 and {e.actor_id for e in events} == {district_officer.pk}


def test_anonymous_visitor_is_sent_to_sign_in(client_for, lists):
    response = client_for(None).get(reverse("checkpoints:daily-list-download", args=[lists["bat_xat"].pk]))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_api_lists_daily_lists_in_scope_with_fixed_fields(client_for, lists, district_officer, province_admin):
    body = client_for(district_officer).get("/api/v1/daily-lists/", {"date": "2021-11-02"}).json()
    assert [r["district"] for r in body["results"]] == [district("bat_xat").pk]
    row = body["results"][0]
    assert {"district", "date", "rows", "download_url"} <= set(row)
    assert row["date"] == "2021-11-02" and row["rows"] == 1
    assert row["download_url"].endswith(f"/api/v1/daily-lists/{lists['bat_xat'].pk}/download/")
    assert client_for(province_admin).get("/api/v1/daily-lists/", {"date": "2021-11-02"}).json()["count"] == 2
    assert client_for(province_admin).get("/api/v1/daily-lists/", {"date": "2021-11-03"}).json()["count"] == 0
    bad = client_for(province_admin).get("/api/v1/daily-lists/", {"date": "02/11/2021"})
    assert bad.status_code == 400 and "date" in bad.json()["extra"]["fields"]


def test_list_page_shows_own_lists_only(client_for, lists, district_officer, province_viewer):
    page = client_for(district_officer).get(reverse("checkpoints:daily-list-list")).content.decode()
    assert "Huyện Bát Xát" in page and "Thị xã Sa Pa" not in page
    assert client_for(province_viewer).get(reverse("checkpoints:daily-list-list")).status_code == 403


def test_district_home_lists_recent_daily_lists(client_for, units, district_officer):
    daily_list_build(district=district("bat_xat"), day=local_today() - timedelta(days=1), notify=False)
    daily_list_build(district=district("sa_pa"), day=local_today() - timedelta(days=1), notify=False)
    page = client_for(district_officer).get("/dashboard/").content.decode()
    assert "Danh sách người đến hằng ngày" in page
    assert page.count("/download/") == 1


def test_province_admin_can_queue_a_rebuild_of_a_day(
    client_for, province_admin, district_officer, units, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(province_admin).post(reverse("checkpoints:daily-list-build"), {"date": "2021-11-02"})
    assert response.status_code == 302
    assert DailyList.objects.filter(day=DAY).count() == 9  # eager in tests: built once committed
    denied = client_for(district_officer).post(reverse("checkpoints:daily-list-build"), {"date": "2021-11-02"})
    assert denied.status_code == 403


def test_beat_schedule_runs_the_task_at_the_configured_local_time(settings):
    entry = settings.CELERY_BEAT_SCHEDULE["daily-lists"]
    assert entry["task"] == "checkpoints.tasks.daily_lists_build_task"
    assert entry["schedule"].hour == {6} and entry["schedule"].minute == {30}
    assert settings.CELERY_TIMEZONE == "Asia/Ho_Chi_Minh"


# --- A checkpoint's own list, on demand -----------------------------------------------------------


@pytest.mark.parametrize(
    ("persona", "status"),
    [("checkpoint_staff", 200), ("province_admin", 200), ("health_officer", 200), ("district_officer", 404),
     ("province_viewer", 404), ("outsider", 404)],
)  # fmt: skip
def test_checkpoint_list_export_is_for_its_staff_and_province_staff(request, client_for, checkpoint, persona, status):
    from tests.factories import ArrivalFactory

    ArrivalFactory(checkpoint=checkpoint, destination_district=district("sa_pa"), arrived_at=datetime.fromisoformat(
        "2021-11-02T10:00:00+07:00"), full_name="Người qua chốt")  # fmt: skip
    url = reverse("checkpoints:checkpoint-export", args=[checkpoint.pk])
    response = client_for(request.getfixturevalue(persona)).get(url, {"date": "2021-11-02"})
    assert response.status_code == status
    if status == 200:
        ws = load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
        assert ws["B2"].value == checkpoint.name and ws["B5"].value == 1
        headers = [c.value for c in ws[HEADER_ROW]]
        assert "Huyện đến" in headers and "Chốt kiểm soát" not in headers
        assert ws.cell(row=HEADER_ROW + 1, column=3).value == "Người qua chốt"
        assert AuditEvent.objects.filter(action="export", object_id=str(checkpoint.pk)).count() == 1


def test_checkpoint_staff_cannot_export_another_checkpoint(client_for, checkpoint_staff, other_checkpoint):
    url = reverse("checkpoints:checkpoint-export", args=[other_checkpoint.pk])
    assert client_for(checkpoint_staff).get(url).status_code == 404


def test_no_focal_officer_means_no_email_recorded_but_officers_are_told_in_the_app(arrival, district_officer):
    from checkpoints.services.daily_lists import daily_list_notify

    daily_list = daily_list_build(district=district("bat_xat"), day=DAY, notify=False)
    assert daily_list_notify(daily_list_id=daily_list.pk) is False
    daily_list.refresh_from_db()
    assert daily_list.emailed_at is None and daily_list.emailed_revision == 1
    assert Notification.objects.filter(user=district_officer).count() == 1


def test_a_failed_email_gives_the_claim_back_for_the_retry(arrival, focal_officers, monkeypatch):
    from checkpoints.services import daily_lists

    daily_list = daily_list_build(district=district("bat_xat"), day=DAY, notify=False)

    def broken(*args, **kwargs):
        raise OSError("mail server down")

    monkeypatch.setattr(daily_lists, "email_send", broken)
    with pytest.raises(OSError):
        daily_lists.daily_list_notify(daily_list_id=daily_list.pk)
    daily_list.refresh_from_db()
    assert daily_list.emailed_revision == 0 and daily_list.emailed_at is None
    monkeypatch.undo()
    assert daily_lists.daily_list_notify(daily_list_id=daily_list.pk) is True
    daily_list.refresh_from_db()
    assert daily_list.emailed_to == "bat_xat@demo.gov.vn" and len(mail.outbox) == 1
