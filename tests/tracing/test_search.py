"""The search service on the hand-built scenario of conftest.py: exactly the expected F1 set."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied

from rollout.errors import ApplicationError
from rollout.models import AuditEvent
from rollout.services.audit import Action
from rollout.timeutils import local_datetime, local_today, oldest_kept_day
from tests.factories import district
from tests.tracing.conftest import EXPECTED, F0_ID, F0_PHONE
from tracing.services.search import tracing_search

pytestmark = pytest.mark.django_db


def search(by, **query):
    return tracing_search(by=by, reason="Ca dương tính ngày hôm qua", **query)


def found(result) -> list[tuple[str, str, int]]:
    return [(c.full_name, c.source, c.exposure_minutes) for c in result.candidates.order_by("rank")]


def test_candidates_are_exactly_the_expected_people_with_their_exposure(health_officer, scenario):
    result = search(health_officer, id_number=F0_ID)
    assert found(result) == EXPECTED
    assert result.candidate_count == len(EXPECTED)


def test_touching_visits_are_contacts_with_zero_minutes_and_the_buffer_edge_is_not(health_officer, scenario):
    names = {c.full_name: c for c in search(health_officer, id_number=F0_ID).candidates.all()}
    # Ended exactly when the F0 arrived: the buffers overlap, so a contact, with no minutes together.
    assert names["Giàng A Páo"].exposure_minutes == 0
    assert names["Giàng A Páo"].first_contact_at == scenario.at("10:00")
    # Arrived exactly when the F0's buffer ended (11:00 + 15 min): not a contact.
    assert "Sùng A Lử" not in names


def test_default_stay_midnight_cut_and_other_days(health_officer, scenario):
    names = {c.full_name: c for c in search(health_officer, id_number=F0_ID).candidates.all()}
    assert names["Hoàng Văn Nam"].exposure_minutes == 20  # 09:20 + 60 min default stay, F0 from 10:00
    assert names["Đỗ Văn Tú"].exposure_minutes == 10  # both cut at midnight
    assert "Phạm Thị Lan" not in names  # 00:20: the F0's 23:30 visit ended at midnight (+15 min buffer)
    assert "Lý Thị Hoa" not in names  # same venue, the day before


def test_same_person_under_two_phones_is_one_candidate(health_officer, scenario):
    [binh] = [c for c in search(health_officer, id_number=F0_ID).candidates.all() if c.full_name == "Trần Văn Bình"]
    assert binh.exposure_minutes == 40  # 10 at venue A + 30 at venue B
    assert set(binh.phones) == {"0912000017", "0912000027"}
    assert binh.id_number == "001090000007"
    assert binh.place == "Nhà hàng Suối Hoa; Khách sạn Mây Trắng"
    assert binh.first_contact_at == scenario.at("10:40")


def test_shared_family_phone_does_not_merge_strangers(health_officer, scenario):
    names = {c.full_name: c for c in search(health_officer, id_number=F0_ID).candidates.all()}
    assert names["Nguyễn Thị Cúc"].phone == F0_PHONE
    assert names["Nguyễn Thị Cúc"].exposure_minutes == 50


def test_same_vehicle_within_thirty_minutes_ranks_first(health_officer, scenario):
    first = search(health_officer, id_number=F0_ID).candidates.order_by("rank").first()
    assert (first.full_name, first.same_vehicle, first.checkpoint_id) == ("Nguyễn Thị Hà", True, scenario.checkpoint.pk)


def test_candidate_district_is_the_destination_of_a_matching_arrival_else_the_venue(health_officer, scenario):
    names = {c.full_name: c for c in search(health_officer, id_number=F0_ID).candidates.all()}
    assert names["Giàng A Páo"].district == district("sa_pa")  # his arrival's destination
    assert names["Lò Thị Mai"].district == district("bat_xat")  # venue A's district
    assert names["Nguyễn Thị Hà"].district == district("sa_pa")


def test_only_arrivals_in_the_searched_days_tell_the_district(health_officer, scenario):
    # His arrival was two days before the contact: searching from the day before leaves it out.
    result = search(health_officer, id_number=F0_ID, start=scenario.day - timedelta(days=1))
    names = {c.full_name: c for c in result.candidates.all()}
    assert names["Giàng A Páo"].district == district("bat_xat")  # venue A's district


def test_timeline_lists_the_f0_records_in_order(health_officer, scenario):
    timeline = search(health_officer, id_number=F0_ID).timeline
    assert [(t["kind"], t["place"]) for t in timeline] == [
        ("arrival", "Chốt Bảo Hà"),
        ("checkin", "Nhà hàng Suối Hoa"),
        ("checkin", "Khách sạn Mây Trắng"),
        ("checkin", "Nhà hàng Suối Hoa"),  # under the F0's second phone, merged by ID number
    ]
    assert timeline[0]["plate"] == "24A-123.45"
    assert [t.get("checked_out") for t in timeline[1:]] == [True, False, False]
    assert timeline[3]["until"] == local_datetime(scenario.day + timedelta(days=1)).isoformat()


def test_phone_and_accent_free_name_find_the_same_candidates(health_officer, scenario):
    result = search(health_officer, phone=F0_PHONE, full_name="nguyen van an")
    assert found(result) == EXPECTED


def test_a_shared_phone_alone_lists_the_people_to_choose_from(health_officer, scenario):
    with pytest.raises(ApplicationError) as error:
        search(health_officer, phone=F0_PHONE)
    assert {p["full_name"] for p in error.value.extra["people"]} == {"Nguyễn Văn An", "Nguyễn Thị Cúc"}


def test_a_name_alone_lists_the_matching_people_accent_insensitively(health_officer, scenario):
    with pytest.raises(ApplicationError) as error:
        search(health_officer, full_name="NGUYEN VAN  AN")
    [person] = error.value.extra["people"]
    assert (person["full_name"], person["id_number"]) == ("Nguyễn Văn An", F0_ID)


def test_every_search_is_audited_with_its_reason_and_no_personal_data(health_officer, scenario):
    result = search(health_officer, id_number=F0_ID)
    event = AuditEvent.objects.get(action=Action.TRACING_SEARCH)
    assert event.actor == health_officer
    assert event.object_id == str(result.pk)
    assert event.detail["reason"] == "Ca dương tính ngày hôm qua"
    assert event.detail["candidates"] == len(EXPECTED)
    text = str(event.detail)
    assert F0_ID not in text and F0_PHONE not in text and "Nguyễn" not in text


def test_a_search_beyond_the_retention_is_refused_with_a_message(health_officer, scenario):
    with pytest.raises(ApplicationError) as error:
        search(health_officer, id_number=F0_ID, start=oldest_kept_day() - timedelta(days=1), end=local_today())
    assert "21" in error.value.message
    assert "start" in error.value.extra["fields"]


def test_the_reason_is_required(health_officer, scenario):
    with pytest.raises(ApplicationError):
        tracing_search(by=health_officer, id_number=F0_ID, reason="  ")


def test_default_window_is_the_last_fourteen_days(health_officer, scenario):
    result = search(health_officer, id_number=F0_ID)
    assert (result.start, result.end) == (local_today() - timedelta(days=13), local_today())


@pytest.mark.parametrize(
    "persona", ["district_officer", "checkpoint_staff", "agency_admin", "facility_staff", "province_viewer"]
)
def test_other_roles_may_not_search(persona, request, scenario):
    with pytest.raises(PermissionDenied):
        search(request.getfixturevalue(persona), id_number=F0_ID)
    assert not AuditEvent.objects.filter(action=Action.TRACING_SEARCH).exists()


def test_the_number_of_queries_does_not_grow_with_the_f0s_visits(health_officer, scenario):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from tests.factories import CheckInFactory

    search(health_officer, id_number=F0_ID)  # the user's roles, loaded once per user object
    with CaptureQueriesContext(connection) as few:
        search(health_officer, id_number=F0_ID)
    for hour in range(13, 19):  # six more visits, each with a visitor overlapping
        at = scenario.at(f"{hour}:00")
        CheckInFactory(venue=scenario.venue_a, full_name="Nguyễn Văn An", phone=F0_PHONE, id_number=F0_ID,
                       checked_in_at=at, checked_out_at=at + timedelta(minutes=30))  # fmt: skip
        CheckInFactory(venue=scenario.venue_a, full_name=f"Khách {hour}", phone=f"09120001{hour}",
                       checked_in_at=at, checked_out_at=at + timedelta(minutes=30))  # fmt: skip
    with CaptureQueriesContext(connection) as many:
        result = search(health_officer, id_number=F0_ID)
    assert result.candidate_count == len(EXPECTED) + 6
    assert len(many) == len(few)


def test_nobody_found_is_an_empty_search_still_audited(health_officer, scenario):
    result = search(health_officer, id_number="001090009999")
    assert (result.record_count, result.candidate_count, result.timeline) == (0, 0, [])
    assert AuditEvent.objects.filter(action=Action.TRACING_SEARCH, object_id=str(result.pk)).exists()
