"""The rules for the travel fields, shared by declarations, arrivals, the API and imports.

One place validates and normalises who is travelling from where to where, so a row accepted by the
form is accepted by the API and the spreadsheet import too, and stored in one normal form. Nothing
here queries the database per row: units come from the in-memory index (imports check 10,000 rows).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, fields
from datetime import date, datetime, timedelta
from decimal import Decimal, InvalidOperation
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from checkpoints.models import TestKind, TestResult, Vehicle
from checkpoints.units import AMBIGUOUS, unit_index
from rollout.timeutils import local_today
from rollout.validators import normalize_id_number, normalize_phone

_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_SPACES = re.compile(r"[ \t\r\n]+")
MAX_DOSES = 5
# Allowed values, computed once (``TextChoices.values`` builds a new list on every call).
VEHICLES = ["", *Vehicle.values]
TEST_KINDS = list(TestKind.values)
TEST_RESULTS = list(TestResult.values)


@dataclass
class TravelInput:
    """Who travels, from where, to where in the province; codes for units."""

    full_name: str = ""
    phone: str = ""
    id_number: str = ""
    birth_year: int | None = None
    origin_province: int | None = None
    origin_district: int | None = None
    origin_commune: int | None = None
    destination_district: int | None = None
    destination_commune: int | None = None
    destination_address: str = ""
    vehicle: str = ""
    plate: str = ""
    purpose: str = ""
    vaccine_doses: int | None = 0
    last_dose_on: date | None = None
    latest_test: str = TestKind.NONE
    latest_test_result: str = ""
    latest_test_on: date | None = None
    symptoms: str = ""

    @classmethod
    def field_names(cls) -> list[str]:
        return [f.name for f in fields(cls)]


class Errors(dict):
    """Field -> messages, raised together as one ValidationError."""

    def add(self, name: str, message: str) -> None:
        self.setdefault(name, []).append(str(message))

    def raise_if_any(self) -> None:
        if self:
            raise ValidationError(dict(self))


def clean_text(value: Any, limit: int, *, multiline: bool = False) -> str:
    """Control characters removed (they break workbooks), spaces collapsed, length checked."""
    text = _CONTROL.sub("", "" if value is None else str(value))
    text = text.strip() if multiline else _SPACES.sub(" ", text).strip()
    if len(text) > limit:
        raise ValidationError(_("At most %(n)s characters.") % {"n": limit})
    return text


def _text(errors: Errors, out: dict, name: str, value: Any, limit: int, *, multiline: bool = False) -> None:
    try:
        out[name] = clean_text(value, limit, multiline=multiline)
    except ValidationError as exc:
        errors.add(name, exc.messages[0])


def _choice(errors: Errors, out: dict, name: str, value: Any, choices: list[str], default: str) -> None:
    value = default if value in (None, "") else str(value)
    if value not in choices:
        errors.add(name, _("Not one of the allowed values."))
    else:
        out[name] = value


def _past_day(errors: Errors, out: dict, name: str, value: date | None, today: date) -> None:
    if value is not None and value > today:
        errors.add(name, _("This date is in the future."))
    out[name] = value


def travel_clean(data: TravelInput, errors: Errors) -> dict[str, Any]:
    """Model field values (``*_id`` for units) for the travel fields; problems go into ``errors``."""
    out: dict[str, Any] = {}
    today = local_today()
    _text(errors, out, "full_name", data.full_name, 200)
    if not out.get("full_name") and "full_name" not in errors:
        errors.add("full_name", _("This field is required."))
    out["phone"] = out["id_number"] = ""
    if data.phone and str(data.phone).strip():
        try:
            out["phone"] = normalize_phone(str(data.phone))
        except ValidationError as exc:
            errors.add("phone", exc.messages[0])
    if data.id_number and str(data.id_number).strip():
        try:
            out["id_number"] = normalize_id_number(str(data.id_number))
        except ValidationError as exc:
            errors.add("id_number", exc.messages[0])
    if not (data.phone and str(data.phone).strip()) and not (data.id_number and str(data.id_number).strip()):
        errors.add("phone", _("Enter a phone number or an ID number."))
    if data.birth_year is not None and not 1900 <= data.birth_year <= today.year:
        errors.add("birth_year", _("Enter a year between 1900 and this year."))
    out["birth_year"] = data.birth_year
    _units(data, errors, out)
    _text(errors, out, "destination_address", data.destination_address, 300)
    _choice(errors, out, "vehicle", data.vehicle, VEHICLES, "")
    _text(errors, out, "plate", data.plate, 20)
    out["plate"] = out.get("plate", "").upper()
    _text(errors, out, "purpose", data.purpose, 300)
    doses = data.vaccine_doses or 0
    if not 0 <= doses <= MAX_DOSES:
        errors.add("vaccine_doses", _("Between 0 and %(n)s doses.") % {"n": MAX_DOSES})
    out["vaccine_doses"] = doses
    _past_day(errors, out, "last_dose_on", data.last_dose_on, today)
    _choice(errors, out, "latest_test", data.latest_test, TEST_KINDS, TestKind.NONE)
    _choice(errors, out, "latest_test_result", data.latest_test_result, TEST_RESULTS, "")
    if out.get("latest_test") == TestKind.NONE:
        out["latest_test_result"] = ""
    _past_day(errors, out, "latest_test_on", data.latest_test_on, today)
    _text(errors, out, "symptoms", data.symptoms, 300)
    return out


def _units(data: TravelInput, errors: Errors, out: dict) -> None:
    """Origin anywhere in Vietnam (a lower unit implies its parents); destination in the home province."""
    index = unit_index()
    province, district, commune = data.origin_province, data.origin_district, data.origin_commune
    if commune is not None:
        parent = index.commune_district.get(commune)
        if parent is None:
            errors.add("origin_commune", _("Unknown commune."))
        elif district is None:
            district = parent
        elif parent != district:
            errors.add("origin_commune", _("This commune is not in the chosen district."))
    if district is not None:
        parent = index.district_province.get(district)
        if parent is None:
            errors.add("origin_district", _("Unknown district."))
        elif province is None:
            province = parent
        elif parent != province:
            errors.add("origin_district", _("This district is not in the chosen province."))
    if province is not None and province not in index.province_name:
        errors.add("origin_province", _("Unknown province."))
    out["origin_province_id"], out["origin_district_id"], out["origin_commune_id"] = province, district, commune

    destination, dest_commune = data.destination_district, data.destination_commune
    if destination is None:
        errors.add("destination_district", _("This field is required."))
    elif index.district_province.get(destination) != settings.HOME_PROVINCE_CODE:
        errors.add("destination_district", _("Choose a district of the province."))
    if dest_commune is not None and destination is not None and index.commune_district.get(dest_commune) != destination:
        errors.add("destination_commune", _("This commune is not in the chosen district."))
    out["destination_district_id"], out["destination_commune_id"] = destination, dest_commune


def unit_from_text(kind: str, text: str, *, parent: int | None = None) -> int | None:
    """Resolve a unit typed by name or code (imports). Raises ValueError with a message."""
    index = unit_index()
    if kind == "province":
        code = index.find_province(text)
    elif parent is None:
        raise ValueError(_("Give the province (or district) as well."))
    elif kind == "district":
        code = index.find_district(parent, text)
    else:
        code = index.find_commune(parent, text)
    if code == AMBIGUOUS:
        raise ValueError(_("Several units have this name; write the full name (e.g. “Xã …”, “Phường …”)."))
    if code is None:
        raise ValueError(_("Unknown name or code."))
    return code


def parse_temperature(value: Any) -> Decimal | None:
    if value is None or str(value).strip() == "":
        return None
    try:
        number = Decimal(str(value).strip().replace(",", ".")).quantize(Decimal("0.1"))
    except InvalidOperation:
        raise ValidationError(_("Enter a temperature like 36.5.")) from None
    if not Decimal("34") <= number <= Decimal("43"):
        raise ValidationError(_("A body temperature is between 34 and 43 °C."))
    return number


def check_arrival_time(moment: datetime) -> None:
    if timezone.is_naive(moment):
        raise ValidationError(_("Give the time with its time zone."))
    if moment > timezone.now() + timedelta(minutes=10):
        raise ValidationError(_("The arrival time is in the future."))
    if moment.year < 2020:
        raise ValidationError(_("The arrival time is too far in the past."))
