"""Every page and API endpoint of the weekly reports: the owner, another district, province roles, an outsider."""

from __future__ import annotations

import io
from datetime import timedelta

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from reports.models import ReportState, RollupReason, WeeklyReport
from reports.services.rollups import rollup_build
from rollout.models import AuditEvent, Notification
from rollout.services.audit import Action
from tests.reports.conftest import CURRENT_WEEK, LAST_WEEK, local, values

pytestmark = pytest.mark.django_db
PERSONAS = ["district_officer", "other_district_officer", "province_admin", "province_viewer", "outsider"]


@pytest.fixture
def sent(send, district_officer, bat_xat):
    done = send(district_officer, bat_xat, LAST_WEEK, at=local(LAST_WEEK, "11:00"))
    rollup = rollup_build(week_ending=LAST_WEEK, reason=RollupReason.SCHEDULED).rollup
    return done.report, rollup


def _kw(district=82, week=LAST_WEEK, **extra):
    return {"code": district, "week": week, **extra}


# (url name, kwargs, method, expected status per persona in PERSONAS order)
ENDPOINTS = [
    ("reports:report-list", {}, "get", [200, 200, 200, 200, 403]),
    ("reports:completeness-grid", {}, "get", [200, 200, 200, 200, 403]),
    ("reports:report-detail", _kw(), "get", [200, 404, 200, 200, 404]),
    ("reports:report-edit", _kw(week=CURRENT_WEEK), "get", [200, 404, 404, 404, 404]),
    ("reports:report-template", _kw(), "get", [200, 404, 200, 200, 404]),
    ("reports:report-version", _kw(number=1), "get", [200, 404, 200, 200, 404]),
    ("reports:report-upload", _kw(), "post", [400, 404, 404, 404, 404]),
    ("reports:report-review", _kw(), "post", [404, 404, 400, 404, 404]),
    ("reports:rollup-list", {}, "get", [403, 403, 200, 200, 403]),
    ("reports:reminder-settings", {}, "get", [403, 403, 200, 403, 403]),
]


@pytest.mark.parametrize(("name", "kwargs", "method", "expected"), ENDPOINTS, ids=[e[0] for e in ENDPOINTS])
def test_who_may_open_each_page(clock, sent, request, client_for, name, kwargs, method, expected):
    url = reverse(name, kwargs=kwargs)
    for persona, status in zip(PERSONAS, expected, strict=True):
        client = client_for(request.getfixturevalue(persona))
        response = getattr(client, method)(url)
        assert response.status_code == status, (persona, response.status_code)
    anonymous = getattr(client_for(None), method)(url)
    assert anonymous.status_code == 302 and "/accounts/login/" in anonymous["Location"]


def test_rollup_download_is_for_province_staff_and_audited(clock, sent, request, client_for):
    _report, rollup = sent
    url = reverse("reports:rollup-download", kwargs={"pk": rollup.pk})
    for persona, status in zip(PERSONAS, [404, 404, 200, 200, 404], strict=True):
        response = client_for(request.getfixturevalue(persona)).get(url)
        assert response.status_code == status, persona
        if status == 200:
            wb = load_workbook(io.BytesIO(b"".join(response.streaming_content)))
            assert wb.sheetnames[0] == "Tổng hợp"
    assert AuditEvent.objects.filter(action=Action.DOWNLOAD, object_id=str(rollup.pk)).count() == 2


def test_other_district_officers_never_see_another_districts_report_in_lists(
    clock, sent, client_for, other_district_officer
):
    client = client_for(other_district_officer)
    for name in ("reports:report-list", "reports:completeness-grid"):
        page = client.get(reverse(name)).content.decode()
        assert "Thị xã Sa Pa" in page and "Huyện Bát Xát" not in page


def test_province_overview_shows_every_district_for_the_week(clock, sent, client_for, province_viewer):
    page = client_for(province_viewer).get(reverse("reports:report-list") + "?week=2021-11-05").content.decode()
    from rollout.models import District

    for name in District.objects.filter(province_id=10).values_list("name", flat=True):
        assert name in page
    assert "Gửi đúng hạn" in page and "Huyện Si Ma Cai" in page and "Chưa gửi" in page


def test_the_web_form_saves_a_draft_then_sends(clock, client_for, district_officer, bat_xat):
    client = client_for(district_officer)
    url = reverse("reports:report-edit", kwargs=_kw(week=CURRENT_WEEK))
    data = {k: v for k, v in values().items() if v is not None}
    data["focal_officer_confirmed"] = "on"
    draft = client.post(url, {**data, "people_guided": "", "action": "draft"})
    assert draft.status_code == 302
    assert WeeklyReport.objects.get().state == ReportState.DRAFT
    missing = client.post(url, {**data, "people_guided": "", "action": "submit"})
    assert missing.status_code == 200 and "Nhập số liệu (nhập 0 nếu không có)." in missing.content.decode()
    sent = client.post(url, {**data, "action": "submit"})
    assert sent.status_code == 302
    assert WeeklyReport.objects.get().state == ReportState.ON_TIME
    detail = client.get(sent["Location"]).content.decode()
    assert "Gửi đúng hạn" in detail and "Đã gửi báo cáo (phiên bản 1) trong thời hạn." in detail


def test_the_form_shows_system_figures_beside_and_highlights_differences(clock, client_for, district_officer, bat_xat):
    from tests.factories import VenueFactory

    VenueFactory(district=bat_xat)
    client = client_for(district_officer)
    url = reverse("reports:report-edit", kwargs=_kw(week=CURRENT_WEEK))
    page = client.get(url).content.decode()
    assert 'name="venues_with_qr"' in page and 'value="1"' in page  # pre-filled from the system
    client.post(url, {"venues_with_qr": "5", "action": "draft"})
    page = client.get(url).content.decode()
    assert 'class="differs"' in page and "+4" in page


def test_a_return_without_comment_is_refused_and_with_one_the_district_sees_it(
    clock, sent, client_for, province_admin, district_officer
):
    url = reverse("reports:report-review", kwargs=_kw())
    admin = client_for(province_admin)
    refused = admin.post(url, {"decision": "returned", "version": 1, "comment": ""})
    assert refused.status_code == 400 and "Bắt buộc khi trả lại báo cáo." in refused.content.decode()
    done = admin.post(url, {"decision": "returned", "version": 1, "comment": "Bổ sung số liệu xử phạt."})
    assert done.status_code == 302
    page = client_for(district_officer).get(reverse("reports:report-detail", kwargs=_kw())).content.decode()
    assert "Bị trả lại để chỉnh sửa" in page and "Bổ sung số liệu xử phạt." in page
    assert Notification.objects.filter(user=district_officer, message__contains="Bổ sung số liệu xử phạt.").exists()


def test_an_admin_can_queue_a_rollup_but_a_viewer_cannot(
    clock, sent, client_for, province_admin, province_viewer, django_capture_on_commit_callbacks
):
    url = reverse("reports:rollup-list")
    assert client_for(province_viewer).post(url, {"week_ending": "2021-11-05"}).status_code == 403
    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(province_admin).post(url, {"week_ending": "2021-11-05"})
    assert response.status_code == 302
    from reports.models import Rollup

    assert list(Rollup.objects.values_list("revision", "reason", "built_by")) == [
        (2, "manual", province_admin.pk),
        (1, "scheduled", None),
    ]
    page = client_for(province_viewer).get(url).content.decode()
    assert page.count("/download/") == 2


def test_an_admin_switches_a_districts_reminders_off(clock, client_for, province_admin, bat_xat):
    from reports.models import DistrictReportSetting

    response = client_for(province_admin).post(
        reverse("reports:reminder-settings"), {"district": bat_xat.pk, "enabled": "0"}
    )
    assert response.status_code == 302
    assert DistrictReportSetting.objects.get(district=bat_xat).reminders_enabled is False


def test_home_sections_show_the_weeks_reports(clock, sent, client_for, district_officer, province_admin):
    page = client_for(district_officer).get(reverse("dashboard")).content.decode()
    assert "Mở báo cáo tuần này" in page and "Chưa bắt đầu" in page
    page = client_for(province_admin).get(reverse("dashboard")).content.decode()
    assert "Báo cáo tuần của các huyện" in page and "Bảng tổng hợp mới nhất" in page


# --- API --------------------------------------------------------------------------------------


def test_weekly_reports_api_is_scoped_and_has_download_urls(clock, sent, request, client_for):
    report, _rollup = sent
    for persona, count in zip(PERSONAS, [1, 0, 1, 1, 0], strict=True):
        client = client_for(request.getfixturevalue(persona))
        data = client.get("/api/v1/weekly-reports/").json()
        assert data["count"] == count, persona
        detail = client.get(f"/api/v1/weekly-reports/{report.pk}/")
        assert detail.status_code == (200 if count else 404), persona
        download = client.get(f"/api/v1/weekly-reports/{report.pk}/download/")
        assert download.status_code == (200 if count else 404), persona
    row = client_for(request.getfixturevalue("province_viewer")).get("/api/v1/weekly-reports/?week=2021-11-05").json()
    item = row["results"][0]
    assert item["state"] == "on_time" and item["district"] == 82 and item["version"] == 1
    assert item["download_url"].endswith(f"/api/v1/weekly-reports/{report.pk}/download/")
    assert client_for(None).get("/api/v1/weekly-reports/").status_code in (401, 403)


def test_province_sees_what_was_sent_while_the_district_sees_its_unsent_changes(
    clock, sent, client_for, district_officer, province_viewer, bat_xat
):
    from reports.services.submissions import report_draft_save

    report_draft_save(by=district_officer, district=bat_xat, week_ending=LAST_WEEK, values=values(people_guided=999))
    own = client_for(district_officer).get("/api/v1/weekly-reports/").json()["results"][0]
    theirs = client_for(province_viewer).get("/api/v1/weekly-reports/").json()["results"][0]
    assert own["figures"]["people_guided"] == 999
    assert theirs["figures"]["people_guided"] == 250


def test_rollups_api_is_for_province_staff(clock, sent, request, client_for):
    _report, rollup = sent
    for persona, count in zip(PERSONAS, [0, 0, 1, 1, 0], strict=True):
        client = client_for(request.getfixturevalue(persona))
        data = client.get("/api/v1/rollups/").json()
        assert data["count"] == count, persona
        download = client.get(f"/api/v1/rollups/{rollup.pk}/download/")
        assert download.status_code == (200 if count else 404), persona
    item = client_for(request.getfixturevalue("province_admin")).get("/api/v1/rollups/?week=2021-11-05").json()
    assert item["results"][0]["download_url"].endswith(f"/api/v1/rollups/{rollup.pk}/download/")
    assert item["results"][0]["rows"] == 9


def test_api_tokens_can_download_a_rollup(clock, sent, province_admin):
    from rest_framework.authtoken.models import Token
    from rest_framework.test import APIClient

    _report, rollup = sent
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=province_admin).key}")
    response = client.get(f"/api/v1/rollups/{rollup.pk}/download/")
    assert response.status_code == 200
    assert AuditEvent.objects.filter(action=Action.DOWNLOAD, actor=province_admin).exists()


def test_the_reports_api_does_not_query_per_report(
    clock, send, client_for, province_viewer, django_assert_max_num_queries
):
    from rollout.models import Role
    from tests.factories import UserFactory, district

    for short in ("bat_xat", "sa_pa", "lao_cai", "bac_ha", "van_ban"):
        officer = UserFactory.with_role(Role.DISTRICT_OFFICER, district=district(short))
        send(officer, district(short), LAST_WEEK)
        send(officer, district(short), LAST_WEEK - timedelta(days=7))
    client = client_for(province_viewer)
    with django_assert_max_num_queries(8):
        data = client.get("/api/v1/weekly-reports/").json()
    assert data["count"] == 10
