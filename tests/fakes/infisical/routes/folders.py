"""Secret folders (``/api/v2/folders``): create (with missing parents), list, read, rename, delete.

Bodies and answers follow backend/src/server/routes/v2/secret-folder-router.ts: names are trimmed and must
match ``isValidFolderName`` (422 with its message), the delete answers the row without its ``path``, and
``lastSecretModified`` is the time a secret in the folder last changed.

A machine identity's login needs ``read`` on ``secret-folders`` with ``{environment, secretPath}`` to list
or read folders (``getFolders``/``getFolderById`` in backend/src/services/secret-folder/
secret-folder-service.ts, evaluated as in `permissions`); the admin token is not checked.
"""

from __future__ import annotations

from typing import Any

from tests.fakes.infisical import permissions
from tests.fakes.infisical import validation as v
from tests.fakes.infisical.errors import bad_request, not_found
from tests.fakes.infisical.routing import Call, RouteTable
from tests.fakes.infisical.store import Store, normal_path, now

routes = RouteTable()

FOLDER_NAME = r"^[A-Za-z0-9_-]+$"
FOLDER_NAME_MESSAGE = "Invalid folder name. Only alphanumeric characters, dashes, and underscores are allowed."
BODY = {  # create and update take the same body: `path` is the parent folder's path
    "projectId": v.req("string"),
    "environment": v.req("string"),
    "name": v.req("string", v.pattern(FOLDER_NAME, FOLDER_NAME_MESSAGE), v.trim),
    "path": v.opt("string", "/"),
    "description": v.opt("string", nullable=True),
}


@routes.route("POST", "/api/v2/folders", limit="secrets")
def create_folder(store: Store, call: Call) -> Any:
    data = v.validate(call.body, BODY)
    env = store.environment_by_slug(data["projectId"], data["environment"])
    parent = store.folder_at(env["id"], data["path"], create=True)
    assert parent is not None
    folder = store.child(parent["id"], data["name"])
    if folder is None:
        folder = store.add_folder(env["id"], parent["id"], data["name"], data.get("description"))
    elif store.folder_behaviour == "current":
        # backend/src/services/secret-folder/secret-folder-service.ts, createFolder, "exact folder case"
        # (current backend); older versions of the same file return the existing folder ("this request
        # must be idempotent"). Both create missing parents first.
        raise bad_request(f"Folder with name '{data['name']}' already exists in path '{normal_path(data['path'])}'")
    return {"folder": store.folder_view(folder)}


@routes.get("/api/v2/folders")
def list_folders(store: Store, call: Call) -> Any:
    env = store.environment_by_slug(call.query.get("projectId", ""), call.query.get("environment", ""))
    _require_read(store, call, env, normal_path(call.query.get("path", "/")))
    parent = store.folder_at(env["id"], call.query.get("path", "/"))
    if parent is None:
        return {"folders": []}
    return {"folders": [store.folder_view(f) for f in store.folders.values() if f["parentId"] == parent["id"]]}


@routes.get("/api/v2/folders/{folderId}")
def get_folder(store: Store, call: Call) -> Any:
    folder = _folder(store, call.path["folderId"])
    _require_read(store, call, store.environments[folder["envId"]], store.path_of(folder))
    return {"folder": store.folder_view(folder, detailed=True)}


@routes.route("PATCH", "/api/v2/folders/{folderId}", limit="secrets")
def update_folder(store: Store, call: Call) -> Any:
    data = v.validate(call.body, BODY)
    env = store.environment_by_slug(data["projectId"], data["environment"])
    folder = _folder(store, call.path["folderId"])
    parent = store.folder_at(env["id"], data["path"])
    if folder["envId"] != env["id"] or parent is None or folder["parentId"] != parent["id"]:
        raise not_found(f"Folder with ID '{folder['id']}' not found at path '{normal_path(data['path'])}'")
    clash = store.child(parent["id"], data["name"])
    if clash is not None and clash["id"] != folder["id"]:
        raise bad_request("Folder with specified name already exists")
    folder.update(name=data["name"], description=data.get("description"), updatedAt=now())
    folder["version"] += 1
    return {"folder": store.folder_view(folder)}


@routes.route("DELETE", "/api/v2/folders/{folderIdOrName}", limit="secrets")
def delete_folder(store: Store, call: Call) -> Any:
    data = v.validate(
        call.body,
        {
            "projectId": v.req("string"),
            "environment": v.req("string"),
            "path": v.opt("string", "/"),
            "forceDelete": v.opt("boolean", False),
        },
    )
    env = store.environment_by_slug(data["projectId"], data["environment"])
    parent = store.folder_at(env["id"], data["path"])
    target = call.path["folderIdOrName"]
    folder = next(
        (
            f
            for f in store.folders.values()
            if parent is not None and f["parentId"] == parent["id"] and target in (f["id"], f["name"])
        ),
        None,
    )
    if folder is None:
        raise not_found(f"Folder with ID '{target}' not found")
    view = store.folder_view(folder, path=False)
    store.delete_folder(folder["id"])
    return {"folder": view}


def _require_read(store: Store, call: Call, env: dict[str, Any], path: str) -> None:
    fields = {"environment": env["slug"], "secretPath": path}
    permissions.require(store, call.actor, env["projectId"], "read", "secret-folders", fields=fields)


def _folder(store: Store, folder_id: str) -> dict[str, Any]:
    folder = store.folders.get(folder_id)
    if folder is None or folder["parentId"] is None:
        raise not_found(f"Folder with ID '{folder_id}' not found")
    return folder
