"""How long a visit lasts: the one rule (default stay, cut at local midnight), in Python and in SQL."""

from __future__ import annotations

from datetime import timedelta

import pytest

from tests.factories import CheckInFactory
from tests.venues.helpers import local
from venues.models import CheckIn, checkin_closes_at, effective_checkout

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("checked_in", "checked_out", "expected"),
    [
        ("2021-11-02 09:00", None, "2021-11-02 10:00"),  # default stay
        ("2021-11-02 23:30", None, "2021-11-03 00:00"),  # never past local midnight
        ("2021-11-02 00:10", None, "2021-11-02 01:10"),
        ("2021-11-02 09:00", "2021-11-02 09:20", "2021-11-02 09:20"),  # a recorded check-out wins
        ("2021-11-02 09:00", "2021-11-02 15:00", "2021-11-02 15:00"),
    ],
)
def test_effective_checkout_in_python_and_sql_agree(venue, checked_in, checked_out, expected):
    checkin = CheckInFactory(
        venue=venue, checked_in_at=local(checked_in), checked_out_at=local(checked_out) if checked_out else None
    )
    assert effective_checkout(checkin.checked_in_at, checkin.checked_out_at) == local(expected)
    assert checkin.effective_checkout == local(expected)
    assert CheckIn.objects.with_effective_checkout().get(pk=checkin.pk).left_at == local(expected)


def test_default_stay_is_a_setting(venue, settings):
    settings.CHECKIN_DEFAULT_STAY_MINUTES = 30
    checkin = CheckInFactory(venue=venue, checked_in_at=local("2021-11-02 09:00"))
    assert checkin.effective_checkout == local("2021-11-02 09:30")
    assert CheckIn.objects.with_effective_checkout().get().left_at == local("2021-11-02 09:30")


def test_local_midnight_is_lao_cai_midnight_not_utc(venue):
    # 06:30 local is 23:30 UTC the day before: the visit still closes at local midnight.
    assert checkin_closes_at(local("2021-11-02 06:30")) == local("2021-11-03 00:00")


def test_open_at_lists_only_visits_under_way(venue):
    inside = CheckInFactory(venue=venue, checked_in_at=local("2021-11-02 09:00"))
    left = CheckInFactory(
        venue=venue, checked_in_at=local("2021-11-02 09:05"), checked_out_at=local("2021-11-02 09:10")
    )
    CheckInFactory(venue=venue, checked_in_at=local("2021-11-02 07:00"))  # default stay over by 08:00
    at = local("2021-11-02 09:30")
    assert list(CheckIn.objects.open_at(at)) == [inside]
    assert left not in CheckIn.objects.open_at(at)
    assert not CheckIn.objects.open_at(at + timedelta(hours=1)).exists()


def test_the_lean_venue_of_the_check_in_path_carries_the_right_values(venue):
    from venues.services.checkins import venue_from_token, venue_token

    lean = venue_from_token(venue_token(venue), with_place=False).venue
    for field in ("pk", "name", "kind", "is_active", "qr_key", "district_id"):
        assert getattr(lean, field) == getattr(venue, field), field
