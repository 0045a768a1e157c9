from __future__ import annotations

import io

import pytest
from django.core.management import call_command

from rollout.models import Agency, Checkpoint, FocalOfficer, HealthFacility, Role, User, Venue
from rollout.models.org import TestingStatus as Status

pytestmark = pytest.mark.django_db


@pytest.fixture
def seeded(units, settings):
    settings.DEMO_PASSWORD = "demo-pass-for-tests"
    # Two days of activity are enough here (and keep these tests fast); a month is tested per step.
    call_command("seed_demo", "--days", "2", stdout=io.StringIO())


def test_demo_province_has_believable_size(seeded):
    assert 280 <= Agency.objects.count() <= 320
    assert 850 <= Venue.objects.count() <= 950
    assert 10 <= Checkpoint.objects.count() <= 14
    assert 170 <= HealthFacility.objects.count() <= 190
    assert set(Venue.objects.values_list("district__short_codename", flat=True).distinct()) == {
        "lao_cai", "bat_xat", "muong_khuong", "si_ma_cai", "bac_ha", "bao_thang", "bao_yen", "sa_pa", "van_ban",
    }  # fmt: skip
    assert FocalOfficer.objects.filter(district__isnull=False).count() == 9
    assert HealthFacility.objects.filter(testing_status=Status.LIVE, testing_first_result_on__isnull=True).count() == 0


def test_every_demo_user_signs_in_with_the_demo_password(seeded):
    expected = {
        "province_admin",
        "province_viewer",
        "health_officer",
        "checkpoint_staff",
        "agency_admin",
        "facility_staff",
    }
    expected |= {
        f"district_{d}"
        for d in (
            "lao_cai",
            "bat_xat",
            "muong_khuong",
            "si_ma_cai",
            "bac_ha",
            "bao_thang",
            "bao_yen",
            "sa_pa",
            "van_ban",
        )
    }
    users = {u.username: u for u in User.objects.filter(username__in=expected)}
    assert set(users) == expected
    assert all(u.check_password("demo-pass-for-tests") for u in users.values())
    assert users["district_sa_pa"].roles == {Role.DISTRICT_OFFICER}
    assert users["district_sa_pa"].assignments[0].district.name == "Thị xã Sa Pa"


def test_seed_demo_twice_adds_nothing(seeded):
    counts = (Agency.objects.count(), Venue.objects.count(), User.objects.count())
    call_command("seed_demo", "--days", "2", stdout=io.StringIO())
    assert (Agency.objects.count(), Venue.objects.count(), User.objects.count()) == counts


def test_demo_names_are_vietnamese(seeded):
    names = list(Venue.objects.values_list("name", flat=True))
    assert any(n.startswith("Chợ ") for n in names)
    assert any(n.startswith(("Khách sạn", "Homestay", "Nhà nghỉ")) for n in names)
    assert Agency.objects.filter(name="UBND huyện Bát Xát").exists()
