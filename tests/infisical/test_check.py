"""check: validation that names the failing property, without touching Infisical."""

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

from .engine import Engine
from .provider_inputs import OIDC, ROLE, SYNC

CANARY = "CANARY-check-7f3e1c"


pytestmark = pytest.mark.usefixtures("no_network")


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
