"""District inspection view (directive 6.iii): scoped venues, inactive first, recording inspections."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest
import time_machine
from django.urls import reverse

from tests.factories import CheckInFactory, VenueFactory
from tests.venues.helpers import local
from venues.models import Inspection
from venues.scoping import inspection_venues_for, inspections_for
from venues.selectors import inspection_figures

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _friday_5_november_2021():
    with time_machine.travel(datetime.fromisoformat("2021-11-05T10:00+07:00"), tick=False):
        yield


@pytest.fixture
def venues(bat_xat, sa_pa):
    busy = VenueFactory(district=bat_xat, name="A Busy")
    quiet = VenueFactory(district=bat_xat, name="B Quiet")
    never = VenueFactory(district=bat_xat, name="C Never")
    for day in range(1, 6):
        CheckInFactory(venue=busy, checked_in_at=local(f"2021-11-0{day} 09:00"))
    CheckInFactory(venue=quiet, checked_in_at=local("2021-10-20 09:00"))
    VenueFactory(district=sa_pa, name="Sa Pa venue")
    return {"busy": busy, "quiet": quiet, "never": never}


def test_district_officer_sees_own_district_venues_inactive_first(client_for, district_officer, venues):
    response = client_for(district_officer).get(reverse("venues:inspection-list"))
    rows = response.context["rows"]
    assert [r.venue.name for r in rows] == ["C Never", "B Quiet", "A Busy"]
    never, quiet, busy = rows
    assert never.last_checkin is None and never.days_without_scans is None
    assert quiet.days_without_scans == 16 and quiet.checkins_7d == 0 and quiet.is_inactive
    assert busy.days_without_scans == 0 and busy.checkins_7d == 5 and busy.per_day == [0, 0, 1, 1, 1, 1, 1]
    summary = response.context["summary"]
    assert (summary.venues, summary.never_scanned, summary.inactive) == (3, 1, 2)
    page = response.content.decode()
    assert "Sa Pa venue" not in page and "chưa từng quét" in page


def test_inactive_filter(client_for, district_officer, venues):
    response = client_for(district_officer).get(reverse("venues:inspection-list"), {"inactive": "1"})
    assert [r.venue.name for r in response.context["rows"]] == ["C Never", "B Quiet"]


def test_province_users_see_every_district_and_filter_one(client_for, province_viewer, venues, sa_pa):
    client = client_for(province_viewer)
    assert client.get(reverse("venues:inspection-list")).context["summary"].venues == 4
    response = client.get(reverse("venues:inspection-list"), {"district": sa_pa.code})
    assert [r.venue.name for r in response.context["rows"]] == ["Sa Pa venue"]
    assert not any(r.can_inspect for r in response.context["rows"])  # viewers read only


def test_recording_an_inspection(client_for, district_officer, venues):
    url = reverse("venues:inspection-create", args=[venues["quiet"].pk])
    page = client_for(district_officer).get(url).content.decode()
    assert 'value="2021-11-05"' in page  # today by default
    data = {
        "inspected_on": "2021-11-04",
        "inspector": "Đoàn kiểm tra liên ngành huyện",
        "compliant": "no",
        "violations": "Không niêm yết mã QR",
        "sanction": "Nhắc nhở",
        "notes": "",
    }
    response = client_for(district_officer).post(url, data)
    assert response.status_code == 302
    inspection = Inspection.objects.get()
    assert (inspection.venue, inspection.compliant, inspection.recorded_by) == (
        venues["quiet"],
        False,
        district_officer,
    )
    listing = client_for(district_officer).get(reverse("venues:inspection-list"))
    quiet = next(r for r in listing.context["rows"] if r.venue == venues["quiet"])
    assert quiet.last_inspection == inspection
    detail = client_for(district_officer).get(reverse("rollout:venue-detail", args=[venues["quiet"].pk]))
    assert "Không niêm yết mã QR" in detail.content.decode()


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"compliant": "no", "violations": ""}, "Hãy ghi nội dung vi phạm phát hiện được."),
        ({"inspected_on": "2021-11-06"}, "Ngày kiểm tra không được ở tương lai."),
        ({"inspected_on": "2020-01-01"}, "Ngày kiểm tra đã quá một năm."),
        ({"compliant": ""}, "Thông tin này là bắt buộc."),
    ],
)
def test_inspection_validation_messages(client_for, district_officer, venues, changes, message):
    data = {"inspected_on": "2021-11-04", "inspector": "Tổ kiểm tra", "compliant": "yes", "violations": ""} | changes
    response = client_for(district_officer).post(reverse("venues:inspection-create", args=[venues["busy"].pk]), data)
    assert response.status_code == 200 and message in response.content.decode()
    assert not Inspection.objects.exists()


def test_only_the_districts_officers_and_province_admins_record(
    client_for,
    venues,
    district_officer,
    other_district_officer,
    province_admin,
    province_viewer,
    agency_admin,
    outsider,
):
    url = reverse("venues:inspection-create", args=[venues["busy"].pk])
    data = {"inspected_on": "2021-11-04", "inspector": "Tổ kiểm tra", "compliant": "yes"}
    for user in (other_district_officer, province_viewer, agency_admin, outsider):
        assert client_for(user).post(url, data).status_code == 404
    assert not Inspection.objects.exists()
    assert client_for(province_admin).post(url, data).status_code == 302


def test_editing_is_scoped_too(client_for, venues, district_officer, other_district_officer):
    inspection = Inspection.objects.create(
        venue=venues["busy"], inspected_on=date(2021, 11, 1), inspector="Tổ kiểm tra", compliant=True
    )
    url = reverse("venues:inspection-edit", args=[inspection.pk])
    assert client_for(other_district_officer).get(url).status_code == 404
    data = {"inspected_on": "2021-11-01", "inspector": "Tổ kiểm tra", "compliant": "no", "violations": "Mã QR cũ"}
    assert client_for(district_officer).post(url, data).status_code == 302
    inspection.refresh_from_db()
    assert not inspection.compliant and inspection.violations == "Mã QR cũ"


@pytest.mark.parametrize("persona", ["agency_admin", "health_officer", "checkpoint_staff", "outsider"])
def test_inspection_view_is_404_for_roles_that_do_not_follow_inspections(request, client_for, persona, venues):
    assert client_for(request.getfixturevalue(persona)).get(reverse("venues:inspection-list")).status_code == 404


def test_scoping_of_inspections_and_inspectable_venues(district_officer, other_district_officer, venues, sa_pa):
    sa_pa_venue = VenueFactory(district=sa_pa)
    own = Inspection.objects.create(venue=venues["busy"], inspected_on=date(2021, 11, 1), inspector="X", compliant=True)
    other = Inspection.objects.create(venue=sa_pa_venue, inspected_on=date(2021, 11, 1), inspector="Y", compliant=True)
    assert list(inspections_for(district_officer)) == [own]
    assert list(inspections_for(other_district_officer)) == [other]
    assert set(inspection_venues_for(district_officer)) == set(venues.values())


def test_inspection_figures_for_the_weekly_report(venues, bat_xat, sa_pa):
    week = (date(2021, 10, 30), date(2021, 11, 5))
    Inspection.objects.create(venue=venues["busy"], inspected_on=date(2021, 11, 1), inspector="X", compliant=True)
    Inspection.objects.create(
        venue=venues["quiet"], inspected_on=date(2021, 11, 2), inspector="X", compliant=False, sanction="Phạt tiền"
    )
    Inspection.objects.create(venue=venues["quiet"], inspected_on=date(2021, 11, 4), inspector="X", compliant=False)
    Inspection.objects.create(venue=venues["never"], inspected_on=week[0] - timedelta(days=1), inspector="X",
                              compliant=False)  # fmt: skip
    figures = inspection_figures(districts=[bat_xat.code, sa_pa.code], first=week[0], last=week[1])
    assert figures[bat_xat.code] == {"venues_inspected": 2, "inspections": 3, "violations": 2, "sanctions": 1}
    assert figures[sa_pa.code] == {"venues_inspected": 0, "inspections": 0, "violations": 0, "sanctions": 0}
