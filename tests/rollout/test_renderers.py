"""The API's JSON renderer (orjson) answers what DRF's own does: the same bytes, except that a float in
exponent form is written the shortest way (1e-7 where Python writes 1e-07), the same number."""

from __future__ import annotations

import json
import uuid
from collections import OrderedDict
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal

from django.utils.translation import gettext_lazy, override
from rest_framework.renderers import JSONRenderer as DRFRenderer
from rest_framework.utils.serializer_helpers import ReturnDict, ReturnList

from rollout.renderers import JSONRenderer

DATA = ReturnDict(
    {
        "utc": datetime(2021, 11, 2, 3, 4, 5, 678901, tzinfo=UTC),
        "local": datetime(2021, 11, 2, 10, 4, 5, tzinfo=UTC).astimezone(),
        "day": date(2021, 11, 2),
        "at": time(7, 30),
        "span": timedelta(minutes=90),
        "amount": Decimal("1.50"),
        "lazy": gettext_lazy("Today"),
        "id": uuid.UUID(int=7),
        "text": "Nguyễn Thị Hà — “ngoặc” \\u2028 <tag> & 'quote'",
        "numbers": [0, -1, 2**40, 2.5, 0.1, True, False, None],
        "nested": OrderedDict(rows=ReturnList([{"a": 1}, {"b": [OrderedDict(c="đ")]}], serializer=None)),
        "empty": {"list": [], "dict": {}},
    },
    serializer=None,
)


def test_the_same_bytes_as_drfs_renderer():
    with override("vi"):
        assert JSONRenderer().render(DATA) == DRFRenderer().render(DATA)


def test_floats_in_exponent_form_are_the_same_numbers():
    data = {"small": 1e-7, "large": 1.5e300, "third": 1 / 3}
    assert json.loads(JSONRenderer().render(data)) == json.loads(DRFRenderer().render(data)) == data


def test_indented_output_when_asked_and_nothing_for_none():
    media = "application/json; indent=2"
    assert JSONRenderer().render(DATA, media) == DRFRenderer().render(DATA, media)
    assert JSONRenderer().render(None) == b""
