"""The fake answers identity and membership calls as Infisical's services do: metadata, search, errors."""

from __future__ import annotations

import httpx
import pytest

from tests.fakes.infisical import FakeInfisical, OidcIssuer

from .fake_http import failure, http, identity, ok, project

__all__ = ["http"]

MEMBERSHIP = "/api/v2/workspace/{project}/identity-memberships/{identity}"


def test_identity_metadata_is_stored_and_read_back(http: httpx.Client, fake_infisical: FakeInfisical) -> None:
    tag = [{"key": " pulumi-urn ", "value": " urn:stack:ci "}]
    identity_id = identity(http, fake_infisical, metadata=tag)
    read = ok(http.get(f"/api/v1/identities/{identity_id}"))["identity"]
    assert [(m["key"], m["value"]) for m in read["metadata"]] == [("pulumi-urn", "urn:stack:ci")]
    assert read["metadata"][0]["id"]
    ok(http.patch(f"/api/v1/identities/{identity_id}", json={"metadata": [{"key": "k", "value": "v"}]}))
    replaced = ok(http.get(f"/api/v1/identities/{identity_id}"))["identity"]["metadata"]
    assert [(m["key"], m["value"]) for m in replaced] == [("k", "v")], "an update replaces the whole set"
    assert failure(http.patch(f"/api/v1/identities/{identity_id}", json={"metadata": [{"key": "k"}]}), 422)


def test_identity_search_finds_a_lost_create_by_name(http: httpx.Client, fake_infisical: FakeInfisical) -> None:
    first = identity(http, fake_infisical, name="ci-dev", metadata=[{"key": "urn", "value": "one"}])
    identity(http, fake_infisical, name="ci-dev", metadata=[{"key": "urn", "value": "two"}])
    identity(http, fake_infisical, name="ci-prod")
    found = ok(http.post("/api/v1/identities/search", json={"search": {"name": {"$eq": "ci-dev"}}}))
    assert found["totalCount"] == 2
    assert {item["identity"]["id"] for item in found["identities"]} >= {first}
    assert all("metadata" not in item for item in found["identities"]), "a search shows no metadata (recorded)"
    tags = [ok(http.get(f"/api/v1/identities/{item['identity']['id']}"))["identity"] for item in found["identities"]]
    assert {m["value"] for read in tags for m in read["metadata"]} == {"one", "two"}
    partial = ok(http.post("/api/v1/identities/search", json={"search": {"name": {"$contains": "CI-"}}, "limit": 2}))
    assert (partial["totalCount"], len(partial["identities"])) == (3, 2)
    assert failure(http.post("/api/v1/identities/search", json={"limit": 101}), 422)


def test_membership_errors_are_infisicals(http: httpx.Client, fake_infisical: FakeInfisical) -> None:
    project_id = project(http)
    identity_id = identity(http, fake_infisical)
    path = MEMBERSHIP.format(project=project_id, identity=identity_id)
    assert failure(http.patch(path, json={"roles": [{"role": "viewer"}]}), 400) == "Identity doesn't have membership"
    assert failure(http.delete(path), 400) == "Identity doesn't have membership"
    assert failure(http.get(path), 404) == (
        f"Project membership for identity with ID '{identity_id} in project with ID '{project_id}' not found"
    )
    temporary = {"roles": [{"role": "viewer", "isTemporary": True}]}
    assert failure(http.post(path, json=temporary), 400) == "Identity must have at least one permanent role"
    ok(http.post(path, json={"roles": [{"role": "viewer"}]}))
    assert failure(http.post(path, json={"roles": [{"role": "viewer"}]}), 400) == "Identity is already a member"


def test_membership_update_answers_with_bare_role_rows(http: httpx.Client, fake_infisical: FakeInfisical) -> None:
    project_id = project(http, "dev")
    role = {"slug": "dev-reader", "name": "Dev reader", "permissions": [{"subject": "secrets", "action": ["read"]}]}
    ok(http.post(f"/api/v1/projects/{project_id}/roles", json=role))
    identity_id = identity(http, fake_infisical)
    path = MEMBERSHIP.format(project=project_id, identity=identity_id)
    ok(http.post(path, json={"roles": [{"role": "viewer"}]}))
    updated = ok(http.patch(path, json={"roles": [{"role": "dev-reader"}]}))["roles"]
    assert [(r["role"], bool(r["customRoleId"]), "customRoleSlug" in r) for r in updated] == [("custom", True, False)]
    read = ok(http.get(path))["identityMembership"]["roles"]
    assert read[0]["customRoleSlug"] == "dev-reader", "a read names the custom role"


def test_a_project_created_by_an_identity_makes_it_admin(http: httpx.Client, fake_infisical: FakeInfisical) -> None:
    issuer = OidcIssuer()
    fake_infisical.trust_issuer(issuer)
    identity_id = identity(http, fake_infisical)
    attach = {"oidcDiscoveryUrl": issuer.discovery_url, "boundIssuer": issuer.issuer, "boundClaims": {}}
    ok(http.post(f"/api/v1/auth/oidc-auth/identities/{identity_id}", json=attach))
    login = ok(http.post("/api/v1/auth/oidc-auth/login", json={"identityId": identity_id, "jwt": issuer.token()}))
    as_identity = {"Authorization": f"Bearer {login['accessToken']}"}
    body = {"projectName": "Made by CI", "shouldCreateDefaultEnvs": False}
    created = ok(http.post("/api/v1/projects", json=body, headers=as_identity))["project"]
    path = MEMBERSHIP.format(project=created["id"], identity=identity_id)
    assert [r["role"] for r in ok(http.get(path))["identityMembership"]["roles"]] == ["admin"]
    assert failure(http.delete(path, headers=as_identity), 400) == "You can't delete your own membership"


@pytest.mark.parametrize(
    "bound_subject",
    [
        "repo:acme/app:pull_*",
        "repo:acme/*",
        "repo:acme/app:**",
        "repo:acme/app:?ull_request",
        "repo:acme/app:{pull_request,environment:staging}",
    ],
)
def test_bound_subjects_are_patterns(http: httpx.Client, fake_infisical: FakeInfisical, bound_subject: str) -> None:
    """Measured on a real server: each binding admits a pull_request token (doesFieldValueMatchOidcPolicy)."""
    issuer = OidcIssuer()
    fake_infisical.trust_issuer(issuer)
    identity_id = identity(http, fake_infisical)
    attach = {
        "oidcDiscoveryUrl": issuer.discovery_url,
        "boundIssuer": issuer.issuer,
        "boundSubject": bound_subject,
        "boundClaims": {},
    }
    ok(http.post(f"/api/v1/auth/oidc-auth/identities/{identity_id}", json=attach))
    admitted = issuer.token(subject="repo:acme/app:pull_request")
    ok(http.post("/api/v1/auth/oidc-auth/login", json={"identityId": identity_id, "jwt": admitted}))
    other = issuer.token(subject="repo:other/app:pull_request")
    refused = http.post("/api/v1/auth/oidc-auth/login", json={"identityId": identity_id, "jwt": other})
    assert (refused.status_code, refused.json()["message"]) == (403, "Access denied: OIDC subject not allowed.")
