"""Celery tasks of the platforms. Thin: primitives in, one service call."""

from __future__ import annotations

from datetime import date

from celery import shared_task


@shared_task
def vaccination_reminders_send_task(*, day: str | None = None) -> None:
    """At the cut-off: remind the facilities that have not updated the day's vaccination data."""
    from platforms.services.health import vaccination_reminders_send

    vaccination_reminders_send(day=date.fromisoformat(day) if day else None)
