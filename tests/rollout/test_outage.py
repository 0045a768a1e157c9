"""While PostgreSQL cannot be reached, every kind of request answers 503 "try again in a moment", never 500.

The outage is real, not mocked: the default database settings are pointed at a port where nothing listens, so
each connection attempt is refused by the operating system, as it is while PostgreSQL restarts. Each request
runs in a thread of its own, as in a server: with its own connection, outside the test's transaction (which
keeps the test database's contents for the other tests). The test client is told not to re-raise the view's
exception (``raise_request_exception=False``): a real server never does.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager

import pytest
from django.db import OperationalError, connection, connections
from django.test import Client, RequestFactory

from rollout import qr
from rollout.outage import outage
from rollout.views.errors import server_error
from tests.redis_server import free_port
from venues.services.checkins import VENUE_SALT

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="simulates a PostgreSQL outage on its port"),
]

UNAVAILABLE_VI = "Vui lòng thử lại sau giây lát"
A_SESSION_KEY = "a" * 32  # a signed-in browser's cookie: loading its session needs the database
# A well-signed token of a venue that does not exist: looking it up needs the database (404 when it answers).
UNKNOWN_VENUE = qr.sign(qr.new_key(), salt=VENUE_SALT)
CHECKIN_PAGE = f"/c/{UNKNOWN_VENUE}/"


@pytest.fixture(autouse=True)
def _no_outage_seen():
    outage.since = None
    yield
    outage.since = None


@contextmanager
def database_down() -> Iterator[None]:
    """Point the default database at a closed port (new connections are refused); restore it afterwards."""
    port = connection.settings_dict["PORT"]
    connection.settings_dict["PORT"] = str(free_port())
    try:
        yield
    finally:
        connection.settings_dict["PORT"] = port


def in_server_thread(request: Callable[[], object]):
    """Run one request as a server thread does: a fresh connection, closed at the end."""
    outcome: dict[str, object] = {}

    def run() -> None:
        try:
            outcome["response"] = request()
        except BaseException as exc:
            outcome["error"] = exc
        finally:
            connections.close_all()

    thread = threading.Thread(target=run)
    thread.start()
    thread.join()
    if "error" in outcome:
        raise outcome["error"]
    return outcome["response"]


class Browser:
    def __init__(self, *, signed_in: bool = False) -> None:
        self.client = Client(raise_request_exception=False)
        if signed_in:
            self.client.cookies["sessionid"] = A_SESSION_KEY

    def get(self, path: str, **extra):
        return in_server_thread(lambda: self.client.get(path, **extra))

    def post(self, path: str, data: dict, **extra):
        return in_server_thread(lambda: self.client.post(path, data, **extra))


def browser(*, signed_in: bool = False) -> Browser:
    return Browser(signed_in=signed_in)


def assert_try_again_page(response) -> None:
    assert response.status_code == 503
    assert response["Retry-After"] == "10"
    assert response["Content-Type"] == "text/html; charset=utf-8"
    body = response.content.decode()
    assert UNAVAILABLE_VI in body
    assert "Hệ thống tạm thời gián đoạn" in body


def assert_try_again_json(response) -> None:
    assert response.status_code == 503
    assert response["Retry-After"] == "10"
    assert response["Content-Type"] == "application/json"
    assert response.json() == {"message": f"Hệ thống đang tạm thời gián đoạn. {UNAVAILABLE_VI}.", "extra": {}}


def test_signed_in_staff_page_answers_503_try_again_while_database_is_down():
    with database_down():
        response = browser(signed_in=True).get("/dashboard/")
    assert_try_again_page(response)
    # Standalone page: no navigation, nothing that needed the user or the session.
    assert "sidebar" not in response.content.decode()


def test_sign_in_attempt_answers_503_while_database_is_down():
    # Axes checks the lockout and the backend reads the user: both need the database.
    with database_down():
        response = browser().post("/accounts/login/", {"username": "province_admin", "password": "x"})
    assert_try_again_page(response)


def test_public_checkin_page_answers_503_while_database_is_down_and_recovers():
    assert browser().get(CHECKIN_PAGE).status_code == 404
    with database_down():
        assert_try_again_page(browser().get(CHECKIN_PAGE))
    # Health-checked connections: the next request reconnects by itself.
    assert browser().get(CHECKIN_PAGE).status_code == 404


def test_public_declaration_answers_503_while_database_is_down(monkeypatch):
    # The form reads the administrative units from the database, unless an earlier test left them in
    # this process's memory (then an invalid form rightly answers 200 without the database).
    from checkpoints import units

    monkeypatch.setattr(units, "_cache", None)
    with database_down():
        response = browser().post("/declare/health/", {"full_name": "Nguyễn Văn An"})
    assert_try_again_page(response)


def test_api_answers_503_in_the_api_error_shape_while_database_is_down():
    with database_down():
        by_token = browser().get("/api/v1/venues/", HTTP_AUTHORIZATION="Token " + "0" * 40)
        by_session = browser(signed_in=True).get("/api/v1/venues/")
    assert_try_again_json(by_token)
    assert_try_again_json(by_session)


def test_503_also_with_debug_on(settings):
    # With DEBUG on Django shows its technical 500 page instead of handler500: the middleware answers first.
    settings.DEBUG = True
    with database_down():
        assert_try_again_page(browser(signed_in=True).get("/dashboard/"))
        assert_try_again_json(browser(signed_in=True).get("/api/v1/venues/"))


class UserTouchingMiddleware:
    """Like any middleware that reads ``request.user`` before the view: it raises outside the view."""

    def __init__(self, get_response) -> None:
        self.get_response = get_response

    def __call__(self, request):
        request.user.is_authenticated  # noqa: B018  (loads the session and the user)
        return self.get_response(request)


def test_database_error_raised_in_a_middleware_answers_503(settings):
    # Only handler500 sees exceptions raised inside middleware; take the view-level middleware away to prove it.
    settings.MIDDLEWARE = [
        *(m for m in settings.MIDDLEWARE if m != "rollout.outage.DatabaseUnavailableMiddleware"),
        "tests.rollout.test_outage.UserTouchingMiddleware",
    ]
    with database_down():
        assert_try_again_page(browser(signed_in=True).get(CHECKIN_PAGE))
        assert_try_again_json(browser(signed_in=True).get("/api/v1/"))


def test_other_errors_still_answer_the_500_page_which_needs_no_database():
    request = RequestFactory().get("/dashboard/")
    with database_down():
        try:
            raise RuntimeError("a bug")
        except RuntimeError:
            response = server_error(request)
    assert response.status_code == 500
    assert "Đã có lỗi xảy ra" in response.content.decode()
    assert "Retry-After" not in response


def test_handler500_recognises_a_database_error_raised_from_another():
    request = RequestFactory().get("/c/x/")
    try:
        try:
            raise OperationalError("connection refused")
        except OperationalError as exc:
            raise ValueError("wrapped") from exc
    except ValueError:
        response = server_error(request)
    assert response.status_code == 503


def test_outage_is_logged_once_at_warning_without_request_data(caplog):
    caplog.set_level(logging.INFO)
    with database_down():
        for _ in range(3):
            assert browser(signed_in=True).get(CHECKIN_PAGE).status_code == 503
    during = [(r.name, r.levelname, r.getMessage()) for r in caplog.records]
    # One line for the outage; not Django's per-request ERROR with the traceback and the path.
    assert during == [
        ("rollout.outage", "WARNING", "Database unavailable (OperationalError); answering 503 until it is back")
    ]
    assert browser().get(CHECKIN_PAGE).status_code == 404  # back: the request reconnects
    recovered = [r.getMessage() for r in caplog.records if r.name == "rollout.outage"][1:]
    assert len(recovered) == 1
    assert recovered[0].startswith("Database reachable again after")
    # A later outage is a new one, logged again.
    with database_down():
        assert browser().get(CHECKIN_PAGE).status_code == 503
    assert len([r for r in caplog.records if r.name == "rollout.outage"]) == 3


def test_healthz_answers_its_own_json_503_while_database_is_down():
    with database_down():
        response = browser().get("/healthz")
    assert response.status_code == 503
    assert response["Content-Type"] == "application/json"
    assert response.json()["database"] == "error"
