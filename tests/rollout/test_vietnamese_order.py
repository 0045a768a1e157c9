"""Pickers list names in Vietnamese alphabetical order, not by code point."""

from __future__ import annotations

import pytest
from django.urls import reverse

from checkpoints.forms import DeclarationForm
from rollout.text import vi_sort_key


def test_vietnamese_letters_and_tones_sort_as_a_reader_expects():
    names = ["Hà Nội", "Đà Nẵng", "Điện Biên", "Bình Định", "Bạc Liêu", "Bắc Giang", "Cà Mau", "Dak", "Ea Súp", "Zô"]
    assert sorted(names, key=vi_sort_key) == [
        "Bạc Liêu", "Bắc Giang", "Bình Định", "Cà Mau", "Dak", "Đà Nẵng", "Điện Biên", "Ea Súp", "Hà Nội", "Zô",
    ]  # fmt: skip
    # Tones break ties only, in the order none, huyền, hỏi, ngã, sắc, nặng; ơ after ô after o.
    assert sorted(["Má", "Mạ", "Mả", "Ma", "Mã", "Mà"], key=vi_sort_key) == ["Ma", "Mà", "Mả", "Mã", "Má", "Mạ"]
    assert sorted(["Sơn", "Son", "Sôn"], key=vi_sort_key) == ["Son", "Sôn", "Sơn"]
    # Numbers by value; a unit by its name, its title breaking ties.
    assert sorted(["Phường 10", "Phường 2", "Xã 1"], key=vi_sort_key) == ["Xã 1", "Phường 2", "Phường 10"]
    assert sorted(["Thành phố Hà Nội", "Tỉnh Bạc Liêu", "Thành phố Cần Thơ"], key=vi_sort_key) == [
        "Tỉnh Bạc Liêu", "Thành phố Cần Thơ", "Thành phố Hà Nội",
    ]  # fmt: skip


@pytest.mark.django_db
def test_the_declaration_and_the_units_endpoint_list_units_in_vietnamese_order(units, client):
    form = DeclarationForm(kind="travel")
    provinces = [label for value, label in form.fields["origin_province"].choices if value != ""]
    assert provinces == sorted(provinces, key=vi_sort_key) and len(provinces) == 63
    assert provinces.index("Thành phố Đà Nẵng") < provinces.index("Tỉnh Điện Biên") < provinces.index("Tỉnh Gia Lai")
    assert form.fields["origin_province"].widget.attrs["data-picker"] == ""
    districts = client.get(reverse("declarations:units"), {"province": 48}).json()["units"]
    names = [d["name"] for d in districts]
    assert names == sorted(names, key=vi_sort_key) and "Quận Hải Châu" in names
    assert [d["code"] for d in districts] != sorted(d["code"] for d in districts)  # not the code order
