"""How long to wait before trying a call again.

Mirrors the Terraform provider's policy: the server's ``Retry-After`` (delta seconds or HTTP date) first,
then ``X-RateLimit-Reset`` (delta seconds, or a unix timestamp when the number is that large), otherwise a
jittered exponential backoff; every wait is capped so one call can never stall a deployment for long.
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from email.utils import parsedate_to_datetime

from tenacity import RetryCallState
from tenacity.wait import wait_base, wait_random_exponential

_UNIX_TIMESTAMP_THRESHOLD = 1e9


def _number(value: str) -> float | None:
    try:
        number = float(value.strip())
    except ValueError:
        return None
    return number if number >= 0 else None


def parse_retry_after(value: str, now: float | None = None) -> float | None:
    """Seconds to wait from a ``Retry-After`` header, or None when it is unusable."""
    seconds = _number(value)
    if seconds is not None:
        return seconds
    try:
        when = parsedate_to_datetime(value.strip())
    except (TypeError, ValueError):
        return None
    current = time.time() if now is None else now
    return max(0.0, when.timestamp() - current)


def parse_rate_limit_reset(value: str, now: float | None = None) -> float | None:
    """Seconds to wait from ``X-RateLimit-Reset``: a delta, or an absolute unix time in seconds."""
    number = _number(value)
    if number is None:
        return None
    if number >= _UNIX_TIMESTAMP_THRESHOLD:
        current = time.time() if now is None else now
        return max(0.0, number - current)
    return number


def server_wait_hint(headers: Mapping[str, str], now: float | None = None) -> float | None:
    """The wait the server asked for, if any (header names are case-insensitive in httpx)."""
    retry_after = headers.get("retry-after")
    if retry_after:
        hint = parse_retry_after(retry_after, now)
        if hint is not None:
            return hint
    reset = headers.get("x-ratelimit-reset")
    if reset:
        return parse_rate_limit_reset(reset, now)
    return None


class RetryWait(wait_base):
    """Server hint when the failure carries one (``retry_after``), jittered exponential backoff otherwise."""

    def __init__(self, max_wait: float, initial: float = 0.5) -> None:
        self.max_wait = max(0.0, max_wait)
        self._backoff = wait_random_exponential(multiplier=initial, max=self.max_wait)

    def __call__(self, retry_state: RetryCallState) -> float:
        outcome = retry_state.outcome
        error = outcome.exception() if outcome is not None else None
        hint = getattr(error, "retry_after", None)
        if isinstance(hint, (int, float)):
            return min(float(hint), self.max_wait)
        return min(float(self._backoff(retry_state)), self.max_wait)
