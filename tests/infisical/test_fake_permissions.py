"""A machine identity's login is held to its project roles on folder reads; names and TTLs are validated."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from tests.fakes.infisical import FakeInfisical

from .fake_http import failure, http, identity, ok, project

__all__ = ["http"]

DEV_ONLY = {
    "slug": "dev-folders",
    "name": "Dev folders",
    "permissions": [{"subject": "secret-folders", "action": ["read"], "conditions": {"environment": "dev"}}],
}


def _member(http: httpx.Client, fake: FakeInfisical, project_id: str, role: str) -> dict[str, str]:
    identity_id = identity(http, fake)
    path = f"/api/v2/workspace/{project_id}/identity-memberships/{identity_id}"
    ok(http.post(path, json={"roles": [{"role": role}]}))
    client_id, client_secret = fake.add_universal_auth(identity_id)
    login = {"clientId": client_id, "clientSecret": client_secret}
    token = ok(http.post("/api/v1/auth/universal-auth/login", json=login))["accessToken"]
    return {"Authorization": f"Bearer {token}"}


def _list(http: httpx.Client, project_id: str, env: str, headers: dict[str, str]) -> httpx.Response:
    return http.get("/api/v2/folders", params={"projectId": project_id, "environment": env}, headers=headers)


def test_folder_reads_follow_the_identitys_roles(http: httpx.Client, fake_infisical: FakeInfisical) -> None:
    project_id = project(http, "dev", "prod")
    ok(http.post(f"/api/v1/projects/{project_id}/roles", json=DEV_ONLY))
    folder = ok(http.post("/api/v2/folders", json={"projectId": project_id, "environment": "prod", "name": "cf"}))
    as_dev = _member(http, fake_infisical, project_id, "dev-folders")
    assert ok(_list(http, project_id, "dev", as_dev))["folders"] == []
    denied = _list(http, project_id, "prod", as_dev)
    assert failure(denied, 403) == "You are not allowed to read on secret-folders"
    assert denied.json()["error"] == "PermissionDenied"
    assert failure(http.get(f"/api/v2/folders/{folder['folder']['id']}", headers=as_dev), 403)
    as_viewer = _member(http, fake_infisical, project_id, "viewer")
    assert [f["name"] for f in ok(_list(http, project_id, "prod", as_viewer))["folders"]] == ["cf"]
    assert failure(_list(http, project_id, "prod", _member(http, fake_infisical, project_id, "no-access")), 403)
    assert ok(_list(http, project_id, "prod", {}))["folders"], "the admin token reads everything"


@pytest.mark.parametrize("name", ["A:B", "%20"])
def test_secret_names_follow_the_secret_name_schema(
    http: httpx.Client, fake_infisical: FakeInfisical, name: str
) -> None:
    project_id = project(http, "dev")
    response = http.post(
        f"/api/v4/secrets/{name}", json={"projectId": project_id, "environment": "dev", "secretValue": "v"}
    )
    assert [issue["path"] for issue in failure(response, 422)] == [["secretName"]]


def test_secret_names_are_trimmed(http: httpx.Client, fake_infisical: FakeInfisical) -> None:
    project_id = project(http, "dev")
    body = {"projectId": project_id, "environment": "dev", "secretValue": "v"}
    assert ok(http.post("/api/v4/secrets/%20KEY%20", json=body))["secret"]["secretKey"] == "KEY"


def _attach(http: httpx.Client, identity_id: str, **extra: Any) -> httpx.Response:
    github = "https://token.actions.githubusercontent.com"  # reachable: the fake has internet access by default
    body = {"oidcDiscoveryUrl": github, "boundIssuer": github, "boundClaims": {}}
    return http.post(f"/api/v1/auth/oidc-auth/identities/{identity_id}", json={**body, **extra})


def test_oidc_ttl_above_the_max_is_refused_by_the_schema(http: httpx.Client, fake_infisical: FakeInfisical) -> None:
    identity_id = identity(http, fake_infisical)
    refused = _attach(http, identity_id, accessTokenTTL=100, accessTokenMaxTTL=0)
    assert failure(refused, 422)[0]["message"] == "Access Token TTL cannot be greater than Access Token Max TTL."
    ok(_attach(http, identity_id, accessTokenTTL=100, accessTokenMaxTTL=200, caCert="PEM"))
    path = f"/api/v1/auth/oidc-auth/identities/{identity_id}"
    assert (
        failure(http.patch(path, json={"accessTokenTTL": 300}), 400)
        == "Access token TTL cannot be greater than max TTL"
    )
    revoked = ok(http.delete(path))["identityOidcAuth"]
    assert "caCert" not in revoked and revoked["identityId"] == identity_id
