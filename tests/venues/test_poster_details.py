"""Posters as people read them: the address says each unit once, a short code and address for phones that
cannot scan, and no poster at all while the site's public address is still this machine."""

from __future__ import annotations

import pytest
from django.urls import reverse

from rollout import qr
from rollout.text import place_line
from tests.factories import first_commune
from venues.models import RetiredVenueKey
from venues.services import checkins as svc

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("parts", "line"),
    [
        (("Số 12, đường Hoàng Liên, Phường Kim Tân", "Phường Kim Tân", "Thành phố Lào Cai"),
         "Số 12, đường Hoàng Liên, Phường Kim Tân, Thành phố Lào Cai"),
        (("Số 12, đường Hoàng Liên, phường kim tân", "Phường Kim Tân", "Thành phố Lào Cai"),
         "Số 12, đường Hoàng Liên, phường kim tân, Thành phố Lào Cai"),
        (("Số 12, đường Hoàng Liên", "Phường Kim Tân", "Thành phố Lào Cai"),
         "Số 12, đường Hoàng Liên, Phường Kim Tân, Thành phố Lào Cai"),
        (("Tổ 2, Thị trấn Bắc Hà, Huyện Bắc Hà", "Thị trấn Bắc Hà", "Huyện Bắc Hà"),
         "Tổ 2, Thị trấn Bắc Hà, Huyện Bắc Hà"),
        (("Thôn Xã Bản Vược", "Xã Bản Vược", "Huyện Bát Xát"), "Thôn Xã Bản Vược, Huyện Bát Xát"),
        (("Đường Kim Tân mới", "Phường Kim Tân", ""), "Đường Kim Tân mới, Phường Kim Tân"),
        (("", "Xã A Mú Sung", "Huyện Bát Xát"), "Xã A Mú Sung, Huyện Bát Xát"),
    ],
)  # fmt: skip
def test_an_address_names_each_unit_once(parts, line):
    assert place_line(*parts) == line


def test_poster_and_check_in_page_say_the_commune_once(client_for, agency_admin, venue):
    commune = first_commune(venue.district)
    venue.commune = commune
    venue.address = f"Số 5, đường Trần Phú, {commune.name}"
    venue.save()
    expected = f"Số 5, đường Trần Phú, {commune.name}, {venue.district.name}"
    poster = client_for(agency_admin).get(reverse("venues:venue-poster", args=[venue.pk])).content.decode()
    form = client_for(None).get(f"/c/{svc.venue_token(venue)}/").content.decode()
    for page in (poster, form):
        assert expected in page
        assert page.count(commune.name) == 1


def test_poster_prints_a_short_address_and_code_that_lead_to_the_check_in(client_for, agency_admin, venue, settings):
    settings.SITE_URL = "https://covid.laocai.gov.vn"
    assert qr.short_code_from_text(venue.short_code) == venue.short_code
    poster = client_for(agency_admin).get(reverse("venues:venue-poster", args=[venue.pk])).content.decode()
    short_url = f"covid.laocai.gov.vn/c/{venue.short_code}/"
    assert f"Không quét được mã? Mở <strong>{short_url}</strong>" in poster
    assert f'Mã địa điểm: <strong class="code">{venue.short_code}</strong>' in poster
    visitor = client_for(None)
    code = venue.short_code
    for typed in (code, code.lower(), f"{code[:3]}-{code[3:]}"):
        response = visitor.get(f"/c/{typed}/")
        assert response.status_code == 302 and response["Location"] == f"/c/{svc.venue_token(venue)}/", typed
    assert "Chợ Bát Xát" in visitor.get(f"/c/{code}/", follow=True).content.decode()


def test_a_short_code_that_names_no_venue_is_a_friendly_404(client_for, venue):
    unknown = "".join(ch for ch in "ABCDEFGHJK" if ch not in venue.short_code)[:6]
    response = client_for(None).get(f"/c/{unknown}/")
    assert response.status_code == 404 and "Không nhận ra mã QR" in response.content.decode()


def test_a_replaced_short_code_says_so(client_for, agency_admin, venue):
    old = venue.short_code
    client_for(agency_admin).post(reverse("venues:venue-qr-rotate", args=[venue.pk]))
    venue.refresh_from_db()
    assert venue.short_code != old and RetiredVenueKey.objects.filter(key=old, venue=venue).exists()
    response = client_for(None).get(f"/c/{old}/")
    assert response.status_code == 410 and "Mã QR này đã được thay thế" in response.content.decode()
    assert client_for(None).get(f"/c/{venue.short_code}/").status_code == 302


@pytest.mark.parametrize("local", ["http://localhost:8000", "http://127.0.0.1:8000"])
def test_in_production_no_poster_or_qr_is_printed_for_a_local_site_address(
    client_for, agency_admin, venue, settings, local
):
    settings.REQUIRE_PUBLIC_SITE_URL = True
    settings.SITE_URL = local
    client = client_for(agency_admin)
    detail = reverse("rollout:venue-detail", args=[venue.pk])
    for url, back in (
        (reverse("venues:venue-poster", args=[venue.pk]), detail),
        (reverse("venues:poster-list"), reverse("rollout:venue-list")),
        (reverse("venues:venue-qr", args=[venue.pk, "png"]), detail),
    ):
        response = client.get(url, follow=True)
        assert response.redirect_chain[0] == (back, 302), url
        assert f"Chưa thể in mã QR: địa chỉ công khai của trang (SITE_URL) vẫn là {local}" in response.content.decode()
    settings.SITE_URL = "https://covid.laocai.gov.vn"
    assert client.get(reverse("venues:venue-poster", args=[venue.pk])).status_code == 200
