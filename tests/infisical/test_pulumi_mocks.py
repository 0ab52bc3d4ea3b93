"""Under Pulumi's mock engine: type tokens, secret inputs sent as secrets, additionalSecretOutputs set."""

from __future__ import annotations

import base64
from typing import Any

import pulumi
import pulumi.runtime
from pulumi.runtime import rpc
from pulumi.runtime.mocks import MockMonitor

from components.infisical import (
    CloudflareAppConnection,
    CloudflareAppConnectionArgs,
    CloudflareWorkersSecretSync,
    CloudflareWorkersSecretSyncArgs,
    Identity,
    IdentityArgs,
    IdentityOidcAuth,
    IdentityOidcAuthArgs,
    Project,
    ProjectArgs,
    ProjectEnvironment,
    ProjectEnvironmentArgs,
    ProjectIdentityMembership,
    ProjectIdentityMembershipArgs,
    Secret,
    SecretArgs,
    SecretFolder,
    SecretFolderArgs,
)

TOKEN_PREFIX = "pulumi-python:dynamic/infisical:"


class Mocks(pulumi.runtime.Mocks):
    def new_resource(self, args: pulumi.runtime.MockResourceArgs) -> tuple[str, dict[str, Any]]:
        return f"{args.name}-id", dict(args.inputs)

    def call(self, args: pulumi.runtime.MockCallArgs) -> tuple[dict[str, Any], list[tuple[str, str]] | None]:
        return {}, None


class RecordingMonitor(MockMonitor):
    def __init__(self, mocks: pulumi.runtime.Mocks) -> None:
        super().__init__(mocks)
        self.registrations: dict[str, Any] = {}

    def RegisterResource(self, request: Any) -> Any:
        self.registrations[request.type] = request
        return super().RegisterResource(request)


def _build() -> list[pulumi.Resource]:
    project = Project("p", ProjectArgs(name="App"))
    env = ProjectEnvironment("e", ProjectEnvironmentArgs(project_id=project.id, name="Dev", slug="dev"))
    folder = SecretFolder("f", SecretFolderArgs(project_id=project.id, environment=env.slug, name="workers"))
    secret = Secret(
        "s",
        SecretArgs(project_id=project.id, environment=env.slug, secret_path=folder.path, key="K", value="plain-v"),
    )
    connection = CloudflareAppConnection(
        "c",
        CloudflareAppConnectionArgs(name="cf", account_id="acct", api_token=pulumi.Output.secret("tok")),
        opts=pulumi.ResourceOptions(additional_secret_outputs=["account_id", "api_token"], protect=True),
    )
    sync = CloudflareWorkersSecretSync(
        "y",
        CloudflareWorkersSecretSyncArgs(
            name="api",
            project_id=project.id,
            connection_id=connection.id,
            environment=env.slug,
            script_id="api",
            auto_sync_enabled=False,
        ),
    )
    identity = Identity("i", IdentityArgs(name="ci", organization_id="org"))
    oidc = IdentityOidcAuth(
        "o",
        IdentityOidcAuthArgs(
            identity_id=identity.id,
            oidc_discovery_url="https://token.actions.githubusercontent.com",
            bound_issuer="https://token.actions.githubusercontent.com",
            bound_claims={"repository": "acme/app"},
        ),
    )
    membership = ProjectIdentityMembership(
        "m", ProjectIdentityMembershipArgs(project_id=project.id, identity_id=identity.id, role="viewer")
    )
    return [project, env, folder, secret, connection, sync, identity, oidc, membership]


def test_resources_register_with_secret_inputs_and_outputs() -> None:
    pulumi.runtime.settings.ROOT.set(None)
    mocks = Mocks()
    monitor = RecordingMonitor(mocks)
    pulumi.runtime.set_mocks(mocks, preview=False, monitor=monitor)
    built: list[pulumi.Resource] = []

    @pulumi.runtime.test
    def run() -> pulumi.Output[Any]:
        built.extend(_build())
        secret = built[3]
        assert isinstance(secret, Secret)
        return pulumi.Output.all(*(r.urn for r in built), secret.value)

    run()
    names = {
        "Project",
        "ProjectEnvironment",
        "SecretFolder",
        "Secret",
        "CloudflareAppConnection",
        "CloudflareWorkersSecretSync",
        "Identity",
        "IdentityOidcAuth",
        "ProjectIdentityMembership",
    }
    assert {t for t in monitor.registrations if t.startswith(TOKEN_PREFIX)} == {TOKEN_PREFIX + n for n in names}

    secret = monitor.registrations[TOKEN_PREFIX + "Secret"]
    assert list(secret.additionalSecretOutputs) == ["value"]
    inputs = rpc.deserialize_properties(secret.object)
    assert rpc.is_rpc_secret(inputs["value"]), "a plain string input is made secret at construction"
    assert not rpc.is_rpc_secret(inputs["key"])

    connection = monitor.registrations[TOKEN_PREFIX + "CloudflareAppConnection"]
    assert list(connection.additionalSecretOutputs) == ["account_id", "api_token"], "merged with the user's"
    assert connection.protect is True, "the user's other options survive"
    assert rpc.is_rpc_secret(rpc.deserialize_properties(connection.object)["api_token"])

    sync_inputs = rpc.deserialize_properties(monitor.registrations[TOKEN_PREFIX + "CloudflareWorkersSecretSync"].object)
    assert sync_inputs["auto_sync_enabled"] is False

    # The pickled provider is small, not a secret, and holds no configuration.
    provider = inputs["__provider"]
    assert isinstance(provider, str)
    assert len(base64.b64decode(provider)) < 200
