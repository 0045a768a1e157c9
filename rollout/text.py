"""Text helpers for Vietnamese names."""

from __future__ import annotations

import re
import unicodedata

_SPACES = re.compile(r"\s+")
# C0 controls except tab, newline and carriage return, plus DEL: nothing a person types, and NUL cannot be
# stored in PostgreSQL text at all.
CONTROL_CHARACTERS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def strip_control_characters(text: str) -> str:
    return CONTROL_CHARACTERS.sub("", text)


def fold(text: str) -> str:
    """Lower-case, accent-free form used for accent-insensitive search ("Lào Cai" -> "lao cai").

    Works the same on SQLite and PostgreSQL because it is stored in a column, not computed by the
    database. "đ" is a letter of its own in Unicode, not a d with a mark, so it is mapped by hand.
    """
    text = text.replace("đ", "d").replace("Đ", "D")
    decomposed = unicodedata.normalize("NFD", text)
    stripped = "".join(ch for ch in decomposed if unicodedata.category(ch) != "Mn")
    return _SPACES.sub(" ", stripped).strip().lower()


def place_line(*parts: str) -> str:
    """Address parts joined by ", ", leaving out empty ones and any the text before already holds: people
    type "Số 12, phường Kim Tân" as the address, and the venue's commune is "Phường Kim Tân" again."""
    line = ""
    for part in parts:
        part = _SPACES.sub(" ", part or "").strip()
        if not part:
            continue
        if line and re.search(rf"(^|[\s,]){re.escape(fold(part))}($|[\s,.])", fold(line)):
            continue
        line = f"{line}, {part}" if line else part
    return line
