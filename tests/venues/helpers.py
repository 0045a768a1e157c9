"""Helpers shared by the venue check-in tests."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from venues.services.checkins import venue_token

VN = ZoneInfo("Asia/Ho_Chi_Minh")
ANSWERS_NO = {"has_fever": "no", "has_cough": "no", "has_breathing_difficulty": "no", "had_contact": "no"}


def local(text: str) -> datetime:
    """'2021-11-02 23:30' in Lào Cai time, as an aware datetime."""
    return datetime.fromisoformat(text).replace(tzinfo=VN)


def visitor(**overrides) -> dict:
    data = {"full_name": "Lò Thị Mai", "phone": "0912 345 678", "id_number": "", **ANSWERS_NO}
    data.update(overrides)
    return data


def checkin_url(venue) -> str:
    return f"/c/{venue_token(venue)}/"
