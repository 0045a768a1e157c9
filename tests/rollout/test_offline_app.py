"""The installable staff app: manifest, service worker at the root, the session check before a sync."""

from __future__ import annotations

import json
import re

import pytest
from django.contrib.staticfiles import finders
from django.urls import reverse

from rollout.offline import CORE_STATIC, offline_urls_for, precached_static

pytestmark = pytest.mark.django_db


def test_manifest_is_vietnamese_installable_and_scoped_to_the_whole_site(client):
    response = client.get("/manifest.webmanifest", HTTP_ACCEPT_LANGUAGE="vi")
    assert response["Content-Type"] == "application/manifest+json"
    manifest = json.loads(response.content)
    assert manifest["name"] == "Nền tảng công nghệ phòng, chống COVID-19" and manifest["lang"] == "vi"
    assert (manifest["scope"], manifest["start_url"], manifest["display"]) == ("/", "/", "standalone")
    sizes = {icon["sizes"] for icon in manifest["icons"] if icon["type"] == "image/png"}
    assert {"192x192", "512x512"} <= sizes
    for icon in manifest["icons"]:
        assert finders.find(icon["src"].removeprefix("/static/")), icon["src"]


def test_service_worker_is_served_from_the_root_with_workbox_and_a_precache_of_real_files(client):
    response = client.get("/sw.js")
    assert response.status_code == 200 and response["Service-Worker-Allowed"] == "/"
    assert response["Content-Type"].startswith("text/javascript") and "no-cache" in response["Cache-Control"]
    body = response.content.decode()
    config = json.loads(re.search(r"self\.ROLLOUT_SW = (\{.*\});", body).group(1))
    scripts = re.search(r"importScripts\((.*)\);", body).group(1)
    assert "workbox-core.prod.js" in scripts and scripts.rstrip('"').endswith("js/sw.js")
    assert "cdn" not in body.lower() and "googleapis" not in body
    urls = {entry["url"] for entry in config["precache"]}
    for name in precached_static():
        assert finders.find(name), name
    assert "/static/js/arrivals.js" in urls and "/static/js/venue_scan.js" in urls and "/static/css/app.css" in urls
    assert all(len(entry["revision"]) == 16 for entry in config["precache"])
    assert config["pages"] == [r"^/checkpoints/arrivals/new/$", r"^/venues/\d+/scan/$"]
    assert (config["units"], config["session"]) == (reverse("declarations:units"), reverse("offline-session"))


def test_session_gives_a_fresh_token_and_the_users_pages_or_401_when_signed_out(client, client_for, checkpoint_staff):
    body = client_for(checkpoint_staff).get("/offline/session/").json()
    assert body["user"] == checkpoint_staff.pk and len(body["csrf"]) >= 32
    assert body["pages"] == [reverse("checkpoints:arrival-record")]
    signed_out = client.get("/offline/session/")
    assert signed_out.status_code == 401 and signed_out.json()["login_url"] == reverse("accounts:login")
    assert "no-cache" in signed_out["Cache-Control"]


def test_pages_cached_ahead_follow_the_roles(agency, bat_xat, agency_admin, district_officer, province_admin):
    from tests.factories import VenueFactory

    venue = VenueFactory(agency=agency, district=bat_xat)
    assert offline_urls_for(agency_admin) == [reverse("venues:venue-scan", args=[venue.pk])]
    assert offline_urls_for(district_officer) == [reverse("venues:venue-scan", args=[venue.pk])]
    VenueFactory.create_batch(3, district=bat_xat)
    # More venues than one entrance's staff work at: none is guessed (the page is cached when opened).
    assert offline_urls_for(district_officer) == []
    assert offline_urls_for(province_admin) == []


def test_signed_in_pages_load_the_queue_and_signed_out_pages_do_not(client, client_for, district_officer):
    page = client_for(district_officer).get(reverse("dashboard")).content.decode()
    assert 'id="offline"' in page and 'id="offline-texts"' in page and "js/offline.js" in page
    assert 'rel="manifest"' in page and "data-sign-out" in page
    assert "js/offline.js" not in client.get(reverse("accounts:login")).content.decode()


def test_no_page_loads_the_qr_decoder_before_a_camera_opens(client_for, checkpoint_staff):
    page = client_for(checkpoint_staff).get(reverse("checkpoints:arrival-record")).content.decode()
    assert "jsQR" not in page and 'ponyfill.js" defer' not in page
    assert 'data-decoder-js="/static/vendor/barcode-detector-3.2.2/ponyfill.js"' in page
    assert not any("barcode-detector" in name for name in CORE_STATIC)


def test_the_worker_is_installed_from_any_page_only_for_users_with_an_offline_page(client_for, checkpoint_staff,
                                                                                    province_viewer):  # fmt: skip
    assert 'data-install="1"' in client_for(checkpoint_staff).get(reverse("dashboard")).content.decode()
    assert 'data-install=""' in client_for(province_viewer).get(reverse("dashboard")).content.decode()
