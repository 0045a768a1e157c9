from __future__ import annotations

import pytest
from django.core.management import call_command

from rollout.models import Commune, District, Province
from rollout.services.units import admin_units_load
from rollout.text import fold

pytestmark = pytest.mark.django_db


def test_load_admin_units_imports_the_whole_2021_tree(units):
    assert Province.objects.count() == 63
    assert District.objects.count() == 696
    assert Commune.objects.count() == 10051


def test_lao_cai_has_its_real_codes_districts_and_communes(units):
    lao_cai = Province.objects.get(pk=10)
    assert lao_cai.name == "Tỉnh Lào Cai"
    assert lao_cai.districts.count() == 9
    assert Commune.objects.filter(district__province=lao_cai).count() == 151
    assert set(lao_cai.districts.values_list("short_codename", flat=True)) == {
        "lao_cai", "bat_xat", "muong_khuong", "si_ma_cai", "bac_ha", "bao_thang", "bao_yen", "sa_pa", "van_ban",
    }  # fmt: skip
    assert District.objects.get(pk=80).division_type == "provincial_city"
    assert District.objects.get(pk=88).division_type == "town"
    assert District.objects.get(pk=82).division_type == "rural_district"


def test_loading_twice_changes_nothing(units):
    before = list(District.objects.order_by("code").values_list("code", "name", "name_search", "division_type"))
    result = admin_units_load()
    assert (result.created, result.updated) == (0, 0)
    assert list(District.objects.order_by("code").values_list("code", "name", "name_search", "division_type")) == before


def test_loader_repairs_a_changed_row(units):
    District.objects.filter(pk=82).update(name="Huyện Sai Tên")
    result = admin_units_load()
    assert result.updated == 1
    assert District.objects.get(pk=82).name == "Huyện Bát Xát"


def test_command_prints_counts(units, capsys):
    call_command("load_admin_units")
    out = capsys.readouterr().out
    assert "provinces=63 districts=696 communes=10051" in out


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("lao cai", "Tỉnh Lào Cai"),
        ("LÀO CAI", "Tỉnh Lào Cai"),
        ("da nang", "Thành phố Đà Nẵng"),
        ("Đà Nẵng", "Thành phố Đà Nẵng"),
    ],
)
def test_name_search_ignores_accents_and_case(units, typed, expected):
    assert list(Province.objects.filter(name_search__contains=fold(typed)).values_list("name", flat=True)) == [expected]


def test_fold_maps_d_with_stroke():
    assert fold("  Đồng   Tuyển ") == "dong tuyen"
