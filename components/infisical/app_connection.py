"""Cloudflare app connections: the Cloudflare API token Infisical uses to push secrets to Workers.

Infisical never returns the token. Drift is detected through ``credentialsHash``: when it no longer matches
the hash recorded at the last create/update, the refreshed state drops the token so the next ``pulumi up``
sends it again. Infisical checks the token against Cloudflare on create and on every credential change,
so credentials are only sent when the account id or the token actually changed.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import pulumi

from . import _validators as valid
from ._provider import InfisicalProvider, Outputs, found_or_none
from ._resource import InfisicalResource
from ._schema import Schema, output, prop
from .client import InfisicalClient

_CONNECTIONS = "/api/v1/app-connections/cloudflare"
_CONNECTION = "/api/v1/app-connections/cloudflare/{connectionId}"


def _connection_outputs(connection: Mapping[str, Any], known: Mapping[str, Any]) -> Outputs:
    credentials = connection.get("credentials") or {}
    digest = connection.get("credentialsHash")
    token = known.get("api_token")
    if known.get("credentials_hash") and digest != known.get("credentials_hash"):
        token = None  # changed outside Pulumi: forget the token so the next update sends ours again
    return {
        "name": connection.get("name"),
        "account_id": credentials.get("accountId") or known.get("account_id"),
        "api_token": token,
        "description": connection.get("description") or "",
        "project_id": connection.get("projectId"),
        "credentials_hash": digest,
    }


@dataclass(frozen=True, kw_only=True)
class CloudflareAppConnectionArgs:
    name: pulumi.Input[str] = prop(required=True, validate=valid.strict_slug(1, 64))
    account_id: pulumi.Input[str] = prop(
        required=True, validate=valid.matches(valid.CLOUDFLARE_ACCOUNT_ID, "1-256 letters, digits, - or _")
    )
    api_token: pulumi.Input[str] = prop(required=True, secret=True, validate=valid.length(1, 256))
    description: pulumi.Input[str] | None = prop(validate=valid.length(0, 256), compare=valid.trimmed)
    project_id: pulumi.Input[str] | None = prop(replace=True)
    """Set to make the connection project-scoped; omit for an organization-wide connection."""
    credentials_hash: str | None = output()


class CloudflareAppConnectionProvider(InfisicalProvider):
    kind = "Cloudflare app connection"
    schema = Schema.of(CloudflareAppConnectionArgs)
    natural_key = ("name",)
    stable_outputs = ("project_id",)

    def _create(self, client: InfisicalClient, inputs: dict[str, Any]) -> tuple[str, Outputs]:
        name = inputs["name"]
        client.remember_secret(inputs["api_token"])
        body: dict[str, Any] = {
            "name": name,
            "method": "api-token",
            "credentials": {"accountId": inputs["account_id"], "apiToken": inputs["api_token"]},
        }
        if inputs.get("description"):
            body["description"] = inputs["description"]
        if inputs.get("project_id"):
            body["projectId"] = inputs["project_id"]

        def create() -> dict[str, Any]:
            return dict(client.post(_CONNECTIONS, json=body)["appConnection"])

        def find() -> dict[str, Any] | None:
            # Without projectId the lookup searches organization connections only, never a project's
            # (backend/src/services/app-connection/app-connection-service.ts).
            scope = {"projectId": inputs["project_id"]} if inputs.get("project_id") else None
            data = found_or_none(
                lambda: client.get(f"{_CONNECTIONS}/connection-name/{{name}}", path={"name": name}, params=scope)
            )
            if data is None:
                return None
            found = dict(data["appConnection"])
            same = (found.get("credentials") or {}).get("accountId") == inputs["account_id"] and (
                found.get("projectId") or None
            ) == (inputs.get("project_id") or None)
            return found if same else None

        connection = self._create_or_recover(client, repr(name), create, find)
        return connection["id"], _connection_outputs(connection, inputs)

    def _read(self, client: InfisicalClient, id_: str, props: dict[str, Any]) -> tuple[str, Outputs] | None:
        client.remember_secret(props.get("api_token"))
        data = found_or_none(lambda: client.get(_CONNECTION, path={"connectionId": id_}))
        if data is None:
            return None
        return id_, _connection_outputs(data["appConnection"], props)

    def _update(self, client: InfisicalClient, id_: str, old: dict[str, Any], new: dict[str, Any]) -> Outputs:
        client.remember_secret(old.get("api_token"), new["api_token"])
        body: dict[str, Any] = {"name": new["name"], "description": new.get("description") or ""}
        credentials_changed = (
            old.get("api_token") != new["api_token"]
            or old.get("account_id") != new["account_id"]
            or not old.get("credentials_hash")
        )
        if credentials_changed:
            body["credentials"] = {"accountId": new["account_id"], "apiToken": new["api_token"]}
        connection = client.patch(_CONNECTION, path={"connectionId": id_}, json=body)["appConnection"]
        return _connection_outputs(connection, {**new, "credentials_hash": None})

    def _delete(self, client: InfisicalClient, id_: str, props: dict[str, Any]) -> None:
        client.delete(_CONNECTION, path={"connectionId": id_})


class CloudflareAppConnection(InfisicalResource[CloudflareAppConnectionArgs], provider=CloudflareAppConnectionProvider):
    """The Cloudflare API token Infisical uses to push secrets to Workers."""
