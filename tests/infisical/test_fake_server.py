"""The fake server itself answers like Infisical where the providers depend on it: envelopes and shapes."""

from __future__ import annotations

from typing import Any

import httpx

from tests.fakes.infisical import FakeInfisical

from .engine import seed_environment, seed_project
from .fake_http import http

__all__ = ["http"]


def _error(response: httpx.Response) -> dict[str, Any]:
    body = response.json()
    assert set(body) == {"reqId", "statusCode", "message", "error"}
    assert body["statusCode"] == response.status_code
    return dict(body)


def test_validation_failure_is_a_zod_issue_array(http: httpx.Client) -> None:
    response = http.post("/api/v1/projects", json={"slug": "x", "unknownKey": 1})
    body = _error(response)
    assert (response.status_code, body["error"]) == (422, "ValidationFailure")
    issues = {tuple(issue["path"]): issue for issue in body["message"]}
    assert issues[("projectName",)]["message"] == "Required"
    assert ("slug",) in issues
    assert ("unknownKey",) not in issues, "unknown keys are stripped, not rejected"


def test_projects_get_default_environments_unless_told_otherwise(
    http: httpx.Client, fake_infisical: FakeInfisical
) -> None:
    project = http.post("/api/v1/projects", json={"projectName": "Defaults"}).json()["project"]
    assert [e["slug"] for e in project["environments"]] == ["dev", "staging", "prod"]


def test_duplicates_are_400_not_409(http: httpx.Client, fake_infisical: FakeInfisical) -> None:
    project_id = seed_project()
    body = {"name": "Dev", "slug": "dev"}
    assert http.post(f"/api/v1/workspace/{project_id}/environments", json=body).status_code == 200
    duplicate = http.post(f"/api/v1/workspace/{project_id}/environments", json=body)
    assert duplicate.status_code == 400
    assert "already exists" in _error(duplicate)["message"]


def test_secret_values_are_trimmed(http: httpx.Client, fake_infisical: FakeInfisical) -> None:
    project_id = seed_project()
    env = seed_environment(project_id, "dev")
    base = {"projectId": project_id, "environment": env}
    kept = http.post("/api/v4/secrets/A", json={**base, "secretValue": "  a \n\n"}).json()["secret"]
    trimmed = http.post("/api/v4/secrets/B", json={**base, "secretValue": "  b  "}).json()["secret"]
    assert (kept["secretValue"], trimmed["secretValue"]) == ("a\n", "b")


def test_sync_rules(http: httpx.Client, fake_infisical: FakeInfisical) -> None:
    project_id = seed_project()
    env = seed_environment(project_id, "dev")
    connection = http.post(
        "/api/v1/app-connections/cloudflare",
        json={"name": "cf", "method": "api-token", "credentials": {"accountId": "a", "apiToken": "t"}},
    ).json()["appConnection"]
    assert "apiToken" not in connection["credentials"]
    body = {
        "name": "s",
        "projectId": project_id,
        "connectionId": connection["id"],
        "environment": env,
        "secretPath": "/",
        "syncOptions": {"initialSyncBehavior": "import-prioritize-source"},
        "destinationConfig": {"scriptId": "api"},
    }
    assert http.post("/api/v1/secret-syncs/cloudflare-workers", json=body).status_code == 422
    body["syncOptions"] = {"initialSyncBehavior": "overwrite-destination"}
    missing = http.post("/api/v1/secret-syncs/cloudflare-workers", json={**body, "secretPath": "/nope"})
    assert missing.status_code == 400
    assert "Could not find folder" in _error(missing)["message"]
    created = http.post("/api/v1/secret-syncs/cloudflare-workers", json=body).json()["secretSync"]
    assert (created["isAutoSyncEnabled"], created["syncStatus"], created["folder"]["path"]) == (True, "pending", "/")


def test_oidc_auth_missing_is_400_and_identity_missing_is_404(
    http: httpx.Client, fake_infisical: FakeInfisical
) -> None:
    identity = http.post("/api/v1/identities", json={"name": "i", "organizationId": fake_infisical.org_id})
    identity_id = identity.json()["identity"]["id"]
    not_attached = http.get(f"/api/v1/auth/oidc-auth/identities/{identity_id}")
    assert not_attached.status_code == 400
    assert http.get("/api/v1/auth/oidc-auth/identities/00000000-0000-0000-0000-000000000000").status_code == 404
    nested = http.get(f"/api/v1/identities/{identity_id}").json()["identity"]
    assert nested["identity"]["name"] == "i"
    assert nested["role"] == "no-access"
