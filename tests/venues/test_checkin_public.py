"""The public check-in at /c/<token>/: no account, Vietnamese, validated, one row per visit, rate limited."""

from __future__ import annotations

from unittest import mock
from urllib.parse import urlsplit

import pytest
import time_machine
from django.test import Client

from tests.venues.helpers import checkin_url, local, visitor
from venues.models import CheckIn, CheckInMethod
from venues.services import checkins as svc

pytestmark = pytest.mark.django_db


def _visit_url(checkin) -> str:
    return f"/c/{svc.venue_token(checkin.venue)}/v/{svc.visit_token(checkin)}/"


def test_form_is_vietnamese_with_the_four_health_questions(client_for, venue):
    page = client_for(None).get(checkin_url(venue)).content.decode()
    for text in (
        "Chợ Bát Xát",
        "Họ và tên",
        "Số điện thoại di động",
        "Số CMND/CCCD (không bắt buộc)",
        "Bạn có bị sốt không?",
        "Bạn có bị ho không?",
        "Bạn có bị khó thở không?",
        "tiếp xúc với ca bệnh COVID-19",
        "Ghi nhớ thông tin trên điện thoại này",
    ):
        assert text in page, text
    assert 'lang="vi"' in page


def test_checkin_stores_one_row_in_normal_form_and_answers_with_the_confirmation(client_for, venue):
    response = client_for(None).post(checkin_url(venue), visitor(id_number="0010 8301 2345"))
    assert response.status_code == 200
    page = response.content.decode()
    assert "Đã khai báo vào" in page and "0912***678" in page and "Khai báo ra" in page
    checkin = CheckIn.objects.get()
    assert (checkin.venue, checkin.full_name, checkin.phone, checkin.id_number) == (
        venue,
        "Lò Thị Mai",
        "0912345678",
        "001083012345",
    )
    assert checkin.method == CheckInMethod.SELF and not checkin.flagged and checkin.checked_out_at is None
    assert _visit_url(checkin) in page  # the page moves itself to its own address


def test_a_yes_answer_flags_the_checkin_and_shows_guidance(client_for, venue):
    page = client_for(None).post(checkin_url(venue), visitor(had_contact="yes")).content.decode()
    checkin = CheckIn.objects.get()
    assert checkin.flagged and checkin.had_contact and not checkin.has_fever
    assert "Bạn đã trả lời “Có” ở câu hỏi sức khỏe" in page and "1900 9095" in page


def test_a_checkin_costs_two_queries_the_venue_and_the_insert(
    client_for, venue, django_assert_num_queries, django_capture_on_commit_callbacks
):
    """The hottest write of the product: nothing read lazily on the way (e.g. a deferred field)."""
    client = client_for(None)
    with (
        mock.patch("venues.services.checkins.district_day_changed") as bump,
        django_assert_num_queries(2),
        django_capture_on_commit_callbacks(execute=True),
    ):
        assert client.post(checkin_url(venue), visitor()).status_code == 200
    assert CheckIn.objects.count() == 1
    assert bump.call_args.kwargs["district_id"] == venue.district_id  # the venue's district's figures


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (visitor(phone="12345"), "Nhập số điện thoại di động Việt Nam 10 chữ số"),
        (visitor(phone=""), "Vui lòng nhập số điện thoại di động."),
        (visitor(full_name=""), "Vui lòng nhập họ và tên."),
        (visitor(full_name="1"), "Nhập họ và tên như trên CMND/CCCD."),
        (visitor(id_number="12345"), "9 chữ số"),
    ],
)
def test_bad_input_gets_a_clear_vietnamese_message_and_stores_nothing(client_for, venue, data, message):
    response = client_for(None).post(checkin_url(venue), data)
    assert response.status_code == 200
    assert message in response.content.decode()
    assert CheckIn.objects.count() == 0


def test_a_double_tap_or_resubmission_is_one_visit(client_for, venue):
    client = client_for(None)
    client.post(checkin_url(venue), visitor())
    client.post(checkin_url(venue), visitor(phone="+84912345678"))
    assert CheckIn.objects.count() == 1
    client.post(checkin_url(venue), visitor(phone="0987654321"))
    assert CheckIn.objects.count() == 2


def test_checkin_needs_the_csrf_token(venue, units):
    client = Client(enforce_csrf_checks=True)
    assert client.post(checkin_url(venue), visitor()).status_code == 403
    page = client.get(checkin_url(venue)).content.decode()
    token = page.split('name="csrfmiddlewaretoken" value="')[1].split('"')[0]
    assert client.post(checkin_url(venue), {**visitor(), "csrfmiddlewaretoken": token}).status_code == 200
    assert CheckIn.objects.count() == 1


def test_checkout_from_the_confirmation_page(client_for, venue):
    client = client_for(None)
    client.post(checkin_url(venue), visitor())
    checkin = CheckIn.objects.get()
    response = client.post(_visit_url(checkin) + "out/")
    assert response.status_code == 302 and response["Location"] == _visit_url(checkin)
    checkin.refresh_from_db()
    assert checkin.checked_out_at is not None
    page = client.get(_visit_url(checkin)).content.decode()
    assert "Đã khai báo ra" in page and 'action="' + _visit_url(checkin) + 'out/"' not in page
    first_out = checkin.checked_out_at
    client.post(_visit_url(checkin) + "out/")  # a second tap changes nothing
    checkin.refresh_from_db()
    assert checkin.checked_out_at == first_out


def test_checkout_the_next_day_finds_the_visit_closed_at_midnight(client_for, venue):
    with time_machine.travel(local("2021-11-02 21:00"), tick=False):
        client_for(None).post(checkin_url(venue), visitor())
    checkin = CheckIn.objects.get()
    with time_machine.travel(local("2021-11-03 08:00"), tick=False):
        client_for(None).post(_visit_url(checkin) + "out/")
        page = client_for(None).get(_visit_url(checkin)).content.decode()
    checkin.refresh_from_db()
    assert checkin.checked_out_at is None
    assert "Lượt ra vào đã kết thúc" in page and "22:00 02/11/2021" in page  # default stay of 60 minutes


def test_visit_links_are_bound_to_their_venue_and_signature(client_for, venue, sa_pa_venue):
    client_for(None).post(checkin_url(venue), visitor())
    checkin = CheckIn.objects.get()
    other = f"/c/{svc.venue_token(sa_pa_venue)}/v/{svc.visit_token(checkin)}/"
    assert client_for(None).get(other).status_code == 404
    assert client_for(None).get(_visit_url(checkin)[:-4] + "xyz/").status_code == 404
    assert client_for(None).post(other + "out/").status_code == 404


def test_visitor_pass_image_and_page(client_for, venue):
    client_for(None).post(checkin_url(venue), visitor())
    checkin = CheckIn.objects.get()
    image = client_for(None).get(_visit_url(checkin) + "pass.svg")
    assert image.status_code == 200 and image["Content-Type"] == "image/svg+xml"
    text = svc.visitor_pass_text(checkin)
    page = client_for(None).get(urlsplit(text).path).content.decode()
    assert "Mã QR cá nhân" in page and "Lò Thị Mai" not in page and "0912" not in page


def test_rate_limit_per_address_answers_429_in_vietnamese(client_for, venue, settings):
    settings.CHECKIN_RATE_PER_IP = "3/m"
    client = client_for(None)
    codes = [client.post(checkin_url(venue), visitor(phone=f"091234567{i}")).status_code for i in range(4)]
    assert codes == [200, 200, 200, 429]
    response = client.post(checkin_url(venue), visitor(phone="0987654321"))
    assert response.status_code == 429
    assert "Bạn gửi yêu cầu quá nhiều lần" in response.content.decode()
    assert CheckIn.objects.count() == 3
    # Another address still gets through.
    other = Client(REMOTE_ADDR="203.0.113.7", HTTP_ACCEPT_LANGUAGE="vi")
    assert other.post(checkin_url(venue), visitor(phone="0987654321")).status_code == 200


def test_rate_limit_per_venue_token_holds_across_addresses(venue, sa_pa_venue, settings, units):
    settings.CHECKIN_RATE_PER_VENUE = "2/m"
    codes = [
        Client(REMOTE_ADDR=f"203.0.113.{i}").post(checkin_url(venue), visitor(phone=f"091234567{i}")).status_code
        for i in range(3)
    ]
    assert codes == [200, 200, 429]
    assert Client(REMOTE_ADDR="203.0.113.9").post(checkin_url(sa_pa_venue), visitor()).status_code == 200


def test_page_views_and_token_guessing_are_limited_per_address(client_for, units, settings):
    settings.CHECKIN_PAGE_RATE_PER_IP = "5/m"
    codes = [client_for(None).get(f"/c/guess{i}:abc/").status_code for i in range(6)]
    assert codes == [404] * 5 + [429]


def test_without_redis_the_limits_and_the_repeat_check_still_hold(client_for, venue, settings):
    """Development runs on a file cache (no Redis pipeline): the same rules through the generic cache API."""
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "t3"}}
    settings.CHECKIN_RATE_PER_IP = "2/m"
    client = client_for(None)
    client.post(checkin_url(venue), visitor())
    client.post(checkin_url(venue), visitor())  # the same visit again
    assert CheckIn.objects.count() == 1
    assert client.post(checkin_url(venue), visitor(phone="0987654321")).status_code == 429
