"""In-app notifications."""

from __future__ import annotations

from collections.abc import Iterable

from rollout.models import Notification, User


def notifications_send(users: Iterable[User], *, message: str, url: str = "") -> int:
    rows = [Notification(user=u, message=message[:500], url=url) for u in users]
    Notification.objects.bulk_create(rows)
    return len(rows)
