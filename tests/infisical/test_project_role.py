"""Custom project roles: the provider's round trip and checks, and the fake's permission model behind them."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from components.infisical import (
    CustomRolesUnavailableError,
    IdentityProvider,
    InfisicalAlreadyExistsError,
    InfisicalBadRequestError,
    InfisicalNotFoundError,
    ProjectIdentityMembershipProvider,
    ProjectRoleProvider,
    SecretFolderProvider,
    SecretProvider,
)
from tests.fakes.infisical import FakeInfisical
from tests.fakes.infisical.permissions import can, glob_matches

from .engine import CheckFailed, Engine, plain, seed_environment

READ = ["describeSecret", "readValue"]


def scoped(env: str, path: str = "/cloudflare/**") -> list[dict[str, Any]]:
    return [
        {
            "subject": "secrets",
            "action": READ,
            "conditions": {"environment": {"$eq": env}, "secretPath": {"$glob": path}},
        }
    ]


def stored(permissions: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """How Infisical answers with permissions: every rule says whether it is inverted."""
    return [{**permission, "inverted": False} for permission in permissions]


def role_inputs(project_id: str, env: str = "staging", slug: str = "staging-ci") -> dict[str, Any]:
    return {"project_id": project_id, "slug": slug, "name": "Staging CI", "permissions": scoped(env)}


def test_roundtrip(fake_infisical: FakeInfisical, project_id: str) -> None:
    engine = Engine(ProjectRoleProvider())
    inputs = role_inputs(project_id)
    id_, outs = engine.create(inputs)
    assert plain(outs)["permissions"] == stored(scoped("staging"))
    read = engine.read(id_, outs)
    assert read.id == id_
    assert not engine.diff(id_, read.outs or {}, inputs).changes

    widened = {**inputs, "permissions": scoped("staging", "/**"), "description": "all folders"}
    diff = engine.diff(id_, outs, widened)
    assert diff.changes and not diff.replaces
    updated = engine.update(id_, outs, widened)
    assert plain(updated)["permissions"][0]["conditions"]["secretPath"] == {"$glob": "/**"}
    assert fake_infisical.table("roles")[0]["description"] == "all folders"
    assert not engine.diff(id_, engine.read(id_, updated).outs or {}, widened).changes

    engine.delete(id_, updated)
    assert engine.read(id_, updated).id is None
    engine.delete(id_, updated)


def test_import_by_id_alone_rebuilds_the_inputs(fake_infisical: FakeInfisical, project_id: str) -> None:
    engine = Engine(ProjectRoleProvider())
    id_, _ = engine.create(role_inputs(project_id))
    imported = engine.read(id_, {})
    assert imported.id == id_
    assert plain(imported.inputs or {})["project_id"] == project_id
    assert plain(imported.inputs or {})["permissions"] == stored(scoped("staging"))


def test_a_second_role_with_the_same_slug_is_refused(fake_infisical: FakeInfisical, project_id: str) -> None:
    engine = Engine(ProjectRoleProvider())
    engine.create(role_inputs(project_id))
    with pytest.raises(InfisicalAlreadyExistsError):
        engine.create(role_inputs(project_id))


def test_equivalent_spellings_are_no_diff() -> None:
    engine = Engine(ProjectRoleProvider())
    olds = {"project_id": "p", "slug": "r", "name": "R", "permissions": scoped("dev")}
    shorthand = [
        {
            "subject": "secrets",
            "action": ["readValue", "describeSecret"],
            "conditions": {"environment": "dev", "secretPath": {"$glob": "/cloudflare/**"}},
            "inverted": False,
        }
    ]
    assert not engine.diff("r1", olds, {**olds, "permissions": shorthand}).changes
    assert engine.diff("r1", olds, {**olds, "permissions": scoped("prod")}).changes


@pytest.mark.parametrize(
    ("permissions", "reason"),
    [
        ([], "at least one"),
        ([{"subject": "secrets", "action": READ, "conditions": {"environment": {"$neq": "prod"}}}], "'$neq'"),
        ([{"subject": "secrets", "action": READ, "conditions": {"environment": {"$in": "prod"}}}], "$in"),
        ([{"subject": "secrets", "action": []}], "action"),
        ([{"subject": "", "action": READ}], "subject"),
        ([{"subject": "secrets", "action": READ, "effect": "allow"}], "effect"),
        # Infisical answers 422 for another subject's action names (recorded), and drops conditions a
        # subject does not take (the rule would then apply everywhere).
        (
            [{"subject": "app-connections", "action": ["read", "edit", "connect"]}],
            "item 0 'read' is not an action of 'app-connections' (its actions: read-app-connections,",
        ),
        ([{"subject": "environments", "action": ["read"], "conditions": {"environment": "dev"}}], "no conditions"),
    ],
)
def test_check_refuses_bad_permissions(permissions: list[Any], reason: str) -> None:
    failures = Engine(ProjectRoleProvider()).failures(
        {"project_id": "p", "slug": "r", "name": "R", "permissions": permissions}
    )
    assert list(failures) == ["permissions"]
    assert reason in failures["permissions"]


@pytest.mark.parametrize("slug", ["viewer", "admin", "custom", "Not A Slug"])
def test_check_refuses_reserved_and_malformed_slugs(slug: str) -> None:
    failures = Engine(ProjectRoleProvider()).failures(
        {"project_id": "p", "slug": slug, "name": "R", "permissions": scoped("dev")}
    )
    assert list(failures) == ["slug"]


def test_plan_without_rbac_is_named_with_the_config_path_and_the_way_out(
    fake_infisical: FakeInfisical, project_id: str
) -> None:
    fake_infisical.store.plan_rbac = False
    engine = Engine(ProjectRoleProvider())
    with pytest.raises(CustomRolesUnavailableError) as caught:
        engine.create({**role_inputs(project_id), "requested_by": "infisical.ciIdentity of stage staging"})
    message = str(caught.value)
    assert "plan RBAC restriction" in message
    assert "infisical.ciIdentity of stage staging" in message
    assert "infisical.projectId" in message and "separate project" in message
    assert fake_infisical.table("roles") == []


def test_requested_by_is_local(fake_infisical: FakeInfisical, project_id: str) -> None:
    engine = Engine(ProjectRoleProvider())
    id_, outs = engine.create({**role_inputs(project_id), "requested_by": "a"})
    fake_infisical.clear_requests()
    engine.update(id_, outs, {**role_inputs(project_id), "requested_by": "b"})
    assert fake_infisical.count() == 0
    assert "requested_by" not in str(fake_infisical.table("roles"))


# -- the fake's permission model ----


@pytest.mark.parametrize(
    ("value", "pattern", "expected"),
    [
        ("/cloudflare", "/cloudflare/**", True),
        ("/cloudflare/api", "/cloudflare/**", True),
        ("/cloudflare/api/", "/cloudflare/**", True),
        ("/cloudflarex", "/cloudflare/**", False),
        ("/oauth", "/cloudflare/**", False),
        ("/a/b", "/a/*", True),
        ("/a/b/c", "/a/*", False),
        ("/email", "/{email,oauth}", True),
        ("/", "/**", True),
        ("/x", "", False),
    ],
)
def test_glob_follows_picomatch(value: str, pattern: str, expected: bool) -> None:
    assert glob_matches(value, pattern) is expected


def test_casl_last_matching_rule_wins_and_inverted_denies() -> None:
    rules: list[dict[str, Any]] = [
        {"subject": "secrets", "action": READ},
        {"subject": "secrets", "action": READ, "conditions": {"environment": "prod"}, "inverted": True},
    ]
    assert can(rules, "readValue", "secrets", {"environment": "staging", "secretPath": "/"})
    assert not can(rules, "readValue", "secrets", {"environment": "prod", "secretPath": "/"})
    assert not can(rules, "edit", "secrets", {"environment": "staging"})
    assert can(
        [{"subject": "secrets", "action": READ, "conditions": {"environment": {"$in": ["dev", "qa"]}}}],
        "readValue",
        "secrets",
        {"environment": "qa"},
    )
    assert not can(
        [{"subject": "secrets", "action": READ, "conditions": {"environment": {"$ne": "prod"}}}],
        "readValue",
        "secrets",
        {"environment": "prod"},
    )


def login(fake: FakeInfisical, identity_id: str) -> str:
    client_id, client_secret = fake.add_universal_auth(identity_id)
    response = httpx.post(
        f"{fake.url}/api/v1/auth/universal-auth/login", json={"clientId": client_id, "clientSecret": client_secret}
    )
    return str(response.json()["accessToken"])


def read_secret(fake: FakeInfisical, token: str, project_id: str, env: str, path: str, *, key: str) -> httpx.Response:
    return httpx.get(
        f"{fake.url}/api/v4/secrets/{key}",
        params={"projectId": project_id, "environment": env, "secretPath": path},
        headers={"Authorization": f"Bearer {token}"},
    )


def test_a_custom_role_scopes_reads_to_its_environment_and_folder(
    fake_infisical: FakeInfisical, project_id: str
) -> None:
    for env in ("staging", "prod"):
        seed_environment(project_id, env)
        for path in ("/cloudflare", "/oauth"):
            Engine(SecretFolderProvider()).create({"project_id": project_id, "environment": env, "name": path[1:]})
            Engine(SecretProvider()).create(
                {
                    "project_id": project_id,
                    "environment": env,
                    "secret_path": path,
                    "key": "TOKEN",
                    "value": f"{env}{path}",
                }
            )
    identity_id, _ = Engine(IdentityProvider()).create({"name": "ci", "organization_id": fake_infisical.org_id})
    Engine(ProjectRoleProvider()).create(role_inputs(project_id))
    Engine(ProjectIdentityMembershipProvider()).create(
        {"project_id": project_id, "identity_id": identity_id, "role": "staging-ci"}
    )
    token = login(fake_infisical, identity_id)

    allowed = read_secret(fake_infisical, token, project_id, "staging", "/cloudflare", key="TOKEN")
    assert allowed.status_code == 200 and allowed.json()["secret"]["secretValue"] == "staging/cloudflare"
    for env, path in (("prod", "/cloudflare"), ("staging", "/oauth"), ("prod", "/oauth")):
        refused = read_secret(fake_infisical, token, project_id, env, path, key="TOKEN")
        assert refused.status_code == 403, (env, path)
        assert refused.json()["error"] == "PermissionDenied"


def test_built_in_viewer_reads_every_environment(fake_infisical: FakeInfisical, project_id: str) -> None:
    """Why custom roles exist: a built-in role has no environment condition."""
    seed_environment(project_id, "prod")
    Engine(SecretProvider()).create({"project_id": project_id, "environment": "prod", "key": "K", "value": "v"})
    identity_id, _ = Engine(IdentityProvider()).create({"name": "ci", "organization_id": fake_infisical.org_id})
    Engine(ProjectIdentityMembershipProvider()).create(
        {"project_id": project_id, "identity_id": identity_id, "role": "viewer"}
    )
    assert (
        read_secret(fake_infisical, login(fake_infisical, identity_id), project_id, "prod", "/", key="K").status_code
        == 200
    )


def test_a_non_member_is_refused(fake_infisical: FakeInfisical, project_id: str, env_slug: str) -> None:
    Engine(SecretProvider()).create({"project_id": project_id, "environment": env_slug, "key": "K", "value": "v"})
    identity_id, _ = Engine(IdentityProvider()).create({"name": "ci", "organization_id": fake_infisical.org_id})
    assert (
        read_secret(fake_infisical, login(fake_infisical, identity_id), project_id, env_slug, "/", key="K").status_code
        == 403
    )


def test_an_unknown_operator_sent_anyway_widens_the_role(fake_infisical: FakeInfisical, project_id: str) -> None:
    """What `check` protects from: the server keeps `{}` of `{"$neq": "prod"}`, which matches prod."""
    seed_environment(project_id, "prod")
    Engine(SecretProvider()).create({"project_id": project_id, "environment": "prod", "key": "K", "value": "v"})
    headers = {"Authorization": f"Bearer {fake_infisical.admin_token}"}
    body = {
        "slug": "not-prod",
        "name": "x",
        "permissions": [{"subject": "secrets", "action": READ, "conditions": {"environment": {"$neq": "prod"}}}],
    }
    created = httpx.post(f"{fake_infisical.url}/api/v1/projects/{project_id}/roles", json=body, headers=headers)
    assert created.json()["role"]["permissions"][0]["conditions"] == {"environment": {}}
    identity_id, _ = Engine(IdentityProvider()).create({"name": "ci", "organization_id": fake_infisical.org_id})
    Engine(ProjectIdentityMembershipProvider()).create(
        {"project_id": project_id, "identity_id": identity_id, "role": "not-prod"}
    )
    assert (
        read_secret(fake_infisical, login(fake_infisical, identity_id), project_id, "prod", "/", key="K").status_code
        == 200
    )


def test_membership_with_a_custom_role(fake_infisical: FakeInfisical, project_id: str) -> None:
    Engine(ProjectRoleProvider()).create(role_inputs(project_id))
    identity_id, _ = Engine(IdentityProvider()).create({"name": "ci", "organization_id": fake_infisical.org_id})
    engine = Engine(ProjectIdentityMembershipProvider())
    inputs = {"project_id": project_id, "identity_id": identity_id, "role": "staging-ci"}
    id_, outs = engine.create(inputs)
    read = engine.read(id_, outs)
    assert plain(read.outs or {})["role"] == "staging-ci"
    assert not engine.diff(id_, read.outs or {}, inputs).changes
    assert fake_infisical.table("memberships")[0]["roles"][0]["role"] == "custom"


def test_membership_with_an_unknown_custom_role_is_not_found(fake_infisical: FakeInfisical, project_id: str) -> None:
    identity_id, _ = Engine(IdentityProvider()).create({"name": "ci", "organization_id": fake_infisical.org_id})
    with pytest.raises(InfisicalNotFoundError):
        Engine(ProjectIdentityMembershipProvider()).create(
            {"project_id": project_id, "identity_id": identity_id, "role": "no-such-role"}
        )


def test_a_role_in_use_cannot_be_deleted(fake_infisical: FakeInfisical, project_id: str) -> None:
    engine = Engine(ProjectRoleProvider())
    role_id, outs = engine.create(role_inputs(project_id))
    identity_id, _ = Engine(IdentityProvider()).create({"name": "ci", "organization_id": fake_infisical.org_id})
    membership = Engine(ProjectIdentityMembershipProvider())
    m_inputs = {"project_id": project_id, "identity_id": identity_id, "role": "staging-ci"}
    m_id, m_outs = membership.create(m_inputs)
    with pytest.raises(InfisicalBadRequestError, match="unassign"):
        engine.delete(role_id, outs)
    membership.delete(m_id, m_outs)
    engine.delete(role_id, outs)


def test_check_failure_type_is_named() -> None:
    with pytest.raises(CheckFailed):
        Engine(ProjectRoleProvider()).check({"project_id": "p", "slug": "r", "name": "R"})
