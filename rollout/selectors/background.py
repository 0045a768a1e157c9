"""Is the background service alive? Read from the heartbeats the worker processes and beat's sweep keep."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db.models import Max, Q
from django.utils import timezone

from rollout.models import Heartbeat


@dataclass(frozen=True)
class BackgroundStatus:
    worker_seen_at: datetime | None
    beat_seen_at: datetime | None

    @property
    def worker_alive(self) -> bool:
        return _recent(self.worker_seen_at, timedelta(seconds=settings.WORKER_LOST_SECONDS))

    @property
    def beat_alive(self) -> bool:
        # Beat's sign of life is its sweep, sent every OUTBOX_SWEEP_SECONDS and run by a worker.
        return _recent(self.beat_seen_at, timedelta(seconds=settings.WORKER_LOST_SECONDS))

    @property
    def stale_since(self) -> datetime | None:
        """When scheduled work last ran, if that is longer ago than BACKGROUND_STALE_MINUTES."""
        last = min((t for t in (self.worker_seen_at, self.beat_seen_at) if t), default=None)
        if last is None or _recent(last, timedelta(minutes=settings.BACKGROUND_STALE_MINUTES)):
            return None
        return last

    @property
    def never_ran(self) -> bool:
        return self.worker_seen_at is None or self.beat_seen_at is None


def background_status() -> BackgroundStatus:
    """One query."""
    seen = Heartbeat.objects.aggregate(
        worker=Max("seen_at", filter=Q(name__startswith="worker:")), beat=Max("seen_at", filter=Q(name="beat"))
    )
    return BackgroundStatus(worker_seen_at=seen["worker"], beat_seen_at=seen["beat"])


def _recent(moment: datetime | None, within: timedelta) -> bool:
    return moment is not None and timezone.now() - moment <= within
