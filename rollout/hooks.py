"""Hooks by which an app tells the apps above it that something happened, without importing them.

A domain app (venues, platforms, checkpoints) calls the hook in the transaction of its write; the app
that cares (the dashboard) connects a receiver in its ``AppConfig.ready()``. Receivers run at once, in
that transaction: what they record (an outbox row) commits or rolls back with the write.
"""

from __future__ import annotations

from datetime import date

from django.dispatch import Signal

# A district's figures of a local day changed (a check-in, an arrival, an inspection, an adoption or
# vaccination update). Keyword arguments: ``day`` and ``district_id``.
figures_changed = Signal()


def district_day_changed(*, day: date, district_id: int) -> None:
    figures_changed.send(sender=None, day=day, district_id=district_id)
