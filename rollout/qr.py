"""QR codes and the signed tokens they carry.

A token is ``django.core.signing`` over a random key stored on the row (never the database id), with a
purpose-specific salt, so a venue token cannot be replayed as a personal one and a rotated key makes
old codes fail verification.
"""

from __future__ import annotations

import io
import secrets
from collections.abc import Callable
from dataclasses import dataclass

import qrcode
import qrcode.image.svg
from django.core import signing
from qrcode.constants import ERROR_CORRECT_M


def new_key() -> str:
    """A random, URL-safe key to store on the row the token points at (128 bits)."""
    return secrets.token_urlsafe(16)


# Short codes people type when their phone cannot scan: no 0/O, 1/I/L to misread; 31**6 ≈ 887 million.
SHORT_CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
SHORT_CODE_LENGTH = 6


def new_short_code() -> str:
    return "".join(secrets.choice(SHORT_CODE_ALPHABET) for _ in range(SHORT_CODE_LENGTH))


def short_code_from_text(text: str) -> str | None:
    """ "k7m-2qx" -> "K7M2QX"; None when the text cannot be a short code (a signed token, say)."""
    code = "".join(ch for ch in text.upper() if ch not in " -.")
    if len(code) != SHORT_CODE_LENGTH or any(ch not in SHORT_CODE_ALPHABET for ch in code):
        return None
    return code


def sign(key: str, *, salt: str) -> str:
    return signing.Signer(salt=salt).sign(key)


def unsign(token: str, *, salt: str) -> str | None:
    """The key inside a token, or None when the token is malformed or was not signed by us."""
    try:
        return signing.Signer(salt=salt).unsign(token)
    except signing.BadSignature:
        return None


def _qr(data: str) -> qrcode.QRCode:
    code = qrcode.QRCode(error_correction=ERROR_CORRECT_M, box_size=10, border=4)
    code.add_data(data)
    code.make(fit=True)
    return code


def qr_png(data: str, *, box_size: int = 10) -> bytes:
    code = _qr(data)
    code.box_size = box_size
    buffer = io.BytesIO()
    code.make_image().save(buffer, format="PNG")
    return buffer.getvalue()


def qr_svg(data: str) -> str:
    """A scalable QR (for print) as an SVG document."""
    image = _qr(data).make_image(image_factory=qrcode.image.svg.SvgPathImage)
    return image.to_string(encoding="unicode")


# --- Personal QR codes read back -------------------------------------------------------------------
# Each app that gives people a personal QR (a declaration's, SPEC §4) registers at start-up how to read
# one back, so the venue staff's scanner knows every kind without importing the apps that issue them.


@dataclass(frozen=True)
class ScannedPerson:
    full_name: str
    phone: str
    id_number: str
    source: str  # which kind of code it was, e.g. "declaration"


_person_readers: list[Callable[[str], ScannedPerson | None]] = []


def register_person_reader(reader: Callable[[str], ScannedPerson | None]) -> None:
    if reader not in _person_readers:
        _person_readers.append(reader)


def person_from_scan(text: str) -> ScannedPerson | None:
    """The person a scanned personal QR points at, asking each registered reader; None if none knows it."""
    for reader in _person_readers:
        person = reader(text)
        if person is not None:
            return person
    return None
