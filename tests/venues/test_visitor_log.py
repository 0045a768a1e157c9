"""The visitor log: own venues only, per-day counts, date filter, XLSX export (audited)."""

from __future__ import annotations

import io
from datetime import datetime

import pytest
import time_machine
from django.urls import reverse
from openpyxl import load_workbook

from rollout.models import AuditEvent, Role
from rollout.services.audit import Action
from tests.factories import AgencyFactory, CheckInFactory, UserFactory, VenueFactory
from tests.venues.helpers import local

pytestmark = pytest.mark.django_db


@pytest.fixture
def log(venue, sa_pa_venue):
    """Check-ins at the agency's venue over two days, and one at a venue of someone else."""
    CheckInFactory(venue=venue, full_name="Lò Thị Mai", phone="0912345678", checked_in_at=local("2021-11-02 08:15"))
    CheckInFactory(
        venue=venue,
        full_name='=HYPERLINK("http://x")',
        phone="0987654321",
        checked_in_at=local("2021-11-02 09:00"),
        checked_out_at=local("2021-11-02 09:40"),
    )
    CheckInFactory(
        venue=venue,
        full_name="Giàng A Páo",
        phone="0345678901",
        has_fever=True,
        flagged=True,
        checked_in_at=local("2021-11-01 17:00"),
    )
    CheckInFactory(venue=sa_pa_venue, full_name="Người ở Sa Pa", checked_in_at=local("2021-11-02 10:00"))


def _get(client, **params):
    return client.get(reverse("venues:visit-list"), params)


@time_machine.travel(datetime.fromisoformat("2021-11-02T18:00+07:00"), tick=False)
def test_agency_admin_sees_own_venues_log_with_masked_phones(client_for, agency_admin, log):
    page = _get(client_for(agency_admin)).content.decode()
    assert "Lò Thị Mai" in page and "0912***678" in page and "0912345678" not in page
    assert "Người ở Sa Pa" not in page
    assert "Giàng A Páo" not in page  # yesterday: not in today's default range
    assert "≈ 09:15" in page  # no check-out: default stay shown as estimate


def test_per_day_counts_and_date_filter(client_for, agency_admin, log):
    response = _get(client_for(agency_admin), first="2021-11-01", last="2021-11-02")
    days = {d.day.isoformat(): (d.entries, d.exits, d.flagged) for d in response.context["days"]}
    assert days["2021-11-02"] == (2, 1, 0)
    assert days["2021-11-01"] == (1, 0, 1)
    assert response.context["totals"] == {"entries": 3, "exits": 1, "flagged": 1}
    page = response.content.decode()
    assert "Giàng A Páo" in page and "cần lưu ý" in page


def test_a_too_long_range_is_refused_with_a_message(client_for, agency_admin, log):
    page = _get(client_for(agency_admin), first="2021-09-01", last="2021-11-02").content.decode()
    assert "Chọn tối đa 31 ngày." in page


def test_export_is_a_real_workbook_with_full_data_formula_safe_and_audited(client_for, agency_admin, log):
    response = client_for(agency_admin).get(
        reverse("venues:visit-export"), {"first": "2021-11-01", "last": "2021-11-02"}
    )
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith('attachment; filename="nhat-ky-ra-vao-20211101-20211102')
    wb = load_workbook(io.BytesIO(response.content))
    ws = wb.active
    assert ws.title == "Nhật ký ra vào"
    assert ws.freeze_panes == "A8"
    assert ws["A1"].value == "Nhật ký ra vào"
    assert "dữ liệu cá nhân" in ws["A5"].value
    header = [c.value for c in ws[7]]
    assert header[:7] == ["Đã khai báo vào", "Đã khai báo ra", "Giờ ra (theo quy tắc tính)", "Địa điểm", "Họ và tên",
                          "Số điện thoại", "Số CMND/CCCD"]  # fmt: skip
    rows = [[c.value for c in row] for row in ws.iter_rows(min_row=8)]
    assert len(rows) == 3
    assert [r[4] for r in rows] == ["Giàng A Páo", "Lò Thị Mai", '=HYPERLINK("http://x")']
    assert ws.cell(row=10, column=5).data_type == "s"  # stays text, never a formula
    assert rows[1][0] == datetime(2021, 11, 2, 8, 15) and ws["A9"].number_format == "dd/mm/yyyy hh:mm"
    assert rows[1][5] == "0912345678"  # the export carries what tracing needs
    assert rows[0][7] == "Có" and rows[0][11] == "Có"
    event = AuditEvent.objects.get(action=Action.EXPORT)
    assert event.actor == agency_admin and event.detail["rows"] == 3 and event.detail["export"] == "visitor_log"
    assert "Lò" not in str(event.detail)  # ids and counts only


def test_district_officers_see_their_district_only(client_for, district_officer, other_district_officer, log):
    params = {"first": "2021-11-02", "last": "2021-11-02"}
    assert "Lò Thị Mai" in _get(client_for(district_officer), **params).content.decode()
    other = _get(client_for(other_district_officer), **params).content.decode()
    assert "Người ở Sa Pa" in other and "Lò Thị Mai" not in other


def test_other_agency_admin_sees_nothing_of_this_agency(client_for, log, venue):
    other_admin = UserFactory.with_role(Role.AGENCY_ADMIN, agency=AgencyFactory())
    VenueFactory(agency=other_admin.assignments[0].agency)
    client = client_for(other_admin)
    page = _get(client, first="2021-11-01", last="2021-11-02", venue=venue.pk).content.decode()
    assert "Lò Thị Mai" not in page
    export = client.get(reverse("venues:visit-export"), {"first": "2021-11-01", "last": "2021-11-02"})
    wb = load_workbook(io.BytesIO(export.content))
    assert wb.active.max_row == 8 and "Không có lượt khai báo" in wb.active["A8"].value


@pytest.mark.parametrize("persona", ["province_viewer", "checkpoint_staff", "facility_staff", "outsider"])
def test_roles_that_never_see_people_get_404(request, client_for, persona, log):
    user = request.getfixturevalue(persona)
    assert _get(client_for(user)).status_code == 404
    assert client_for(user).get(reverse("venues:visit-export")).status_code == 404
    assert not AuditEvent.objects.filter(action=Action.EXPORT).exists()


def test_anonymous_is_sent_to_sign_in(client_for, units):
    assert _get(client_for(None)).status_code == 302
