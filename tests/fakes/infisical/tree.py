"""The folder tree of an environment (and the secrets in it), as a part of the fake's `Store`.

Folders are rows with a ``parentId``; each environment has a root folder (``parentId`` None) and a path is
the names from the root down, as in Infisical's ``secret_folders`` table. A create under a path that does not
exist yet makes the missing folders on the way (``createFolder`` in
backend/src/services/secret-folder/secret-folder-service.ts walks ``missingSegments``; the recording shows 200).
A folder that is not found answers 404 ``Folder with path '<p>' in environment with slug '<e>' not found``, the
message of that service's ``NotFoundError``.
"""

from __future__ import annotations

from typing import Any

from .errors import ApiError
from .store_rows import new_id, normal_path, now


class FolderTree:
    """Methods over ``self.folders``, ``self.environments`` and ``self.secrets`` (supplied by `Store`)."""

    folders: dict[str, dict[str, Any]]
    environments: dict[str, dict[str, Any]]
    secrets: dict[str, dict[str, Any]]

    def environment_by_slug(self, project_id: str, slug: str) -> dict[str, Any]:
        raise NotImplementedError

    # -- folders ----

    def root_folder(self, env_id: str) -> dict[str, Any]:
        return next(f for f in self.folders.values() if f["envId"] == env_id and f["parentId"] is None)

    def child(self, parent_id: str, name: str) -> dict[str, Any] | None:
        return next((f for f in self.folders.values() if f["parentId"] == parent_id and f["name"] == name), None)

    def folder_at(self, env_id: str, path: str, *, create: bool = False) -> dict[str, Any] | None:
        folder = self.root_folder(env_id)
        for name in [part for part in path.split("/") if part]:
            found = self.child(folder["id"], name)
            if found is None:
                if not create:
                    return None
                found = self.add_folder(env_id, folder["id"], name, None)
            folder = found
        return folder

    def add_folder(self, env_id: str, parent_id: str, name: str, description: str | None) -> dict[str, Any]:
        folder: dict[str, Any] = {
            "id": new_id(),
            "name": name,
            "envId": env_id,
            "parentId": parent_id,
            "version": 1,
            "isReserved": False,
            "description": description,
            "lastSecretModified": None,
            "createdAt": now(),
            "updatedAt": now(),
        }
        self.folders[folder["id"]] = folder
        return folder

    def path_of(self, folder: dict[str, Any]) -> str:
        names: list[str] = []
        while folder["parentId"] is not None:
            names.append(folder["name"])
            folder = self.folders[folder["parentId"]]
        return "/" + "/".join(reversed(names))

    def delete_folder(self, folder_id: str) -> None:
        for child_id in [f["id"] for f in self.folders.values() if f["parentId"] == folder_id]:
            self.delete_folder(child_id)
        for secret_id in [s["id"] for s in self.secrets.values() if s["folderId"] == folder_id]:
            self.secrets.pop(secret_id)
        self.folders.pop(folder_id, None)

    def folder_view(self, folder: dict[str, Any], *, detailed: bool = False, path: bool = True) -> dict[str, Any]:
        view = {**folder, "path": self.path_of(folder)} if path else dict(folder)
        if detailed:
            env = self.environments[folder["envId"]]
            view["projectId"] = env["projectId"]
            view["environment"] = {"envId": env["id"], "envName": env["name"], "envSlug": env["slug"]}
        return view

    def folder_in(
        self, project_id: str, env_slug: str, path: str, error: str = "NotFound"
    ) -> tuple[dict[str, Any], dict[str, Any]]:
        env = self.environment_by_slug(project_id, env_slug)
        folder = self.folder_at(env["id"], path)
        if folder is None:
            message = f"Folder with path '{normal_path(path)}' in environment with slug '{env_slug}' not found"
            raise ApiError(404, message, error)
        return env, folder

    # -- secrets ----

    def find_secret(self, folder_id: str, key: str, kind: str) -> dict[str, Any] | None:
        return next(
            (s for s in self.secrets.values() if s["folderId"] == folder_id and s["key"] == key and s["type"] == kind),
            None,
        )
