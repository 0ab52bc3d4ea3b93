"""The fake's state: plain dictionaries shaped like Infisical's rows, plus the lookups routes share.

Everything is guarded by one lock because the server runs in its own thread while tests read the state.
"""

from __future__ import annotations

import secrets
import threading
import time
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Literal

from .errors import ApiError, bad_request, not_found


def new_id() -> str:
    return str(uuid.uuid4())


def now() -> str:
    return datetime.now(UTC).isoformat().replace("+00:00", "Z")


def normal_path(path: str) -> str:
    return "/" + "/".join(part for part in path.split("/") if part)


def stored_value(value: str) -> str:
    """Infisical trims values, keeping one trailing newline if there was one."""
    return value.strip() + "\n" if value.endswith("\n") else value.strip()


FolderBehaviour = Literal["current", "legacy"]
FOLDER_BEHAVIOURS: tuple[FolderBehaviour, ...] = ("current", "legacy")


@dataclass
class IssuedToken:
    identity_id: str
    expires_at: float


@dataclass
class Store:
    org_id: str = field(default_factory=new_id)
    admin_token: str = "fake-admin-token"
    token_ttl: int = 3600
    lock: threading.RLock = field(default_factory=threading.RLock)
    projects: dict[str, dict[str, Any]] = field(default_factory=dict)
    environments: dict[str, dict[str, Any]] = field(default_factory=dict)
    folders: dict[str, dict[str, Any]] = field(default_factory=dict)
    secrets: dict[str, dict[str, Any]] = field(default_factory=dict)
    connections: dict[str, dict[str, Any]] = field(default_factory=dict)
    syncs: dict[str, dict[str, Any]] = field(default_factory=dict)
    identities: dict[str, dict[str, Any]] = field(default_factory=dict)
    oidc_auths: dict[str, dict[str, Any]] = field(default_factory=dict)
    memberships: dict[tuple[str, str], dict[str, Any]] = field(default_factory=dict)
    roles: dict[str, dict[str, Any]] = field(default_factory=dict)
    plan_rbac: bool = True
    """The organization's plan has RBAC (custom roles); see `roles`."""
    users: dict[str, dict[str, Any]] = field(default_factory=dict)
    groups: dict[str, dict[str, Any]] = field(default_factory=dict)
    user_memberships: dict[str, dict[str, Any]] = field(default_factory=dict)
    group_memberships: dict[str, dict[str, Any]] = field(default_factory=dict)
    plan_groups: bool = True
    """The organization's plan has groups; see `routes.group_memberships`."""
    tokens: dict[str, IssuedToken] = field(default_factory=dict)
    universal_auth: dict[str, tuple[str, str]] = field(default_factory=dict)
    oidc_keys: dict[str, Any] = field(default_factory=dict)
    # Behaviour switches and test controls (see `FakeInfisical` for what each one models).
    folder_behaviour: FolderBehaviour = "current"
    ip_allowlisting: bool = False
    sync_job_seconds: float = 0.0
    unknown_scripts: set[str] = field(default_factory=set)
    rejected_tokens: set[str] = field(default_factory=set)

    def reset(self) -> None:
        with self.lock:
            self.unknown_scripts.clear()
            self.rejected_tokens.clear()
            for table in (
                self.projects,
                self.environments,
                self.folders,
                self.secrets,
                self.connections,
                self.syncs,
                self.identities,
                self.oidc_auths,
                self.memberships,
                self.roles,
                self.users,
                self.groups,
                self.user_memberships,
                self.group_memberships,
                self.tokens,
                self.universal_auth,
                self.oidc_keys,
            ):
                table.clear()
            self.plan_rbac = True
            self.plan_groups = True

    # -- tokens ----

    def issue_token(self, identity_id: str, ttl: int | None = None) -> tuple[str, int]:
        lifetime = ttl if ttl else self.token_ttl
        token = f"fake-at.{secrets.token_urlsafe(24)}"
        self.tokens[token] = IssuedToken(identity_id, time.time() + lifetime)
        return token, lifetime

    def expire_tokens(self) -> None:
        with self.lock:
            for token in self.tokens.values():
                token.expires_at = 0.0

    def check_token(self, token: str) -> str | None:
        """The identity a token belongs to (None for the admin token); 403 TokenError if it is not valid."""
        if token == self.admin_token:
            return None
        issued = self.tokens.get(token)
        if issued is None:
            raise ApiError(403, "Invalid token", "TokenError")
        if issued.expires_at <= time.time():
            raise ApiError(403, "Token expired", "TokenError")
        return issued.identity_id

    # -- projects and environments ----

    def project(self, project_id: str) -> dict[str, Any]:
        project = self.projects.get(project_id)
        if project is None:
            raise not_found(f"Project with ID '{project_id}' not found")
        return project

    def environment_by_slug(self, project_id: str, slug: str) -> dict[str, Any]:
        self.project(project_id)
        for env in self.environments.values():
            if env["projectId"] == project_id and env["slug"] == slug:
                return env
        raise not_found(f"Environment with slug '{slug}' in project with ID '{project_id}' not found")

    def add_environment(self, project_id: str, name: str, slug: str, position: int | None) -> dict[str, Any]:
        """``createEnvironment`` (backend/src/services/project-env/project-env-service.ts): an explicit
        position already taken shifts that environment and every later one up by one
        (``shiftPositions`` in project-env-dal.ts); no position means after the last one."""
        siblings = [e for e in self.environments.values() if e["projectId"] == project_id]
        if any(e["slug"] == slug for e in siblings):
            raise bad_request("Environment with slug already exists")
        if position is not None and any(e["position"] == position for e in siblings):
            for sibling in siblings:
                if sibling["position"] >= position:
                    sibling["position"] += 1
        env: dict[str, Any] = {
            "id": new_id(),
            "name": name,
            "slug": slug,
            "projectId": project_id,
            "position": position or max((e["position"] for e in siblings), default=0) + 1,
            "createdAt": now(),
            "updatedAt": now(),
        }
        self.environments[env["id"]] = env
        root: dict[str, Any] = {
            "id": new_id(),
            "name": "root",
            "envId": env["id"],
            "parentId": None,
            "version": 1,
            "isReserved": False,
            "description": None,
            "createdAt": now(),
            "updatedAt": now(),
        }
        self.folders[root["id"]] = root
        return env

    def move_environment(self, env: dict[str, Any], position: int) -> None:
        """``updateEnvironment``: moving onto a taken position slides the ones in between by one towards the
        old place (``updateAllPosition`` in backend/src/services/project-env/project-env-dal.ts)."""
        old = env["position"]
        siblings = [e for e in self.environments.values() if e["projectId"] == env["projectId"] and e is not env]
        if any(e["position"] == position for e in siblings):
            for sibling in siblings:
                if old < position and old < sibling["position"] <= position:
                    sibling["position"] -= 1
                elif position < old and position <= sibling["position"] < old:
                    sibling["position"] += 1
        env["position"] = position

    def delete_environment(self, env_id: str) -> None:
        for folder_id in [f["id"] for f in self.folders.values() if f["envId"] == env_id]:
            self.folders.pop(folder_id, None)
        for secret_id in [s["id"] for s in self.secrets.values() if s["envId"] == env_id]:
            self.secrets.pop(secret_id, None)
        for sync_id in [s["id"] for s in self.syncs.values() if s["envId"] == env_id]:
            self.syncs.pop(sync_id, None)
        self.environments.pop(env_id, None)

    def delete_project(self, project_id: str) -> None:
        for env_id in [e["id"] for e in self.environments.values() if e["projectId"] == project_id]:
            self.delete_environment(env_id)
        for key in [k for k in self.memberships if k[0] == project_id]:
            self.memberships.pop(key)
        for role_id in [r["id"] for r in self.roles.values() if r["projectId"] == project_id]:
            self.roles.pop(role_id)
        for sync_id in [s["id"] for s in self.syncs.values() if s["projectId"] == project_id]:
            self.syncs.pop(sync_id)
        self.projects.pop(project_id, None)

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

    def folder_view(self, folder: dict[str, Any], *, detailed: bool = False) -> dict[str, Any]:
        view = {**folder, "path": self.path_of(folder)}
        if detailed:
            env = self.environments[folder["envId"]]
            view["projectId"] = env["projectId"]
            view["environment"] = {"envId": env["id"], "envName": env["name"], "envSlug": env["slug"]}
        return view

    def folder_in(self, project_id: str, env_slug: str, path: str) -> tuple[dict[str, Any], dict[str, Any]]:
        env = self.environment_by_slug(project_id, env_slug)
        folder = self.folder_at(env["id"], path)
        if folder is None:
            raise not_found(f"Folder with path '{normal_path(path)}' in environment with slug '{env_slug}' not found")
        return env, folder

    # -- secrets ----

    def find_secret(self, folder_id: str, key: str, kind: str) -> dict[str, Any] | None:
        return next(
            (s for s in self.secrets.values() if s["folderId"] == folder_id and s["key"] == key and s["type"] == kind),
            None,
        )

    # -- app connections and syncs ----

    def connection(self, connection_id: str) -> dict[str, Any]:
        connection = self.connections.get(connection_id)
        if connection is None:
            raise not_found(f"Could not find App Connection with ID {connection_id}")
        return connection

    # -- identities ----

    def identity(self, identity_id: str) -> dict[str, Any]:
        identity = self.identities.get(identity_id)
        if identity is None:
            raise not_found(f"Failed to find identity with id {identity_id}")
        return identity


def auth_methods(store: Store, identity_id: str | None) -> list[str]:
    return ["oidc-auth"] if identity_id and identity_id in store.oidc_auths else []
