"""App adoption by agencies: form, XLSX import (preview, confirm), history, laggards, scope, API."""

from __future__ import annotations

import io
from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import Workbook, load_workbook

from platforms.models import AdoptionUpdate
from platforms.services.adoption import import_columns
from rollout.models import Agency
from rollout.timeutils import local_today
from tests.factories import AgencyFactory

pytestmark = pytest.mark.django_db


def form(**overrides) -> dict:
    data = {
        "reported_on": local_today().isoformat(),
        "staff_headcount": 40,
        "pc_covid": 30,
        "health_book": 12,
        "vneid": 20,
    }
    return data | overrides


def url(agency: Agency) -> str:
    return reverse("platforms:adoption-agency", args=[agency.pk])


# --- The agency's page: form and history ------------------------------------------------------


def test_agency_admin_reports_figures_and_every_update_is_kept(client_for, agency_admin, agency):
    client = client_for(agency_admin)
    assert client.post(url(agency), form(pc_covid=20)).status_code == 302
    assert client.post(url(agency), form(pc_covid=35, staff_headcount=45)).status_code == 302
    assert list(agency.adoption_updates.order_by("created_at").values_list("pc_covid", flat=True)) == [20, 35]
    agency.refresh_from_db()
    assert agency.staff_headcount == 45  # follows the latest figures
    page = client.get(url(agency))
    assert [u.pc_covid for u in page.context["history"]] == [35, 20]
    assert page.context["chart"] is not None  # the trend


def test_installs_above_headcount_are_refused_and_nothing_is_saved(client_for, agency_admin, agency):
    response = client_for(agency_admin).post(url(agency), form(staff_headcount=10, vneid=11))
    assert response.status_code == 200
    assert "không được vượt quá tổng số cán bộ, nhân viên (10)" in response.content.decode()
    assert "vneid" in response.context["form"].errors
    assert not AdoptionUpdate.objects.exists()


def test_the_headcount_message_writes_figures_with_thousands_separators(client_for, agency_admin, agency):
    response = client_for(agency_admin).post(url(agency), form(staff_headcount=1200, pc_covid=1500))
    assert "Số cài đặt (1.500) không được vượt quá tổng số cán bộ, nhân viên (1.200)." in response.content.decode()


def test_a_future_date_is_refused(client_for, agency_admin, agency):
    response = client_for(agency_admin).post(url(agency), form(reported_on=(local_today() + timedelta(1)).isoformat()))
    assert "reported_on" in response.context["form"].errors
    assert not AdoptionUpdate.objects.exists()


def test_other_agency_admin_can_neither_see_nor_update(client_for, agency_admin, bat_xat):
    other = AgencyFactory(district=bat_xat)
    client = client_for(agency_admin)
    assert client.get(url(other)).status_code == 404
    assert client.post(url(other), form()).status_code == 404
    assert not AdoptionUpdate.objects.exists()


def test_district_officer_updates_own_districts_agencies_only(client_for, district_officer, agency, sa_pa):
    client = client_for(district_officer)
    assert client.post(url(agency), form()).status_code == 302
    sa_pa_agency = AgencyFactory(district=sa_pa)
    assert client.post(url(sa_pa_agency), form()).status_code == 404
    assert AdoptionUpdate.objects.count() == 1


def test_province_viewer_reads_but_cannot_update(client_for, province_viewer, agency):
    client = client_for(province_viewer)
    response = client.get(url(agency))
    assert response.status_code == 200 and response.context["form"] is None
    assert client.post(url(agency), form()).status_code == 403
    assert not AdoptionUpdate.objects.exists()


@pytest.mark.parametrize("persona", ["outsider", "health_officer", "facility_staff"])
def test_roles_without_agencies_get_nothing(request, client_for, persona, agency):
    client = client_for(request.getfixturevalue(persona))
    assert client.get(url(agency)).status_code == 404
    assert client.post(url(agency), form()).status_code == 404
    assert client.get(reverse("platforms:adoption-list")).context["page"].paginator.count == 0
    assert client.get(reverse("platforms:adoption-import")).status_code == 403
    assert client.get(reverse("platforms:adoption-template")).status_code == 403


# --- The list: laggards first -----------------------------------------------------------------


def test_laggards_are_ranked_first_per_district(client_for, district_officer, bat_xat, sa_pa):
    today = local_today()
    ahead = AgencyFactory(district=bat_xat, name="Đi đầu")
    behind = AgencyFactory(district=bat_xat, name="Chậm")
    silent = AgencyFactory(district=bat_xat, name="Im lặng")
    elsewhere = AgencyFactory(district=sa_pa, name="Ngoài huyện")
    for agency, pc in ((ahead, 38), (behind, 5), (elsewhere, 0)):
        AdoptionUpdate.objects.create(
            agency=agency, reported_on=today, staff_headcount=40, pc_covid=pc, health_book=pc, vneid=pc
        )
    rows = list(client_for(district_officer).get(reverse("platforms:adoption-list")).context["page"])
    assert [r.agency.pk for r in rows] == [silent.pk, behind.pk, ahead.pk]  # never reported, lowest rate, best


def test_province_sees_every_district_and_the_summary(client_for, province_viewer, bat_xat, sa_pa):
    for d in (bat_xat, sa_pa):
        agency = AgencyFactory(district=d)
        AdoptionUpdate.objects.create(
            agency=agency, reported_on=local_today(), staff_headcount=10, pc_covid=5, health_book=5, vneid=5
        )
    response = client_for(province_viewer).get(reverse("platforms:adoption-list"))
    assert response.context["page"].paginator.count == 2
    assert [t.label for t in response.context["summary"]] == ["Huyện Bát Xát", "Thị xã Sa Pa"]
    assert response.context["summary"][0].pc_covid_pct == 50.0
    filtered = client_for(province_viewer).get(reverse("platforms:adoption-list"), {"district": sa_pa.pk})
    assert [r.agency.district_id for r in filtered.context["page"]] == [sa_pa.pk]


# --- XLSX import ------------------------------------------------------------------------------


def sheet(rows: list[list], headers: list[str] | None = None) -> SimpleUploadedFile:
    wb = Workbook()
    ws = wb.active
    ws.append(headers or [str(c.header) for c in import_columns()])
    for r in rows:
        ws.append(r)
    buffer = io.BytesIO()
    wb.save(buffer)
    return SimpleUploadedFile("adoption.xlsx", buffer.getvalue())


def test_template_is_prefilled_with_the_users_agencies(client_for, agency_admin, agency):
    response = client_for(agency_admin).get(reverse("platforms:adoption-template"))
    assert response.status_code == 200
    wb = load_workbook(io.BytesIO(response.content))
    ws = wb.worksheets[0]
    assert [c.value for c in ws[1]][:4] == [
        "Mã cơ quan, đơn vị *",
        "Tên cơ quan, đơn vị",
        "Số liệu tính đến ngày",
        "Tổng số cán bộ, nhân viên *",
    ]
    assert "Các cột có dấu * là bắt buộc." in [row[0].value for row in wb["Hướng dẫn"].iter_rows()]
    assert ws["A2"].value == agency.pk and ws["B2"].value == agency.name and ws["D2"].value == 40
    assert ws.max_row == 2  # only the agency the admin may update


def test_import_previews_then_saves_everything_on_confirm(client_for, district_officer, agency, bat_xat):
    other = AgencyFactory(district=bat_xat)
    client = client_for(district_officer)
    upload = sheet([[agency.pk, "", "02/11/2021", 40, 30, 10, 20], [other.pk, "", None, 12, 12, 0, 3]])
    response = client.post(reverse("platforms:adoption-import"), {"file": upload}, follow=True)
    assert response.status_code == 200 and len(response.context["result"]["kept"]) == 2
    assert not AdoptionUpdate.objects.exists()  # nothing before confirming
    response = client.post(reverse("import-job-confirm", args=[response.context["job"].pk]))
    assert response.status_code == 302
    assert AdoptionUpdate.objects.count() == 2
    assert AdoptionUpdate.objects.get(agency=other).reported_on == local_today()  # empty date: today
    # The same file again adds nothing.
    response = client.post(
        reverse("platforms:adoption-import"),
        {"file": sheet([[agency.pk, "", "02/11/2021", 40, 30, 10, 20], [other.pk, "", None, 12, 12, 0, 3]])},
        follow=True,
    )
    assert not response.context["result"]["kept"] and "Mọi dòng đều đã có" in response.content.decode()
    assert AdoptionUpdate.objects.count() == 2


def test_import_reports_each_bad_cell_and_saves_nothing(client_for, district_officer, agency, sa_pa):
    foreign = AgencyFactory(district=sa_pa)
    upload = sheet(
        [
            [agency.pk, "", "02/11/2021", 10, 11, 0, 0],  # E2: installs above headcount
            [foreign.pk, "", None, 5, 1, 1, 1],  # A3: not the officer's district
            [agency.pk, "", "31/02/2021", 5, 1, 1, 1],  # C4: not a date
            [agency.pk, "", "02/11/2021", 10, 1, 1, 1],  # A5: same agency and date as row 2
            [agency.pk, "", "03/11/2021", "mười", 1, 1, 1],  # D6: not a number
        ]
    )
    client = client_for(district_officer)
    response = client.post(reverse("platforms:adoption-import"), {"file": upload}, follow=True)
    cells = {e["cell"] for r in response.context["result"]["rows"] for e in r["errors"]}
    assert cells == {"E2", "A3", "C4", "A5", "D6"}
    assert "A3" in response.content.decode() and "Chưa có gì được lưu" in response.content.decode()
    assert client.post(reverse("import-job-confirm", args=[response.context["job"].pk])).status_code == 302
    assert not AdoptionUpdate.objects.exists()


def test_import_needs_the_template_columns(client_for, agency_admin):
    upload = sheet([[1, 2]], headers=["Agency", "Something"])
    response = client_for(agency_admin).post(reverse("platforms:adoption-import"), {"file": upload})
    assert response.status_code == 400
    assert "Dòng 1 thiếu cột: Mã cơ quan, đơn vị" in response.context["form"].errors["file"][0]
    assert not AdoptionUpdate.objects.exists()


# --- API --------------------------------------------------------------------------------------


def test_api_lists_updates_in_scope(
    client_for, agency_admin, district_officer, other_district_officer, outsider, agency
):
    AdoptionUpdate.objects.create(
        agency=agency, reported_on=local_today(), staff_headcount=40, pc_covid=1, health_book=1, vneid=1
    )
    path = reverse("api:adoption-update-list")
    assert client_for(agency_admin).get(path).json()["count"] == 1
    assert client_for(district_officer).get(path).json()["count"] == 1
    assert client_for(other_district_officer).get(path).json()["count"] == 0
    assert client_for(outsider).get(path).json()["count"] == 0
    assert client_for(None).get(path).status_code in (401, 403)


def test_api_post_adds_an_update_for_an_agency_the_caller_may_update(client_for, agency_admin, agency, bat_xat):
    path = reverse("api:adoption-update-list")
    body = {"agency": agency.pk, "staff_headcount": 40, "pc_covid": 33, "health_book": 9, "vneid": 12}
    response = client_for(agency_admin).post(path, body, content_type="application/json")
    assert response.status_code == 201, response.content
    assert response.json()["reported_on"] == local_today().isoformat()
    other = AgencyFactory(district=bat_xat)
    response = client_for(agency_admin).post(path, body | {"agency": other.pk}, content_type="application/json")
    assert response.status_code == 400 and "agency" in response.json()["extra"]["fields"]
    response = client_for(agency_admin).post(path, body | {"vneid": 41}, content_type="application/json")
    assert response.status_code == 400 and "vneid" in response.json()["extra"]["fields"]
    assert AdoptionUpdate.objects.count() == 1


def test_import_names_every_problem_of_a_row_in_one_preview(client_for, district_officer, agency, sa_pa):
    # An agency the officer may not update and installs above the headcount, beside an unreadable date:
    # all three at once.
    foreign = AgencyFactory(district=sa_pa)
    upload = sheet([[foreign.pk, "", "31/02/2021", 10, 11, 0, 0]])
    response = client_for(district_officer).post(reverse("platforms:adoption-import"), {"file": upload}, follow=True)
    cells = sorted(e["cell"] for r in response.context["result"]["rows"] for e in r["errors"])
    assert cells == ["A2", "C2", "E2"]
    assert not AdoptionUpdate.objects.exists()
