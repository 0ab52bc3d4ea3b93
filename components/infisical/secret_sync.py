"""Cloudflare Workers secret syncs: Infisical pushes one folder's secrets into one Worker script.

``auto_sync_enabled`` is sent explicitly on every create and update, ``false`` included (the Terraform
provider drops ``false`` on update). A sync is bound to its project and its Worker script: changing either
makes a new sync. Deleting leaves the synced secrets in Cloudflare unless ``remove_secrets_on_delete``.

Infisical runs the sync itself in the background (see `_sync_jobs`). After a create or update with
auto-sync the provider waits, within a bounded time, for that first run: when it failed (a Cloudflare token
without access, a Worker that does not exist) the resource fails with Infisical's message, and a sync
created by that create is deleted again, so nothing is left half-applied. A delete that removes the synced
secrets waits until Infisical's remove job has finished and the sync is gone.

A sync whose last run failed is drift: the desired state is a sync that delivers. ``last_run_failed`` is
read back from Infisical's ``syncStatus`` and is always ``False`` in the program, so a refresh after a
failed run (a secret change Cloudflare refused, a Worker deleted by hand, a revoked token) shows the sync
as changed, ``pulumi preview --refresh --expect-no-changes`` fails on it, and ``pulumi up`` runs the sync
again, failing with Infisical's reason while the cause remains.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import pulumi

from . import _sync_jobs as jobs
from . import _validators as valid
from ._provider import InfisicalProvider, Outputs, found_or_none
from ._resource import InfisicalResource
from ._schema import Schema, output, prop
from .client import InfisicalClient
from .errors import InfisicalSyncFailedError

_log = logging.getLogger(__name__)

DESTINATION = "cloudflare-workers"
OVERWRITE_DESTINATION = "overwrite-destination"
_SYNCS = f"/api/v1/secret-syncs/{DESTINATION}"
_SYNC = f"/api/v1/secret-syncs/{DESTINATION}/{{syncId}}"


def _body(inputs: Mapping[str, Any]) -> dict[str, Any]:
    options: dict[str, Any] = {
        "initialSyncBehavior": inputs["initial_sync_behavior"],
        "disableSecretDeletion": inputs["disable_secret_deletion"],
    }
    if inputs.get("key_schema"):
        options["keySchema"] = inputs["key_schema"]
    return {
        "name": inputs["name"],
        "connectionId": inputs["connection_id"],
        "environment": inputs["environment"],
        "secretPath": valid.normal_path(inputs["secret_path"]),
        "description": inputs.get("description") or None,
        "isAutoSyncEnabled": bool(inputs["auto_sync_enabled"]),
        "syncOptions": options,
        "destinationConfig": {"scriptId": inputs["script_id"]},
    }


def _never_failed(value: Any) -> str | None:
    return None if value is False else "must be false: the program wants a sync whose last run did not fail"


def _sync_outputs(sync: Mapping[str, Any], known: Mapping[str, Any]) -> Outputs:
    options = sync.get("syncOptions") or {}
    environment = sync.get("environment") or {}
    folder = sync.get("folder") or {}
    return {
        "name": sync.get("name"),
        "project_id": sync.get("projectId"),
        "connection_id": sync.get("connectionId"),
        "environment": environment.get("slug") or known.get("environment"),
        "secret_path": valid.normal_path(folder.get("path") or known.get("secret_path") or "/"),
        "script_id": (sync.get("destinationConfig") or {}).get("scriptId"),
        "initial_sync_behavior": options.get("initialSyncBehavior"),
        "disable_secret_deletion": bool(options.get("disableSecretDeletion", False)),
        "key_schema": options.get("keySchema") or "",
        "auto_sync_enabled": bool(sync.get("isAutoSyncEnabled")),
        "description": sync.get("description") or "",
        "remove_secrets_on_delete": bool(known.get("remove_secrets_on_delete", False)),
        "destination": sync.get("destination") or DESTINATION,
        "last_run_failed": sync.get("syncStatus") == jobs.FAILED,
    }


@dataclass(frozen=True, kw_only=True)
class CloudflareWorkersSecretSyncArgs:
    name: pulumi.Input[str] = prop(required=True, validate=valid.strict_slug(1, 256))
    project_id: pulumi.Input[str] = prop(required=True, replace=True)
    connection_id: pulumi.Input[str] = prop(required=True)
    environment: pulumi.Input[str] = prop(required=True, validate=valid.strict_slug(1, 64))
    secret_path: pulumi.Input[str] | None = prop(default="/", validate=valid.folder_path, compare=valid.normal_path)
    script_id: pulumi.Input[str] = prop(
        required=True,
        replace=True,
        validate=valid.all_of(
            valid.length(1, 64), valid.matches(valid.WORKER_SCRIPT_ID, "a Worker script name (a-z, 0-9, -)")
        ),
    )
    initial_sync_behavior: pulumi.Input[str] | None = prop(
        default=OVERWRITE_DESTINATION, validate=valid.one_of([OVERWRITE_DESTINATION])
    )
    """Only ``overwrite-destination`` is accepted for Workers (the default)."""
    disable_secret_deletion: pulumi.Input[bool] | None = prop(default=False)
    key_schema: pulumi.Input[str] | None = prop(validate=valid.key_schema, compare=valid.empty_if_none)
    """Must contain ``{{secretKey}}`` when set; destination secrets outside the schema are never deleted."""
    auto_sync_enabled: pulumi.Input[bool] | None = prop(default=True)
    description: pulumi.Input[str] | None = prop(validate=valid.length(0, 256), compare=valid.trimmed)
    remove_secrets_on_delete: pulumi.Input[bool] | None = prop(default=False)
    """Delete the synced secrets from the Worker when the sync is deleted (default False)."""
    last_run_failed: pulumi.Input[bool] | None = prop(default=False, validate=_never_failed, compare=bool)
    """Never set by the program (always False); a refresh reads Infisical's last run into it (drift)."""
    destination: str | None = output()


class CloudflareWorkersSecretSyncProvider(InfisicalProvider):
    kind = "Cloudflare Workers secret sync"
    schema = Schema.of(CloudflareWorkersSecretSyncArgs)
    natural_key = ("project_id", "name")
    stable_outputs = ("project_id", "script_id", "destination")
    local_only = frozenset({"remove_secrets_on_delete"})

    def _create(self, client: InfisicalClient, inputs: dict[str, Any]) -> tuple[str, Outputs]:
        body = {**_body(inputs), "projectId": inputs["project_id"]}

        def create() -> dict[str, Any]:
            return dict(client.post(_SYNCS, json=body)["secretSync"])

        def find() -> dict[str, Any] | None:
            data = found_or_none(
                lambda: client.get(
                    f"{_SYNCS}/sync-name/{{name}}",
                    path={"name": inputs["name"]},
                    params={"projectId": inputs["project_id"]},
                )
            )
            found = dict(data["secretSync"]) if data else None
            if found is None or (found.get("destinationConfig") or {}).get("scriptId") != inputs["script_id"]:
                return None
            return found

        sync = self._create_or_recover(client, f"{inputs['name']!r} in project {inputs['project_id']}", create, find)
        reason = self._first_run_failure(client, sync)
        if reason is not None:
            jobs.delete_when_idle(
                lambda: self._send_delete(client, sync["id"], remove=False), lambda: self._get(client, sync["id"])
            )
            raise InfisicalSyncFailedError(client.scrub(f"{self._describe(inputs)}: {reason}; the sync was removed"))
        return sync["id"], _sync_outputs(sync, inputs)

    def _read(self, client: InfisicalClient, id_: str, props: dict[str, Any]) -> tuple[str, Outputs] | None:
        data = found_or_none(lambda: client.get(_SYNC, path={"syncId": id_}))
        if data is None:
            return None
        return id_, _sync_outputs(data["secretSync"], props)

    def _update(self, client: InfisicalClient, id_: str, old: dict[str, Any], new: dict[str, Any]) -> Outputs:
        sync = client.patch(_SYNC, path={"syncId": id_}, json=_body(new))["secretSync"]
        reason = self._first_run_failure(client, sync)
        if reason is not None:
            raise InfisicalSyncFailedError(client.scrub(f"{self._describe(new)}: {reason}"))
        return _sync_outputs(sync, new)

    def _delete(self, client: InfisicalClient, id_: str, props: dict[str, Any]) -> None:
        remove = props.get("remove_secrets_on_delete") is True
        jobs.delete_when_idle(lambda: self._send_delete(client, id_, remove=remove), lambda: self._get(client, id_))
        if not remove:
            return
        left = jobs.wait_until_removed(lambda: self._get(client, id_))
        if left is not None:
            reason = jobs.failure(left, "removeStatus", "lastRemoveMessage")
            what = f"removing the synced secrets failed: {reason}" if reason else "the remove job is still running"
            raise InfisicalSyncFailedError(client.scrub(f"{self._describe(props)}: {what}"))

    @staticmethod
    def _send_delete(client: InfisicalClient, id_: str, *, remove: bool) -> None:
        client.delete(_SYNC, path={"syncId": id_}, params={"removeSecrets": "true" if remove else "false"})

    @staticmethod
    def _get(client: InfisicalClient, id_: str) -> dict[str, Any] | None:
        data = found_or_none(lambda: client.get(_SYNC, path={"syncId": id_}))
        return dict(data["secretSync"]) if data else None

    def _first_run_failure(self, client: InfisicalClient, sync: Mapping[str, Any]) -> str | None:
        """Infisical's reason when the sync job queued by a create or update failed (None: it did not)."""
        if not sync.get("isAutoSyncEnabled"):
            return None
        settled = jobs.wait_for_sync(lambda: self._get(client, sync["id"]))
        if settled is not None and settled.get("syncStatus") not in jobs.SETTLED:
            _log.warning("the first run of Infisical sync %s is still %s", sync["id"], settled.get("syncStatus"))
        return jobs.failure(settled, "syncStatus", "lastSyncMessage")

    @staticmethod
    def _describe(props: Mapping[str, Any]) -> str:
        return f"Infisical secret sync {props.get('name')!r} to Worker {props.get('script_id')!r}"


class CloudflareWorkersSecretSync(
    InfisicalResource[CloudflareWorkersSecretSyncArgs], provider=CloudflareWorkersSecretSyncProvider
):
    """Infisical pushing one folder's secrets into one Worker script."""
