"""One secret at a time (``/api/v4/secrets``), addressed by name, environment, path and type.

backend/src/server/routes/v4/secret-router.ts trims ``secretComment`` on create but not on update; values
are trimmed keeping one trailing newline (`store.stored_value`). Secret names (the path parameter and
``newSecretName``) are ``SecretNameSchema``: trimmed, and 422 "Secret name cannot contain colon or forward
slash". Each route answers its own set of fields (`VIEWS`, as recorded), and the service names some
failures after itself: a create into a missing folder is 404 ``CreateSecret``, a read of an unknown id 404
``GetSecretById``. An update or delete stamps the folder's ``lastSecretModified`` (a create does not, as
recorded).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from tests.fakes.infisical import permissions
from tests.fakes.infisical import validation as v
from tests.fakes.infisical.errors import ApiError, bad_request, not_found
from tests.fakes.infisical.routing import Call, RouteTable
from tests.fakes.infisical.store import Store, new_id, now, stored_value

routes = RouteTable(limit="secrets")

ADDRESS = {
    "projectId": v.req("string"),
    "environment": v.req("string"),
    "secretPath": v.opt("string", "/"),
    "type": v.opt("string", "shared", v.one_of("shared", "personal")),
}


@routes.post("/api/v4/secrets/{secretName}")
def create_secret(store: Store, call: Call) -> Any:
    body = {**ADDRESS, "secretValue": v.req("string"), "secretComment": v.opt("string", "", transform=v.trim)}
    data = v.validate(call.body, body)
    permissions.require_secret(store, call.actor, "create", data, _name(call))
    env, folder = store.folder_in(data["projectId"], data["environment"], data["secretPath"], "CreateSecret")
    key = _name(call)
    if store.find_secret(folder["id"], key, data["type"]) is not None:
        raise bad_request("Secret already exists")
    secret = {
        "id": new_id(),
        "projectId": data["projectId"],
        "envId": env["id"],
        "folderId": folder["id"],
        "key": key,
        "value": stored_value(data["secretValue"]),
        "comment": data["secretComment"],
        "type": data["type"],
        "version": 1,
        "createdAt": now(),
        "updatedAt": now(),
    }
    store.secrets[secret["id"]] = secret
    return {"secret": secret_view(store, secret, "create")}


@routes.get("/api/v4/secrets/id/{secretId}")
def get_secret_by_id(store: Store, call: Call) -> Any:
    secret = store.secrets.get(call.path["secretId"])
    if secret is None:
        raise ApiError(404, f"Secret with ID '{call.path['secretId']}' not found", "GetSecretById")
    address = {
        "projectId": secret["projectId"],
        "environment": store.environments[secret["envId"]]["slug"],
        "secretPath": store.path_of(store.folders[secret["folderId"]]),
    }
    permissions.require_secret(store, call.actor, "readValue", address, secret["key"])
    return {"secret": secret_view(store, secret, "read by id")}


@routes.get("/api/v4/secrets/{secretName}")
def get_secret(store: Store, call: Call) -> Any:
    data = v.validate(dict(call.query), ADDRESS)
    permissions.require_secret(store, call.actor, "readValue", data, _name(call))
    return {"secret": secret_view(store, _secret(store, _name(call), data), "read")}


@routes.patch("/api/v4/secrets/{secretName}")
def update_secret(store: Store, call: Call) -> Any:
    data = v.validate(
        call.body,
        {
            **ADDRESS,
            "secretValue": v.opt("string"),
            "secretComment": v.opt("string"),
            "newSecretName": v.opt("string", check=_name_issue, transform=v.trim),
        },
    )
    permissions.require_secret(store, call.actor, "edit", data, _name(call))
    secret = _secret(store, _name(call), data)
    new_key = data.get("newSecretName")
    if new_key and new_key != secret["key"] and store.find_secret(secret["folderId"], new_key, secret["type"]):
        raise bad_request("Secret with the new name already exists")
    if "secretValue" in data:
        secret["value"] = stored_value(data["secretValue"])
    if "secretComment" in data:
        secret["comment"] = data["secretComment"]
    if new_key:
        secret["key"] = new_key
    secret["version"] += 1
    secret["updatedAt"] = now()
    store.folders[secret["folderId"]]["lastSecretModified"] = now()
    return {"secret": secret_view(store, secret, "update")}


@routes.delete("/api/v4/secrets/{secretName}")
def delete_secret(store: Store, call: Call) -> Any:
    data = v.validate(call.body, ADDRESS)
    permissions.require_secret(store, call.actor, "delete", data, _name(call))
    secret = _secret(store, _name(call), data)
    view = secret_view(store, secret, "delete")
    del store.secrets[secret["id"]]
    store.folders[secret["folderId"]]["lastSecretModified"] = now()
    return {"secret": view}


def _name_issue(name: str) -> str | None:
    if not name:
        return "String must contain at least 1 character(s)"
    return "Secret name cannot contain colon or forward slash" if ":" in name or "/" in name else None


def _name(call: Call) -> str:
    """The ``secretName`` path parameter as ``SecretNameSchema`` leaves it (422 when it refuses it)."""
    name = call.path["secretName"].strip()
    issue = _name_issue(name)
    if issue:
        raise ApiError(422, [{"code": "custom", "path": ["secretName"], "message": issue}], "ValidationFailure")
    return name


def _secret(store: Store, key: str, address: Mapping[str, Any]) -> dict[str, Any]:
    _env, folder = store.folder_in(address["projectId"], address["environment"], address["secretPath"])
    secret = store.find_secret(folder["id"], key, address.get("type", "shared"))
    if secret is None:
        raise not_found(f"Secret with name '{key}' not found")
    return secret


VIEWS: dict[str, tuple[str, ...]] = {
    "create": ("isRotatedSecret", "rotationId"),
    "read": ("isRotatedSecret", "rotationId", "secretMetadata", "secretPath", "secretValueHidden", "tags"),
    "read by id": ("isRotatedSecret", "rotationId", "secretMetadata", "secretPath", "tags"),
    "update": ("isRotatedSecret", "rotationId", "secretValueHidden"),
    "delete": ("secretValueHidden",),
}
"""The fields each route adds to the ones every secret answer has (``SecretRawSchema`` and its variants)."""


def secret_view(store: Store, secret: dict[str, Any], route: str = "read") -> dict[str, Any]:
    full = _full_view(store, secret)
    extras = VIEWS[route]
    return {key: value for key, value in full.items() if key not in _OPTIONAL or key in extras}


def _full_view(store: Store, secret: dict[str, Any]) -> dict[str, Any]:
    env = store.environments[secret["envId"]]
    return {
        "id": secret["id"],
        "_id": secret["id"],
        "workspace": secret["projectId"],
        "environment": env["slug"],
        "version": secret["version"],
        "type": secret["type"],
        "secretKey": secret["key"],
        "secretValue": secret["value"],
        "secretComment": secret["comment"],
        "secretReminderNote": None,
        "secretReminderRepeatDays": None,
        "skipMultilineEncoding": False,
        "secretValueHidden": False,
        "secretPath": store.path_of(store.folders[secret["folderId"]]),
        "tags": [],
        "secretMetadata": [],
        "isRotatedSecret": False,
        "rotationId": None,
        "createdAt": secret["createdAt"],
        "updatedAt": secret["updatedAt"],
    }


_OPTIONAL = frozenset(key for extras in VIEWS.values() for key in extras)
