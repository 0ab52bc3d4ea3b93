"""A create that may have landed is read back, and the error says what certainly happened, and why.

A 5xx or a lost answer leaves a create's outcome open; the provider looks the object up by its natural key.
When every attempt failed and nothing is there, nothing was made (`InfisicalCreateFailedError`), never
"may have succeeded, check Infisical". Attaching OIDC auth is the case a real server shows: it answers 500
when it cannot fetch the discovery document (recorded), and 400 for a loopback address unless it runs
with ``ALLOW_INTERNAL_IP_CONNECTIONS=true``; the error names the URL and the way out.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from components.infisical import (
    IdentityOidcAuthProvider,
    IdentityProvider,
    InfisicalCreateFailedError,
    OidcDiscoveryError,
)
from tests.acceptance.oidc_issuer import LoopbackIssuer
from tests.fakes.infisical import ErrorResponse, FakeInfisical

from . import scenarios
from .engine import Engine

ATTEMPTS = 4  # INFISICAL_MAX_RETRIES=3 in the fake's environment, plus the first


@pytest.fixture
def identity_id(fake_infisical: FakeInfisical) -> str:
    id_, _ = Engine(IdentityProvider()).create({"name": "gha", "organization_id": fake_infisical.org_id})
    return id_


@pytest.fixture(scope="module")
def issuer() -> Iterator[LoopbackIssuer]:
    with LoopbackIssuer() as served:
        yield served


def _attach(identity_id: str, url: str) -> tuple[str, dict[str, object]]:
    inputs = {"identity_id": identity_id, "oidc_discovery_url": url, "bound_issuer": url, "bound_subject": "x"}
    return Engine(IdentityOidcAuthProvider()).create(inputs)


@pytest.mark.parametrize("name", ["environment", "secret", "membership", "app_connection", "project_role"])
def test_a_create_failing_every_time_and_absent_is_reported_as_not_created(
    fake_infisical: FakeInfisical, name: str
) -> None:
    scenario = scenarios.ALL[name](fake_infisical)
    before = len(fake_infisical.table(scenario.table))
    fake_infisical.inject("POST", scenario.create_path, ErrorResponse(500), times=99)
    with pytest.raises(InfisicalCreateFailedError) as caught:
        scenario.engine.create(scenario.inputs)
    assert "so it was not created" in str(caught.value)
    assert "may have succeeded" not in str(caught.value)
    assert fake_infisical.count("POST", scenario.create_path) == ATTEMPTS
    assert len(fake_infisical.table(scenario.table)) == before


def test_an_unreachable_discovery_url_is_named(fake_infisical: FakeInfisical, identity_id: str) -> None:
    with pytest.raises(InfisicalCreateFailedError) as caught:
        _attach(identity_id, "https://issuer.unreachable.example")
    message = str(caught.value)
    assert "Infisical could not fetch the OIDC discovery document from https://issuer.unreachable.example" in message
    assert "ALLOW_INTERNAL_IP_CONNECTIONS=true" in message
    assert "HTTP 500" in message and "not created" in message
    assert fake_infisical.table("oidc_auths") == []


def test_a_loopback_issuer_needs_internal_connections(
    fake_infisical: FakeInfisical, identity_id: str, issuer: LoopbackIssuer
) -> None:
    with pytest.raises(OidcDiscoveryError, match="ALLOW_INTERNAL_IP_CONNECTIONS=true") as caught:
        _attach(identity_id, issuer.discovery_url)
    assert issuer.discovery_url in str(caught.value)
    fake_infisical.allow_internal_ip_connections = True
    auth_id, _ = _attach(identity_id, issuer.discovery_url)
    assert [row["id"] for row in fake_infisical.table("oidc_auths")] == [auth_id]


def test_a_loopback_issuer_that_is_down_is_named(fake_infisical: FakeInfisical, identity_id: str) -> None:
    with LoopbackIssuer() as stopped:
        url = stopped.discovery_url
    fake_infisical.allow_internal_ip_connections = True
    with pytest.raises(InfisicalCreateFailedError, match=f"could not fetch the OIDC discovery document from {url}"):
        _attach(identity_id, url)


def test_moving_to_an_unreachable_discovery_url_is_named(fake_infisical: FakeInfisical, identity_id: str) -> None:
    github = "https://token.actions.githubusercontent.com"
    engine = Engine(IdentityOidcAuthProvider())
    inputs = {"identity_id": identity_id, "oidc_discovery_url": github, "bound_issuer": github, "bound_subject": "x"}
    id_, outs = engine.create(inputs)
    moved = {**inputs, "oidc_discovery_url": "https://issuer.unreachable.example"}
    with pytest.raises(OidcDiscoveryError, match="could not fetch the OIDC discovery document from https://issuer"):
        engine.update(id_, outs, moved)
    assert [row["oidcDiscoveryUrl"] for row in fake_infisical.table("oidc_auths")] == [github], "left as it was"
