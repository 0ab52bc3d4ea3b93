"""check (validation naming the property) and diff (replace vs update), both without touching Infisical."""

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

CANARY = "CANARY-check-7f3e1c"
SYNC = {
    "name": "api",
    "project_id": "p1",
    "connection_id": "c1",
    "environment": "dev",
    "script_id": "api-worker",
}
ROLE = {"project_id": "p", "slug": "r", "name": "R", "permissions": [{"subject": "secrets", "action": ["readValue"]}]}
OIDC = {"identity_id": "i1", "oidc_discovery_url": "https://issuer", "bound_issuer": "https://issuer"}


@pytest.fixture(autouse=True)
def no_network(monkeypatch: pytest.MonkeyPatch) -> None:
    """check and diff must never build a client, let alone call Infisical."""

    def refuse(self: InfisicalProvider) -> Any:
        raise AssertionError("check/diff must not create an Infisical client")

    monkeypatch.setattr(InfisicalProvider, "_client", refuse)


@pytest.mark.parametrize(
    ("provider", "inputs", "prop"),
    [
        (ProjectProvider(), {}, "name"),
        (ProjectProvider(), {"name": "x", "slug": "Not A Slug"}, "slug"),
        (ProjectProvider(), {"name": "x", "type": "wiki"}, "type"),
        (ProjectProvider(), {"adopt": True}, "project_id"),
        (ProjectProvider(), {"adopt": True, "slug": "abcde", "name": "x"}, "name"),
        (ProjectProvider(), {"name": "x", "project_id": "p"}, "project_id"),
        (ProjectEnvironmentProvider(), {"project_id": "p", "name": "Dev"}, "slug"),
        (ProjectEnvironmentProvider(), {"project_id": "p", "name": "Dev", "slug": "Dev Env"}, "slug"),
        (ProjectEnvironmentProvider(), {"project_id": "p", "name": "Dev", "slug": "dev", "position": 0}, "position"),
        (ProjectEnvironmentProvider(), {"project_id": "p", "name": "Dev", "slug": "dev", "position": "1"}, "position"),
        (SecretFolderProvider(), {"project_id": "p", "environment": "dev", "name": "a/b"}, "name"),
        (
            SecretFolderProvider(),
            {"project_id": "p", "environment": "dev", "name": "a", "parent_path": "x"},
            "parent_path",
        ),
        (SecretProvider(), {"project_id": "p", "environment": "dev", "key": "K"}, "value"),
        (SecretProvider(), {"project_id": "p", "environment": "dev", "key": "A B", "value": CANARY}, "key"),
        (SecretProvider(), {"project_id": "p", "environment": "dev", "key": "K", "value": 42}, "value"),
        (CloudflareAppConnectionProvider(), {"name": "cf", "account_id": "a", "api_token": CANARY * 30}, "api_token"),
        (CloudflareAppConnectionProvider(), {"name": "cf", "account_id": "a b", "api_token": CANARY}, "account_id"),
        (
            CloudflareWorkersSecretSyncProvider(),
            {**SYNC, "initial_sync_behavior": "import-prioritize-source"},
            "initial_sync_behavior",
        ),
        (CloudflareWorkersSecretSyncProvider(), {**SYNC, "key_schema": "APP_"}, "key_schema"),
        (CloudflareWorkersSecretSyncProvider(), {**SYNC, "script_id": "Bad_Script"}, "script_id"),
        (CloudflareWorkersSecretSyncProvider(), {**SYNC, "auto_sync_enabled": "yes"}, "auto_sync_enabled"),
        (IdentityProvider(), {"name": "ci"}, "organization_id"),
        (
            IdentityOidcAuthProvider(),
            {**OIDC, "access_token_ttl": 7200, "access_token_max_ttl": 3600},
            "access_token_ttl",
        ),
        (IdentityOidcAuthProvider(), {**OIDC, "bound_claims": {"repository": 1}}, "bound_claims"),
        (IdentityOidcAuthProvider(), {**OIDC, "oidc_discovery_url": "token.actions"}, "oidc_discovery_url"),
        (ProjectIdentityMembershipProvider(), {"project_id": "p", "identity_id": "i"}, "role"),
        (ProjectRoleProvider(), {"project_id": "p", "slug": "r", "name": "R"}, "permissions"),
        (ProjectRoleProvider(), {**ROLE, "slug": "viewer"}, "slug"),
        (
            ProjectRoleProvider(),
            {
                **ROLE,
                "permissions": [{"subject": "secrets", "action": ["readValue"], "conditions": {"x": {"$neq": "y"}}}],
            },
            "permissions",
        ),
    ],
)
def test_check_names_the_failing_property(provider: InfisicalProvider, inputs: dict[str, Any], prop: str) -> None:
    failures = Engine(provider).failures(inputs)
    assert prop in failures, failures
    assert all(CANARY not in reason for reason in failures.values())


@pytest.mark.parametrize(
    ("provider", "inputs"),
    [
        (ProjectEnvironmentProvider(), {"project_id": "p", "name": "Dev", "slug": "dev", "position": 2}),
        (SecretProvider(), {"project_id": "p", "environment": "dev", "key": "K", "value": "v"}),
        (CloudflareWorkersSecretSyncProvider(), SYNC),
        (CloudflareWorkersSecretSyncProvider(), {**SYNC, "key_schema": "{{environment}}_{{secretKey}}"}),
        (IdentityOidcAuthProvider(), {**OIDC, "bound_claims": {"repository": "acme/app"}}),
        (ProjectProvider(), {"adopt": True, "slug": "existing"}),
    ],
)
def test_valid_inputs_pass_and_get_defaults(provider: InfisicalProvider, inputs: dict[str, Any]) -> None:
    assert Engine(provider).failures(inputs) == {}


def test_check_fills_defaults_turns_floats_into_ints_and_keeps_secrets_secret() -> None:
    from pulumi.runtime import rpc

    engine = Engine(SecretProvider(), secrets=("value",))
    inputs = engine.check({"project_id": "p", "environment": "dev", "key": "K", "value": "v"})
    assert inputs["secret_path"] == "/"
    assert inputs["comment"] == ""
    assert rpc.is_rpc_secret(inputs["value"])
    env = Engine(ProjectEnvironmentProvider()).check({"project_id": "p", "name": "D", "slug": "d", "position": 2})
    assert env["position"] == 2
    assert isinstance(env["position"], int)


def test_check_skips_unknown_values_during_preview() -> None:
    provider = SecretFolderProvider()
    news = {"project_id": Unknown(), "environment": "dev", "name": "app", "__provider": "p"}
    result = provider.check({}, news)
    assert result.failures == []
    assert isinstance(result.inputs["project_id"], Unknown)


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
