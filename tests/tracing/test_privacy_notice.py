"""Privacy you can see: every public page that collects personal data says what it is for and how many days it
is kept, and the number is the retention setting's (SPEC §9)."""

from __future__ import annotations

import secrets

import pytest
from django.test import Client
from django.urls import reverse

from checkpoints.models import Declaration, DeclarationKind
from checkpoints.services import declaration_token
from rollout import qr
from tests.factories import VenueFactory, district
from venues.services.checkins import venue_token

pytestmark = pytest.mark.django_db

VISITOR = {
    "full_name": "Lò Thị Mai", "phone": "0912 345 678", "id_number": "",
    "has_fever": "no", "has_cough": "no", "has_breathing_difficulty": "no", "had_contact": "no",
}  # fmt: skip
PURPOSE = "cơ quan y tế dùng để truy vết người tiếp xúc (F0, F1) của ca bệnh COVID-19"


def _public() -> Client:
    """A visitor with an address of their own, so the check-in rate limits of other tests never interfere."""
    return Client(HTTP_ACCEPT_LANGUAGE="vi", REMOTE_ADDR=f"10.7.{secrets.randbelow(250)}.{secrets.randbelow(250)}")


@pytest.fixture
def pages(units):
    """Each public page that collects personal data, or confirms what was collected: name -> its HTML."""
    venue = VenueFactory(district=district("bat_xat"), name="Chợ Bát Xát")
    declaration = Declaration.objects.create(
        kind=DeclarationKind.HEALTH, full_name="Nguyễn Văn An", phone="0912345678",
        destination_district=district("sa_pa"), token=qr.new_key(),
    )  # fmt: skip

    def render() -> dict[str, str]:
        client = _public()
        gets = {
            "check-in form": f"/c/{venue_token(venue)}/",
            "declarations": reverse("declarations:start"),
            "health declaration form": reverse("declarations:create", args=["health"]),
            "travel declaration form": reverse("declarations:create", args=["travel"]),
            "declaration confirmation": reverse("declarations:pass", args=[declaration_token(declaration)]),
        }
        html = {}
        for name, url in gets.items():
            response = client.get(url)
            assert response.status_code == 200, name
            html[name] = response.content.decode()
        response = client.post(f"/c/{venue_token(venue)}/", VISITOR)
        assert response.status_code == 200 and "Đã khai báo vào" in response.content.decode()
        html["check-in confirmation"] = response.content.decode()
        return html

    return render


def test_every_public_page_says_what_the_data_is_for_and_the_retention_days(pages, settings):
    settings.PERSONAL_DATA_RETENTION_DAYS = 21
    for name, html in pages().items():
        assert PURPOSE in html, name
        assert "Thông tin được lưu 21 ngày, sau đó tự động xóa." in html, name
        assert 'data-retention-days="21"' in html, name


def test_the_pages_follow_the_retention_setting(pages, settings):
    settings.PERSONAL_DATA_RETENTION_DAYS = 45
    for name, html in pages().items():
        assert "Thông tin được lưu 45 ngày, sau đó tự động xóa." in html, name
        assert "lưu 21 ngày" not in html, name


def test_english_pages_say_it_too(pages, settings):
    settings.PERSONAL_DATA_RETENTION_DAYS = 30
    with_english = _public()
    with_english.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    html = with_english.get(reverse("declarations:start")).content.decode()
    assert "They are kept for 30 days, then deleted automatically." in html
