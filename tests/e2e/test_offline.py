"""Entry on a weak mountain network, in headless Chromium: the arrival form and the venue scanning page keep
working offline, queue on the device, and send each record exactly once when the network returns."""

from __future__ import annotations

import json
import time

import pytest
from django.utils import timezone

from checkpoints.models import Arrival
from rollout.models import Role, SyncReceipt
from tests.e2e.conftest import PHONE, wait_until
from tests.factories import AgencyFactory, CheckInFactory, UserFactory, VenueFactory, district
from venues.models import CheckIn
from venues.services.checkins import visitor_pass_text

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

PASSWORD = "correct-horse-battery"
METRICS = "offline-metrics.json"
WAITING = "document.getElementById('offline').getAttribute('data-waiting')"


def _sign_in(page, base_url: str, username: str) -> None:
    page.goto(f"{base_url}/accounts/login/")
    page.get_by_label("Tên đăng nhập").fill(username)
    page.get_by_label("Mật khẩu").fill(PASSWORD)
    page.get_by_role("button", name="Đăng nhập").click()
    page.wait_for_url(f"{base_url}/dashboard/")


def _installed(page, url: str) -> None:
    """Open ``url`` once the service worker controls the page (so the worker has a copy of it)."""
    wait_until(page, "navigator.serviceWorker && navigator.serviceWorker.controller !== null", timeout=20)
    page.goto(url)
    wait_until(page, "navigator.serviceWorker.controller !== null")
    # The worker stores its copy just after answering: wait until it is there.
    wait_until(
        page, "caches.open('rollout-pages').then(c => c.match(location.href, {ignoreVary: true})).then(r => !!r)"
    )


def _waiting(page) -> str:
    return page.locator("[data-offline-queue] [data-offline-count]").inner_text()


def _record_metric(artifacts, **values) -> None:
    path = artifacts / METRICS
    metrics = json.loads(path.read_text()) if path.exists() else {}
    metrics.update(values)
    path.write_text(json.dumps(metrics, indent=2, ensure_ascii=False))


def _cached_bytes(page) -> dict:
    return page.evaluate(
        """async () => {
          const out = {};
          for (const name of await caches.keys()) {
            const cache = await caches.open(name);
            let bytes = 0, entries = 0;
            for (const request of await cache.keys()) {
              bytes += (await (await cache.match(request)).blob()).size;
              entries += 1;
            }
            out[name] = {bytes, entries};
          }
          return out;
        }"""
    )


def _type_arrival(page, i: int, phone: str | None = None) -> None:
    page.locator("[name=id_number]").fill(f"0102030045{i:02d}")
    page.locator("[name=phone]").fill(phone or f"09123456{i:02d}")
    page.locator("[name=full_name]").fill(f"Người đến số {i}")
    page.locator("[data-save]").click()


@pytest.fixture
def staff_page(live_server, checkpoint_staff, checkpoint, new_page, settings):
    settings.SITE_URL = live_server.url
    page = new_page(**PHONE)
    _sign_in(page, live_server.url, checkpoint_staff.username)
    _installed(page, f"{live_server.url}/checkpoints/arrivals/new/")
    return page


def test_twenty_arrivals_saved_offline_after_a_reload_reach_the_server_once(live_server, staff_page, checkpoint,
                                                                            artifacts):  # fmt: skip
    page = staff_page
    page.context.set_offline(True)
    page.reload()  # the worker's copy: the form still opens
    page.locator("#arrival-form").wait_for()
    assert page.locator("[data-offline-network]").inner_text() == "mất mạng"
    for i in range(1, 21):
        _type_arrival(page, i)
        wait_until(page, f"{WAITING} === '{i}'")
    assert _waiting(page) == "20 bản ghi chờ gửi"
    assert page.locator(".offline-record").count() == 20
    assert page.locator("[data-offline-badge]").is_visible()
    page.screenshot(path=str(artifacts / "offline-arrivals-20-waiting-phone.png"), full_page=True)
    assert not Arrival.objects.exists()

    started = time.monotonic()
    page.context.set_offline(False)
    wait_until(page, f"{WAITING} === '0'", timeout=60)
    seconds = time.monotonic() - started
    assert _waiting(page) == "0 bản ghi chờ gửi"
    assert page.locator("[data-offline-last]").inner_text().startswith("gửi thành công lần cuối: ")
    page.screenshot(path=str(artifacts / "offline-arrivals-sent-phone.png"), full_page=True)
    names = sorted(Arrival.objects.values_list("full_name", flat=True))
    assert names == sorted(f"Người đến số {i}" for i in range(1, 21))
    assert SyncReceipt.objects.filter(kind="arrival").count() == 20
    assert all(a.checkpoint_id == checkpoint.pk and a.recorded_by_id for a in Arrival.objects.all())
    _record_metric(artifacts, online_to_zero_waiting_20_arrivals_s=round(seconds, 2), cached=_cached_bytes(page))


def test_a_sync_cut_every_third_request_still_stores_exactly_twenty(live_server, staff_page, artifacts):
    page = staff_page
    page.context.set_offline(True)
    for i in range(1, 21):
        _type_arrival(page, i)
        wait_until(page, f"{WAITING} === '{i}'")
    sent = {"requests": 0, "cut": 0}

    def cut_every_third(route):
        sent["requests"] += 1
        if sent["requests"] % 3 == 0:
            route.fetch()  # the server stores it ...
            sent["cut"] += 1
            route.abort("connectionreset")  # ... and the answer never reaches the device
        else:
            route.continue_()

    page.route("**/checkpoints/arrivals/sync/", cut_every_third)
    page.context.set_offline(False)
    wait_until(page, f"{WAITING} === '0'", timeout=90)
    assert sent["cut"] >= 6 and sent["requests"] >= 20 + sent["cut"]
    assert Arrival.objects.count() == 20
    assert len(set(Arrival.objects.values_list("id_number", flat=True))) == 20


def test_a_refused_record_stays_with_the_fields_message_and_saves_once_fixed(live_server, staff_page, artifacts):
    page = staff_page
    page.context.set_offline(True)
    _type_arrival(page, 1, phone="12345")
    _type_arrival(page, 2)
    wait_until(page, f"{WAITING} === '2'")
    page.context.set_offline(False)
    refused = page.locator(".offline-record[data-state=refused]")
    refused.wait_for()
    wait_until(page, f"{WAITING} === '1'")
    assert "Số điện thoại:" in refused.inner_text()
    page.screenshot(path=str(artifacts / "offline-arrival-refused-phone.png"), full_page=True)
    assert list(Arrival.objects.values_list("full_name", flat=True)) == ["Người đến số 2"]

    refused.get_by_role("button", name="Sửa").click()
    assert page.locator("[name=phone]").input_value() == "12345"
    assert page.evaluate("document.activeElement.name") == "phone"
    page.locator("[name=phone]").fill("0912 345 601")
    page.locator("[data-save]").click()
    wait_until(page, f"{WAITING} === '0'")
    fixed = Arrival.objects.get(full_name="Người đến số 1")
    assert fixed.phone == "0912345601" and Arrival.objects.count() == 2
    page.screenshot(path=str(artifacts / "offline-arrival-fixed-phone.png"), full_page=True)


def test_venue_scans_offline_sync_as_entries_and_exits(live_server, units, new_page, artifacts, settings):
    settings.SITE_URL = live_server.url
    agency = AgencyFactory(district=district("bat_xat"))
    agency_venue = VenueFactory(name="Chợ Cốc Lếu", agency=agency, district=agency.district)
    staff = UserFactory.with_role(Role.AGENCY_ADMIN, agency=agency)
    elsewhere = VenueFactory(district=district("sa_pa"))
    passes = [
        visitor_pass_text(CheckInFactory(venue=elsewhere, full_name=name, phone=phone, id_number=""))
        for name, phone in (("Lò Thị Mai", "0912000001"), ("Vàng A Chứ", "0912000002"))
    ]
    page = new_page(**PHONE)
    _sign_in(page, live_server.url, staff.username)
    _installed(page, f"{live_server.url}/venues/{agency_venue.pk}/scan/")
    page.context.set_offline(True)
    page.reload()

    def scan(text: str) -> None:
        page.locator("#scan-text").fill(text)
        page.locator("#scan-text").press("Enter")  # a hand scanner types the code and Enter
        page.locator("#offline-found").wait_for()

    scan(passes[0])
    page.get_by_role("button", name="Ghi nhận vào").first.click()
    scan(passes[1])
    page.locator("#offline-found [data-answer=has_cough]").check()
    page.get_by_role("button", name="Ghi nhận vào").first.click()
    scan(passes[0])  # leaving: the device remembers the entry it recorded and offers the exit first
    assert page.locator("[data-offline-found-hint]").is_visible()
    assert page.evaluate("document.activeElement.hasAttribute('data-offline-exit')")
    page.keyboard.press("Enter")
    wait_until(page, f"{WAITING} === '3'")
    page.screenshot(path=str(artifacts / "offline-venue-scan-3-waiting-phone.png"), full_page=True)
    assert not CheckIn.objects.filter(venue=agency_venue).exists()

    page.context.set_offline(False)
    wait_until(page, f"{WAITING} === '0'", timeout=30)
    visits = {c.full_name: c for c in CheckIn.objects.filter(venue=agency_venue)}
    assert set(visits) == {"Lò Thị Mai", "Vàng A Chứ"}
    assert visits["Lò Thị Mai"].checked_out_at is not None and visits["Vàng A Chứ"].checked_out_at is None
    assert visits["Vàng A Chứ"].has_cough and visits["Vàng A Chứ"].flagged
    assert visits["Lò Thị Mai"].checked_in_at <= visits["Lò Thị Mai"].checked_out_at <= timezone.now()
    page.screenshot(path=str(artifacts / "offline-venue-scan-sent-phone.png"), full_page=True)


def _sign_in_again(page, base_url: str, username: str) -> None:
    page.get_by_label("Tên đăng nhập").fill(username)
    page.get_by_label("Mật khẩu").fill(PASSWORD)
    page.get_by_role("button", name="Đăng nhập").click()


def test_a_session_expired_offline_asks_to_sign_in_again_then_sends_the_queue(live_server, staff_page,
                                                                              checkpoint_staff, artifacts):  # fmt: skip
    page = staff_page
    page.context.set_offline(True)
    _type_arrival(page, 1)
    wait_until(page, f"{WAITING} === '1'")
    page.context.clear_cookies()  # the session ended while the device had no network
    page.context.set_offline(False)
    prompt = page.locator("[data-offline-signin]")
    prompt.wait_for(state="visible")
    assert "Phiên đăng nhập đã hết hạn" in prompt.inner_text() and _waiting(page) == "1 bản ghi chờ gửi"
    page.screenshot(path=str(artifacts / "offline-session-expired-phone.png"), full_page=True)
    assert not Arrival.objects.exists()
    prompt.get_by_role("link", name="Đăng nhập lại").click()
    _sign_in_again(page, live_server.url, checkpoint_staff.username)
    page.wait_for_url(f"{live_server.url}/checkpoints/arrivals/new/")  # back where the queue is
    wait_until(page, f"{WAITING} === '0'")
    assert Arrival.objects.get().full_name == "Người đến số 1"


def test_on_a_shared_device_the_queue_belongs_to_its_user_and_sign_out_warns(live_server, staff_page, checkpoint,
                                                                             checkpoint_staff, artifacts):  # fmt: skip
    page = staff_page
    page.context.set_offline(True)
    _type_arrival(page, 1, phone="12345")  # refused when sent: it stays waiting on the device
    page.context.set_offline(False)
    page.locator(".offline-record[data-state=refused]").wait_for()
    dialogs = []

    def answer(accept: bool):
        def handle(dialog):
            dialogs.append(dialog.message)
            dialog.accept() if accept else dialog.dismiss()

        return handle

    page.once("dialog", answer(False))
    page.get_by_role("button", name="Đăng xuất").click()
    page.wait_for_timeout(300)
    assert "Còn 1 bản ghi lưu trên máy này chưa được gửi" in dialogs[0]
    assert page.url.endswith("/checkpoints/arrivals/new/")  # still signed in
    page.once("dialog", answer(True))
    page.get_by_role("button", name="Đăng xuất").click()
    page.wait_for_url("**/accounts/login/**")
    assert page.evaluate("caches.keys()").count("rollout-pages") == 0  # this user's pages are gone

    colleague = UserFactory.with_role(Role.CHECKPOINT_STAFF, checkpoint=checkpoint)
    page.goto(f"{live_server.url}/accounts/login/")
    _sign_in_again(page, live_server.url, colleague.username)
    page.goto(f"{live_server.url}/checkpoints/arrivals/new/")
    others = page.locator("[data-offline-queue] [data-offline-others]")
    others.wait_for(state="visible")
    assert others.inner_text().startswith("1 bản ghi của tài khoản khác")
    assert _waiting(page) == "0 bản ghi chờ gửi" and page.locator(".offline-record").count() == 0
    page.screenshot(path=str(artifacts / "offline-shared-device-other-user-phone.png"), full_page=True)
    page.get_by_role("button", name="Đăng xuất").click()  # nothing of theirs waits: no question
    page.wait_for_url("**/accounts/login/**")
    assert len(dialogs) == 2

    page.goto(f"{live_server.url}/accounts/login/")
    _sign_in_again(page, live_server.url, checkpoint_staff.username)
    page.goto(f"{live_server.url}/checkpoints/arrivals/new/")
    refused = page.locator(".offline-record[data-state=refused]")
    refused.wait_for()
    refused.get_by_role("button", name="Sửa").click()
    page.locator("[name=phone]").fill("0912345601")
    page.locator("[data-save]").click()
    wait_until(page, f"{WAITING} === '0'")
    assert Arrival.objects.get().recorded_by == checkpoint_staff


def test_a_personal_qr_scanned_offline_is_resolved_at_sync_and_a_duplicate_asks_first(live_server, staff_page,
                                                                                      artifacts):  # fmt: skip
    from checkpoints.models import DeclarationKind
    from checkpoints.services.declarations import DeclarationInput, declaration_qr_text, declaration_submit

    page = staff_page
    declaration = declaration_submit(
        data=DeclarationInput(
            kind=DeclarationKind.TRAVEL, full_name="Vàng Thị Dợ", phone="0386123456", origin_province=1,
            origin_district=1, destination_district=district("sa_pa").pk, travel_date=timezone.localdate(),
            vehicle="coach", plate="29B-111.22",
        )
    )  # fmt: skip
    page.context.set_offline(True)
    page.locator("#qr-text").fill(declaration_qr_text(declaration))
    page.locator("#qr-text").press("Enter")  # a hand scanner: the code is kept, nothing can be looked up
    page.get_by_text("Đã giữ mã QR cá nhân").wait_for()
    page.locator("[data-save]").click()
    wait_until(page, f"{WAITING} === '1'")
    assert "Mã QR cá nhân" in page.locator(".offline-record").first.text_content()
    # The same traveller typed again by a colleague's habit: a likely duplicate once both are sent.
    page.locator("[name=phone]").fill("0386 123 456")
    page.locator("[name=full_name]").fill("Vàng Thị Dợ")
    page.locator("[data-save]").click()
    wait_until(page, f"{WAITING} === '2'")
    page.context.set_offline(False)
    asked = page.locator(".offline-record[data-state=duplicate]")
    asked.wait_for()
    wait_until(page, f"{WAITING} === '1'")
    first = Arrival.objects.get()
    assert (first.full_name, first.plate, first.declaration_id) == ("Vàng Thị Dợ", "29B-111.22", declaration.pk)
    assert first.destination_district_id == district("sa_pa").pk  # the declaration's, not the form's default
    page.screenshot(path=str(artifacts / "offline-arrival-duplicate-phone.png"), full_page=True)
    asked.get_by_role("button", name="Người khác hoặc lượt qua chốt khác: vẫn lưu (có đánh dấu)").click()
    wait_until(page, f"{WAITING} === '0'")
    assert Arrival.objects.filter(possible_duplicate_of=first).count() == 1


def test_venue_manual_entry_and_exit_by_phone_offline(live_server, units, new_page, artifacts):
    agency = AgencyFactory(district=district("bat_xat"))
    venue = VenueFactory(name="Nhà văn hóa", agency=agency, district=agency.district)
    staff = UserFactory.with_role(Role.AGENCY_ADMIN, agency=agency)
    page = new_page(**PHONE)
    _sign_in(page, live_server.url, staff.username)
    _installed(page, f"{live_server.url}/venues/{venue.pk}/scan/")
    page.context.set_offline(True)
    page.reload()
    assert page.locator("#manual-entry").is_hidden()
    page.locator("#lookup-form [name=query]").fill("0912 000 009")
    page.locator("#lookup-form button[type=submit]").click()  # offline: nothing to look up, both ways offered
    page.locator("#manual-entry").wait_for()
    assert page.locator("#manual-entry [name=phone]").input_value() == "0912 000 009"
    page.locator("#manual-entry [name=full_name]").fill("Sùng Thị Chở")
    page.locator("#manual-entry button[type=submit]").click()
    wait_until(page, f"{WAITING} === '1'")
    page.locator("#lookup-form [name=query]").fill("0912000009")
    page.locator("#lookup-form button[type=submit]").click()
    page.locator("[data-offline-lookup-exit]").click()
    wait_until(page, f"{WAITING} === '2'")
    page.context.set_offline(False)
    wait_until(page, f"{WAITING} === '0'", timeout=30)
    visit = CheckIn.objects.get(venue=venue)
    assert (visit.full_name, visit.phone, visit.method) == ("Sùng Thị Chở", "0912000009", "manual")
    assert visit.checked_out_at is not None
