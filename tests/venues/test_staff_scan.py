"""Staff scanning mode: a visitor's QR (or phone / ID by hand) -> entry or exit in one tap."""

from __future__ import annotations

import pytest
from django.urls import reverse

from rollout import qr
from rollout.models import Role
from tests.factories import AgencyFactory, CheckInFactory, UserFactory, VenueFactory
from venues.models import CheckIn, CheckInMethod
from venues.services import checkins as svc

pytestmark = pytest.mark.django_db


@pytest.fixture
def pass_text(sa_pa_venue):
    """A visitor pass from a check-in elsewhere (the visitor's own QR from their confirmation page)."""
    checkin = CheckInFactory(venue=sa_pa_venue, full_name="Giàng Thị Sính", phone="0987654321", id_number="")
    return svc.visitor_pass_text(checkin)


def _scan_url(venue) -> str:
    return reverse("venues:venue-scan", args=[venue.pk])


def test_scanning_a_pass_then_one_tap_records_entry_then_exit(client_for, agency_admin, venue, pass_text):
    client = client_for(agency_admin)
    page = client.post(_scan_url(venue), {"action": "scan", "qr": pass_text}).content.decode()
    assert "Giàng Thị Sính" in page and "0987***321" in page and "Ghi nhận vào" in page
    response = client.post(_scan_url(venue), {"action": "enter-scan", "qr": pass_text, "has_cough": "yes"})
    assert response.status_code == 302
    entry = CheckIn.objects.get(venue=venue)
    assert (entry.full_name, entry.phone, entry.method) == ("Giàng Thị Sính", "0987654321", CheckInMethod.STAFF_SCAN)
    assert entry.flagged and entry.has_cough
    # Scanned again while inside: the one button is now the exit.
    page = client.post(_scan_url(venue), {"action": "scan", "qr": pass_text}).content.decode()
    assert "Ghi nhận ra" in page and "Đang ở bên trong từ" in page
    client.post(_scan_url(venue), {"action": "exit", "checkin": entry.pk})
    entry.refresh_from_db()
    assert entry.checked_out_at is not None
    assert "Đã ghi nhận ra" in client.get(_scan_url(venue)).content.decode()


def test_scanning_something_else_says_so(client_for, agency_admin, venue):
    client = client_for(agency_admin)
    response = client.post(_scan_url(venue), {"action": "scan", "qr": "https://example.com/"}, follow=True)
    assert "không phải mã QR cá nhân" in response.content.decode()
    assert not CheckIn.objects.exists()


def test_manual_lookup_prefills_a_known_visitor_and_id_only_entry_works(client_for, agency_admin, venue):
    CheckInFactory(venue=venue, full_name="Vàng A Dín", phone="0345678901")
    client = client_for(agency_admin)
    page = client.post(_scan_url(venue), {"action": "lookup", "query": "0345 678 901"}).content.decode()
    assert "Vàng A Dín" in page  # inside already (default stay): exit offered
    page = client.post(_scan_url(venue), {"action": "lookup", "query": "123456789"}).content.decode()
    assert "Chưa từng đến địa điểm này" in page and 'value="123456789"' in page
    data = {"action": "enter", "full_name": "Sùng Seo Páo", "phone": "", "id_number": "123456789"}
    data |= {"has_fever": "no", "has_cough": "no", "has_breathing_difficulty": "no", "had_contact": "no"}
    assert client.post(_scan_url(venue), data).status_code == 302
    manual = CheckIn.objects.get(method=CheckInMethod.MANUAL)
    assert (manual.full_name, manual.phone, manual.id_number) == ("Sùng Seo Páo", "", "123456789")


def test_manual_entry_needs_a_phone_or_an_id(client_for, agency_admin, venue):
    data = {"action": "enter", "full_name": "Sùng Seo Páo", "phone": "", "id_number": ""}
    data |= {"has_fever": "no", "has_cough": "no", "has_breathing_difficulty": "no", "had_contact": "no"}
    page = client_for(agency_admin).post(_scan_url(venue), data).content.decode()
    assert "Nhập số điện thoại di động hoặc số CMND/CCCD." in page
    assert not CheckIn.objects.exists()
    bad = client_for(agency_admin).post(_scan_url(venue), {"action": "lookup", "query": "12ab"}).content.decode()
    assert "Nhập số điện thoại di động 10 số, hoặc số CMND/CCCD 9 hoặc 12 số." in bad


def test_scanning_mode_is_for_those_who_run_the_venue(
    client_for, venue, agency_admin, district_officer, other_district_officer, province_viewer, outsider
):
    assert client_for(agency_admin).get(_scan_url(venue)).status_code == 200
    assert client_for(district_officer).get(_scan_url(venue)).status_code == 200
    other_admin = UserFactory.with_role(Role.AGENCY_ADMIN, agency=AgencyFactory())
    for user in (other_admin, other_district_officer, province_viewer, outsider):
        assert client_for(user).get(_scan_url(venue)).status_code == 404
    assert client_for(None).get(_scan_url(venue)).status_code == 302


def test_exit_cannot_reach_a_checkin_of_another_venue(client_for, agency_admin, venue, agency):
    elsewhere = CheckInFactory(venue=VenueFactory())  # not this agency's venue
    own_other = CheckInFactory(venue=VenueFactory(agency=agency))  # this agency, but another venue
    client = client_for(agency_admin)
    for checkin in (elsewhere, own_other):
        assert client.post(_scan_url(venue), {"action": "exit", "checkin": checkin.pk}).status_code == 404
        checkin.refresh_from_db()
        assert checkin.checked_out_at is None


def test_inside_now_lists_open_visits_with_masked_phones(client_for, agency_admin, venue):
    CheckInFactory(venue=venue, full_name="Lò Văn Sử", phone="0912345678")
    page = client_for(agency_admin).get(_scan_url(venue)).content.decode()
    assert "Lò Văn Sử" in page and "0912***678" in page and "0912345678" not in page


# --- visitor_from_qr: THE place a scanned text becomes a person --------------------------------


def test_visitor_from_qr_reads_a_pass_whatever_the_host(pass_text):
    visitor = svc.visitor_from_qr(pass_text)
    assert (visitor.full_name, visitor.phone, visitor.source) == ("Giàng Thị Sính", "0987654321", "visitor_pass")
    path = pass_text.split("/", 3)[3]
    assert svc.visitor_from_qr(f"https://other.example/{path}") == visitor


@pytest.mark.parametrize(
    "text",
    ["", "hello", "https://x/pass/", "https://x/pass/123/", "https://x/p/abc/", "https://x/c/abc:def/"],
)
def test_visitor_from_qr_refuses_anything_not_signed_by_us(text, units):
    assert svc.visitor_from_qr(text) is None


def test_a_venue_token_is_not_a_visitor_pass(venue):
    checkin = CheckInFactory(venue=venue)
    forged = qr.sign(str(checkin.pk), salt=svc.VISIT_SALT)  # the visitor's own page link, another purpose
    assert svc.visitor_from_qr(f"http://localhost:8000/pass/{forged}/") is None


def test_scanning_a_declaration_personal_qr_records_that_person(client_for, agency_admin, venue, bat_xat):
    from checkpoints.models import Declaration, DeclarationKind
    from checkpoints.services.declarations import declaration_qr_text

    declaration = Declaration.objects.create(
        kind=DeclarationKind.HEALTH,
        full_name="Thào Seo Lử",
        phone="0977123456",
        id_number="010203004567",
        destination_district=bat_xat,
        token=qr.new_key(),
    )
    text = declaration_qr_text(declaration)
    visitor = svc.visitor_from_qr(text)
    assert (visitor.full_name, visitor.phone, visitor.id_number, visitor.source) == (
        "Thào Seo Lử",
        "0977123456",
        "010203004567",
        "declaration",
    )
    response = client_for(agency_admin).post(_scan_url(venue), {"action": "enter-scan", "qr": text})
    assert response.status_code == 302
    checkin = venue.checkins.get()
    assert (checkin.full_name, checkin.phone, checkin.method) == ("Thào Seo Lử", "0977123456", "staff_scan")


@pytest.mark.parametrize(("minutes", "said"), [(60, "1 giờ"), (45, "45 phút"), (150, "2 giờ 30 phút")])
def test_the_scan_page_says_the_default_stay_in_minutes_or_hours(
    client_for, agency_admin, venue, settings, minutes, said
):
    settings.CHECKIN_DEFAULT_STAY_MINUTES = minutes
    page = client_for(agency_admin).get(_scan_url(venue)).content.decode()
    assert f"được tính là ở bên trong {said}, không tính sang ngày hôm sau." in page
    assert "0 giờ" not in page
