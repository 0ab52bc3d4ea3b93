"""The round trips of tests/infisical, against a real Infisical (Cloud or self-hosted)."""

from __future__ import annotations

from collections.abc import Callable, Mapping
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
from tests.infisical.engine import Engine, plain

from .conftest import CloudflareTarget
from .oidc_issuer import LoopbackIssuer

pytestmark = pytest.mark.acceptance

Cleanup = Callable[[Callable[[], None]], None]


def lifecycle(
    engine: Engine, cleanup: Cleanup, create: Mapping[str, Any], update: Mapping[str, Any]
) -> tuple[str, dict[str, Any]]:
    """Create (with cleanup registered at once), read, no-op diff, update, read; returns id and outputs."""
    id_, outs = engine.create(create)
    cleanup(lambda: engine.delete(id_, outs))
    read = engine.read(id_, outs)
    assert read.id == id_
    assert not engine.diff(id_, read.outs or {}, create).changes
    updated = engine.update(id_, read.outs or {}, update)
    reread = engine.read(id_, updated)
    assert plain(reread.outs or {}) == plain(updated)
    assert not engine.diff(id_, reread.outs or {}, update).changes
    return id_, updated


def delete_and_confirm(engine: Engine, id_: str, outs: Mapping[str, Any]) -> None:
    engine.delete(id_, outs)
    assert engine.read(id_, outs).id is None


def new_project(run_id: str, cleanup: Cleanup) -> str:
    engine = Engine(ProjectProvider())
    project_id, outs = engine.create({"name": f"pulumi-acceptance-{run_id}", "description": "delete me"})
    cleanup(lambda: engine.delete(project_id, outs))
    return project_id


def test_project(live_infisical: None, run_id: str, cleanup: Cleanup) -> None:
    engine = Engine(ProjectProvider())
    id_, outs = lifecycle(
        engine,
        cleanup,
        {"name": f"pulumi-acc-project-{run_id}", "slug": f"acc-{run_id}"},
        {"name": f"pulumi-acc-project-{run_id}-2", "slug": f"acc-{run_id}", "description": "renamed"},
    )
    adopted = Engine(ProjectProvider())
    adopted_id, adopted_outs = adopted.create({"adopt": True, "slug": f"acc-{run_id}"})
    assert adopted_id == id_
    adopted.delete(adopted_id, adopted_outs)
    assert engine.read(id_, outs).id == id_, "deleting an adopted project leaves it in place"
    delete_and_confirm(engine, id_, outs)


def test_environment_folder_secret(live_infisical: None, run_id: str, cleanup: Cleanup) -> None:
    project_id = new_project(run_id, cleanup)
    envs = Engine(ProjectEnvironmentProvider())
    env_id, env = lifecycle(
        envs,
        cleanup,
        {"project_id": project_id, "name": "Acceptance", "slug": "acc"},
        {"project_id": project_id, "name": "Acceptance 2", "slug": "acc2"},
    )
    slug = plain(env)["slug"]
    folders = Engine(SecretFolderProvider())
    folder_id, folder = lifecycle(
        folders,
        cleanup,
        {"project_id": project_id, "environment": slug, "name": "workers", "parent_path": "/"},
        {"project_id": project_id, "environment": slug, "name": "worker-secrets", "parent_path": "/"},
    )
    path = plain(folder)["path"]
    secrets = Engine(SecretProvider(), secrets=("value",))
    base = {"project_id": project_id, "environment": slug, "secret_path": path}
    secret_id, secret = lifecycle(
        secrets,
        cleanup,
        {**base, "key": "ACCEPTANCE_A", "value": f"  value-{run_id}\n\n"},
        {**base, "key": "ACCEPTANCE_B", "value": f"value-{run_id}-2", "comment": "rotated"},
    )
    delete_and_confirm(secrets, secret_id, secret)
    delete_and_confirm(folders, folder_id, folder)
    delete_and_confirm(envs, env_id, env)


def test_identity_oidc_membership(
    live_infisical: None, organization_id: str, oidc_issuer: LoopbackIssuer, run_id: str, cleanup: Cleanup
) -> None:
    project_id = new_project(run_id, cleanup)
    identities = Engine(IdentityProvider())
    identity_id, identity = lifecycle(
        identities,
        cleanup,
        {"name": f"pulumi-acc-{run_id}", "organization_id": organization_id},
        {"name": f"pulumi-acc-{run_id}-2", "organization_id": organization_id},
    )
    oidc = Engine(IdentityOidcAuthProvider())
    url = oidc_issuer.discovery_url
    base = {"identity_id": identity_id, "oidc_discovery_url": url, "bound_issuer": oidc_issuer.issuer}
    oidc_id, oidc_outs = lifecycle(
        oidc,
        cleanup,
        {**base, "bound_audiences": "https://github.com/acme", "bound_subject": "repo:acme/app:*"},
        {**base, "bound_claims": {"repository": "acme/app"}, "access_token_ttl": 600, "access_token_max_ttl": 3600},
    )
    members = Engine(ProjectIdentityMembershipProvider())
    base = {"project_id": project_id, "identity_id": identity_id}
    member_id, member = lifecycle(members, cleanup, {**base, "role": "viewer"}, {**base, "role": "member"})
    delete_and_confirm(members, member_id, member)
    delete_and_confirm(oidc, oidc_id, oidc_outs)
    delete_and_confirm(identities, identity_id, identity)


def test_cloudflare_connection_and_workers_sync(
    live_infisical: None, cloudflare: CloudflareTarget, run_id: str, cleanup: Cleanup
) -> None:
    project_id = new_project(run_id, cleanup)
    env_engine = Engine(ProjectEnvironmentProvider())
    env_id, env = env_engine.create({"project_id": project_id, "name": "Acceptance", "slug": "acc"})
    cleanup(lambda: env_engine.delete(env_id, env))
    connections = Engine(CloudflareAppConnectionProvider(), secrets=("api_token",))
    base = {"name": f"pulumi-acc-{run_id}", "account_id": cloudflare.account_id, "api_token": cloudflare.api_token}
    connection_id, connection = lifecycle(connections, cleanup, base, {**base, "description": "acceptance"})
    syncs = Engine(CloudflareWorkersSecretSyncProvider())
    sync = {
        "name": f"pulumi-acc-{run_id}",
        "project_id": project_id,
        "connection_id": connection_id,
        "environment": "acc",
        "script_id": cloudflare.script,
        "auto_sync_enabled": False,  # never touch the Worker's secrets from a test
        "key_schema": f"ACC_{run_id.upper()}_{{{{secretKey}}}}",
    }
    sync_id, sync_outs = lifecycle(syncs, cleanup, sync, {**sync, "description": "acceptance"})
    delete_and_confirm(syncs, sync_id, sync_outs)
    delete_and_confirm(connections, connection_id, connection)
