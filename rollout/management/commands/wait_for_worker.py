"""Wait until a Celery worker has sent its first heartbeat (``make run`` says the worker runs only then).

The file-system broker of ``make run`` has no remote control to ping a worker, so the proof of life is
the heartbeat each worker process writes to the database when it is ready.
"""

from __future__ import annotations

import time

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from rollout.models import Heartbeat


class Command(BaseCommand):
    help = "Wait for a worker heartbeat newer than the start of this command."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--timeout", type=float, default=120, help="seconds to wait (default 120)")

    def handle(self, *args, timeout: float, **options) -> None:
        since = timezone.now()
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            beat = Heartbeat.objects.filter(name__startswith="worker:", seen_at__gte=since).order_by("-seen_at").first()
            if beat is not None:
                self.stdout.write(f"worker heartbeat at {timezone.localtime(beat.seen_at):%H:%M:%S}")
                return
            time.sleep(0.5)
        raise CommandError(f"no worker heartbeat within {timeout:.0f} s")
