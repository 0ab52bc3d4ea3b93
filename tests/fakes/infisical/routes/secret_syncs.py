"""Cloudflare Workers secret syncs (``/api/v1/secret-syncs/cloudflare-workers``); jobs run in `sync_jobs`.

Bodies follow backend/src/services/secret-sync/secret-sync-schemas.ts: ``name`` and ``environment`` are
``slugSchema`` values (name at most 256), the description is trimmed; ``/:syncId`` must be a uuid
(backend/src/server/routes/v1/secret-sync-routers/secret-sync-endpoints.ts).
"""

from __future__ import annotations

from typing import Any

from tests.fakes.infisical import sync_jobs
from tests.fakes.infisical import validation as v
from tests.fakes.infisical.errors import ApiError, bad_request, not_found
from tests.fakes.infisical.routing import Call, RouteTable
from tests.fakes.infisical.store import Store, new_id, normal_path, now

routes = RouteTable()
BASE = "/api/v1/secret-syncs/cloudflare-workers"
UPDATABLE = ("name", "connectionId", "description", "isAutoSyncEnabled", "syncOptions", "destinationConfig")


def _key_schema(value: Any) -> str | None:
    if value and "{{secretKey}}" not in value:
        return "Key Schema must include exactly one {{secretKey}} pattern"
    return None


SYNC_OPTIONS = {
    "initialSyncBehavior": v.req("string", v.one_of("overwrite-destination")),
    "disableSecretDeletion": v.opt("boolean", False),
    "keySchema": v.opt("string", check=_key_schema),
}
DESTINATION_CONFIG = {
    "scriptId": v.req("string", v.pattern(r"^[a-z0-9]([a-z0-9-]*[a-z0-9])?$", "Invalid script ID")),
}


@routes.post(BASE)
def create_sync(store: Store, call: Call) -> Any:
    data = v.validate(
        call.body,
        {
            "name": v.slug_schema(256, "Name"),
            "projectId": v.req("string"),
            "connectionId": v.req("string"),
            "environment": v.slug_schema(64, "Environment"),
            "secretPath": v.req("string"),
            "description": v.opt("string", None, v.length(0, 256), nullable=True, transform=v.trim),
            "isAutoSyncEnabled": v.opt("boolean", True),
            "syncOptions": v.obj(SYNC_OPTIONS),
            "destinationConfig": v.obj(DESTINATION_CONFIG),
        },
    )
    store.project(data["projectId"])
    store.connection(data["connectionId"])
    env, folder = _source(store, data["projectId"], data["environment"], data["secretPath"])
    if any(s["name"] == data["name"] and s["projectId"] == data["projectId"] for s in store.syncs.values()):
        raise bad_request(
            f'A Secret Sync with the name "{data["name"]}" already exists for the project with ID "{data["projectId"]}"'
        )
    sync = {
        "id": new_id(),
        "name": data["name"],
        "description": data.get("description"),
        "destination": "cloudflare-workers",
        "isAutoSyncEnabled": data["isAutoSyncEnabled"],
        "version": 1,
        "destinationConfig": data["destinationConfig"],
        "syncOptions": data["syncOptions"],
        "projectId": data["projectId"],
        "folderId": folder["id"],
        "envId": env["id"],
        "connectionId": data["connectionId"],
        "createdAt": now(),
        "updatedAt": now(),
        **sync_jobs.sync_fields(),
    }
    store.syncs[sync["id"]] = sync
    if sync["isAutoSyncEnabled"]:
        sync_jobs.queue_sync(store, sync)
    return {"secretSync": sync_view(store, sync)}


@routes.get(BASE + "/{syncId}")
def get_sync(store: Store, call: Call) -> Any:
    return {"secretSync": sync_view(store, _sync(store, call.path["syncId"]))}


@routes.get(BASE + "/sync-name/{name}")
def get_sync_by_name(store: Store, call: Call) -> Any:
    for sync in store.syncs.values():
        if sync["name"] == call.path["name"] and sync["projectId"] == call.query.get("projectId"):
            return {"secretSync": sync_view(store, sync)}
    raise not_found(f"Could not find Cloudflare Workers Sync with name {call.path['name']}")


@routes.patch(BASE + "/{syncId}")
def update_sync(store: Store, call: Call) -> Any:
    sync = _sync(store, call.path["syncId"])
    data = v.validate(
        call.body,
        {
            "name": v.slug_schema(256, "Name", required=False),
            "connectionId": v.opt("string"),
            "environment": v.slug_schema(64, "Environment", required=False),
            "secretPath": v.opt("string"),
            "description": v.opt("string", check=v.length(0, 256), nullable=True, transform=v.trim),
            "isAutoSyncEnabled": v.opt("boolean"),
            "syncOptions": v.Rule("object", required=False, fields=SYNC_OPTIONS),
            "destinationConfig": v.Rule("object", required=False, fields=DESTINATION_CONFIG),
        },
    )
    if "connectionId" in data:
        store.connection(data["connectionId"])
    if "name" in data and any(
        s["name"] == data["name"] and s["projectId"] == sync["projectId"] and s["id"] != sync["id"]
        for s in store.syncs.values()
    ):
        raise bad_request(f'A Secret Sync with the name "{data["name"]}" already exists')
    if "environment" in data or "secretPath" in data:
        env_slug = data.get("environment") or store.environments[sync["envId"]]["slug"]
        source_path = data.get("secretPath") or store.path_of(store.folders[sync["folderId"]])
        env, folder = _source(store, sync["projectId"], env_slug, source_path)
        sync.update(envId=env["id"], folderId=folder["id"])
    for key in UPDATABLE:
        if key in data:
            sync[key] = data[key]
    sync["version"] += 1
    sync["updatedAt"] = now()
    if sync["isAutoSyncEnabled"]:
        sync_jobs.queue_sync(store, sync)
    return {"secretSync": sync_view(store, sync)}


@routes.delete(BASE + "/{syncId}")
def delete_sync(store: Store, call: Call) -> Any:
    sync = _sync(store, call.path["syncId"])
    if call.query.get("removeSecrets", "false") not in ("true", "false"):
        raise ApiError(
            422,
            [{"code": "invalid_type", "path": ["removeSecrets"], "message": "Expected boolean"}],
            "ValidationFailure",
        )
    if call.query.get("removeSecrets") == "true":
        sync_jobs.queue_remove(store, sync)
        return {"secretSync": sync_view(store, sync)}
    view = sync_view(store, sync)
    del store.syncs[sync["id"]]
    return {"secretSync": view}


def _source(store: Store, project_id: str, env_slug: str, path: str) -> tuple[dict[str, Any], dict[str, Any]]:
    env = store.environment_by_slug(project_id, env_slug)
    folder = store.folder_at(env["id"], path)
    if folder is None:
        raise bad_request(f"Could not find folder with path '{normal_path(path)}' in environment '{env_slug}'")
    return env, folder


def _sync(store: Store, sync_id: str) -> dict[str, Any]:
    v.uuid_param("syncId", sync_id)
    sync = store.syncs.get(sync_id)
    if sync is None:
        raise not_found(f'Could not find Cloudflare Workers Sync with ID "{sync_id}"')
    return sync


def sync_view(store: Store, sync: dict[str, Any]) -> dict[str, Any]:
    connection = store.connections.get(sync["connectionId"])
    env = store.environments.get(sync["envId"])
    folder = store.folders.get(sync["folderId"])
    view = {k: v for k, v in sync.items() if k != "envId" and not k.startswith("_")}
    view["connection"] = (
        {"app": "cloudflare", "name": connection["name"], "id": connection["id"]} if connection else None
    )
    view["environment"] = {"slug": env["slug"], "name": env["name"], "id": env["id"]} if env else None
    view["folder"] = {"id": folder["id"], "path": store.path_of(folder)} if folder else None
    return view
