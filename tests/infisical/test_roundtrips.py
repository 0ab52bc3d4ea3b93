"""Create → read → update → read → delete → read-gone for every resource, against the fake server."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pytest

from components.infisical import (
    CloudflareAppConnectionProvider,
    CloudflareWorkersSecretSyncProvider,
    IdentityOidcAuthProvider,
    IdentityProvider,
    ProjectEnvironmentProvider,
    ProjectIdentityMembershipProvider,
    ProjectProvider,
    SecretFolderProvider,
    SecretProvider,
)
from tests.fakes.infisical import FakeInfisical

from .engine import Engine, plain


def roundtrip(
    engine: Engine,
    create: Mapping[str, Any],
    update: Mapping[str, Any],
    *,
    expect_created: Mapping[str, Any],
    expect_updated: Mapping[str, Any],
) -> str:
    id_, outs = engine.create(create)
    assert expect_created.items() <= plain(outs).items()
    read = engine.read(id_, outs)
    assert read.id == id_
    assert plain(read.outs or {}) == plain(outs)
    assert not engine.diff(id_, read.outs or {}, create).changes, "a fresh read must not show drift"

    diff = engine.diff(id_, outs, update)
    assert diff.changes
    assert not diff.replaces
    updated = engine.update(id_, outs, update)
    assert expect_updated.items() <= plain(updated).items()
    reread = engine.read(id_, updated)
    assert plain(reread.outs or {}) == plain(updated)
    assert not engine.diff(id_, reread.outs or {}, update).changes

    engine.delete(id_, updated)
    gone = engine.read(id_, updated)
    assert gone.id is None
    assert gone.outs == {}
    engine.delete(id_, updated)  # deleting again is a no-op: 404 means already gone
    return id_


def test_project(fake_infisical: FakeInfisical) -> None:
    engine = Engine(ProjectProvider())
    roundtrip(
        engine,
        {"name": "Payments", "slug": "payments-app", "description": "first"},
        {"name": "Payments API", "slug": "payments-app", "description": "second"},
        expect_created={"name": "Payments", "slug": "payments-app", "type": "secret-manager", "adopt": False},
        expect_updated={"name": "Payments API", "description": "second"},
    )
    create = fake_infisical.requests("POST", "/api/v1/projects")
    assert len(create) == 1
    assert fake_infisical.table("projects") == []


def test_project_is_created_without_default_environments(fake_infisical: FakeInfisical) -> None:
    Engine(ProjectProvider()).create({"name": "No Envs"})
    assert fake_infisical.table("environments") == []


def test_project_without_slug_gets_one_before_the_create(fake_infisical: FakeInfisical) -> None:
    _, outs = Engine(ProjectProvider()).create({"name": "Hello World!"})
    assert plain(outs)["slug"].startswith("hello-world-")


def test_adopted_project_is_read_not_owned(fake_infisical: FakeInfisical, project_id: str) -> None:
    existing = fake_infisical.table("projects")[0]
    engine = Engine(ProjectProvider())
    for key in ({"project_id": project_id}, {"slug": existing["slug"]}):
        id_, outs = engine.create({"adopt": True, **key})
        assert id_ == project_id
        assert plain(outs)["name"] == existing["name"]
        assert not engine.diff(id_, outs, {"adopt": True, **key}).changes
        engine.delete(id_, outs)
    assert fake_infisical.count("DELETE") == 0
    assert len(fake_infisical.table("projects")) == 1


def test_environment(fake_infisical: FakeInfisical, project_id: str) -> None:
    roundtrip(
        Engine(ProjectEnvironmentProvider()),
        {"project_id": project_id, "name": "Staging", "slug": "staging"},
        {"project_id": project_id, "name": "Stage", "slug": "stage", "position": 3},
        expect_created={"project_id": project_id, "slug": "staging", "position": 1},
        expect_updated={"name": "Stage", "slug": "stage", "position": 3},
    )


def test_folder_nested(fake_infisical: FakeInfisical, project_id: str, env_slug: str) -> None:
    base = {"project_id": project_id, "environment": env_slug, "parent_path": "/cloudflare/"}
    roundtrip(
        Engine(SecretFolderProvider()),
        {**base, "name": "workers"},
        {**base, "name": "worker-secrets", "description": "synced to Workers"},
        expect_created={"path": "/cloudflare/workers", "parent_path": "/cloudflare", "name": "workers"},
        expect_updated={"path": "/cloudflare/worker-secrets", "description": "synced to Workers"},
    )


def test_folder_create_is_idempotent(fake_infisical: FakeInfisical, project_id: str, env_slug: str) -> None:
    engine = Engine(SecretFolderProvider())
    first, _ = engine.create({"project_id": project_id, "environment": env_slug, "name": "app"})
    second, _ = engine.create({"project_id": project_id, "environment": env_slug, "name": "app"})
    assert first == second


def test_secret(fake_infisical: FakeInfisical, project_id: str, env_slug: str) -> None:
    base = {"project_id": project_id, "environment": env_slug, "secret_path": "/"}
    roundtrip(
        Engine(SecretProvider(), secrets=("value",)),
        {**base, "key": "API_KEY", "value": "  one\n\n", "comment": "c1"},
        {**base, "key": "API_TOKEN", "value": "two", "comment": "c2"},
        expect_created={"key": "API_KEY", "value": "one\n", "comment": "c1"},
        expect_updated={"key": "API_TOKEN", "value": "two", "comment": "c2"},
    )


def test_secret_outputs_are_secret(fake_infisical: FakeInfisical, project_id: str, env_slug: str) -> None:
    engine = Engine(SecretProvider())
    id_, outs = engine.create({"project_id": project_id, "environment": env_slug, "key": "K", "value": "v"})
    from pulumi.runtime import rpc

    assert rpc.is_rpc_secret(outs["value"])
    assert rpc.is_rpc_secret((engine.read(id_, outs).outs or {})["value"])


def test_cloudflare_app_connection(fake_infisical: FakeInfisical, project_id: str) -> None:
    base = {"name": "cf-main", "account_id": "acct_1", "project_id": project_id}
    roundtrip(
        Engine(CloudflareAppConnectionProvider(), secrets=("api_token",)),
        {**base, "api_token": "cf-token-1", "description": "one"},
        {**base, "api_token": "cf-token-2", "description": "two"},
        expect_created={"name": "cf-main", "account_id": "acct_1", "api_token": "cf-token-1"},
        expect_updated={"description": "two", "api_token": "cf-token-2"},
    )


def _sync_inputs(project_id: str, env_slug: str, connection_id: str, **extra: Any) -> dict[str, Any]:
    return {
        "name": "worker-api",
        "project_id": project_id,
        "connection_id": connection_id,
        "environment": env_slug,
        "secret_path": "/",
        "script_id": "api-worker",
        **extra,
    }


def _connection(project_id: str) -> str:
    engine = Engine(CloudflareAppConnectionProvider())
    id_, _ = engine.create({"name": "cf", "account_id": "acct", "api_token": "tok", "project_id": project_id})
    return id_


def test_cloudflare_workers_secret_sync(fake_infisical: FakeInfisical, project_id: str, env_slug: str) -> None:
    connection_id = _connection(project_id)
    engine = Engine(CloudflareWorkersSecretSyncProvider())
    roundtrip(
        engine,
        _sync_inputs(project_id, env_slug, connection_id),
        _sync_inputs(
            project_id,
            env_slug,
            connection_id,
            auto_sync_enabled=False,
            key_schema="APP_{{secretKey}}",
            disable_secret_deletion=True,
            description="no auto",
        ),
        expect_created={
            "auto_sync_enabled": True,
            "initial_sync_behavior": "overwrite-destination",
            "script_id": "api-worker",
        },
        expect_updated={
            "auto_sync_enabled": False,
            "key_schema": "APP_{{secretKey}}",
            "disable_secret_deletion": True,
        },
    )
    delete = fake_infisical.requests("DELETE", "/api/v1/secret-syncs/*")
    assert delete, "the sync was deleted"


def test_sync_sends_auto_sync_false_explicitly(fake_infisical: FakeInfisical, project_id: str, env_slug: str) -> None:
    connection_id = _connection(project_id)
    engine = Engine(CloudflareWorkersSecretSyncProvider())
    id_, outs = engine.create(_sync_inputs(project_id, env_slug, connection_id, auto_sync_enabled=False))
    assert fake_infisical.table("syncs")[0]["isAutoSyncEnabled"] is False
    engine.update(
        id_, outs, _sync_inputs(project_id, env_slug, connection_id, auto_sync_enabled=False, description="x")
    )
    assert fake_infisical.table("syncs")[0]["isAutoSyncEnabled"] is False


def test_identity(fake_infisical: FakeInfisical) -> None:
    roundtrip(
        Engine(IdentityProvider()),
        {"name": "ci-deployer", "organization_id": fake_infisical.org_id},
        {"name": "ci-deployer-2", "organization_id": fake_infisical.org_id, "role": "member"},
        expect_created={"name": "ci-deployer", "role": "no-access"},
        expect_updated={"name": "ci-deployer-2", "role": "member"},
    )


def _identity(fake: FakeInfisical) -> str:
    id_, _ = Engine(IdentityProvider()).create({"name": "gha", "organization_id": fake.org_id})
    return id_


GITHUB = "https://token.actions.githubusercontent.com"


def test_identity_oidc_auth(fake_infisical: FakeInfisical) -> None:
    identity_id = _identity(fake_infisical)
    base = {"identity_id": identity_id, "oidc_discovery_url": GITHUB, "bound_issuer": GITHUB}
    roundtrip(
        Engine(IdentityOidcAuthProvider()),
        {**base, "bound_audiences": "https://github.com/acme", "bound_subject": "repo:acme/app:*"},
        {
            **base,
            "bound_claims": {"repository": "acme/app,acme/lib"},
            "access_token_ttl": 600,
            "access_token_max_ttl": 3600,
        },
        expect_created={
            "bound_claims": {},
            "access_token_ttl": 2_592_000,
            "access_token_trusted_ips": ["0.0.0.0/0", "::/0"],
        },
        expect_updated={"bound_claims": {"repository": "acme/app, acme/lib"}, "access_token_ttl": 600},
    )
    attach = fake_infisical.requests("POST", "/api/v1/auth/oidc-auth/identities/*")
    assert len(attach) == 1


def test_oidc_auth_not_attached_reads_as_gone(fake_infisical: FakeInfisical) -> None:
    identity_id = _identity(fake_infisical)
    read = Engine(IdentityOidcAuthProvider()).read("some-id", {"identity_id": identity_id})
    assert read.id is None


def test_project_identity_membership(fake_infisical: FakeInfisical, project_id: str) -> None:
    identity_id = _identity(fake_infisical)
    base = {"project_id": project_id, "identity_id": identity_id}
    id_ = roundtrip(
        Engine(ProjectIdentityMembershipProvider()),
        {**base, "role": "viewer"},
        {**base, "role": "member"},
        expect_created={"role": "viewer"},
        expect_updated={"role": "member"},
    )
    assert id_


@pytest.mark.parametrize(
    ("provider", "import_props"),
    [
        (ProjectEnvironmentProvider(), {}),
        (SecretFolderProvider(), {}),
        (ProjectIdentityMembershipProvider(), {}),
    ],
)
def test_import_by_id_alone(
    fake_infisical: FakeInfisical, project_id: str, env_slug: str, provider: Any, import_props: dict[str, Any]
) -> None:
    """`pulumi import` calls read with the id and no state: the read must rebuild the inputs."""
    engine = Engine(provider)
    if isinstance(provider, ProjectEnvironmentProvider):
        inputs: dict[str, Any] = {"project_id": project_id, "name": "QA", "slug": "qa"}
    elif isinstance(provider, SecretFolderProvider):
        inputs = {"project_id": project_id, "environment": env_slug, "name": "imported"}
    else:
        inputs = {"project_id": project_id, "identity_id": _identity(fake_infisical), "role": "viewer"}
    id_, outs = engine.create(inputs)
    imported = engine.read(id_, import_props)
    assert imported.id == id_
    assert plain(imported.outs or {}) == plain(outs)
    assert inputs.items() <= plain(imported.inputs or {}).items()
