"""factory_boy factories. Administrative units come from the real 2021 data (the ``units`` fixture)."""

from __future__ import annotations

import factory
from django.conf import settings
from django.utils import timezone

from checkpoints.models import Arrival
from rollout.models import Agency, Checkpoint, Commune, District, HealthFacility, Role, RoleAssignment, User, Venue
from rollout.models.org import AgencyKind, CheckpointKind, FacilityKind, VenueKind
from venues.models import CheckIn


def district(short_codename: str) -> District:
    """A home-province district by its short codename: "bat_xat", "sa_pa", "lao_cai"…"""
    return District.objects.get(province_id=settings.HOME_PROVINCE_CODE, short_codename=short_codename)


def first_commune(d: District) -> Commune:
    return d.communes.order_by("code").first()


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User

    username = factory.Sequence(lambda n: f"user{n}")
    full_name = factory.Faker("name", locale="vi_VN")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.gov.vn")
    password = factory.django.Password("correct-horse-battery")

    @classmethod
    def with_role(cls, role: str, **scope) -> User:
        user = cls()
        RoleAssignment.objects.create(user=user, role=role, **scope)
        return User.objects.get(pk=user.pk)  # fresh object: roles are cached per instance


class AgencyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Agency

    name = factory.Sequence(lambda n: f"Cơ quan thử nghiệm {n}")
    kind = AgencyKind.DEPARTMENT
    district = factory.LazyFunction(lambda: district("bat_xat"))
    staff_headcount = 40


class VenueFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Venue

    name = factory.Sequence(lambda n: f"Địa điểm {n}")
    kind = VenueKind.RESTAURANT
    owner_name = "Nguyễn Văn An"
    address = "Số 1, đường Hoàng Liên"
    district = factory.LazyFunction(lambda: district("bat_xat"))


class CheckpointFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Checkpoint

    name = factory.Sequence(lambda n: f"Chốt kiểm soát {n}")
    kind = CheckpointKind.ROAD
    location = "Quốc lộ 70"
    district = factory.LazyFunction(lambda: district("bao_yen"))


class FacilityFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = HealthFacility

    name = factory.Sequence(lambda n: f"Trạm Y tế {n}")
    kind = FacilityKind.COMMUNE_STATION
    district = factory.LazyFunction(lambda: district("bat_xat"))
    does_rapid_antigen = True
    does_vaccination = True


class CheckInFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CheckIn

    venue = factory.SubFactory(VenueFactory)
    full_name = "Lò Thị Mai"
    phone = "0912345678"
    checked_in_at = factory.LazyFunction(timezone.now)


class ArrivalFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Arrival

    checkpoint = factory.SubFactory(CheckpointFactory)
    full_name = "Giàng A Páo"
    phone = "0987654321"
    id_number = "012345678901"
    arrived_at = factory.LazyFunction(timezone.now)
    destination_district = factory.LazyFunction(lambda: district("bat_xat"))


__all__ = ["Role"]
