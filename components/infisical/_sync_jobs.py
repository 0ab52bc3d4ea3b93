"""Waiting for a secret sync's background jobs, within a bounded time.

Infisical never calls Cloudflare inside the HTTP request: a create or update with auto-sync queues a sync
job and answers ``syncStatus: pending``; a delete with ``removeSecrets=true`` queues a remove job and the
sync is deleted only when that job completes; while a job runs, a remove answers 400 ``A job for this sync
is already in progress`` (backend/src/services/secret-sync/secret-sync-service.ts). A failed job stores
``failed`` and Cloudflare's error body as ``lastSyncMessage``/``lastRemoveMessage``
(secret-sync-fns.ts). So a provider that wants to report the outcome polls the sync until the job settles.

``INFISICAL_SYNC_TIMEOUT`` (seconds, default 60) bounds each wait; when it runs out the job is still
running and the provider says so instead of waiting longer.
"""

from __future__ import annotations

import json
import logging
import os
import time
from collections.abc import Callable
from typing import Any

from .client import env_number
from .errors import InfisicalBadRequestError

_log = logging.getLogger(__name__)

SYNC_TIMEOUT_VAR = "INFISICAL_SYNC_TIMEOUT"
DEFAULT_SYNC_TIMEOUT = 60.0
_FIRST_POLL = 0.1
_MAX_POLL = 3.0
SETTLED = frozenset({"succeeded", "failed"})
FAILED = "failed"
_BUSY = "already in progress"

Sync = dict[str, Any]


def timeout() -> float:
    return env_number(SYNC_TIMEOUT_VAR, DEFAULT_SYNC_TIMEOUT, os.environ)


def poll(get: Callable[[], Sync | None], done: Callable[[Sync | None], bool]) -> Sync | None:
    """``get()`` until ``done`` says so or the time is up; returns the last answer (None: the sync is gone)."""
    deadline = time.monotonic() + timeout()
    wait = _FIRST_POLL
    while True:
        current = get()
        if done(current) or time.monotonic() + wait > deadline:
            return current
        time.sleep(wait)
        wait = min(wait * 2, _MAX_POLL)


def wait_for_sync(get: Callable[[], Sync | None]) -> Sync | None:
    """The sync once its queued sync job has settled (or the time ran out)."""
    return poll(get, lambda sync: sync is None or sync.get("syncStatus") in SETTLED)


def failure(sync: Sync | None, status: str, message: str) -> str | None:
    """Infisical's reason when the job recorded under ``status`` failed, as short readable text."""
    if sync is None or sync.get(status) != FAILED:
        return None
    return describe(sync.get(message))


def describe(message: Any) -> str:
    """Cloudflare's error body (stored JSON-encoded) as ``code: message`` pairs; other text as it is."""
    if not isinstance(message, str) or not message:
        return "no message"
    try:
        body = json.loads(message)
    except ValueError:
        return message
    errors = body.get("errors") if isinstance(body, dict) else None
    if not isinstance(errors, list) or not errors:
        return message
    return "; ".join(
        f"{error.get('code')}: {error.get('message')}" if isinstance(error, dict) else str(error) for error in errors
    )


def delete_when_idle(delete: Callable[[], Any], get: Callable[[], Sync | None]) -> None:
    """Send ``delete``; while Infisical answers that a job is running, wait for it and send it again."""
    deadline = time.monotonic() + timeout()
    wait = _FIRST_POLL
    while True:
        try:
            delete()
            return
        except InfisicalBadRequestError as error:
            if _BUSY not in error.message.lower() or time.monotonic() + wait > deadline:
                raise
            _log.info("a job of this secret sync is running; waiting %.1fs before deleting it", wait)
        time.sleep(wait)
        wait = min(wait * 2, _MAX_POLL)
        if get() is None:
            return  # the job that was running removed it


def wait_until_removed(get: Callable[[], Sync | None]) -> Sync | None:
    """After a delete with ``removeSecrets``: None once the sync is gone, else the sync as it stands."""
    return poll(get, lambda sync: sync is None or sync.get("removeStatus") == FAILED)
