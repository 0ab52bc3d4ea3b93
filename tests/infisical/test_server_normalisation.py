"""What Infisical stores differently from what it was sent: up → refresh → up shows no changes.

Each case creates through the provider, reads back (a refresh), then diffs against the same inputs.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pytest

from components.infisical import (
    CloudflareAppConnectionProvider,
    IdentityOidcAuthProvider,
    IdentityProvider,
    InfisicalClient,
    ProjectEnvironmentProvider,
    ProjectIdentityMembershipProvider,
    ProjectProvider,
    ProjectRoleProvider,
    SecretProvider,
)
from tests.fakes.infisical import FakeInfisical

from .engine import Engine, plain, seed_environment, seed_project

GITHUB = "https://token.actions.githubusercontent.com"
PEM = "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n"


def converges(engine: Engine, inputs: Mapping[str, Any]) -> dict[str, Any]:
    """Create, refresh, diff against the same inputs: nothing may change. Returns the refreshed outputs."""
    id_, outs = engine.create(inputs)
    read = engine.read(id_, outs)
    assert read.id == id_
    diff = engine.diff(id_, read.outs or {}, inputs)
    assert not diff.changes, "a refresh right after the create must not show a change"
    return plain(read.outs or {})


def _identity(fake: FakeInfisical) -> str:
    id_, _ = Engine(IdentityProvider()).create({"name": "gha", "organization_id": fake.org_id})
    return id_


def test_trusted_ips_come_back_split_and_are_rebuilt(fake_infisical: FakeInfisical) -> None:
    base = {"identity_id": _identity(fake_infisical), "oidc_discovery_url": GITHUB, "bound_issuer": GITHUB}
    outs = converges(Engine(IdentityOidcAuthProvider()), base)
    assert outs["access_token_trusted_ips"] == ["0.0.0.0/0", "::/0"]
    stored = fake_infisical.table("oidc_auths")[0]["accessTokenTrustedIps"]
    assert stored[0] == {"ipAddress": "0.0.0.0", "type": "ipv4", "prefix": 0}


def test_trusted_ranges_and_bare_addresses_round_trip(fake_infisical: FakeInfisical) -> None:
    fake_infisical.ip_allowlisting = True
    base = {"identity_id": _identity(fake_infisical), "oidc_discovery_url": GITHUB, "bound_issuer": GITHUB}
    outs = converges(
        Engine(IdentityOidcAuthProvider()), {**base, "access_token_trusted_ips": ["10.1.0.0/16", "192.0.2.7"]}
    )
    assert outs["access_token_trusted_ips"] == ["10.1.0.0/16", "192.0.2.7"]


def test_ca_cert_is_trimmed(fake_infisical: FakeInfisical) -> None:
    base = {"identity_id": _identity(fake_infisical), "oidc_discovery_url": GITHUB, "bound_issuer": GITHUB}
    outs = converges(Engine(IdentityOidcAuthProvider()), {**base, "ca_cert": PEM})
    assert outs["ca_cert"] == PEM.strip()


def test_names_and_descriptions_are_compared_trimmed(fake_infisical: FakeInfisical) -> None:
    project = converges(Engine(ProjectProvider()), {"name": "  Payments  ", "description": " the app "})
    project_id = project["project_id"]
    converges(Engine(ProjectEnvironmentProvider()), {"project_id": project_id, "name": " QA ", "slug": "qa"})
    converges(Engine(IdentityProvider()), {"name": " ci ", "organization_id": fake_infisical.org_id})
    converges(
        Engine(CloudflareAppConnectionProvider()),
        {"name": "cf", "account_id": "acct", "api_token": "tok", "description": " for syncs "},
    )


def test_secret_comment_trimmed_on_create_is_no_change(fake_infisical: FakeInfisical) -> None:
    project_id = seed_project()
    seed_environment(project_id, "dev")
    engine = Engine(SecretProvider())
    inputs = {"project_id": project_id, "environment": "dev", "key": "K", "value": "v", "comment": " note "}
    id_, outs = engine.create(inputs)
    read = engine.read(id_, outs)
    assert not engine.diff(id_, read.outs or {}, inputs).changes
    updated = engine.update(id_, read.outs or {}, {**inputs, "comment": " new note "})
    assert not engine.diff(id_, engine.read(id_, updated).outs or {}, {**inputs, "comment": " new note "}).changes


def test_a_custom_role_is_read_back_by_slug_after_an_update(
    fake_infisical: FakeInfisical, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The PATCH answer holds the stored rows (``role: custom`` + ``customRoleId``), never the slug."""
    project_id = seed_project()
    role = {"project_id": project_id, "slug": "staging-ci", "name": "Staging CI"}
    Engine(ProjectRoleProvider()).create(
        {**role, "permissions": [{"subject": "secrets", "action": ["describeSecret", "readValue"]}]}
    )
    real_patch = InfisicalClient.patch

    def patch_as_infisical_answers(self: InfisicalClient, template: str, **kwargs: Any) -> Any:
        data = real_patch(self, template, **kwargs)
        if "identity-memberships" in template:
            data = {"roles": [{k: v for k, v in row.items() if k != "customRoleSlug"} for row in data["roles"]]}
        return data

    monkeypatch.setattr(InfisicalClient, "patch", patch_as_infisical_answers)
    engine = Engine(ProjectIdentityMembershipProvider())
    inputs = {"project_id": project_id, "identity_id": _identity(fake_infisical), "role": "viewer"}
    id_, outs = engine.create(inputs)
    updated = engine.update(id_, outs, {**inputs, "role": "staging-ci"})
    assert plain(updated)["role"] == "staging-ci"
    assert not engine.diff(id_, updated, {**inputs, "role": "staging-ci"}).changes


def test_a_membership_already_gone_deletes_as_done(fake_infisical: FakeInfisical) -> None:
    engine = Engine(ProjectIdentityMembershipProvider())
    inputs = {"project_id": seed_project(), "identity_id": _identity(fake_infisical), "role": "viewer"}
    id_, outs = engine.create(inputs)
    fake_infisical.store.memberships.clear()
    assert engine.read(id_, outs).id is None
    engine.delete(id_, outs)


def test_the_connection_lookup_after_a_lost_create_is_project_scoped(
    fake_infisical: FakeInfisical, monkeypatch: pytest.MonkeyPatch
) -> None:
    from tests.fakes.infisical import DropConnection

    lookups: list[Mapping[str, Any] | None] = []
    real_get = InfisicalClient.get

    def recording_get(self: InfisicalClient, template: str, **kwargs: Any) -> Any:
        if "connection-name" in template:
            lookups.append(kwargs.get("params"))
        return real_get(self, template, **kwargs)

    monkeypatch.setattr(InfisicalClient, "get", recording_get)
    project_id = seed_project()
    fake_infisical.inject("POST", "/api/v1/app-connections/cloudflare", DropConnection(process=True))
    inputs = {"name": "cf", "account_id": "acct", "api_token": "tok", "project_id": project_id}
    id_, _ = Engine(CloudflareAppConnectionProvider()).create(inputs)
    assert [c["id"] for c in fake_infisical.table("connections")] == [id_]
    assert lookups == [{"projectId": project_id}]
