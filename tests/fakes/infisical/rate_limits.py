"""Rate limits per client IP and route category, as a server without a licence applies them.

backend/src/server/config/rateLimiter.ts gives every route one limiter (``config.rateLimit``): GET routes
``readLimit``, writes ``writeLimit``, and the secret and folder writes and the secret reads
``secretsLimit`` (backend/src/server/routes/v2/secret-folder-router.ts, v4/secret-router.ts). Each counts
requests per ``req.realIp`` in a fixed window of 60 s; measured on a server without a licence: 60 reads,
200 writes and 40 secret or folder requests per minute. Past the limit @fastify/rate-limit answers 429
with ``Retry-After`` (seconds left in the window), and the ``errorResponseBuilder`` there throws
``RateLimitError``: ``{"error": "RateLimitExceeded", "message": "Rate limit exceeded. Please try again in
<n> seconds"}`` (backend/src/lib/errors/index.ts, backend/src/server/plugins/error-handler.ts). The check
runs after authentication and before body validation (``hook: "preValidation"``).

The window is a parameter so tests need not wait a minute. The limiter also counts the refused requests
that came back before the ``Retry-After`` they were given: a client that honours it makes none.
"""

from __future__ import annotations

import math
import threading
import time
from dataclasses import dataclass, field
from typing import Literal

from .errors import ApiError

Category = Literal["read", "write", "secrets"]


@dataclass(frozen=True)
class RateLimits:
    """Requests allowed per client IP in each ``window`` (seconds), by category."""

    window: float = 60.0
    read: int = 60
    write: int = 200
    secrets: int = 40


@dataclass
class RateLimiter:
    limits: RateLimits
    lock: threading.Lock = field(default_factory=threading.Lock)
    windows: dict[tuple[str, str], tuple[float, int]] = field(default_factory=dict)
    """(client, category) -> (window end, requests counted in it)."""
    retry_not_before: dict[str, float] = field(default_factory=dict)
    """A refused request -> when its Retry-After has passed (requests of one apply run side by side, so only
    the same request sent again counts as its retry)."""
    refused: int = 0
    """429s answered."""
    early: int = 0
    """Requests sent again before the Retry-After they were given had passed."""

    def hit(self, client: str, category: Category, request: str) -> None:
        """Count one request (``request`` identifies it: method, path and body); 429 ``ApiError`` when it is over
        the limit."""
        now = time.monotonic()
        key = (client, category)
        with self.lock:
            if now < self.retry_not_before.get(request, 0.0):
                self.early += 1
            end, count = self.windows.get(key, (0.0, 0))
            if now >= end:
                end, count = now + self.limits.window, 0
            count += 1
            self.windows[key] = (end, count)
            if count <= getattr(self.limits, category):
                return
            self.refused += 1
            seconds = max(1, math.ceil(end - now))
            self.retry_not_before[request] = now + seconds
        raise ApiError(
            429,
            f"Rate limit exceeded. Please try again in {seconds} seconds",
            "RateLimitExceeded",
            headers={"retry-after": str(seconds)},
        )
