"""Secret-sync jobs: what Infisical's queue does after a sync is created, updated or deleted.

Infisical never talks to Cloudflare inside the HTTP call. ``createSecretSync``/``updateSecretSync`` set
``syncStatus: pending`` and queue a sync job when auto-sync is on; a delete with ``removeSecrets=true`` sets
``removeStatus: pending`` and queues a remove job that deletes the sync row when it completes
(``deleteSyncOnComplete``); while a job runs, the sync's lock makes a remove answer 400
(backend/src/services/secret-sync/secret-sync-service.ts). A failed job stores ``failed`` and the
Cloudflare error body, JSON-encoded and cut to 1024 characters, as the message (``parseSyncErrorMessage``,
backend/src/services/secret-sync/secret-sync-fns.ts).

The fake runs no queue: a job "runs" for ``Store.sync_job_seconds`` from the moment it is queued and is
settled lazily, at the start of the next request. Its outcome is decided when it settles, against the
simulated Cloudflare account: script ids in ``Store.unknown_scripts`` do not exist there, and API tokens in
``Store.rejected_tokens`` are refused (backend/src/services/secret-sync/cloudflare-workers/
cloudflare-workers-fns.ts lists the script's secrets first, so either fault fails the job).
"""

from __future__ import annotations

import json
import time
from typing import Any

from .errors import bad_request
from .store import Store, new_id, now

MAX_MESSAGE_LENGTH = 1024
JOB_KEY = "_job"  # the running job, kept on the row; views drop keys starting with "_"

SCRIPT_NOT_FOUND = {"code": 10007, "message": "This Worker does not exist on your account."}
AUTHENTICATION_ERROR = {"code": 10000, "message": "Authentication error"}


def sync_fields() -> dict[str, Any]:
    """The status columns of a new sync row (``secret_syncs`` table)."""
    return {
        "syncStatus": None,
        "lastSyncJobId": None,
        "lastSyncMessage": None,
        "lastSyncedAt": None,
        "importStatus": None,
        "lastImportJobId": None,
        "lastImportMessage": None,
        "lastImportedAt": None,
        "removeStatus": None,
        "lastRemoveJobId": None,
        "lastRemoveMessage": None,
        "lastRemovedAt": None,
    }


def is_running(sync: dict[str, Any]) -> bool:
    job = sync.get(JOB_KEY)
    return job is not None and time.monotonic() < job["until"]


def queue_sync(store: Store, sync: dict[str, Any]) -> None:
    sync["syncStatus"] = "pending"
    sync[JOB_KEY] = {"kind": "sync", "until": time.monotonic() + store.sync_job_seconds, "id": new_id()}


def queue_remove(store: Store, sync: dict[str, Any]) -> None:
    if is_running(sync):
        raise bad_request("A job for this sync is already in progress. Please try again shortly.")
    sync["removeStatus"] = "pending"
    sync["lastRemoveJobId"] = new_id()
    sync[JOB_KEY] = {"kind": "remove", "until": time.monotonic() + store.sync_job_seconds}


def settle(store: Store) -> None:
    """Finish every job whose time is up. A remove job shows ``running`` while it runs; a sync job stays
    ``pending``, its job id unset, until it has run (the recorded reads right after a create show that)."""
    for sync in list(store.syncs.values()):
        job = sync.get(JOB_KEY)
        if job is None:
            continue
        if time.monotonic() < job["until"]:
            if job["kind"] == "remove":
                sync["removeStatus"] = "running"
            continue
        del sync[JOB_KEY]
        error = cloudflare_error(store, sync)
        if job["kind"] == "sync":
            sync["syncStatus"] = "failed" if error else "succeeded"
            sync["lastSyncJobId"] = job["id"]
            sync["lastSyncMessage"] = error
            if not error:
                sync["lastSyncedAt"] = now()
        elif error:
            sync.update(removeStatus="failed", lastRemoveMessage=error)
        else:
            del store.syncs[sync["id"]]


def cloudflare_error(store: Store, sync: dict[str, Any]) -> str | None:
    """The message a job against this sync's Cloudflare script would store, or None when it would succeed."""
    connection = store.connections.get(sync["connectionId"])
    if connection is not None and connection["credentials"]["apiToken"] in store.rejected_tokens:
        return _message(AUTHENTICATION_ERROR)
    if sync["destinationConfig"]["scriptId"] in store.unknown_scripts:
        return _message(SCRIPT_NOT_FOUND)
    return None


def _message(error: dict[str, Any]) -> str:
    body = {"result": None, "success": False, "errors": [error], "messages": []}
    text = json.dumps(body, separators=(",", ":"))
    return text if len(text) <= MAX_MESSAGE_LENGTH else text[: MAX_MESSAGE_LENGTH - 3] + "..."
