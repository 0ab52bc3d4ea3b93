"""One ready-to-create example per resource, with its dependencies already in the fake server."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from components.infisical import (
    CloudflareAppConnectionProvider,
    CloudflareWorkersSecretSyncProvider,
    IdentityOidcAuthProvider,
    IdentityProvider,
    ProjectEnvironmentProvider,
    ProjectGroupMembershipProvider,
    ProjectIdentityMembershipProvider,
    ProjectProvider,
    ProjectRoleProvider,
    ProjectUserMembershipProvider,
    SecretFolderProvider,
    SecretProvider,
)
from tests.fakes.infisical import FakeInfisical
from tests.fakes.infisical.routes.group_memberships import add_group

from .engine import Engine, seed_environment, seed_project

GITHUB = "https://token.actions.githubusercontent.com"


@dataclass
class Scenario:
    engine: Engine
    inputs: dict[str, Any]
    update: dict[str, Any]
    create_path: str  # glob of the create request
    table: str  # fake table holding the object


def _identity(fake: FakeInfisical) -> str:
    id_, _ = Engine(IdentityProvider()).create({"name": "seed-identity", "organization_id": fake.org_id})
    return id_


def member(fake: FakeInfisical, project_id: str, role: str) -> str:
    """A new identity that is a member of the project with ``role``; returns its id."""
    identity_id = _identity(fake)
    Engine(ProjectIdentityMembershipProvider()).create(
        {"project_id": project_id, "identity_id": identity_id, "role": role}
    )
    return identity_id


def _connection(project_id: str) -> str:
    id_, _ = Engine(CloudflareAppConnectionProvider()).create(
        {"name": "seed-cf", "account_id": "acct", "api_token": "seed-token", "project_id": project_id}
    )
    return id_


def project(fake: FakeInfisical) -> Scenario:
    return Scenario(
        Engine(ProjectProvider()),
        {"name": "Scenario"},
        {"name": "Scenario 2"},
        "/api/v1/projects",
        "projects",
    )


def environment(fake: FakeInfisical) -> Scenario:
    project_id = seed_project()
    inputs = {"project_id": project_id, "name": "Production", "slug": "prod"}
    return Scenario(
        Engine(ProjectEnvironmentProvider()),
        inputs,
        {**inputs, "name": "Prod"},
        "/api/v1/workspace/*/environments",
        "environments",
    )


def folder(fake: FakeInfisical) -> Scenario:
    project_id = seed_project()
    inputs = {"project_id": project_id, "environment": seed_environment(project_id, "dev"), "name": "workers"}
    return Scenario(Engine(SecretFolderProvider()), inputs, {**inputs, "name": "w"}, "/api/v2/folders", "folders")


def secret(fake: FakeInfisical) -> Scenario:
    project_id = seed_project()
    env = seed_environment(project_id, "dev")
    inputs = {"project_id": project_id, "environment": env, "key": "DB_URL", "value": "postgres://x"}
    return Scenario(
        Engine(SecretProvider(), secrets=("value",)),
        inputs,
        {**inputs, "value": "postgres://y"},
        "/api/v4/secrets/*",
        "secrets",
    )


def app_connection(fake: FakeInfisical) -> Scenario:
    inputs = {"name": "cf-prod", "account_id": "acct_9", "api_token": "cf-token"}
    return Scenario(
        Engine(CloudflareAppConnectionProvider(), secrets=("api_token",)),
        inputs,
        {**inputs, "description": "d"},
        "/api/v1/app-connections/cloudflare",
        "connections",
    )


def secret_sync(fake: FakeInfisical) -> Scenario:
    project_id = seed_project()
    inputs = {
        "name": "api-sync",
        "project_id": project_id,
        "connection_id": _connection(project_id),
        "environment": seed_environment(project_id, "dev"),
        "script_id": "api",
    }
    return Scenario(
        Engine(CloudflareWorkersSecretSyncProvider()),
        inputs,
        {**inputs, "auto_sync_enabled": False},
        "/api/v1/secret-syncs/cloudflare-workers",
        "syncs",
    )


def identity(fake: FakeInfisical) -> Scenario:
    inputs = {"name": "ci", "organization_id": fake.org_id}
    return Scenario(
        Engine(IdentityProvider()), inputs, {**inputs, "role": "member"}, "/api/v1/identities", "identities"
    )


def oidc_auth(fake: FakeInfisical) -> Scenario:
    inputs = {"identity_id": _identity(fake), "oidc_discovery_url": GITHUB, "bound_issuer": GITHUB}
    return Scenario(
        Engine(IdentityOidcAuthProvider()),
        inputs,
        {**inputs, "bound_subject": "repo:acme/*"},
        "/api/v1/auth/oidc-auth/identities/*",
        "oidc_auths",
    )


def membership(fake: FakeInfisical) -> Scenario:
    inputs = {"project_id": seed_project(), "identity_id": _identity(fake), "role": "viewer"}
    return Scenario(
        Engine(ProjectIdentityMembershipProvider()),
        inputs,
        {**inputs, "role": "admin"},
        "/api/v2/workspace/*/identity-memberships/*",
        "memberships",
    )


def project_role(fake: FakeInfisical) -> Scenario:
    permission = {"subject": "secrets", "action": ["readValue"], "conditions": {"environment": {"$eq": "dev"}}}
    inputs = {"project_id": seed_project(), "slug": "dev-reader", "name": "Dev reader", "permissions": [permission]}
    return Scenario(
        Engine(ProjectRoleProvider()),
        inputs,
        {**inputs, "name": "Dev readers"},
        "/api/v1/projects/*/roles",
        "roles",
    )


def user_membership(fake: FakeInfisical) -> Scenario:
    inputs = {"project_id": seed_project(), "username": "alice@example.com", "role": "viewer"}
    return Scenario(
        Engine(ProjectUserMembershipProvider()),
        inputs,
        {**inputs, "role": "member"},
        "/api/v2/workspace/*/memberships",
        "user_memberships",
    )


def group_membership(fake: FakeInfisical) -> Scenario:
    with fake.store.lock:
        add_group(fake.store, "platform")
    inputs = {"project_id": seed_project(), "group": "platform", "role": "viewer"}
    return Scenario(
        Engine(ProjectGroupMembershipProvider()),
        inputs,
        {**inputs, "role": "admin"},
        "/api/v2/workspace/*/groups/*",
        "group_memberships",
    )


ALL: dict[str, Callable[[FakeInfisical], Scenario]] = {
    "project": project,
    "environment": environment,
    "folder": folder,
    "secret": secret,
    "app_connection": app_connection,
    "secret_sync": secret_sync,
    "identity": identity,
    "oidc_auth": oidc_auth,
    "membership": membership,
    "project_role": project_role,
    "user_membership": user_membership,
    "group_membership": group_membership,
}
# Resources whose create can be recovered by a lookup: by natural key, or (identities) by name plus the
# metadata tag the create carries.
RECOVERABLE = list(ALL)
