"""Venue QR codes: what they encode, downloads, posters, rotation, and who may do what."""

from __future__ import annotations

import io
from urllib.parse import urlsplit

import pytest
import zxingcpp
from django.urls import reverse
from PIL import Image
from rest_framework.test import APIClient

from rollout import qr
from rollout.models import Role
from tests.factories import AgencyFactory, UserFactory, VenueFactory
from tests.venues.helpers import checkin_url
from venues.models import RetiredVenueKey
from venues.services import checkins as svc

pytestmark = pytest.mark.django_db


def _decode(png: bytes) -> str:
    results = zxingcpp.read_barcodes(Image.open(io.BytesIO(png)))
    assert len(results) == 1
    return results[0].text


def test_png_decodes_to_the_public_checkin_url_which_opens_the_checkin_page(client_for, agency_admin, venue, settings):
    settings.SITE_URL = "https://covid.laocai.gov.vn"
    response = client_for(agency_admin).get(reverse("venues:venue-qr", args=[venue.pk, "png"]))
    assert response.status_code == 200 and response["Content-Type"] == "image/png"
    assert response["Content-Disposition"].startswith("attachment;")
    text = _decode(response.content)
    url = urlsplit(text)
    assert (url.scheme, url.netloc) == ("https", "covid.laocai.gov.vn")
    assert url.path.startswith("/c/")
    # The token is the signed random key, never the database id.
    assert qr.unsign(url.path.split("/")[2], salt=svc.VENUE_SALT) == venue.qr_key
    page = client_for(None).get(url.path)
    assert page.status_code == 200
    body = page.content.decode()
    assert "Chợ Bát Xát" in body and "Khai báo vào" in body and "csrfmiddlewaretoken" in body


def test_svg_download_is_a_scalable_qr_of_the_same_url(client_for, agency_admin, venue):
    response = client_for(agency_admin).get(reverse("venues:venue-qr", args=[venue.pk, "svg"]))
    assert response.status_code == 200 and response["Content-Type"] == "image/svg+xml"
    assert b"<svg" in response.content
    assert response["Content-Disposition"].endswith('.svg"')


def test_unknown_format_is_404(client_for, agency_admin, venue):
    assert client_for(agency_admin).get(f"/venues/{venue.pk}/qr.gif").status_code == 404


def test_rotated_token_shows_the_replaced_page_and_the_new_poster_works(client_for, agency_admin, venue):
    old_url = checkin_url(venue)
    response = client_for(agency_admin).post(reverse("venues:venue-qr-rotate", args=[venue.pk]))
    assert response.status_code == 302
    venue.refresh_from_db()
    assert RetiredVenueKey.objects.filter(venue=venue).count() == 2  # the QR key and the short code
    old = client_for(None).get(old_url)
    assert old.status_code == 410
    assert "Mã QR này đã được thay thế" in old.content.decode() and "Chợ Bát Xát" in old.content.decode()
    # Posting to the old code does not check anyone in either.
    assert client_for(None).post(old_url, {"full_name": "An", "phone": "0912345678"}).status_code == 410
    new_png = client_for(agency_admin).get(reverse("venues:venue-qr", args=[venue.pk, "png"])).content
    new_url = urlsplit(_decode(new_png)).path
    assert new_url != old_url
    assert client_for(None).get(new_url).status_code == 200


@pytest.mark.parametrize(
    "token",
    [
        "garbage",
        "abc:def",
        "%3Cscript%3E",
        "x" * 300,
    ],
)
def test_bad_tokens_get_a_friendly_404(client_for, venue, token):
    response = client_for(None).get(f"/c/{token}/")
    assert response.status_code == 404
    assert "Không nhận ra mã QR" in response.content.decode()


def test_a_tampered_or_wrong_purpose_token_is_404_not_500(client_for, venue):
    good = svc.venue_token(venue)
    assert client_for(None).get(f"/c/{good[:-3]}abc/").status_code == 404
    wrong_salt = qr.sign(venue.qr_key, salt=svc.PASS_SALT)
    assert client_for(None).get(f"/c/{wrong_salt}/").status_code == 404
    assert client_for(None).post(f"/c/{wrong_salt}/", {"full_name": "An"}).status_code == 404


def test_inactive_venue_says_qr_checkin_is_not_in_use(client_for, venue):
    venue.is_active = False
    venue.save()
    response = client_for(None).get(checkin_url(venue))
    assert response.status_code == 410 and "không còn khai báo ra vào bằng mã QR" in response.content.decode()


def test_rotation_needs_post_and_change_rights(client_for, agency_admin, province_viewer, district_officer, venue):
    url = reverse("venues:venue-qr-rotate", args=[venue.pk])
    assert client_for(agency_admin).get(url).status_code == 405
    assert client_for(province_viewer).post(url).status_code == 404
    other_agency_admin = UserFactory.with_role(Role.AGENCY_ADMIN, agency=AgencyFactory())
    assert client_for(other_agency_admin).post(url).status_code == 404
    assert client_for(district_officer).post(url).status_code == 302  # the district's own venue
    assert RetiredVenueKey.objects.count() == 2


def test_qr_downloads_follow_venue_scoping(client_for, venue, district_officer, other_district_officer, outsider):
    url = reverse("venues:venue-qr", args=[venue.pk, "png"])
    assert client_for(district_officer).get(url).status_code == 200
    assert client_for(other_district_officer).get(url).status_code == 404
    assert client_for(outsider).get(url).status_code == 404
    assert client_for(None).get(url).status_code == 302  # to sign-in


def test_poster_has_venue_qr_and_vietnamese_instructions_only_for_a_market(client_for, agency_admin, venue):
    page = client_for(agency_admin).get(reverse("venues:venue-poster", args=[venue.pk])).content.decode()
    assert "Chợ Bát Xát" in page and venue.address in page and "Huyện Bát Xát" in page
    assert "<svg" in page and "Quét mã QR để khai báo ra vào" in page
    assert "Scan the QR code to check in" not in page


def _poster_css() -> str:
    from django.contrib.staticfiles import finders

    return open(finders.find("css/poster.css"), encoding="utf-8").read()


def test_poster_of_a_tourist_venue_is_bilingual_whatever_the_interface_language(
    client_for, other_district_officer, sa_pa_venue
):
    client = client_for(other_district_officer)
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    page = client.get(reverse("venues:venue-poster", args=[sa_pa_venue.pk])).content.decode()
    assert "Quét mã QR để khai báo ra vào" in page
    assert "Scan the QR code to check in" in page


def test_print_css_keeps_each_poster_on_one_a4_page(client_for, agency_admin):
    css = _poster_css()
    assert "size: A4" in css and "height: 297mm" in css and "page-break-after: always" in css


def test_agency_admin_prints_all_own_posters_at_once(client_for, agency_admin, agency, venue, sa_pa_venue):
    second = VenueFactory(agency=agency, district=venue.district, name="Trụ sở cơ quan thử nghiệm")
    VenueFactory(agency=agency, district=venue.district, name="Kho cũ", is_active=False)
    page = client_for(agency_admin).get(reverse("venues:poster-list")).content.decode()
    assert page.count('<section class="poster') == 2
    assert venue.name in page and second.name in page
    assert sa_pa_venue.name not in page


def test_venue_page_shows_qr_panel_for_owner_and_no_rotation_for_viewer(
    client_for, agency_admin, province_viewer, venue
):
    owner_page = client_for(agency_admin).get(reverse("rollout:venue-detail", args=[venue.pk])).content.decode()
    assert "Thay mã QR" in owner_page and "Quét mã tại lối vào" in owner_page and "In mã QR khổ A4" in owner_page
    viewer_page = client_for(province_viewer).get(reverse("rollout:venue-detail", args=[venue.pk])).content.decode()
    assert "Thay mã QR" not in viewer_page and "In mã QR khổ A4" in viewer_page


# --- API ----------------------------------------------------------------------------------------


def _api(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def test_api_venues_carry_absolute_checkin_and_qr_png_urls(district_officer, venue, sa_pa_venue, settings):
    settings.SITE_URL = "https://covid.laocai.gov.vn"
    body = _api(district_officer).get("/api/v1/venues/").json()
    assert body["count"] == 1
    item = body["results"][0]
    assert item["id"] == venue.pk and item["district"] == venue.district_id
    assert item["checkin_url"] == svc.venue_checkin_url(venue)
    assert item["checkin_url"].startswith("https://covid.laocai.gov.vn/c/")
    assert item["qr_png_url"].startswith("http://testserver/api/v1/venues/")
    png = _api(district_officer).get(urlsplit(item["qr_png_url"]).path)
    assert png.status_code == 200 and png["Content-Type"] == "image/png"
    assert _decode(png.content) == item["checkin_url"]


def test_api_qr_png_is_scoped_and_needs_authentication(district_officer, sa_pa_venue, units):
    path = f"/api/v1/venues/{sa_pa_venue.pk}/qr.png/"
    response = _api(district_officer).get(path)
    assert response.status_code == 404 and "message" in response.json()
    assert APIClient().get(path).status_code in (401, 403)


def test_posters_follow_scoping(client_for, venue, other_district_officer, outsider, agency_admin):
    url = reverse("venues:venue-poster", args=[venue.pk])
    assert client_for(agency_admin).get(url).status_code == 200
    assert client_for(other_district_officer).get(url).status_code == 404
    assert client_for(outsider).get(url).status_code == 404
    assert client_for(None).get(url).status_code == 302
    for user in (other_district_officer, outsider):
        page = client_for(user).get(reverse("venues:poster-list")).content.decode()
        assert venue.name not in page and '<section class="poster' not in page
