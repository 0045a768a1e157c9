"""Validation rules for Vietnamese phone and ID numbers: the one place they live.

Forms, the API and every XLSX/CSV import call these, so a number accepted in one place is accepted
everywhere, and stored in one normal form.
"""

from __future__ import annotations

import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from rollout.text import CONTROL_CHARACTERS

# Mobile prefixes in use since the 2018 move to 10 digits (Viettel, VinaPhone, MobiFone,
# Vietnamobile, Gmobile, Itelecom, Reddi).
_MOBILE = re.compile(r"^0(3[2-9]|5[25689]|7[06-9]|8[1-9]|9\d)\d{7}$")
_SEPARATORS = re.compile(r"[\s.\-()]")


def normalize_phone(value: str) -> str:
    """A Vietnamese mobile number in its 10-digit national form (0912345678).

    Accepts spaces, dots and dashes, and the +84 / 84 country prefix.
    """
    raw = _SEPARATORS.sub("", str(value or ""))
    if raw.startswith("+84"):
        raw = "0" + raw[3:]
    elif raw.startswith("84") and len(raw) == 11:
        raw = "0" + raw[2:]
    if not _MOBILE.match(raw):
        raise ValidationError(_("Enter a Vietnamese mobile number of 10 digits, e.g. 0912 345 678."), code="phone")
    return raw


def normalize_id_number(value: str) -> str:
    """A citizen ID: 9 digits (old identity card) or 12 digits (citizen identity card)."""
    raw = _SEPARATORS.sub("", str(value or ""))
    if not raw.isdigit() or len(raw) not in (9, 12):
        raise ValidationError(
            _("An ID number has 9 digits (identity card) or 12 digits (citizen identity card)."),
            code="id_number",
        )
    return raw


# Django's own message for a NUL in any form or API field (ProhibitNullCharactersValidator). Named here
# so the catalogue refresh keeps its Vietnamese translation: Django's Vietnamese catalogue has none.
NULL_CHARACTERS_MESSAGE = _("Null characters are not allowed.")


def no_control_characters(value: str) -> None:
    """Refuse control characters (NUL, bell, escape…) in names and numbers people type.

    They are invisible on screen, break the spreadsheets the rows go out to, and NUL cannot be stored.
    """
    if CONTROL_CHARACTERS.search(str(value or "")):
        raise ValidationError(
            _("This field contains an invisible control character. Please type it again."), code="control_character"
        )


def mask_phone(phone: str) -> str:
    """0912345678 -> 0912***678, for lists shown to roles that do not need the full number."""
    if len(phone) < 7:
        return "***"
    return f"{phone[:4]}***{phone[-3:]}"
