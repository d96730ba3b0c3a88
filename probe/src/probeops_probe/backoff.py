"""When to try the API again: exponential backoff, full jitter, Retry-After."""

from __future__ import annotations

import random
import time
from dataclasses import dataclass, field


@dataclass
class Backoff:
    """Waits growing from ``base`` to ``cap`` seconds, each drawn at random."""

    base: float = 0.5
    cap: float = 60.0
    failures: int = 0
    not_before: float = 0.0
    rng: random.Random = field(default_factory=random.Random)

    def ready(self, now: float | None = None) -> bool:
        return (time.monotonic() if now is None else now) >= self.not_before

    def failed(self, retry_after: float = 0.0, now: float | None = None) -> float:
        """Record a failure; the seconds to wait before the next try."""
        self.failures += 1
        ceiling = min(self.cap, self.base * 2 ** (self.failures - 1))
        wait = max(self.rng.uniform(0, ceiling), retry_after)
        self.not_before = (time.monotonic() if now is None else now) + wait
        return wait

    def succeeded(self) -> None:
        self.failures = 0
        self.not_before = 0.0
