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


# Vietnamese alphabetical order: ă and â follow a, đ follows d, ê follows e, ô and ơ follow o, ư follows u
# (letters of their own, not accents); the five tones only break ties, in the order none, huyền, hỏi, ngã,
# sắc, nặng. Unicode code-point order puts every "Đ" after "Z" and "Bạc" after "Bình".
_ALPHABET = "aăâbcdđeêfghijklmnoôơpqrstuưvwxyz"
_TONES = {"\u0300": 1, "\u0309": 2, "\u0303": 3, "\u0301": 4, "\u0323": 5}


def _letter(base: str, marks: str) -> str:
    if base == "a" and "\u0306" in marks:
        return "ă"
    if base in "aeo" and "\u0302" in marks:
        return {"a": "â", "e": "ê", "o": "ô"}[base]
    if base in "ou" and "\u031b" in marks:
        return {"o": "ơ", "u": "ư"}[base]
    return base


_DIGITS = re.compile(r"\d+")
# The legal title in front of a unit's name: "Tỉnh Bạc Liêu" sorts as "Bạc Liêu", with the title breaking ties.
_UNIT_TITLE = re.compile(r"^(Thành phố|Tỉnh|Thị xã|Quận|Huyện|Phường|Thị trấn|Xã) ", re.IGNORECASE)


def without_unit_title(name: str) -> str:
    """A unit's name without its legal title, as in a document's place line: "Tỉnh Lào Cai" -> "Lào Cai"."""
    title = _UNIT_TITLE.match(name)
    return name[title.end() :] if title else name


def unit_in_sentence(name: str) -> str:
    """A unit's name inside a sentence, its title in lower case: "Ủy ban nhân dân tỉnh Lào Cai"."""
    title = _UNIT_TITLE.match(name)
    return name[0].lower() + name[1:] if title else name


def vi_sort_key(text: str) -> tuple:
    """A key that sorts Vietnamese names as a Vietnamese reader expects (Bạc Liêu, Bình Định, Cà Mau, Đà
    Nẵng, Điện Biên, Hà Nội; Phường 2 before Phường 10), case-insensitively. An administrative unit sorts
    by its name after its title, so every "Thành phố" is not grouped under T."""
    title = _UNIT_TITLE.match(text)
    if title:
        return (*_vi_key(text[title.end() :]), _vi_key(title.group(1)))
    return _vi_key(text)


def _vi_key(text: str) -> tuple[tuple, tuple]:
    letters: list[tuple[int, int]] = []
    tones: list[int] = []
    pos = 0
    text = text.lower()
    while pos < len(text):
        digits = _DIGITS.match(text, pos)
        if digits:  # a number sorts by its value
            letters.append((1, int(digits.group())))
            tones.append(0)
            pos = digits.end()
            continue
        char = text[pos]
        pos += 1
        decomposed = unicodedata.normalize("NFD", char)
        base, marks = ("đ", "") if char == "đ" else (decomposed[0], decomposed[1:])
        index = _ALPHABET.find(_letter(base, marks))
        if base.isspace():
            letters.append((0, 0))
        elif index >= 0:
            letters.append((2, index))
        else:
            letters.append((3, ord(base)))
        tones.append(next((t for m, t in _TONES.items() if m in marks), 0))
    return tuple(letters), tuple(tones)
