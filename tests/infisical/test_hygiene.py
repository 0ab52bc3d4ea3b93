"""Canaries: credentials and secret values must never show up in state, errors, logs or output.

Every secret below is a unique string. The test drives the providers through success and failure (with the
fake echoing request bodies and headers back in its error messages) and then searches everything a user or
a CI log could see.
"""

from __future__ import annotations

import base64
import logging
import traceback

import pytest
from pulumi.dynamic.dynamic import serialize_provider

from components.infisical import (
    CloudflareAppConnectionProvider,
    CloudflareWorkersSecretSyncProvider,
    IdentityOidcAuthProvider,
    IdentityProvider,
    InfisicalClient,
    InfisicalError,
    ProjectEnvironmentProvider,
    ProjectIdentityMembershipProvider,
    ProjectProvider,
    ProjectRoleProvider,
    SecretFolderProvider,
    SecretProvider,
    clear_token_cache,
)
from tests.fakes.infisical import EchoError, FakeInfisical, OidcIssuer

from .engine import Engine, plain, seed_environment, seed_project

TOKEN = "CANARY-TOKEN-4f1d0c"
CLIENT_SECRET = "CANARY-CLIENT-SECRET-9a2b77"
API_TOKEN = "CANARY-API-TOKEN-77c1e0"
SECRET_VALUE = "CANARY-SECRET-VALUE-3e5f21"
PROVIDERS = [
    ProjectProvider(),
    ProjectEnvironmentProvider(),
    SecretFolderProvider(),
    SecretProvider(),
    CloudflareAppConnectionProvider(),
    CloudflareWorkersSecretSyncProvider(),
    IdentityProvider(),
    IdentityOidcAuthProvider(),
    ProjectIdentityMembershipProvider(),
    ProjectRoleProvider(),
]


@pytest.fixture
def canary_env(fake_infisical: FakeInfisical, monkeypatch: pytest.MonkeyPatch) -> FakeInfisical:
    """The admin token is itself a canary, so every authenticated request carries one."""
    monkeypatch.setattr(fake_infisical.store, "admin_token", TOKEN)
    monkeypatch.setenv("INFISICAL_TOKEN", TOKEN)
    return fake_infisical


def _all_text(errors: list[BaseException], caplog: pytest.LogCaptureFixture, capsys: pytest.CaptureFixture[str]) -> str:
    captured = capsys.readouterr()
    parts = [caplog.text, captured.out, captured.err]
    for error in errors:
        parts += [str(error), repr(error), "".join(traceback.format_exception(error))]
        parts += [str(getattr(error, name, "")) for name in ("message", "endpoint", "issues", "cause")]
    return "\n".join(parts)


def _expect_failure(errors: list[BaseException], call: object) -> None:
    with pytest.raises(InfisicalError) as caught:
        call()  # type: ignore[operator]
    errors.append(caught.value)


def test_no_canary_leaks_anywhere(
    canary_env: FakeInfisical,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
    capsys: pytest.CaptureFixture[str],
) -> None:
    fake = canary_env
    caplog.set_level(logging.DEBUG)
    errors: list[BaseException] = []
    issuer = OidcIssuer()
    jwt = issuer.token(claims={"note": "CANARY-JWT-CLAIM"})
    canaries = [TOKEN, CLIENT_SECRET, API_TOKEN, SECRET_VALUE, jwt]

    project_id = seed_project()
    env = seed_environment(project_id, "dev")
    secrets = Engine(SecretProvider(), secrets=("value",))
    connections = Engine(CloudflareAppConnectionProvider(), secrets=("api_token",))
    secret_inputs = {"project_id": project_id, "environment": env, "key": "K", "value": f"  {SECRET_VALUE}\n\n"}
    connection_inputs = {"name": "cf", "account_id": "acct", "api_token": API_TOKEN}

    # Failures whose server message echoes the request (body and Authorization header).
    fake.inject("POST", "/api/v4/secrets/*", EchoError())
    _expect_failure(errors, lambda: secrets.create(secret_inputs))
    fake.inject("POST", "/api/v1/app-connections/cloudflare", EchoError(422))
    _expect_failure(errors, lambda: connections.create(connection_inputs))
    fake.inject("DELETE", "/api/v4/secrets/*", EchoError())

    # Successes, then failures on existing objects.
    secret_id, secret_outs = secrets.create(secret_inputs)
    connection_id, connection_outs = connections.create(connection_inputs)
    secrets.update(secret_id, secret_outs, {**secret_inputs, "value": SECRET_VALUE + "-2"})
    _expect_failure(errors, lambda: secrets.delete(secret_id, secret_outs))
    fake.inject("PATCH", "/api/v1/app-connections/cloudflare/*", EchoError())
    _expect_failure(
        errors,
        lambda: connections.update(
            connection_id, connection_outs, {**connection_inputs, "api_token": API_TOKEN + "-2"}
        ),
    )
    _expect_failure(errors, lambda: secrets.create({**secret_inputs, "environment": "nope"}))

    # Universal auth with an echoing login, then OIDC auth with an echoing login.
    client_id, _ = fake.add_universal_auth()
    monkeypatch.delenv("INFISICAL_TOKEN")
    monkeypatch.setenv("INFISICAL_UNIVERSAL_AUTH_CLIENT_ID", client_id)
    monkeypatch.setenv("INFISICAL_UNIVERSAL_AUTH_CLIENT_SECRET", CLIENT_SECRET)
    clear_token_cache()
    fake.inject("POST", "/api/v1/auth/universal-auth/login", EchoError())
    _expect_failure(errors, lambda: secrets.read(secret_id, secret_outs))
    monkeypatch.delenv("INFISICAL_UNIVERSAL_AUTH_CLIENT_ID")
    monkeypatch.delenv("INFISICAL_UNIVERSAL_AUTH_CLIENT_SECRET")
    monkeypatch.setenv("INFISICAL_MACHINE_IDENTITY_ID", "11111111-2222-3333-4444-555555555555")
    monkeypatch.setenv("INFISICAL_AUTH_JWT", jwt)
    fake.inject("POST", "/api/v1/auth/oidc-auth/login", EchoError(401))
    _expect_failure(errors, lambda: secrets.read(secret_id, secret_outs))
    _expect_failure(errors, lambda: InfisicalClient().get("/api/v1/projects"))

    # The provider pickled into state holds none of it, whatever the environment contains.
    monkeypatch.setenv("INFISICAL_TOKEN", TOKEN)
    monkeypatch.setenv("INFISICAL_UNIVERSAL_AUTH_CLIENT_SECRET", CLIENT_SECRET)
    pickled = [base64.b64decode(serialize_provider(provider)) for provider in PROVIDERS]

    text = _all_text(errors, caplog, capsys)
    assert "[redacted]" in text, "the echoed secrets were there to be scrubbed"
    for canary in canaries:
        assert canary not in text
        assert canary.encode() not in b"".join(pickled)
    # Secret outputs are the only place the values live, and there they are Pulumi secrets.
    assert plain(secret_outs)["value"] == SECRET_VALUE + "\n"


def test_outputs_never_contain_credentials(canary_env: FakeInfisical) -> None:
    project_id = seed_project()
    _, outs = Engine(ProjectEnvironmentProvider()).create({"project_id": project_id, "name": "D", "slug": "d"})
    assert TOKEN not in repr(outs)
