"""The QR decoder loads only when a camera opens (a maintained one: the browser's BarcodeDetector, else the
vendored barcode-detector ponyfill on zxing-wasm), and the arrival form stays light until then."""

from __future__ import annotations

import io
import json
import time

import pytest
from PIL import Image

from rollout import qr
from rollout.models import Role
from tests.e2e.conftest import CHROMIUM, CHROMIUM_ARGS, PHONE
from tests.factories import AgencyFactory, CheckInFactory, UserFactory, VenueFactory, district
from venues.models import CheckIn
from venues.services.checkins import visitor_pass_text

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

PASSWORD = "correct-horse-battery"
DECODER = ("barcode-detector-3.2.2/ponyfill.js", "barcode-detector-3.2.2/zxing_reader.wasm")


def _sign_in(page, base_url: str, username: str) -> None:
    page.goto(f"{base_url}/accounts/login/")
    page.get_by_label("Tên đăng nhập").fill(username)
    page.get_by_label("Mật khẩu").fill(PASSWORD)
    page.get_by_role("button", name="Đăng nhập").click()
    page.wait_for_url(f"{base_url}/dashboard/")


def _page_bytes(page) -> dict:
    """What the page itself fetched (document and its resources), as the server sent them (no gzip here)."""
    return page.evaluate(
        """() => {
          const entries = [...performance.getEntriesByType('navigation'), ...performance.getEntriesByType('resource')];
          const out = {total: 0, files: {}};
          for (const e of entries) {
            const size = e.encodedBodySize || 0;
            out.total += size;
            out.files[new URL(e.name).pathname] = size;
          }
          return out;
        }"""
    )


def test_the_arrival_form_without_the_camera_fetches_no_decoder(live_server, checkpoint_staff, new_page, artifacts):
    # A first visit as the officer's phone makes it, without the worker's copies (measured apart below).
    page = new_page(**PHONE, service_workers="block")
    _sign_in(page, live_server.url, checkpoint_staff.username)
    page.goto(f"{live_server.url}/checkpoints/arrivals/new/")
    page.wait_for_load_state("networkidle")
    measured = _page_bytes(page)
    assert not any(name.endswith(DECODER) or "jsQR" in name for name in measured["files"])
    assert measured["total"] < 150_000, measured
    path = artifacts / "offline-metrics.json"
    metrics = json.loads(path.read_text()) if path.exists() else {}
    metrics["arrival_form_without_camera"] = measured
    path.write_text(json.dumps(metrics, indent=2, ensure_ascii=False))


@pytest.fixture
def camera_browser(browser, tmp_path):
    """Chromium with a fake camera filming a visitor's pass (MJPEG of one frame, looped)."""

    def launch(text: str):
        code = Image.open(io.BytesIO(qr.qr_png(text, box_size=6))).convert("RGB")
        frame = Image.new("RGB", (640, 480), "white")
        frame.paste(code, ((640 - code.width) // 2, (480 - code.height) // 2))
        video = tmp_path / "camera.mjpeg"
        with video.open("wb") as fh:
            for _ in range(5):
                frame.save(fh, format="JPEG", quality=90)
        args = [*CHROMIUM_ARGS, "--use-fake-device-for-media-stream", "--use-fake-ui-for-media-stream",
                f"--use-file-for-fake-video-capture={video}"]  # fmt: skip
        launched.append(browser.browser_type.launch(executable_path=CHROMIUM, args=args))
        return launched[-1]

    launched = []
    yield launch
    for b in launched:
        b.close()


def test_the_camera_reads_a_pass_with_the_decoder_fetched_only_then(live_server, units, camera_browser, artifacts,
                                                                    settings):  # fmt: skip
    settings.SITE_URL = live_server.url
    agency = AgencyFactory(district=district("bat_xat"))
    venue = VenueFactory(name="Chợ Cốc Lếu", agency=agency, district=agency.district)
    staff = UserFactory.with_role(Role.AGENCY_ADMIN, agency=agency)
    elsewhere = VenueFactory(district=district("sa_pa"))
    visitor = CheckInFactory(venue=elsewhere, full_name="Lò Thị Mai", phone="0912000001", id_number="")
    browser = camera_browser(visitor_pass_text(visitor))
    context = browser.new_context(locale="vi-VN", permissions=["camera"], service_workers="block", **PHONE)
    context.set_default_timeout(20_000)
    page = context.new_page()
    fetched = []
    page.on("requestfinished", lambda request: fetched.append(request.url))
    _sign_in(page, live_server.url, staff.username)
    page.goto(f"{live_server.url}/venues/{venue.pk}/scan/")
    page.wait_for_load_state("networkidle")
    assert not any(url.endswith(DECODER) for url in fetched)
    native = page.evaluate("'BarcodeDetector' in window")
    page.get_by_role("button", name="Bật camera").click()
    page.locator("#found").wait_for()  # read, posted, looked up: the one-tap entry is offered
    assert "Lò Thị Mai" in page.locator("#found").inner_text()
    if not native:  # Debian's Chromium on Linux has no BarcodeDetector: the vendored one was fetched now
        assert {d for d in DECODER if any(url.endswith(d) for url in fetched)} == set(DECODER)
    page.screenshot(path=str(artifacts / "qr-camera-found-phone.png"), full_page=True)
    page.get_by_role("button", name="Ghi nhận vào").first.click()
    # The camera starts again for the next visitor (and films the same pass again): wait on the database.
    deadline = time.monotonic() + 15
    while not CheckIn.objects.filter(venue=venue).exists() and time.monotonic() < deadline:
        time.sleep(0.2)
    assert CheckIn.objects.filter(venue=venue, full_name="Lò Thị Mai").count() == 1
    context.close()
