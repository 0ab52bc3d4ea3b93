"""Cloudflare app connections (``/api/v1/app-connections/cloudflare``); the API token is never returned.

Infisical checks the token against Cloudflare on create and on a credentials update; the fake refuses
tokens starting with ``invalid`` and those in ``Store.rejected_tokens`` with 400 "Failed to validate
credentials: Invalid access token" (recorded). The name is a ``slugSchema`` (at
most 64), the description is trimmed, ``/:connectionId`` must be a uuid
(backend/src/server/routes/v1/app-connection-routers/app-connection-endpoints.ts), and a lookup by name
finds a project's connection only when ``?projectId=`` names that project, an organisation connection
only without it (backend/src/services/app-connection/app-connection-service.ts).
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from typing import Any

from tests.fakes.infisical import validation as v
from tests.fakes.infisical.errors import bad_request, not_found
from tests.fakes.infisical.routing import Call, RouteTable
from tests.fakes.infisical.store import Store, new_id, now

routes = RouteTable()
BASE = "/api/v1/app-connections/cloudflare"

CREDENTIALS = v.obj(
    {
        "accountId": v.req("string", v.pattern(r"^[A-Za-z0-9_-]{1,256}$", "Invalid account ID")),
        "apiToken": v.req("string", v.length(1, 256)),
    }
)


@routes.post(BASE)
def create_connection(store: Store, call: Call) -> Any:
    data = v.validate(
        call.body,
        {
            "name": v.slug_schema(64, "Name"),
            "method": v.req("string", v.one_of("api-token")),
            "credentials": CREDENTIALS,
            "description": v.opt("string", None, v.length(0, 256), nullable=True, transform=v.trim),
            "projectId": v.opt("string", None, nullable=True),
        },
    )
    if data.get("projectId"):
        store.project(data["projectId"])
    if any(c["name"] == data["name"] for c in store.connections.values()):
        raise bad_request(f'An App Connection with the name "{data["name"]}" already exists')
    _validate_token(store, data["credentials"])
    connection = {
        "id": new_id(),
        "name": data["name"],
        "description": data.get("description"),
        "version": 1,
        "orgId": store.org_id,
        "projectId": data.get("projectId"),
        "app": "cloudflare",
        "method": "api-token",
        "credentials": dict(data["credentials"]),
        "credentialsHash": _hash(store, data["credentials"]),
        "isPlatformManagedCredentials": False,
        "isAutoRotationEnabled": False,
        "gatewayId": None,
        "gatewayPoolId": None,
        "createdAt": now(),
        "updatedAt": now(),
    }
    store.connections[connection["id"]] = connection
    return {"appConnection": connection_view(store, connection)}


@routes.get(BASE)
def list_connections(store: Store, call: Call) -> Any:
    return {"appConnections": [connection_view(store, c) for c in store.connections.values()]}


@routes.get(BASE + "/{connectionId}")
def get_connection(store: Store, call: Call) -> Any:
    v.uuid_param("connectionId", call.path["connectionId"])
    return {"appConnection": connection_view(store, store.connection(call.path["connectionId"]))}


@routes.get(BASE + "/connection-name/{name}")
def get_connection_by_name(store: Store, call: Call) -> Any:
    scope = call.query.get("projectId") or None
    for connection in store.connections.values():
        if connection["name"] == call.path["name"].strip() and connection["projectId"] == scope:
            return {"appConnection": connection_view(store, connection)}
    raise not_found(f"Could not find App Connection with name {call.path['name']}")


@routes.patch(BASE + "/{connectionId}")
def update_connection(store: Store, call: Call) -> Any:
    v.uuid_param("connectionId", call.path["connectionId"])
    connection = store.connection(call.path["connectionId"])
    data = v.validate(
        call.body,
        {
            "name": v.slug_schema(64, "Name", required=False),
            "description": v.opt("string", check=v.length(0, 256), nullable=True, transform=v.trim),
            "credentials": v.Rule("object", required=False, fields=CREDENTIALS.fields),
        },
    )
    if "name" in data and any(
        c["name"] == data["name"] and c["id"] != connection["id"] for c in store.connections.values()
    ):
        raise bad_request(f'An App Connection with the name "{data["name"]}" already exists')
    if "credentials" in data:
        _validate_token(store, data["credentials"])
        connection["credentials"] = dict(data["credentials"])
        connection["credentialsHash"] = _hash(store, data["credentials"])
    for key in ("name", "description"):
        if key in data:
            connection[key] = data[key]
    connection["version"] += 1
    connection["updatedAt"] = now()
    return {"appConnection": connection_view(store, connection)}


@routes.delete(BASE + "/{connectionId}")
def delete_connection(store: Store, call: Call) -> Any:
    v.uuid_param("connectionId", call.path["connectionId"])
    connection = store.connection(call.path["connectionId"])
    del store.connections[connection["id"]]
    return {"appConnection": connection_view(store, connection)}


def _hash(store: Store, credentials: Mapping[str, str]) -> str:
    return credentials_hash(credentials["accountId"], credentials["apiToken"])


def _validate_token(store: Store, credentials: Mapping[str, str]) -> None:
    if credentials["apiToken"].startswith("invalid") or credentials["apiToken"] in store.rejected_tokens:
        raise bad_request("Failed to validate credentials: Invalid access token")


def credentials_hash(account_id: str, api_token: str) -> str:
    return hashlib.sha256(f"{account_id}:{api_token}".encode()).hexdigest()


def connection_view(store: Store, connection: dict[str, Any]) -> dict[str, Any]:
    """The connection without its API token (``credentials`` keeps the account id only)."""
    return {**connection, "credentials": {"accountId": connection["credentials"]["accountId"]}}
