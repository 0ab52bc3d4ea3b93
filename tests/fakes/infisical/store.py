"""The fake's state: plain dictionaries shaped like Infisical's rows, plus the lookups routes share.

Everything is guarded by one lock because the server runs in its own thread while tests read the state.
Keys starting with ``_`` are the fake's own bookkeeping on a row and never leave in an answer.
"""

from __future__ import annotations

import secrets
import threading
import time
from dataclasses import dataclass, field
from typing import Any, Literal

from .errors import ApiError, not_found, server_error
from .rate_limits import RateLimiter
from .store_rows import new_id, normal_path, now, public, stored_value
from .tree import FolderTree

__all__ = ["Store", "new_id", "normal_path", "now", "public", "stored_value"]


FolderBehaviour = Literal["current", "legacy"]
FOLDER_BEHAVIOURS: tuple[FolderBehaviour, ...] = ("current", "legacy")


ADMIN_USER: dict[str, Any] = {
    "id": "0b6b8e3c-6a2e-4c1f-9d1e-5f0f4e2a7b10",
    "username": "admin@example.com",
    "email": "admin@example.com",
    "firstName": "Admin",
    "lastName": "User",
    "invited": False,
}
"""The organization's first user, as ``POST /api/v1/admin/bootstrap`` makes it on a fresh instance."""


@dataclass
class IssuedToken:
    identity_id: str
    expires_at: float


MALFORMED_TOKEN = (
    "The provided access token is malformed. Please use a valid token or generate a new one and try again."
)


@dataclass
class Store(FolderTree):
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
    users: dict[str, dict[str, Any]] = field(default_factory=lambda: {ADMIN_USER["id"]: dict(ADMIN_USER)})
    groups: dict[str, dict[str, Any]] = field(default_factory=dict)
    user_memberships: dict[str, dict[str, Any]] = field(default_factory=dict)
    group_memberships: dict[str, dict[str, Any]] = field(default_factory=dict)
    plan_groups: bool = True
    """The organization's plan has groups; see `routes.group_memberships`."""
    tokens: dict[str, IssuedToken] = field(default_factory=dict)
    universal_auth: dict[str, tuple[str, str]] = field(default_factory=dict)
    """Client id -> (a client secret, identity id): credentials a test made with `add_universal_auth`."""
    universal_auth_configs: dict[str, dict[str, Any]] = field(default_factory=dict)
    """Identity id -> its universal auth, attached over the API."""
    client_secrets: dict[str, str] = field(default_factory=dict)
    """Client secret -> client id, for the secrets made over the API."""
    oidc_keys: dict[str, Any] = field(default_factory=dict)
    """Discovery URL -> public key of an issuer the server reaches without the network (`trust_issuer`)."""
    allow_internal_ip_connections: bool = False
    rate_limiter: RateLimiter | None = None
    """Rate limits per client IP (`FakeInfisical.rate_limits`); None: none, as by default in tests."""
    """The server's ``ALLOW_INTERNAL_IP_CONNECTIONS``: may it fetch OIDC documents from private addresses?"""
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
                self.universal_auth_configs,
                self.client_secrets,
                self.oidc_keys,
            ):
                table.clear()
            self.plan_rbac = True
            self.plan_groups = True
            self.users[ADMIN_USER["id"]] = dict(ADMIN_USER)

    # -- tokens ----

    def issue_token(self, identity_id: str, ttl: int | None = None) -> tuple[str, int]:
        lifetime = ttl if ttl else self.token_ttl
        token = f"fake-at.{secrets.token_urlsafe(24)}.sig"
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
            # What ``jwt.verify`` throws, as backend/src/server/plugins/error-handler.ts words it.
            raise ApiError(403, MALFORMED_TOKEN if token.count(".") != 2 else "invalid signature", "TokenError")
        if issued.expires_at <= time.time():
            raise ApiError(403, "Your token has expired. Please re-authenticate.", "TokenError")
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

    def add_environment(
        self, project_id: str, name: str, slug: str, position: int | None, *, original: bool = False
    ) -> dict[str, Any]:
        """``createEnvironment`` (backend/src/services/project-env/project-env-service.ts): an explicit
        position already taken shifts that environment and every later one up by one
        (``shiftPositions`` in project-env-dal.ts); no position means after the last one. ``original``
        marks the environments the project was created with."""
        siblings = [e for e in self.environments.values() if e["projectId"] == project_id]
        if any(e["slug"] == slug for e in siblings):
            raise ApiError(400, "Environment with slug already exists", "CreateEnvironment")
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
            "deleteAfter": None,
            "deletedByIdentityId": None,
            "deletedByUserId": None,
            "softDeletedAt": None,
            "createdAt": now(),
            "updatedAt": now(),
            "_original": original,
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

    def delete_environment(self, env_id: str, *, cascade: bool = False) -> None:
        """Delete an environment and what it holds. One the project was created with cannot be deleted on
        its own: the real server answers 500 (recorded; the project's delete takes it with it)."""
        if self.environments[env_id].get("_original") and not cascade:
            raise server_error()
        for folder_id in [f["id"] for f in self.folders.values() if f["envId"] == env_id]:
            self.folders.pop(folder_id, None)
        for secret_id in [s["id"] for s in self.secrets.values() if s["envId"] == env_id]:
            self.secrets.pop(secret_id, None)
        for sync_id in [s["id"] for s in self.syncs.values() if s["envId"] == env_id]:
            self.syncs.pop(sync_id, None)
        self.environments.pop(env_id, None)

    def delete_project(self, project_id: str) -> None:
        for env_id in [e["id"] for e in self.environments.values() if e["projectId"] == project_id]:
            self.delete_environment(env_id, cascade=True)
        for key in [k for k in self.memberships if k[0] == project_id]:
            self.memberships.pop(key)
        for role_id in [r["id"] for r in self.roles.values() if r["projectId"] == project_id]:
            self.roles.pop(role_id)
        for sync_id in [s["id"] for s in self.syncs.values() if s["projectId"] == project_id]:
            self.syncs.pop(sync_id)
        self.projects.pop(project_id, None)

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
    """The auth methods attached to an identity, as ``identity.authMethods`` lists them."""
    attached = {"universal-auth": store.universal_auth_configs, "oidc-auth": store.oidc_auths}
    return [method for method, table in attached.items() if identity_id and identity_id in table]
