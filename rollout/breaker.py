"""A small per-process circuit breaker for calls to services that may be down (Redis, the broker).

After a failure the breaker stays open for ``cooldown`` seconds: callers skip the call and take their
fallback at once, so a service that does not answer costs one timeout per cooldown, not one per request.
Per process on purpose: no shared state is needed to decide that the shared state is unreachable.
"""

from __future__ import annotations

import logging
import threading
import time

logger = logging.getLogger(__name__)


class Breaker:
    def __init__(self, name: str, *, cooldown: float = 5.0) -> None:
        self.name = name
        self.cooldown = cooldown
        self._open_until = 0.0
        self._lock = threading.Lock()

    def allow(self) -> bool:
        """Whether to try the call now (closed, or the cooldown has passed: one trial call)."""
        return time.monotonic() >= self._open_until

    def failed(self, exc: BaseException) -> None:
        # One warning per outage: a trial call that fails after a cooldown is the same outage, and a
        # long one would otherwise log every cooldown. Only ``succeeded`` ends an outage.
        with self._lock:
            first = self._open_until == 0.0
            self._open_until = time.monotonic() + self.cooldown
        if first:
            logger.warning(
                "%s unavailable (%s); using the fallback, trying again every %.0f s",
                self.name,
                type(exc).__name__,
                self.cooldown,
            )

    def succeeded(self) -> None:
        if self._open_until:
            with self._lock:
                ended = self._open_until != 0.0
                self._open_until = 0.0
            if ended:
                logger.info("%s answers again", self.name)

    @property
    def is_open(self) -> bool:
        return not self.allow()

    def reset(self) -> None:
        self._open_until = 0.0
