"""diff: replace or update, from the inputs and the state alone, without touching Infisical."""

from __future__ import annotations

from typing import Any

import pytest
from pulumi.output import Unknown

from components.infisical import (
    CloudflareAppConnectionProvider,
    CloudflareWorkersSecretSyncProvider,
    IdentityOidcAuthProvider,
    IdentityProvider,
    ProjectEnvironmentProvider,
    ProjectIdentityMembershipProvider,
    ProjectProvider,
    ProjectRoleProvider,
    SecretFolderProvider,
    SecretProvider,
)
from components.infisical._provider import InfisicalProvider
from tests.fakes.infisical import FakeInfisical

from .engine import Engine
from .provider_inputs import OIDC, ROLE, SYNC

pytestmark = pytest.mark.usefixtures("no_network")


FOLDER = {
    "project_id": "p",
    "environment": "dev",
    "name": "app",
    "parent_path": "/a",
    "description": "",
    "force_delete": False,
    "path": "/a/app",
}
SECRET = {"project_id": "p", "environment": "dev", "secret_path": "/", "key": "K", "value": "v", "comment": ""}
PROJECT = {
    "name": "App",
    "slug": "app-1234",
    "description": "",
    "type": "secret-manager",
    "adopt": False,
    "project_id": "id1",
    "org_id": "o",
}
PROJECT_INPUTS = {"name": "App", "slug": "app-1234", "description": ""}
OIDC_STATE = {
    **OIDC,
    "bound_audiences": "a, b",
    "bound_subject": "",
    "bound_claims": {},
    "claim_metadata_mapping": {},
    "ca_cert": "",
    "access_token_ttl": 2_592_000,
    "access_token_max_ttl": 2_592_000,
    "access_token_num_uses_limit": 0,
    "access_token_trusted_ips": ["0.0.0.0/0", "::/0"],
}
SYNC_STATE = {
    **SYNC,
    "secret_path": "/",
    "initial_sync_behavior": "overwrite-destination",
    "disable_secret_deletion": False,
    "key_schema": "",
    "auto_sync_enabled": True,
    "description": "",
    "remove_secrets_on_delete": False,
    "destination": "cloudflare-workers",
}
CONNECTION = {
    "name": "cf",
    "account_id": "a",
    "api_token": "t",
    "description": "",
    "project_id": "p",
    "credentials_hash": "h",
}


def _inputs(state: dict[str, Any], **changes: Any) -> dict[str, Any]:
    return {**state, **changes}


@pytest.mark.parametrize(
    "case",
    [
        (SecretFolderProvider(), FOLDER, _inputs(FOLDER), False, [], False),
        (SecretFolderProvider(), FOLDER, _inputs(FOLDER, parent_path="/a/"), False, [], False),
        (SecretFolderProvider(), FOLDER, _inputs(FOLDER, name="web"), True, [], False),
        (SecretFolderProvider(), FOLDER, _inputs(FOLDER, project_id="q"), True, ["project_id"], False),
        (SecretFolderProvider(), FOLDER, _inputs(FOLDER, environment="prod"), True, ["environment"], False),
        (SecretFolderProvider(), FOLDER, _inputs(FOLDER, description="x", force_delete=True), True, [], False),
        (SecretProvider(), SECRET, _inputs(SECRET, value="  v \t"), False, [], False),
        (SecretProvider(), SECRET, _inputs(SECRET, value="w"), True, [], False),
        (SecretProvider(), SECRET, _inputs(SECRET, key="K2"), True, [], False),
        (SecretProvider(), SECRET, _inputs(SECRET, environment="prod"), True, ["environment"], False),
        (SecretProvider(), SECRET, _inputs(SECRET, secret_path="/x"), True, ["secret_path"], False),
        (ProjectProvider(), PROJECT, _inputs(PROJECT_INPUTS, name="App 2"), True, [], False),
        (ProjectProvider(), PROJECT, _inputs(PROJECT_INPUTS, type="kms"), True, ["type"], True),
        (ProjectProvider(), PROJECT, {"adopt": True, "project_id": "id1"}, True, [], False),
        (
            ProjectProvider(),
            {**PROJECT, "adopt": True},
            {"adopt": True, "project_id": "id2"},
            True,
            ["project_id"],
            False,
        ),
        (ProjectProvider(), PROJECT, {"name": "App", "description": None}, False, [], False),
        (
            ProjectEnvironmentProvider(),
            {"project_id": "p", "name": "D", "slug": "d", "position": 1},
            {"project_id": "p", "name": "D", "slug": "dev"},
            True,
            [],
            False,
        ),
        (
            ProjectEnvironmentProvider(),
            {"project_id": "p", "name": "D", "slug": "d", "position": 1},
            {"project_id": "q", "name": "D", "slug": "d"},
            True,
            ["project_id"],
            False,
        ),
        (CloudflareWorkersSecretSyncProvider(), SYNC_STATE, dict(SYNC), False, [], False),
        (CloudflareWorkersSecretSyncProvider(), SYNC_STATE, _inputs(SYNC, connection_id="c2"), True, [], False),
        (CloudflareWorkersSecretSyncProvider(), SYNC_STATE, _inputs(SYNC, auto_sync_enabled=False), True, [], False),
        (
            CloudflareWorkersSecretSyncProvider(),
            SYNC_STATE,
            _inputs(SYNC, script_id="other"),
            True,
            ["script_id"],
            True,
        ),
        (
            CloudflareWorkersSecretSyncProvider(),
            SYNC_STATE,
            _inputs(SYNC, project_id="p2"),
            True,
            ["project_id"],
            False,
        ),
        (CloudflareAppConnectionProvider(), CONNECTION, _inputs(CONNECTION, api_token="t2"), True, [], False),
        (
            CloudflareAppConnectionProvider(),
            CONNECTION,
            _inputs(CONNECTION, project_id="q"),
            True,
            ["project_id"],
            True,
        ),
        (
            IdentityProvider(),
            {"name": "a", "organization_id": "o", "role": "no-access"},
            {"name": "a", "organization_id": "o2"},
            True,
            ["organization_id"],
            False,
        ),
        (
            IdentityOidcAuthProvider(),
            OIDC_STATE,
            {**OIDC, "bound_audiences": "a,b"},
            False,
            [],
            False,
        ),
        (IdentityOidcAuthProvider(), OIDC_STATE, {**OIDC, "identity_id": "i2"}, True, ["identity_id"], False),
        (
            ProjectIdentityMembershipProvider(),
            {"project_id": "p", "identity_id": "i", "role": "viewer"},
            {"project_id": "p", "identity_id": "i", "role": "admin"},
            True,
            [],
            False,
        ),
        (
            ProjectIdentityMembershipProvider(),
            {"project_id": "p", "identity_id": "i", "role": "viewer"},
            {"project_id": "p", "identity_id": "j", "role": "viewer"},
            True,
            ["identity_id"],
            False,
        ),
        (ProjectRoleProvider(), ROLE, {**ROLE, "project_id": "q"}, True, ["project_id"], False),
        (ProjectRoleProvider(), ROLE, {**ROLE, "slug": "s"}, True, [], False),
        (
            ProjectRoleProvider(),
            ROLE,
            {**ROLE, "permissions": [{"subject": "secrets", "action": "readValue"}]},
            False,
            [],
            False,
        ),
    ],
)
def test_diff(case: tuple[InfisicalProvider, dict[str, Any], dict[str, Any], bool, list[str], bool]) -> None:
    """Each case: provider, old outputs, new inputs, then expected changes, replaces, delete-before-replace."""
    provider, olds, news, changes, replaces, delete_first = case
    engine = Engine(provider)
    diff = engine.diff("id1", olds, news)
    assert diff.changes is changes
    assert diff.replaces == replaces
    assert bool(diff.delete_before_replace) is delete_first
    if not replaces:
        assert set(provider.schema.replace_names) <= set(diff.stables or [])


def test_diff_ignores_the_provider_key() -> None:
    provider = SecretProvider()
    diff = provider.diff("id", {**SECRET, "__provider": "old-pickle"}, {**SECRET, "__provider": "new-pickle"})
    assert diff.changes is False


def test_diff_treats_unknown_as_a_change_and_replaces_when_needed() -> None:
    provider = SecretFolderProvider()
    diff = provider.diff("id", FOLDER, {**FOLDER, "project_id": Unknown(), "__provider": "p"})
    assert diff.changes is True
    assert diff.replaces == ["project_id"]


def test_diff_reads_secret_envelopes() -> None:
    from pulumi.runtime import rpc

    provider = SecretProvider()
    olds = {**SECRET, "value": rpc.wrap_rpc_secret("v\n")}
    assert provider.diff("id", olds, {**SECRET, "value": rpc.wrap_rpc_secret("  v\n\n")}).changes is False


def test_diff_makes_no_http_calls(fake_infisical: FakeInfisical, monkeypatch: pytest.MonkeyPatch) -> None:
    """Belt and braces: even with a live server the diffs above would not reach it."""
    fake_infisical.clear_requests()
    cases: list[tuple[InfisicalProvider, dict[str, Any], dict[str, Any]]] = [
        (SecretProvider(), SECRET, {**SECRET, "value": "new"}),
        (SecretFolderProvider(), FOLDER, {**FOLDER, "project_id": "other"}),
        (CloudflareWorkersSecretSyncProvider(), SYNC_STATE, SYNC),
        (ProjectProvider(), PROJECT, PROJECT_INPUTS),
    ]
    for provider, olds, news in cases:
        Engine(provider).diff("id", olds, news)
    assert fake_infisical.count() == 0
