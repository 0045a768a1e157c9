"""Public declarations and the personal QR (SPEC §4)."""

from __future__ import annotations

import io
import secrets

import pytest
import zxingcpp
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from PIL import Image

from checkpoints.models import Declaration
from checkpoints.services import declaration_from_qr_text, declaration_qr_text, declaration_token
from rollout import qr
from tests.factories import district, first_commune

pytestmark = pytest.mark.django_db


@pytest.fixture
def public():
    """A visitor with an address of their own, so rate limits of other tests never interfere."""
    return Client(HTTP_ACCEPT_LANGUAGE="vi", REMOTE_ADDR=f"10.4.{secrets.randbelow(250)}.{secrets.randbelow(250)}")


def _travel(**extra):
    hanoi_district = 1  # Quận Ba Đình
    return {
        "full_name": "Nguyễn Văn An", "phone": "0912 345 678", "id_number": "", "birth_year": "1990",
        "origin_province": "1", "origin_district": str(hanoi_district), "origin_commune": "1",
        "destination_district": str(district("sa_pa").pk),
        "destination_commune": str(first_commune(district("sa_pa")).pk),
        "destination_address": "Khách sạn Mây Trắng", "travel_date": timezone.localdate().isoformat(),
        "vehicle": "coach", "plate": "29b-123.45", "purpose": "Du lịch", "vaccine_doses": "2",
        "latest_test": "rapid", "latest_test_result": "negative", "symptom_list": ["cough"], "truthful": "on",
    } | extra  # fmt: skip


def test_travel_declaration_gives_a_personal_qr_pass(public, units):
    response = public.post(reverse("declarations:create", args=["travel"]), _travel())
    declaration = Declaration.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("declarations:pass", args=[declaration_token(declaration)])
    assert (declaration.phone, declaration.plate, declaration.symptoms) == ("0912345678", "29B-123.45", "Ho")
    assert (declaration.origin_province_id, declaration.origin_district_id, declaration.vaccine_doses) == (1, 1, 2)
    assert response["Location"].startswith(f"/p/{declaration.token}:")  # the signed random key, never the id
    page = public.get(response["Location"])
    html = page.content.decode()
    assert "Nguyễn Văn An" in html and "0912***678" in html and "0912345678" not in html
    assert page["Cache-Control"] == "private, no-store"


def test_the_qr_image_decodes_to_the_pass_url_and_back_to_the_declaration(public, units, settings):
    settings.SITE_URL = "https://covid.laocai.gov.vn"
    public.post(reverse("declarations:create", args=["travel"]), _travel())
    declaration = Declaration.objects.get()
    token = declaration_token(declaration)
    png = public.get(reverse("declarations:pass-qr", args=[token]), {"download": "1"})
    assert png["Content-Type"] == "image/png" and "attachment" in png["Content-Disposition"]
    text = zxingcpp.read_barcodes(Image.open(io.BytesIO(png.content)))[0].text
    assert text == f"https://covid.laocai.gov.vn/p/{token}/" == declaration_qr_text(declaration)
    assert declaration_from_qr_text(text) == declaration
    assert declaration_from_qr_text(token) == declaration  # a bare token works too
    printable = public.get(reverse("declarations:pass-print", args=[token])).content.decode()
    assert "<svg" in printable and "Nguyễn Văn An" in printable


@pytest.mark.parametrize(
    "text",
    ["", "hello", "https://covid.laocai.gov.vn/c/abc/", "https://x/p/forged:token/", "a" * 600],
)
def test_anything_but_a_personal_qr_gives_no_declaration(units, text):
    assert declaration_from_qr_text(text) is None


def test_a_token_signed_for_another_purpose_or_tampered_is_refused(public, units):
    public.post(reverse("declarations:create", args=["travel"]), _travel())
    declaration = Declaration.objects.get()
    assert declaration_from_qr_text(qr.sign(declaration.token, salt="venue")) is None
    assert declaration_from_qr_text(declaration_token(declaration)[:-2] + "xx") is None
    page = public.get(reverse("declarations:pass", args=["bad:token"]))
    assert page.status_code == 404 and "Không nhận ra mã" in page.content.decode()


def test_health_declaration_needs_no_origin(public, units):
    data = {
        "full_name": "Lò Thị Mai", "id_number": "012345678", "destination_district": str(district("bat_xat").pk),
        "latest_test": "none", "vaccine_doses": "0", "contact_with_case": "on", "truthful": "on",
        "symptom_list": ["fever", "smell"],
    }  # fmt: skip
    response = public.post(reverse("declarations:create", args=["health"]), data)
    assert response.status_code == 302
    declaration = Declaration.objects.get()
    assert declaration.contact_with_case and declaration.symptoms == "Sốt, Mất vị giác hoặc khứu giác"


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"phone": "12345"}, "phone"),
        ({"phone": "", "id_number": ""}, "phone"),
        ({"origin_province": ""}, "origin_province"),
        ({"destination_district": "1"}, "destination_district"),  # not a district of the province
        ({"origin_commune": "999999"}, "origin_commune"),
        ({"truthful": ""}, "truthful"),
        ({"travel_date": "2020-01-01"}, "travel_date"),
    ],
)
def test_bad_declaration_is_refused_with_the_field_named_and_nothing_stored(public, units, change, field):
    response = public.post(reverse("declarations:create", args=["travel"]), _travel(**change))
    assert response.status_code == 200 and field in response.context["form"].errors
    assert not Declaration.objects.exists()


def test_district_choices_follow_the_chosen_province_so_a_mismatch_is_refused(public, units):
    response = public.post(
        reverse("declarations:create", args=["travel"]), _travel(origin_province="2", origin_district="1")
    )
    assert "origin_district" in response.context["form"].errors


def test_unknown_kind_is_not_found(public, units):
    assert public.get(reverse("declarations:create", args=["visa"])).status_code == 404


def test_declarations_are_rate_limited_per_address(public, units):
    client = public
    statuses = [client.post(reverse("declarations:create", args=["travel"]), _travel()).status_code for _ in range(11)]
    assert statuses[:10] == [302] * 10 and statuses[10] == 429


def test_units_endpoint_lists_districts_of_a_province_and_communes_of_a_district(public, units):
    client = public
    districts = client.get(reverse("declarations:units"), {"province": "10"}).json()["units"]
    assert len(districts) == 9 and {"code": district("bat_xat").pk, "name": "Huyện Bát Xát"} in districts
    communes = client.get(reverse("declarations:units"), {"district": str(district("bat_xat").pk)}).json()["units"]
    assert len(communes) == district("bat_xat").communes.count()
    assert client.get(reverse("declarations:units")).status_code == 400


def test_start_page_offers_both_declarations(public, units):
    html = public.get(reverse("declarations:start")).content.decode()
    assert "Khai báo y tế" in html and "Khai báo di chuyển nội địa" in html
