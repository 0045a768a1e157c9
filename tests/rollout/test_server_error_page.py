"""The 500 page, through the whole middleware stack, while the database cannot be reached and with no
translation catalogue: a bug met during an outage must still get the fixed Vietnamese page (and its headers)."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test import Client
from django.urls import path
from django.utils import translation

from tests.rollout.test_outage import database_down, in_server_thread

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="simulates a PostgreSQL outage on its port"),
]


def _bug(request):
    raise RuntimeError("a bug, not the database")


urlpatterns = [path("bug/", _bug), path("api/v1/bug/", _bug)]
handler500 = "rollout.views.errors.server_error"


def test_500_page_renders_through_the_middleware_with_the_database_down_and_no_translations(settings):
    settings.ROOT_URLCONF = __name__
    settings.USE_I18N = False  # no catalogue is read: the page's text is fixed
    client = Client(raise_request_exception=False, HTTP_ACCEPT_LANGUAGE="en")
    with database_down(), translation.override(None):
        response = in_server_thread(lambda: client.get("/bug/"))
    assert response.status_code == 500  # not a 503: the database was never asked
    body = response.content.decode()
    assert "Đã có lỗi xảy ra" in body and "Vui lòng thử lại sau ít phút" in body
    assert 'rel="stylesheet" href="/static/css/error.css"' in body
    assert "script-src 'self'" in response["Content-Security-Policy"]
    assert "camera=()" in response["Permissions-Policy"]


def test_an_unexpected_error_under_the_api_answers_in_the_api_error_shape(settings):
    settings.ROOT_URLCONF = __name__
    client = Client(raise_request_exception=False)
    response = client.get("/api/v1/bug/", HTTP_ACCEPT_LANGUAGE="vi")
    assert response.status_code == 500
    assert response["Content-Type"] == "application/json"
    assert response.json() == {
        "message": "Máy chủ gặp lỗi không mong muốn. Vui lòng thử lại sau.",
        "extra": {},
    }
