"""The province an installation serves comes from the units data (HOME_PROVINCE_CODE), never from a template:
with Hà Nội's code (01) and its demo, no page of any role says "Lào Cai" outside data lists."""

from __future__ import annotations

import io
import re
import secrets
from html.parser import HTMLParser
from urllib.parse import urlsplit

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from checkpoints.models import Declaration
from checkpoints.services import declaration_token
from rollout.models import Checkpoint, District, HealthFacility, Province, User, Venue
from rollout.selectors.units import home_province
from tests.venues.helpers import checkin_url, visitor

pytestmark = pytest.mark.django_db

HANOI = 1
ROLES = [
    "province_admin", "province_viewer", "health_officer", "district_ba_dinh", "checkpoint_staff",
    "agency_admin", "facility_staff",
]  # fmt: skip


class _Text(HTMLParser):
    """A page's visible text and <title>, leaving out data lists (<select>/<datalist> options), scripts and
    styles; and its links."""

    SKIP = {"option", "script", "style", "datalist", "select"}

    def __init__(self) -> None:
        super().__init__()
        self.parts: list[str] = []
        self.links: list[str] = []
        self.skipping = 0

    def handle_starttag(self, tag, attrs) -> None:
        if tag in self.SKIP:
            self.skipping += 1
        href = dict(attrs).get("href")
        if tag == "a" and href:
            self.links.append(href)
        for name, value in attrs:  # what screen readers and tooltips say is text too
            if name in ("title", "aria-label", "alt", "placeholder") and value:
                self.parts.append(value)

    def handle_endtag(self, tag) -> None:
        if tag in self.SKIP and self.skipping:
            self.skipping -= 1

    def handle_data(self, data) -> None:
        if not self.skipping:
            self.parts.append(data)


def _read(html: str) -> _Text:
    parser = _Text()
    parser.feed(html)
    return parser


def _crawl(client: Client, start: list[str], limit: int = 60) -> dict[str, str]:
    """Every page reachable from ``start`` in two clicks (same site, HTML only): url -> its text."""
    seen: dict[str, str] = {}
    frontier = list(start)
    for _depth in range(2):
        following = []
        for url in frontier:
            if url in seen or len(seen) >= limit:
                continue
            response = client.get(url)
            if response.status_code != 200 or not response["Content-Type"].startswith("text/html"):
                seen[url] = ""
                continue
            page = _read(response.content.decode())
            seen[url] = " ".join(page.parts)
            for href in page.links:
                parts = urlsplit(href)
                if parts.netloc or not parts.path.startswith("/") or parts.path.startswith(("/admin/", "/api/")):
                    continue
                if re.search(r"(export|download|\.xlsx|\.png|\.svg|\.pdf|logout)", parts.path):
                    continue
                following.append(parts.path + (f"?{parts.query}" if parts.query else ""))
        frontier = following
    return seen


def test_home_province_name_is_read_once_and_follows_the_setting(units, settings, django_assert_num_queries):
    settings.HOME_PROVINCE_CODE = HANOI
    home_province()  # warm
    with django_assert_num_queries(0):
        province = home_province()
    assert (province.name, province.short_name) == ("Thành phố Hà Nội", "Hà Nội")
    settings.HOME_PROVINCE_CODE = 10
    assert (home_province().name, home_province().short_name) == ("Tỉnh Lào Cai", "Lào Cai")


def test_renaming_the_province_row_is_seen_at_once(units, settings):
    settings.HOME_PROVINCE_CODE = HANOI
    assert home_province().short_name == "Hà Nội"
    Province.objects.filter(pk=HANOI).first().save()  # any save forgets the cached name
    hanoi = Province.objects.get(pk=HANOI)
    hanoi.name = "Thành phố Thủ đô Hà Nội"
    hanoi.save()
    assert home_province().name == "Thành phố Thủ đô Hà Nội"


def test_seed_demo_refuses_a_province_without_units(units):
    with pytest.raises(CommandError, match="No province with GSO code 99"):
        call_command("seed_demo", "--province", "99", "--days", "0", stdout=io.StringIO())


def test_no_page_of_any_role_says_lao_cai_when_the_installation_serves_hanoi(units, settings):
    settings.HOME_PROVINCE_CODE = HANOI
    settings.DEMO_PASSWORD = "demo-pass-for-tests"
    out = io.StringIO()
    call_command("seed_demo", "--province", "01", "--days", "1", stdout=out)
    assert "master data (Thành phố Hà Nội)" in out.getvalue()
    # The demo is Hà Nội's: its real districts, communes, checkpoints and facilities, nothing of Lào Cai's.
    hanoi = set(District.objects.filter(province_id=HANOI).values_list("pk", flat=True))
    assert set(Venue.objects.values_list("district", flat=True)) <= hanoi
    assert set(Checkpoint.objects.values_list("district", flat=True)) <= hanoi
    assert not Venue.objects.filter(name__icontains="Lào Cai").exists()
    assert not HealthFacility.objects.filter(name__icontains="Lào Cai").exists()

    pages: dict[str, str] = {}
    for username in ROLES:
        client = Client(HTTP_ACCEPT_LANGUAGE="vi")
        client.force_login(User.objects.get(username=username))
        for url, text in _crawl(client, [reverse("dashboard")]).items():
            pages[f"{username} {url}"] = text
    public = Client(HTTP_ACCEPT_LANGUAGE="vi", REMOTE_ADDR=f"10.9.{secrets.randbelow(250)}.{secrets.randbelow(250)}")
    venue = Venue.objects.filter(is_active=True).order_by("pk").first()
    admin = Client(HTTP_ACCEPT_LANGUAGE="vi")
    admin.force_login(User.objects.get(username="province_admin"))
    poster = _read(admin.get(reverse("venues:venue-poster", args=[venue.pk])).content.decode())
    pages["poster"] = " ".join(poster.parts)
    checkin = public.get(checkin_url(venue))
    pages["check-in form"] = " ".join(_read(checkin.content.decode()).parts)
    confirmation = public.post(checkin_url(venue), visitor())
    assert confirmation.status_code == 200
    pages["check-in confirmation"] = " ".join(_read(confirmation.content.decode()).parts)
    for url in (reverse("declarations:start"), reverse("declarations:create", args=["travel"])):
        pages[url] = " ".join(_read(public.get(url).content.decode()).parts)
    ba_dinh = District.objects.get(province_id=HANOI, short_codename="ba_dinh")
    declaration = Declaration.objects.create(
        kind="travel", full_name="Nguyễn Văn An", phone="0912345678", birth_year=1990, origin_province_id=10,
        destination_district=ba_dinh, travel_date=timezone.localdate(),
    )  # fmt: skip
    token = declaration_token(declaration)
    for url in (reverse("declarations:pass", args=[token]), reverse("declarations:pass-print", args=[token])):
        pages[url] = " ".join(_read(public.get(url).content.decode()).parts)

    crawled = [k for k, text in pages.items() if text]
    assert len(crawled) >= 60, crawled  # the crawl really went through the roles' pages
    assert all("Hà Nội" in pages[k] for k in ("poster", "check-in confirmation", reverse("declarations:start")))
    said = {k: re.findall(r".{0,40}Lào Cai.{0,40}", text) for k, text in pages.items() if "Lào Cai" in text}
    assert said == {}
