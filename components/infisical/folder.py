"""Secret folders inside a project environment.

Creating a folder that exists is answered differently by Infisical versions
(backend/src/services/secret-folder/secret-folder-service.ts): the current backend refuses it with 400
``Folder with name '<n>' already exists in path '<p>'``, older ones return the existing folder. So the
provider first looks the folder up by path: one that exists is adopted (``adopted: true``, kept as is,
never deleted by the stack); only a missing one is created. A create whose answer is lost is found again
by path. A parent path whose folders do not exist yet is created by Infisical on the way; those
intermediate folders are not Pulumi resources, so declare each level as its own `SecretFolder` (the
child depending on its parent) when you want Pulumi to own, and delete, it.
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

_FOLDER = "/api/v2/folders/{folderId}"


def split_path(path: str) -> tuple[str, str]:
    """``/a/b/c`` → (``/a/b``, ``c``)."""
    normal = valid.normal_path(path)
    parent, _, name = normal.rpartition("/")
    return parent or "/", name


def _folder_outputs(folder: Mapping[str, Any], known: Mapping[str, Any]) -> Outputs:
    path = valid.normal_path(folder.get("path") or "")
    parent, name = split_path(path)
    env = folder.get("environment")
    env_slug = env.get("envSlug") if isinstance(env, dict) else None
    return {
        "project_id": folder.get("projectId") or known.get("project_id"),
        "environment": env_slug or known.get("environment"),
        "name": folder.get("name") or name,
        "parent_path": parent,
        "description": folder.get("description") or "",
        "force_delete": bool(known.get("force_delete", False)),
        "path": path,
    }


@dataclass(frozen=True, kw_only=True)
class SecretFolderArgs:
    project_id: pulumi.Input[str] = prop(required=True, replace=True)
    environment: pulumi.Input[str] = prop(required=True, replace=True, validate=valid.slug(1, 64))
    name: pulumi.Input[str] = prop(
        required=True,
        validate=valid.all_of(valid.length(1, 255), valid.matches(valid.FOLDER_NAME, "letters, digits, - and _ only")),
    )
    parent_path: pulumi.Input[str] | None = prop(
        default="/", replace=True, validate=valid.folder_path, compare=valid.normal_path
    )
    description: pulumi.Input[str] | None = prop(validate=valid.length(0, 255), compare=valid.empty_if_none)
    force_delete: pulumi.Input[bool] | None = prop(default=False)
    """Delete the folder even when it still holds secrets (default False)."""
    adopt_existing: pulumi.Input[bool] | None = prop()
    """Adopt a folder that already exists at this path instead of failing (default True)."""
    adopted: bool | None = output()
    """True when the folder existed and was adopted: the stack never modifies or deletes it."""
    path: str | None = output()
    """The folder's full path, e.g. ``/cloudflare/workers``: what secrets and syncs refer to."""


class SecretFolderProvider(InfisicalProvider):
    kind = "folder"
    schema = Schema.of(SecretFolderArgs)
    natural_key = ("project_id", "environment", "parent_path", "name")
    stable_outputs = ("project_id", "environment", "parent_path")
    local_only = frozenset({"force_delete", "adopt_existing"})
    adopted_keeps = ("description",)

    def _create(self, client: InfisicalClient, inputs: dict[str, Any]) -> tuple[str, Outputs]:
        body: dict[str, Any] = {
            "projectId": inputs["project_id"],
            "environment": inputs["environment"],
            "name": inputs["name"],
            "path": valid.normal_path(inputs["parent_path"]),
        }
        if inputs.get("description"):
            body["description"] = inputs["description"]

        def create() -> dict[str, Any]:
            return dict(client.post("/api/v2/folders", json=body)["folder"])

        def existing() -> dict[str, Any] | None:
            params = {"projectId": body["projectId"], "environment": body["environment"], "path": body["path"]}
            data = found_or_none(lambda: client.get("/api/v2/folders", params=params))
            listed = next((f for f in (data or {}).get("folders") or [] if f.get("name") == body["name"]), None)
            if listed is None:
                return None
            found = found_or_none(lambda: client.get(_FOLDER, path={"folderId": listed["id"]}))
            return dict(found["folder"]) if found else None

        path = f"{body['path'].rstrip('/')}/{body['name']}"
        key = f"{path} in {inputs['environment']} of project {inputs['project_id']}"
        folder, adopted = self._create_or_adopt(client, inputs, key, create=create, find=existing, existing=existing)
        return folder["id"], {**_folder_outputs(folder, inputs), "adopted": adopted}

    def _read(self, client: InfisicalClient, id_: str, props: dict[str, Any]) -> tuple[str, Outputs] | None:
        data = found_or_none(lambda: client.get(_FOLDER, path={"folderId": id_}))
        if data is None:
            return None
        return id_, _folder_outputs(data["folder"], props)

    def _update(self, client: InfisicalClient, id_: str, old: dict[str, Any], new: dict[str, Any]) -> Outputs:
        body = {
            "projectId": new["project_id"],
            "environment": new["environment"],
            "name": new["name"],
            "path": valid.normal_path(new["parent_path"]),
            "description": new.get("description") or "",
        }
        folder = client.patch(_FOLDER, path={"folderId": id_}, json=body)["folder"]
        return _folder_outputs(folder, new)

    def _delete(self, client: InfisicalClient, id_: str, props: dict[str, Any]) -> None:
        body = {
            "projectId": props["project_id"],
            "environment": props["environment"],
            "path": valid.normal_path(props.get("parent_path", "/")),
            "forceDelete": bool(props.get("force_delete", False)),
        }
        client.delete(_FOLDER, path={"folderId": id_}, json=body)


class SecretFolder(InfisicalResource[SecretFolderArgs], provider=SecretFolderProvider):
    """A folder of secrets in one environment of a project."""
