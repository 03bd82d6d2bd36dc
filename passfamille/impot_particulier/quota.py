"""Calls per minute, counted before each call to the resource (the gateway's quota: 50 by default, cgu-prod §9.2).

The client takes any `limiter(cost) -> bool` (True: the calls may be made). This in-process one serves a client
used without Flask; the app hands it the database counter every worker shares (impot_clients.py)."""

import threading
import time
from collections.abc import Callable

Limiter = Callable[[int], bool]


class MinuteLimiter:
    """Fixed windows of one clock minute (as passfamille/ratelimit.py counts), safe across threads."""

    def __init__(self, calls_per_minute: int, clock: Callable[[], float] = time.time):
        self.calls_per_minute = calls_per_minute
        self._clock = clock
        self._lock = threading.Lock()
        self._window = None
        self._count = 0

    def __call__(self, cost: int = 1) -> bool:
        window = int(self._clock()) // 60
        with self._lock:
            if window != self._window:
                self._window, self._count = window, 0
            self._count += cost
            return self._count <= self.calls_per_minute


def seconds_to_next_minute(now: float) -> int:
    return 60 - int(now) % 60
