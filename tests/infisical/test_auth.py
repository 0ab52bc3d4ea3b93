"""Credentials from the environment (names shared with the Infisical CLI and Terraform) and OIDC login."""

from __future__ import annotations

import pytest

from components.infisical import (
    AuthMethod,
    InfisicalAuthenticationError,
    InfisicalConfigError,
    ProjectProvider,
    credentials_from_env,
    host_from_env,
)
from tests.fakes.infisical import FakeInfisical, OidcIssuer

from .engine import Engine


def test_token_wins_then_universal_then_oidc() -> None:
    ua = {"INFISICAL_UNIVERSAL_AUTH_CLIENT_ID": "id", "INFISICAL_UNIVERSAL_AUTH_CLIENT_SECRET": "s"}
    oidc = {"INFISICAL_MACHINE_IDENTITY_ID": "ident", "INFISICAL_AUTH_JWT": "jwt"}
    assert credentials_from_env({"INFISICAL_TOKEN": "t", **ua, **oidc}).method is AuthMethod.TOKEN
    assert credentials_from_env({**ua, **oidc}).method is AuthMethod.UNIVERSAL_AUTH
    assert credentials_from_env(oidc).method is AuthMethod.OIDC_AUTH
    alias = credentials_from_env({"INFISICAL_IDENTITY_ID": "ident2", "INFISICAL_AUTH_JWT": "jwt"})
    assert (alias.method, alias.identity_id) == (AuthMethod.OIDC_AUTH, "ident2")


def test_missing_credentials_name_every_variable() -> None:
    with pytest.raises(InfisicalConfigError) as caught:
        credentials_from_env({"INFISICAL_HOST": "https://x"})
    for name in (
        "INFISICAL_TOKEN",
        "INFISICAL_UNIVERSAL_AUTH_CLIENT_ID",
        "INFISICAL_UNIVERSAL_AUTH_CLIENT_SECRET",
        "INFISICAL_MACHINE_IDENTITY_ID",
        "INFISICAL_IDENTITY_ID",
        "INFISICAL_AUTH_JWT",
    ):
        assert name in str(caught.value)


@pytest.mark.parametrize(
    ("env", "missing"),
    [
        ({"INFISICAL_UNIVERSAL_AUTH_CLIENT_ID": "id"}, "INFISICAL_UNIVERSAL_AUTH_CLIENT_SECRET"),
        ({"INFISICAL_UNIVERSAL_AUTH_CLIENT_SECRET": "s"}, "INFISICAL_UNIVERSAL_AUTH_CLIENT_ID"),
        ({"INFISICAL_MACHINE_IDENTITY_ID": "i"}, "INFISICAL_AUTH_JWT"),
        ({"INFISICAL_AUTH_JWT": "j"}, "INFISICAL_MACHINE_IDENTITY_ID"),
    ],
)
def test_half_configured_credentials(env: dict[str, str], missing: str) -> None:
    with pytest.raises(InfisicalConfigError, match=missing):
        credentials_from_env(env)


def test_credentials_do_not_print_or_pickle_their_secrets() -> None:
    import pickle

    credentials = credentials_from_env(
        {"INFISICAL_UNIVERSAL_AUTH_CLIENT_ID": "client-1", "INFISICAL_UNIVERSAL_AUTH_CLIENT_SECRET": "hush-1"}
    )
    assert "hush-1" not in repr(credentials)
    assert "client-1" in repr(credentials)
    with pytest.raises(TypeError):
        pickle.dumps(credentials)


@pytest.mark.parametrize(
    ("env", "host"),
    [
        ({}, "https://app.infisical.com"),
        ({"INFISICAL_SITE_URL": "https://eu.infisical.com/"}, "https://eu.infisical.com"),
        ({"INFISICAL_HOST": "http://10.0.0.5:8080/api", "INFISICAL_SITE_URL": "https://x"}, "http://10.0.0.5:8080"),
    ],
)
def test_host(env: dict[str, str], host: str) -> None:
    assert host_from_env(env) == host


def test_host_needs_a_scheme() -> None:
    with pytest.raises(InfisicalConfigError, match="https://"):
        host_from_env({"INFISICAL_HOST": "infisical.internal"})


def test_provider_with_no_credentials_fails_clearly(
    fake_infisical: FakeInfisical, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("INFISICAL_TOKEN")
    with pytest.raises(InfisicalConfigError, match="INFISICAL_UNIVERSAL_AUTH_CLIENT_ID"):
        Engine(ProjectProvider()).create({"name": "x"})


@pytest.fixture(scope="module")
def issuer() -> OidcIssuer:
    return OidcIssuer()


def _oidc_identity(fake: FakeInfisical, issuer: OidcIssuer) -> str:
    from components.infisical import IdentityOidcAuthProvider, IdentityProvider

    identity_id, _ = Engine(IdentityProvider()).create({"name": "gha", "organization_id": fake.org_id})
    Engine(IdentityOidcAuthProvider()).create(
        {
            "identity_id": identity_id,
            "oidc_discovery_url": issuer.discovery_url,
            "bound_issuer": issuer.issuer,
            "bound_audiences": "https://github.com/acme",
            "bound_subject": "repo:acme/app:**",  # a picomatch pattern: `*` would stop at the first `/`
            "bound_claims": {"repository": "acme/app", "ref": "refs/heads/main, refs/heads/release/*"},
        }
    )
    fake.trust_issuer(issuer)
    return identity_id


def _login_with(monkeypatch: pytest.MonkeyPatch, identity_id: str, jwt: str) -> None:
    monkeypatch.delenv("INFISICAL_TOKEN")
    monkeypatch.setenv("INFISICAL_IDENTITY_ID", identity_id)
    monkeypatch.setenv("INFISICAL_AUTH_JWT", jwt)


def test_oidc_login_like_github_actions(
    fake_infisical: FakeInfisical, issuer: OidcIssuer, monkeypatch: pytest.MonkeyPatch
) -> None:
    identity_id = _oidc_identity(fake_infisical, issuer)
    token = issuer.token(
        subject="repo:acme/app:ref:refs/heads/release/1.2",
        claims={"repository": "acme/app", "ref": "refs/heads/release/1.2"},
    )
    _login_with(monkeypatch, identity_id, token)
    engine = Engine(ProjectProvider())
    id_, outs = engine.create({"name": "from ci"})
    assert engine.read(id_, outs).id == id_
    assert fake_infisical.count("POST", "/api/v1/auth/oidc-auth/login") == 1


@pytest.mark.parametrize(
    "case",
    [
        ("repo:evil/app:ref:refs/heads/main", {"repository": "acme/app", "ref": "refs/heads/main"}, None),
        ("repo:acme/app:ref:refs/heads/main", {"repository": "acme/lib", "ref": "refs/heads/main"}, None),
        ("repo:acme/app:ref:refs/heads/main", {"repository": "acme/app", "ref": "refs/heads/dev"}, None),
        ("repo:acme/app:ref:refs/heads/main", {"repository": "acme/app", "ref": "refs/heads/main"}, "other"),
    ],
)
def test_oidc_login_is_refused_outside_the_bounds(
    fake_infisical: FakeInfisical,
    issuer: OidcIssuer,
    monkeypatch: pytest.MonkeyPatch,
    case: tuple[str, dict[str, str], str | None],
) -> None:
    """Each case: token subject, claims and audience, one of which is outside the bounds."""
    subject, claims, audience = case
    identity_id = _oidc_identity(fake_infisical, issuer)
    token = issuer.token(subject=subject, claims=claims, audience=audience or "https://github.com/acme")
    _login_with(monkeypatch, identity_id, token)
    with pytest.raises(InfisicalAuthenticationError, match="login failed") as caught:
        Engine(ProjectProvider()).create({"name": "nope"})
    assert token not in str(caught.value)


def test_oidc_token_from_another_key_is_refused(
    fake_infisical: FakeInfisical, issuer: OidcIssuer, monkeypatch: pytest.MonkeyPatch
) -> None:
    identity_id = _oidc_identity(fake_infisical, issuer)
    impostor = OidcIssuer(issuer=issuer.issuer)
    _login_with(monkeypatch, identity_id, impostor.token(claims={"repository": "acme/app", "ref": "refs/heads/main"}))
    with pytest.raises(InfisicalAuthenticationError):
        Engine(ProjectProvider()).create({"name": "nope"})
