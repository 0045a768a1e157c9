"""The candidates workbook (SPEC §8): read back for real; the export page and API, scoped and audited."""

from __future__ import annotations

import io
import zipfile
from datetime import datetime

import pytest
from django.urls import reverse
from openpyxl import load_workbook
from python_calamine import CalamineWorkbook

from rollout.models import AuditEvent, Role
from rollout.services.audit import Action
from tests.factories import UserFactory, district
from tests.tracing.conftest import EXPECTED, F0_ID
from tracing.models import Candidate, CandidateStatus
from tracing.services.search import tracing_search
from tracing.services.workbook import candidates_workbook

pytestmark = pytest.mark.django_db

HEADER_ROW = 10  # title, 7 facts, warning, blank
HOSTILE_NAME = '=HYPERLINK("http://evil.example","Bấm vào đây")'
REASON = "Ca dương tính Nguyễn Văn An ở Bát Xát"  # free text naming the F0: never in a file


@pytest.fixture
def searched(health_officer, scenario):
    return tracing_search(by=health_officer, id_number=F0_ID, reason=REASON)


def _sheet(content: bytes):
    return load_workbook(io.BytesIO(content)).active


def _data_rows(ws) -> list[tuple]:
    return [r for r in ws.iter_rows(min_row=HEADER_ROW + 1, values_only=True) if r[0] is not None]


def test_the_workbook_has_a_title_block_one_row_per_candidate_and_no_f0_identity(searched, scenario):
    content, rows = candidates_workbook(searched, searched.candidates.order_by("rank"))
    ws = _sheet(content)
    assert rows == len(EXPECTED)
    assert f"#{searched.pk}" in ws["A1"].value
    facts = {ws.cell(row=r, column=1).value: ws.cell(row=r, column=2).value for r in range(2, HEADER_ROW - 2)}
    assert facts["Lượt truy vết"] == f"#{searched.pk}"
    assert facts["Từ ngày"] == datetime.combine(searched.start, datetime.min.time())
    assert facts["Lý do"] == "Ca bệnh xác định (F0)"
    assert facts["Số dòng"] == len(EXPECTED)
    headers = [c.value for c in ws[HEADER_ROW]]
    assert headers[:6] == ["STT", "Họ và tên", "Số điện thoại", "Số CMND/CCCD", "Huyện", "Tiếp xúc đầu tiên"]
    assert ws.freeze_panes == f"A{HEADER_ROW + 1}"
    data = _data_rows(ws)
    assert [(r[1], r[7]) for r in data] == [(name, minutes) for name, _source, minutes in EXPECTED]
    binh = next(r for r in data if r[1] == "Trần Văn Bình")
    assert binh[2] == "0912000027, 0912000017" and binh[3] == "001090000007" and binh[4] == "Huyện Bát Xát"
    assert binh[5] == scenario.at("10:40").replace(tzinfo=None)  # a real date, local wall-clock time
    assert "Nhà hàng Suối Hoa" in binh[9] and "Khách sạn Mây Trắng" in binh[9] and "10 phút" in binh[9]
    ha = data[0]
    assert ha[8] == "Có" and "Cùng xe tại Chốt Bảo Hà" in ha[9]
    assert {r[10] for r in data} == {"Chưa xử lý"}
    text = "\n".join(str(v) for row in ws.iter_rows(values_only=True) for v in row if v is not None)
    assert "Nguyễn Văn An" not in text and F0_ID not in text and REASON not in text


def test_hostile_names_and_notes_stay_text_and_control_characters_go(searched):
    candidate = searched.candidates.order_by("rank").first()
    Candidate.objects.filter(pk=candidate.pk).update(full_name=HOSTILE_NAME, note="+1\x01 gọi lại", place="@A1")
    content, _rows = candidates_workbook(searched, searched.candidates.order_by("rank"))
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        xml = "".join(archive.read(n).decode() for n in archive.namelist() if n.startswith("xl/worksheets/"))
    assert "<f>" not in xml and "\x01" not in xml
    first = _data_rows(_sheet(content))[0]
    assert first[1] == HOSTILE_NAME and first[6] == "@A1" and first[11] == "+1 gọi lại"
    # Read by another engine too: still the text, no formula evaluated.
    rows = CalamineWorkbook.from_filelike(io.BytesIO(content)).get_sheet_by_index(0).to_python()
    assert [r[1] for r in rows if r and r[1] == HOSTILE_NAME] == [HOSTILE_NAME]


def test_an_empty_search_gives_a_file_that_says_so(health_officer, units):
    search = tracing_search(by=health_officer, id_number="001099999999", reason="Không ai")
    content, rows = candidates_workbook(search, search.candidates.all())
    ws = _sheet(content)
    assert rows == 0 and ws.cell(row=HEADER_ROW + 1, column=2).value == "Không có người có thể là F1."


# --- The export page and the API ----------------------------------------------------------------


@pytest.mark.parametrize("persona", ["health_officer", "province_admin"])
def test_the_searcher_and_province_admins_export_and_it_is_audited(request, client_for, searched, persona):
    user = request.getfixturevalue(persona)
    Candidate.objects.filter(search=searched, rank=2).update(status=CandidateStatus.CONTACTED, note="Đã gọi")
    response = client_for(user).get(reverse("tracing:export", args=[searched.pk]))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert f"truy-vet-{searched.pk}" in response["Content-Disposition"]
    data = _data_rows(_sheet(response.content))
    assert len(data) == len(EXPECTED) and (data[1][10], data[1][11]) == ("Đã liên hệ", "Đã gọi")
    event = AuditEvent.objects.get(action=Action.EXPORT, actor=user)
    assert (event.object_type, event.object_id) == ("tracing.tracingsearch", str(searched.pk))
    assert event.detail == {"list": "tracing_candidates", "rows": len(EXPECTED)}


def test_another_health_officers_search_is_404_on_page_and_api(client_for, searched):
    client = client_for(UserFactory.with_role(Role.HEALTH_OFFICER))
    assert client.get(reverse("tracing:export", args=[searched.pk])).status_code == 404
    assert client.get(f"/api/v1/tracing/searches/{searched.pk}/export/").status_code == 404
    assert not AuditEvent.objects.filter(action=Action.EXPORT).exists()


@pytest.mark.parametrize(
    "persona",
    ["district_officer", "checkpoint_staff", "agency_admin", "facility_staff", "province_viewer", "outsider"],
)
def test_other_roles_get_403_on_the_export_page_and_api(request, client_for, searched, persona):
    client = client_for(request.getfixturevalue(persona))
    assert client.get(reverse("tracing:export", args=[searched.pk])).status_code == 403
    assert client.get(f"/api/v1/tracing/searches/{searched.pk}/export/").status_code == 403


def test_the_api_export_is_the_same_workbook(client_for, health_officer, searched):
    response = client_for(health_officer).get(f"/api/v1/tracing/searches/{searched.pk}/export/")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    data = _data_rows(_sheet(response.content))
    assert [r[1] for r in data] == [name for name, _s, _m in EXPECTED]
    assert data[0][4] == district("sa_pa").name
    assert AuditEvent.objects.filter(action=Action.EXPORT, object_id=str(searched.pk)).count() == 1
