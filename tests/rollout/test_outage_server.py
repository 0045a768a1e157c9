"""End to end: the app under gunicorn in production mode, on a PostgreSQL server of the test's own that is
stopped and started again. While it is down every page answers 503 "try again" (never 500); once it is back
the same pages answer 200 again by themselves, with no restart of the app.
"""

from __future__ import annotations

import http.cookiejar
import json
import os
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.postgres_server import PostgresServer
from tests.redis_server import free_port

pytestmark = pytest.mark.fault

ROOT = Path(__file__).resolve().parents[2]
PASSWORD = "correct-horse-battery"
TOKEN = "e2e0" * 10
UNAVAILABLE_VI = "Vui lòng thử lại sau giây lát"
# A staff member, an API token, a venue: what the pages below read.
SETUP = f"""
from rest_framework.authtoken.models import Token
from venues.services.checkins import venue_token
from tests.factories import UserFactory, VenueFactory
user = UserFactory(username="outage_staff", password="{PASSWORD}")
Token.objects.create(user=user, key="{TOKEN}")
print(venue_token(VenueFactory()))
"""


@dataclass
class Answer:
    status: int
    headers: dict[str, str]
    body: str


class Browser:
    """A browser with a cookie jar; answers every status rather than raising."""

    def __init__(self, base: str) -> None:
        self.base = base
        self.cookies = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.cookies))

    def request(self, path: str, data: dict | None = None, headers: dict | None = None) -> Answer:
        body = urllib.parse.urlencode(data).encode() if data is not None else None
        request = urllib.request.Request(self.base + path, data=body, headers=headers or {})  # noqa: S310 (http only)
        try:
            with self.opener.open(request, timeout=30) as response:
                return Answer(response.status, dict(response.headers), response.read().decode())
        except urllib.error.HTTPError as error:
            return Answer(error.code, dict(error.headers), error.read().decode())

    def cookie(self, name: str) -> str:
        return next(c.value for c in self.cookies if c.name == name)


def run_manage(env: dict[str, str], *args: str) -> str:
    result = subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stderr[-3000:]
    return result.stdout


def wait_until(condition, *, timeout: float = 60, what: str) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"gave up waiting: {what}")
        time.sleep(0.2)


@pytest.fixture
def report(capsys):
    """Print a measured figure even without -s (figures are reported, never asserted)."""

    def write(line: str) -> None:
        with capsys.disabled():
            print("\n" + line)

    return write


@pytest.fixture
def postgres() -> Iterator[PostgresServer]:
    server = PostgresServer().start()
    yield server
    server.close()


@pytest.fixture
def app(postgres, tmp_path) -> Iterator[tuple[str, str]]:
    """The app under gunicorn on a migrated database: (base URL, a venue's check-in token)."""
    env = {
        **os.environ,
        "DJANGO_DEBUG": "0",
        "SECRET_KEY": "outage-test-" + "k" * 40,
        "ALLOWED_HOSTS": "127.0.0.1",
        "SITE_URL": "https://covid.laocai.gov.vn",  # production refuses a SITE_URL on this machine
        "SECURE_SSL_REDIRECT": "0",
        "SECURE_COOKIES": "0",
        "DATABASE_URL": postgres.create_database("rollout"),
        "VAR_DIR": str(tmp_path / "var"),
        "STATIC_ROOT": str(tmp_path / "static"),
    }
    run_manage(env, "collectstatic", "--noinput", "-v0")
    run_manage(env, "migrate", "--noinput", "-v0")
    run_manage(env, "load_admin_units")
    venue = run_manage(env, "shell", "-c", SETUP).strip().splitlines()[-1]
    port = free_port()
    log = (tmp_path / "gunicorn.log").open("w")
    server = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "rollout.wsgi:application", "-b", f"127.0.0.1:{port}", "--workers", "2"],
        cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
    )  # fmt: skip
    base = f"http://127.0.0.1:{port}"
    try:
        wait_until(lambda: _answers(base), what="gunicorn to answer")
        yield base, venue
    finally:
        server.terminate()
        server.wait(30)
        log.close()


def _answers(base: str) -> bool:
    try:
        Browser(base).request("/healthz")
    except OSError:
        return False
    return True


def test_pages_answer_503_try_again_while_postgresql_is_down_and_200_once_it_is_back(postgres, app, report):
    base, venue = app
    staff = Browser(base)
    staff.request("/accounts/login/")
    signed_in = staff.request(
        "/accounts/login/",
        {"username": "outage_staff", "password": PASSWORD, "csrfmiddlewaretoken": staff.cookie("csrftoken")},
    )
    assert signed_in.status == 200  # followed the redirect after signing in
    api = {"Authorization": f"Token {TOKEN}"}
    pages = {
        "staff": lambda: staff.request("/notifications/"),
        "public": lambda: Browser(base).request(f"/c/{venue}/"),
        "api": lambda: Browser(base).request("/api/v1/venues/", headers=api),
    }
    assert {name: page().status for name, page in pages.items()} == {"staff": 200, "public": 200, "api": 200}

    postgres.stop()
    for name, page in pages.items():
        answer = page()
        assert answer.status == 503, (name, answer.status, answer.body[:500])
        assert answer.headers["Retry-After"] == "10"
        if name == "api":
            assert answer.headers["Content-Type"] == "application/json"
            assert UNAVAILABLE_VI in json.loads(answer.body)["message"]
        else:
            assert answer.headers["Content-Type"] == "text/html; charset=utf-8"
            assert UNAVAILABLE_VI in answer.body
    assert Browser(base).request("/healthz").status == 503

    # Back: each page answers 200 again by itself, with no restart of the app.
    postgres.start()
    back = time.monotonic()
    wait_until(lambda: {page().status for page in pages.values()} == {200}, what="pages to answer 200 again")
    report(f"after start: all pages 200 again {time.monotonic() - back:.2f} s after PostgreSQL accepts connections")

    # A crash and restart while people keep asking: nothing but 200 or 503, then 200 again.
    seen: list[int] = []
    stop_asking = threading.Event()

    def keep_asking() -> None:
        while not stop_asking.is_set():
            seen.extend(page().status for page in pages.values())

    asker = threading.Thread(target=keep_asking)
    asker.start()
    try:
        # Crash, and come back only once the askers met the outage (a quick restart on a busy machine
        # could fall between two requests).
        postgres.stop(mode="immediate")
        wait_until(lambda: 503 in seen, what="a request during the crash")
        postgres.start()
        back = time.monotonic()
        wait_until(lambda: seen[-3:] == [200, 200, 200], what="pages to answer 200 after the restart")
    finally:
        stop_asking.set()
        asker.join()
    assert set(seen) <= {200, 503}, sorted(set(seen))
    assert 503 in seen  # the restart was seen, not slept through
    report(
        f"crash and restart: all pages 200 again {time.monotonic() - back:.2f} s after PostgreSQL accepts "
        f"connections; answers while asking: {seen.count(200)} x 200, {seen.count(503)} x 503"
    )
