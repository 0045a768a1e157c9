"""QR codes, signed tokens and rate limits shared by the public pages."""

from __future__ import annotations

import io
import uuid

import pytest
import zxingcpp
from django.http import HttpResponse
from django.test import RequestFactory
from PIL import Image

from rollout import qr
from rollout.ratelimit import rate_limit


def test_png_qr_decodes_to_the_same_text():
    text = "https://covid.laocai.gov.vn/c/abc:def/"
    results = zxingcpp.read_barcodes(Image.open(io.BytesIO(qr.qr_png(text))))
    assert [r.text for r in results] == [text]


def test_svg_qr_is_an_svg_document():
    assert qr.qr_svg("x").lstrip().startswith(("<?xml", "<svg"))


def test_tokens_verify_only_with_their_own_salt_and_key():
    key = qr.new_key()
    token = qr.sign(key, salt="venue")
    assert qr.unsign(token, salt="venue") == key
    assert qr.unsign(token, salt="person") is None
    assert qr.unsign(token[:-2] + "xx", salt="venue") is None
    assert qr.unsign("garbage", salt="venue") is None


def test_keys_are_unguessable():
    assert len({qr.new_key() for _ in range(1000)}) == 1000
    assert len(qr.new_key()) >= 22


@pytest.mark.django_db
def test_rate_limit_answers_429_in_vietnamese_after_the_limit():
    scope = f"test-{uuid.uuid4()}"

    @rate_limit(scope, "3/m")
    def view(request):
        return HttpResponse("ok")

    factory = RequestFactory()
    codes = [
        view(factory.post("/c/x/", REMOTE_ADDR="203.0.113.9", HTTP_ACCEPT_LANGUAGE="vi")).status_code for _ in range(4)
    ]
    assert codes == [200, 200, 200, 429]
    # Another address is counted on its own.
    assert view(factory.post("/c/x/", REMOTE_ADDR="203.0.113.10")).status_code == 200


def test_durations_read_in_minutes_below_an_hour_and_in_hours_above():
    from django.utils import translation

    from rollout.figures import duration

    with translation.override("vi"):
        assert [duration(m) for m in (0, 45, 60, 90, 125)] == [
            "0 phút",
            "45 phút",
            "1 giờ",
            "1 giờ 30 phút",
            "2 giờ 5 phút",
        ]
    with translation.override("en"):
        assert [duration(m) for m in (1, 60, 90)] == ["1 minute", "1 hour", "1 hour 30 minutes"]


def test_covid_19_is_kept_on_one_line_and_the_rest_escaped():
    from rollout.templatetags.text import keep_together

    assert keep_together("Chống COVID-19 <b>") == 'Chống <span class="nowrap">COVID-19</span> &lt;b&gt;'
