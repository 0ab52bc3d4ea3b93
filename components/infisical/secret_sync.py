"""Cloudflare Workers secret syncs: Infisical pushes one folder's secrets into one Worker script.

``auto_sync_enabled`` is sent explicitly on every create and update, ``false`` included (the Terraform
provider drops ``false`` on update). A sync is bound to its project and its Worker script: changing either
makes a new sync. Deleting leaves the synced secrets in Cloudflare unless ``remove_secrets_on_delete``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import pulumi
import pulumi.dynamic

from . import _rules as rules
from ._provider import InfisicalProvider, Outputs, found_or_none
from ._resource import resource_props, secret_options
from ._schema import Field, Schema
from .client import InfisicalClient

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
        "secretPath": rules.normal_path(inputs["secret_path"]),
        "description": inputs.get("description") or None,
        "isAutoSyncEnabled": bool(inputs["auto_sync_enabled"]),
        "syncOptions": options,
        "destinationConfig": {"scriptId": inputs["script_id"]},
    }


def _sync_outputs(sync: Mapping[str, Any], known: Mapping[str, Any]) -> Outputs:
    options = sync.get("syncOptions") or {}
    environment = sync.get("environment") or {}
    folder = sync.get("folder") or {}
    return {
        "name": sync.get("name"),
        "project_id": sync.get("projectId"),
        "connection_id": sync.get("connectionId"),
        "environment": environment.get("slug") or known.get("environment"),
        "secret_path": rules.normal_path(folder.get("path") or known.get("secret_path") or "/"),
        "script_id": (sync.get("destinationConfig") or {}).get("scriptId"),
        "initial_sync_behavior": options.get("initialSyncBehavior"),
        "disable_secret_deletion": bool(options.get("disableSecretDeletion", False)),
        "key_schema": options.get("keySchema") or "",
        "auto_sync_enabled": bool(sync.get("isAutoSyncEnabled")),
        "description": sync.get("description") or "",
        "remove_secrets_on_delete": bool(known.get("remove_secrets_on_delete", False)),
        "destination": sync.get("destination") or DESTINATION,
    }


class CloudflareWorkersSecretSyncProvider(InfisicalProvider):
    kind = "Cloudflare Workers secret sync"
    schema = Schema(
        Field("name", required=True, validate=rules.slug(1, 256)),
        Field("project_id", required=True, replace=True),
        Field("connection_id", required=True),
        Field("environment", required=True, validate=rules.slug(1, 64)),
        Field("secret_path", default="/", validate=rules.folder_path, compare=rules.normal_path),
        Field(
            "script_id",
            required=True,
            replace=True,
            validate=rules.all_of(
                rules.length(1, 64),
                rules.matches(rules.WORKER_SCRIPT_ID, "a Worker script name (a-z, 0-9, -)"),
            ),
        ),
        Field(
            "initial_sync_behavior",
            default=OVERWRITE_DESTINATION,
            validate=rules.one_of([OVERWRITE_DESTINATION]),
        ),
        Field("disable_secret_deletion", bool, default=False),
        Field("key_schema", validate=rules.key_schema, compare=rules.empty_if_none),
        Field("auto_sync_enabled", bool, default=True),
        Field("description", validate=rules.length(0, 256), compare=rules.empty_if_none),
        Field("remove_secrets_on_delete", bool, default=False),
        Field("destination", output=True),
    )
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
        return sync["id"], _sync_outputs(sync, inputs)

    def _read(self, client: InfisicalClient, id_: str, props: dict[str, Any]) -> tuple[str, Outputs] | None:
        data = found_or_none(lambda: client.get(_SYNC, path={"syncId": id_}))
        if data is None:
            return None
        return id_, _sync_outputs(data["secretSync"], props)

    def _update(self, client: InfisicalClient, id_: str, old: dict[str, Any], new: dict[str, Any]) -> Outputs:
        sync = client.patch(_SYNC, path={"syncId": id_}, json=_body(new))["secretSync"]
        return _sync_outputs(sync, new)

    def _delete(self, client: InfisicalClient, id_: str, props: dict[str, Any]) -> None:
        remove = "true" if props.get("remove_secrets_on_delete") is True else "false"
        client.delete(_SYNC, path={"syncId": id_}, params={"removeSecrets": remove})


@dataclass(frozen=True, kw_only=True)
class CloudflareWorkersSecretSyncArgs:
    name: pulumi.Input[str]
    project_id: pulumi.Input[str]
    connection_id: pulumi.Input[str]
    environment: pulumi.Input[str]
    script_id: pulumi.Input[str]
    secret_path: pulumi.Input[str] | None = None
    initial_sync_behavior: pulumi.Input[str] | None = None
    """Only ``overwrite-destination`` is accepted for Workers (the default)."""
    disable_secret_deletion: pulumi.Input[bool] | None = None
    key_schema: pulumi.Input[str] | None = None
    """Must contain ``{{secretKey}}`` when set; destination secrets outside the schema are never deleted."""
    auto_sync_enabled: pulumi.Input[bool] | None = None
    description: pulumi.Input[str] | None = None
    remove_secrets_on_delete: pulumi.Input[bool] | None = None
    """Delete the synced secrets from the Worker when the sync is deleted (default False)."""


class CloudflareWorkersSecretSync(pulumi.dynamic.Resource, module="infisical", name="CloudflareWorkersSecretSync"):
    name: pulumi.Output[str]
    project_id: pulumi.Output[str]
    connection_id: pulumi.Output[str]
    environment: pulumi.Output[str]
    secret_path: pulumi.Output[str]
    script_id: pulumi.Output[str]
    initial_sync_behavior: pulumi.Output[str]
    disable_secret_deletion: pulumi.Output[bool]
    key_schema: pulumi.Output[str]
    auto_sync_enabled: pulumi.Output[bool]
    description: pulumi.Output[str]
    remove_secrets_on_delete: pulumi.Output[bool]
    destination: pulumi.Output[str]

    def __init__(
        self,
        resource_name: str,
        args: CloudflareWorkersSecretSyncArgs,
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        outputs = (
            "secret_path",
            "initial_sync_behavior",
            "disable_secret_deletion",
            "key_schema",
            "auto_sync_enabled",
            "description",
            "remove_secrets_on_delete",
            "destination",
        )
        props = resource_props(args, outputs=outputs)
        super().__init__(CloudflareWorkersSecretSyncProvider(), resource_name, props, secret_options(opts, ()))
