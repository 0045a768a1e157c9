"""Schemathesis over the whole OpenAPI schema, as a province admin and as a district officer (token sign-in).

Every operation gets ``MAX_EXAMPLES`` generated requests per caller (valid and invalid input), sent to the
WSGI application on the test database with some data in it. A request fails the test when the answer is a
5xx, or does not match the schema: an undocumented status, a body or a header unlike the one described, a
content type not listed. The budget fits CI on two cores (about 2,600 requests); the closing line says how
many cases ran and how many answered 5xx.
"""

from __future__ import annotations

import os
from collections import Counter
from datetime import timedelta

import pytest
import schemathesis
from django.core.cache import cache
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from drf_spectacular.generators import SchemaGenerator
from hypothesis import HealthCheck, settings
from rest_framework.authtoken.models import Token
from schemathesis.checks import not_a_server_error
from schemathesis.config import SchemathesisConfig
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from checkpoints.models import Arrival
from reports import weeks
from reports.models import WeeklyReport
from tests.factories import ArrivalFactory, VenueFactory, district

pytestmark = pytest.mark.django_db

# Per operation and caller; FUZZ_MAX_EXAMPLES raises it for a longer run by hand.
MAX_EXAMPLES = int(os.environ.get("FUZZ_MAX_EXAMPLES", "30"))
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
]
SEEN: Counter = Counter()


@pytest.fixture(scope="module", autouse=True)
def _report_the_budget(request):
    yield
    pairs = len([key for key in SEEN if " " in key])
    line = f"schemathesis: {SEEN['cases']} cases over {pairs} operation/caller pairs, {SEEN['5xx']} × 5xx"
    capture = request.config.pluginmanager.get_plugin("capturemanager")
    with capture.global_and_fixture_disabled():
        print(f"\n{line}")


@pytest.fixture(autouse=True)
def _keep_the_test_connection():
    """Django's handler closes the database connection when a request starts and ends (the test client turns
    that off, and so must a test that calls the WSGI application itself): it would end the test's transaction."""
    for signal in (request_started, request_finished):
        signal.disconnect(close_old_connections)
    yield
    for signal in (request_started, request_finished):
        signal.connect(close_old_connections)


@pytest.fixture(autouse=True)
def _some_data(agency, checkpoint):
    """Something to find in every list, and fresh rate-limit counters."""
    cache.clear()
    bat_xat = district("bat_xat")
    VenueFactory(agency=agency, district=bat_xat)
    ArrivalFactory.create_batch(3, checkpoint=checkpoint, destination_district=bat_xat)
    WeeklyReport.objects.create(district=bat_xat, week_ending=weeks.current_week())
    WeeklyReport.objects.create(district=bat_xat, week_ending=weeks.current_week() - timedelta(days=7))
    assert Arrival.objects.exists()


# The schema exactly as /api/schema/ serves it (the same generator and hooks), bound to the WSGI application.
# Only the generated phase (valid and invalid input, MAX_EXAMPLES each): the boundary-value phase alone sends
# several thousand more requests, past what CI's budget allows.
fuzzed = schemathesis.openapi.from_dict(
    SchemaGenerator().get_schema(request=None, public=True),
    config=SchemathesisConfig.from_dict({"phases": {"coverage": {"enabled": False}}}),
)
fuzzed.app = get_wsgi_application()


BUDGET = settings(
    max_examples=MAX_EXAMPLES,
    deadline=None,
    derandomize=True,
    suppress_health_check=list(HealthCheck),
    database=None,
)


def _call_and_check(case, user, role: str) -> None:
    token, _ = Token.objects.get_or_create(user=user)
    response = case.call(headers={"Authorization": f"Token {token.key}"})
    SEEN["cases"] += 1
    SEEN[f"{case.operation.method.upper()} {case.operation.path} {role}"] += 1
    if response.status_code >= 500:
        SEEN["5xx"] += 1
    case.validate_response(response, checks=CHECKS)


@fuzzed.parametrize()
@BUDGET
def test_the_api_answers_a_province_admin_as_its_schema_says_and_never_5xx(case, province_admin):
    _call_and_check(case, province_admin, "province_admin")


@fuzzed.parametrize()
@BUDGET
def test_the_api_answers_a_district_officer_as_its_schema_says_and_never_5xx(case, district_officer):
    _call_and_check(case, district_officer, "district_officer")
