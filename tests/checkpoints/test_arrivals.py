"""Recording arrivals: validation, likely duplicates, permissions, the keyboard-first form."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from checkpoints.models import Arrival, DeclarationKind
from checkpoints.services.arrivals import ArrivalInput, DuplicateSuspected, OnDuplicate, arrival_record
from checkpoints.services.declarations import DeclarationInput, declaration_qr_text, declaration_submit
from tests.checkpoints.conftest import local_dt
from tests.factories import ArrivalFactory, district, first_commune

pytestmark = pytest.mark.django_db


def _input(checkpoint, **overrides) -> ArrivalInput:
    values = {
        "checkpoint": checkpoint.pk,
        "arrived_at": timezone.now() - timedelta(minutes=5),
        "full_name": "  Giàng   A Páo ",
        "phone": "+84 912 345 678",
        "id_number": "010203004567",
        "destination_district": district("bat_xat").pk,
    }
    return ArrivalInput(**(values | overrides))


def test_arrival_is_stored_with_normalised_phone_name_and_recorder(checkpoint, checkpoint_staff):
    outcome = arrival_record(by=checkpoint_staff, data=_input(checkpoint, plate="29a-123.45"))
    arrival = Arrival.objects.get()
    assert outcome.created and outcome.arrival == arrival
    assert (arrival.full_name, arrival.phone, arrival.plate) == ("Giàng A Páo", "0912345678", "29A-123.45")
    assert arrival.recorded_by == checkpoint_staff and arrival.possible_duplicate_of is None


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"phone": "12345"}, "phone"),
        ({"id_number": "12345678"}, "id_number"),
        ({"phone": "", "id_number": ""}, "phone"),
        ({"full_name": " "}, "full_name"),
        ({"destination_district": None}, "destination_district"),
        ({"destination_district": 1}, "destination_district"),  # Quận Ba Đình, Hà Nội: not in the province
        ({"destination_commune": 1}, "destination_commune"),  # a commune of Hà Nội
        ({"origin_province": 1, "origin_district": 80}, "origin_district"),  # Lào Cai city is not in Hà Nội
        ({"temperature": "45"}, "temperature"),
        ({"temperature": "abc"}, "temperature"),
        ({"birth_year": 1800}, "birth_year"),
        ({"arrived_at": timezone.now() + timedelta(hours=2)}, "arrived_at"),
        ({"vehicle": "rocket"}, "vehicle"),
    ],
)
def test_bad_input_is_refused_naming_the_field_and_nothing_is_stored(checkpoint, checkpoint_staff, overrides, field):
    with pytest.raises(ValidationError) as exc:
        arrival_record(by=checkpoint_staff, data=_input(checkpoint, **overrides))
    assert field in exc.value.message_dict
    assert not Arrival.objects.exists()


def test_origin_commune_implies_its_district_and_province(checkpoint, checkpoint_staff):
    commune = first_commune(district("sa_pa"))
    arrival = arrival_record(by=checkpoint_staff, data=_input(checkpoint, origin_commune=commune.pk)).arrival
    assert (arrival.origin_district_id, arrival.origin_province_id) == (district("sa_pa").pk, 10)


def test_likely_duplicate_same_id_within_an_hour_is_flagged_for_the_user(checkpoint, checkpoint_staff):
    first = arrival_record(by=checkpoint_staff, data=_input(checkpoint)).arrival
    again = _input(checkpoint, phone="0987000111", arrived_at=first.arrived_at - timedelta(minutes=50))
    with pytest.raises(DuplicateSuspected) as exc:
        arrival_record(by=checkpoint_staff, data=again)
    assert exc.value.existing == first and exc.value.extra["duplicate_of"] == first.pk
    assert Arrival.objects.count() == 1
    stored = arrival_record(by=checkpoint_staff, data=again, on_duplicate=OnDuplicate.CONFIRM).arrival
    assert stored.possible_duplicate_of == first and Arrival.objects.count() == 2


def test_merging_a_duplicate_completes_the_earlier_record_and_stores_nothing_new(checkpoint, checkpoint_staff):
    first = arrival_record(by=checkpoint_staff, data=_input(checkpoint, plate="")).arrival
    again = _input(checkpoint, id_number="", plate="24A-555.55", temperature="36.6", notes="Đi cùng gia đình")
    outcome = arrival_record(by=checkpoint_staff, data=again, on_duplicate=OnDuplicate.MERGE)
    first.refresh_from_db()
    assert outcome.merged and not outcome.created and Arrival.objects.count() == 1
    assert (first.plate, str(first.temperature), first.notes) == ("24A-555.55", "36.6", "Đi cùng gia đình")
    assert first.id_number == "010203004567"  # never overwritten


@pytest.mark.parametrize(
    "change",
    [{"arrived_at_shift": 61}, {"other_checkpoint": True}, {"other_person": True}],
)
def test_not_a_duplicate_after_an_hour_at_another_checkpoint_or_for_another_person(
    checkpoint, checkpoint_staff, other_checkpoint, province_admin, change
):
    first = arrival_record(by=checkpoint_staff, data=_input(checkpoint)).arrival
    data = _input(checkpoint, arrived_at=first.arrived_at - timedelta(minutes=change.get("arrived_at_shift", 10)))
    by = checkpoint_staff
    if change.get("other_checkpoint"):
        data.checkpoint, by = other_checkpoint.pk, province_admin
    if change.get("other_person"):
        data.phone, data.id_number = "0977111222", "123456789"
    assert arrival_record(by=by, data=data).created


def test_checkpoint_staff_cannot_record_at_another_checkpoint(checkpoint_staff, other_checkpoint):
    with pytest.raises(PermissionDenied):
        arrival_record(by=checkpoint_staff, data=_input(other_checkpoint))


@pytest.mark.parametrize("persona", ["district_officer", "health_officer", "province_viewer", "outsider"])
def test_other_roles_cannot_record_arrivals(request, persona, checkpoint):
    with pytest.raises(PermissionDenied):
        arrival_record(by=request.getfixturevalue(persona), data=_input(checkpoint))


def test_a_retried_submission_with_the_same_key_is_stored_once(checkpoint, checkpoint_staff):
    first = arrival_record(by=checkpoint_staff, data=_input(checkpoint), import_key="k1")
    again = arrival_record(by=checkpoint_staff, data=_input(checkpoint), import_key="k1")
    assert first.created and not again.created and Arrival.objects.count() == 1


# --- The page -----------------------------------------------------------------------------------


def test_form_defaults_to_own_checkpoint_now_and_todays_most_chosen_destination(client_for, checkpoint_staff,
                                                                                 checkpoint):  # fmt: skip
    for short in ("sa_pa", "sa_pa", "bat_xat"):
        ArrivalFactory(checkpoint=checkpoint, destination_district=district(short))
    response = client_for(checkpoint_staff).get(reverse("checkpoints:arrival-record"))
    form = response.context["form"]
    assert form.initial["checkpoint"] == checkpoint
    assert form.initial["destination_district"] == district("sa_pa").pk
    now = timezone.localtime().strftime("%Y-%m-%dT%H:%M")
    assert form.initial["arrived_at"][:13] == now[:13]
    html = response.content.decode()
    assert html.index('name="id_number"') < html.index('name="phone"') < html.index('name="full_name"')
    assert 'name="id_number"' in html and "autofocus" in html.split('name="id_number"')[1].split(">")[0]


def _post_data(checkpoint, **extra):
    shown = timezone.localtime().strftime("%Y-%m-%dT%H:%M")
    return {
        "checkpoint": checkpoint.pk, "arrived_at": shown, "arrived_at_shown": shown, "id_number": "010203004567",
        "phone": "0912345678", "full_name": "Lò Thị Mai", "destination_district": district("bat_xat").pk,
        "test_at_checkpoint": "none", "latest_test": "none", "vaccine_doses": "2",
    } | extra  # fmt: skip


def test_saving_from_the_page_uses_the_moment_of_saving_when_time_was_left_as_shown(client_for, checkpoint_staff,
                                                                                      checkpoint):  # fmt: skip
    before = timezone.now() - timedelta(seconds=1)
    response = client_for(checkpoint_staff).post(reverse("checkpoints:arrival-record"), _post_data(checkpoint))
    assert response.status_code == 302
    arrival = Arrival.objects.get()
    assert arrival.arrived_at >= before and arrival.vaccine_doses == 2


def test_a_time_typed_by_the_user_is_kept(client_for, checkpoint_staff, checkpoint):
    data = _post_data(checkpoint, arrived_at=(timezone.localtime() - timedelta(hours=3)).strftime("%Y-%m-%dT%H:%M"))
    client_for(checkpoint_staff).post(reverse("checkpoints:arrival-record"), data)
    assert timezone.now() - Arrival.objects.get().arrived_at > timedelta(hours=2)


def test_page_asks_about_a_likely_duplicate_then_confirms_or_merges(client_for, checkpoint_staff, checkpoint):
    client = client_for(checkpoint_staff)
    client.post(reverse("checkpoints:arrival-record"), _post_data(checkpoint))
    asked = client.post(reverse("checkpoints:arrival-record"), _post_data(checkpoint, phone="0977111222"))
    assert asked.status_code == 200 and asked.context["duplicate"] is not None
    assert "Có thể trùng" in asked.content.decode() and Arrival.objects.count() == 1
    client.post(reverse("checkpoints:arrival-record"), _post_data(checkpoint, phone="0977111222", on_duplicate="merge"))
    assert Arrival.objects.count() == 1
    client.post(reverse("checkpoints:arrival-record"), _post_data(checkpoint, on_duplicate="confirm"))
    assert Arrival.objects.filter(possible_duplicate_of__isnull=False).count() == 1


def test_page_shows_errors_by_field_and_keeps_what_was_typed(client_for, checkpoint_staff, checkpoint):
    response = client_for(checkpoint_staff).post(
        reverse("checkpoints:arrival-record"), _post_data(checkpoint, phone="0123", id_number="")
    )
    assert response.status_code == 200
    assert "phone" in response.context["form"].errors and "Lò Thị Mai" in response.content.decode()
    assert not Arrival.objects.exists()


def test_keep_vehicle_prefills_the_next_person_of_the_same_vehicle(client_for, checkpoint_staff, checkpoint):
    client = client_for(checkpoint_staff)
    client.post(
        reverse("checkpoints:arrival-record"),
        _post_data(checkpoint, plate="24B-123.45", vehicle="coach", keep_vehicle="on", origin_province=1),
    )
    form = client.get(reverse("checkpoints:arrival-record")).context["form"]
    assert (form.initial["plate"], form.initial["vehicle"], form.initial["origin_province"]) == (
        "24B-123.45",
        "coach",
        1,
    )


@pytest.mark.parametrize(("persona", "status"), [("district_officer", 403), ("health_officer", 403),
                                                  ("outsider", 403), ("province_admin", 200)])  # fmt: skip
def test_record_page_is_for_checkpoint_staff_and_province_admins(request, client_for, checkpoint, persona, status):
    response = client_for(request.getfixturevalue(persona)).get(reverse("checkpoints:arrival-record"))
    assert response.status_code == status


def test_staff_cannot_post_to_another_checkpoint_from_the_page(client_for, checkpoint_staff, other_checkpoint):
    response = client_for(checkpoint_staff).post(reverse("checkpoints:arrival-record"), _post_data(other_checkpoint))
    assert response.status_code == 200 and "checkpoint" in response.context["form"].errors
    assert not Arrival.objects.exists()


def _declaration():
    return declaration_submit(
        data=DeclarationInput(
            kind=DeclarationKind.TRAVEL, full_name="Vàng Thị Dợ", phone="0386123456", id_number="010203004567",
            origin_province=1, destination_district=district("sa_pa").pk, travel_date=timezone.localdate(),
            vehicle="coach", plate="29B-111.22",
        )
    )  # fmt: skip


def test_scanned_personal_qr_prefills_the_form_for_one_tap_confirmation(client_for, checkpoint_staff, checkpoint):
    declaration = _declaration()
    client = client_for(checkpoint_staff)
    body = client.get(reverse("checkpoints:arrival-prefill"), {"qr": declaration_qr_text(declaration)}).json()
    assert (
        body["fields"]["full_name"] == "Vàng Thị Dợ" and body["fields"]["destination_district"] == district("sa_pa").pk
    )
    assert "Vàng Thị Dợ" in body["summary"]
    page = client.get(reverse("checkpoints:arrival-record"), {"qr": declaration_qr_text(declaration)})
    assert page.context["form"].initial["plate"] == "29B-111.22"
    data = _post_data(checkpoint, full_name="Vàng Thị Dợ", declaration=body["fields"]["declaration"])
    client.post(reverse("checkpoints:arrival-record"), data)
    assert Arrival.objects.get().declaration == declaration


def test_prefill_refuses_a_code_that_is_not_a_personal_qr(client_for, checkpoint_staff, outsider):
    response = client_for(checkpoint_staff).get(reverse("checkpoints:arrival-prefill"), {"qr": "https://x/c/abc/"})
    assert response.status_code == 404 and response.json()["message"]
    assert client_for(outsider).get(reverse("checkpoints:arrival-prefill"), {"qr": "x"}).status_code == 403


# --- Lists of arrivals ----------------------------------------------------------------------------


def test_arrival_list_is_scoped_and_masks_phones(client_for, district_officer, other_district_officer, arrival):
    arrival("bat_xat", at="2021-11-02 09:00", full_name="Người Bát Xát", phone="0912345678")
    arrival("sa_pa", at="2021-11-02 09:00", full_name="Người Sa Pa")
    page = client_for(district_officer).get(reverse("checkpoints:arrival-list"), {"date": "2021-11-02"})
    html = page.content.decode()
    assert "Người Bát Xát" in html and "Người Sa Pa" not in html
    assert "0912***678" in html and "0912345678" not in html
    other = client_for(other_district_officer).get(reverse("checkpoints:arrival-list"), {"date": "2021-11-02"})
    assert "Người Bát Xát" not in other.content.decode()


def test_checkpoint_staff_sees_only_own_checkpoint_arrivals(client_for, checkpoint_staff, checkpoint, other_checkpoint):
    ArrivalFactory(checkpoint=checkpoint, full_name="Tại chốt mình", arrived_at=local_dt("2021-11-02 10:00"))
    ArrivalFactory(checkpoint=other_checkpoint, full_name="Tại chốt khác", arrived_at=local_dt("2021-11-02 10:00"))
    html = client_for(checkpoint_staff).get(reverse("checkpoints:arrival-list"), {"date": "2021-11-02"}).content
    assert "Tại chốt mình" in html.decode() and "Tại chốt khác" not in html.decode()


@pytest.mark.parametrize("persona", ["province_viewer", "agency_admin", "outsider"])
def test_people_without_a_need_cannot_list_arrivals(request, client_for, persona):
    assert client_for(request.getfixturevalue(persona)).get(reverse("checkpoints:arrival-list")).status_code == 403


def test_an_arrival_updates_the_dashboard_figures_of_its_destination_day(checkpoint_staff, checkpoint):
    from dashboard.models import DistrictDay
    from rollout.timeutils import local_date
    from tests.outbox import run_due_followups

    data = _input(checkpoint, arrived_at=timezone.now())
    arrival_record(by=checkpoint_staff, data=data)
    run_due_followups()  # the rebuild recorded with the arrival, once its delay has passed
    figures = DistrictDay.objects.get(day=local_date(data.arrived_at), district=district("bat_xat"))
    assert figures.arrivals == 1
