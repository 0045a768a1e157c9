"""Fixtures for the venue check-in tests."""

from __future__ import annotations

import pytest
from django.core.cache import cache

from tests.factories import VenueFactory


@pytest.fixture(autouse=True)
def _fresh_rate_limits(settings):
    """Limits high enough for the tests' own requests, counters from zero (tests that test limits lower them)."""
    settings.CHECKIN_RATE_PER_IP = "1000/m"
    settings.CHECKIN_RATE_PER_VENUE = "1000/m"
    settings.CHECKIN_PAGE_RATE_PER_IP = "1000/m"
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def venue(agency, bat_xat):
    """A venue of the ``agency`` persona's agency, in Bát Xát."""
    return VenueFactory(agency=agency, district=bat_xat, owner_name="", name="Chợ Bát Xát")


@pytest.fixture
def sa_pa_venue(sa_pa):
    return VenueFactory(district=sa_pa, name="Khách sạn Mây Trắng", kind="hotel")
