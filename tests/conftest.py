"""Shared fixtures: the real administrative units, personas for every role, and signed-in clients.

Personas follow the owner / same-role-other-scope / outsider pattern: ``district_officer`` works in
Bát Xát, ``other_district_officer`` in Sa Pa, ``outsider`` is signed in with no role.
"""

from __future__ import annotations

import pytest
from django.core.management import call_command
from django.test import Client

from rollout.celery import app as celery_app
from rollout.models import Province, Role, User
from tests.factories import AgencyFactory, CheckpointFactory, FacilityFactory, UserFactory, district
from tests.worker import WorkerProcess, purge_broker


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """Load the 63 provinces / 696 districts / 10,051 communes once per test database."""
    with django_db_blocker.unblock():
        call_command("load_admin_units", verbosity=0)


@pytest.fixture(autouse=True, scope="session")
def _fast_password_hashing():
    """Real hashing costs ~0.3 s per password; tests are about behaviour, not key stretching."""
    from django.conf import settings

    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _forget_recent_stats_bumps():
    """The per-process debounce of dashboard rebuilds must not leak from one test to the next."""
    from dashboard.services import stats

    stats._recently_bumped.clear()


@pytest.fixture(autouse=True)
def _eager_celery_by_default():
    """Tasks queued by code under test run in-process unless a test starts a real worker."""
    celery_app.conf.task_always_eager = True
    yield
    celery_app.conf.task_always_eager = False


@pytest.fixture
def units(request):
    """Make sure the units are present (a transactional test flushes them; reload if so)."""
    if "transactional_db" in request.fixturenames or "live_server" in request.fixturenames:
        request.getfixturevalue("transactional_db")
    else:
        request.getfixturevalue("db")
    if not Province.objects.filter(pk=10).exists():
        call_command("load_admin_units", verbosity=0)


@pytest.fixture
def bat_xat(units):
    return district("bat_xat")


@pytest.fixture
def sa_pa(units):
    return district("sa_pa")


@pytest.fixture
def province_admin(units) -> User:
    user = UserFactory.with_role(Role.PROVINCE_ADMIN)
    user.is_staff = True
    user.save()
    return user


@pytest.fixture
def province_viewer(units) -> User:
    return UserFactory.with_role(Role.PROVINCE_VIEWER)


@pytest.fixture
def health_officer(units) -> User:
    return UserFactory.with_role(Role.HEALTH_OFFICER)


@pytest.fixture
def district_officer(bat_xat) -> User:
    return UserFactory.with_role(Role.DISTRICT_OFFICER, district=bat_xat)


@pytest.fixture
def other_district_officer(sa_pa) -> User:
    return UserFactory.with_role(Role.DISTRICT_OFFICER, district=sa_pa)


@pytest.fixture
def checkpoint(units):
    return CheckpointFactory()


@pytest.fixture
def checkpoint_staff(checkpoint) -> User:
    return UserFactory.with_role(Role.CHECKPOINT_STAFF, checkpoint=checkpoint)


@pytest.fixture
def agency(bat_xat):
    return AgencyFactory(district=bat_xat)


@pytest.fixture
def agency_admin(agency) -> User:
    return UserFactory.with_role(Role.AGENCY_ADMIN, agency=agency)


@pytest.fixture
def facility(bat_xat):
    return FacilityFactory(district=bat_xat)


@pytest.fixture
def facility_staff(facility) -> User:
    return UserFactory.with_role(Role.FACILITY_STAFF, facility=facility)


@pytest.fixture
def outsider(units) -> User:
    return UserFactory()


@pytest.fixture
def client_for():
    """``client_for(user)`` -> a Client signed in as that user (Vietnamese interface)."""

    def make(user: User | None) -> Client:
        client = Client(HTTP_ACCEPT_LANGUAGE="vi")
        if user is not None:
            client.force_login(user)
        return client

    return make


@pytest.fixture
def celery_worker(transactional_db, units, tmp_path, settings):
    """A real worker process on the Redis broker and the test database; tasks are queued for real."""
    if settings.CELERY_BROKER_URL.startswith("filesystem://"):
        pytest.fail("worker tests need CELERY_BROKER_URL=redis://… (make test sets it)")
    settings.PRIVATE_FILES_ROOT = tmp_path / "files"
    celery_app.conf.task_always_eager = False
    purge_broker()
    worker = WorkerProcess(tmp_path)
    worker.start()
    yield worker
    worker.stop()


@pytest.fixture(autouse=True)
def _no_demo_arrivals(settings):
    """seed_demo's ~5,000 arrivals a day and their lists take minutes; tests of other steps skip them
    (tests/checkpoints/test_demo.py runs that step at a small volume)."""
    settings.DEMO_ARRIVALS_PER_DAY = 0


@pytest.fixture(autouse=True)
def _broker_breaker_closed():
    """The per-process breaker of the outbox must not carry one test's broker outage into the next."""
    from rollout import outbox

    outbox.broker.reset()
    yield
    outbox.broker.reset()
