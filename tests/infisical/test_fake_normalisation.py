"""The fake stores what Infisical's routers and services make of a request: trims, slugs, positions, ids."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from tests.fakes.infisical import FakeInfisical

from .fake_http import failure, http, identity, ok, project

__all__ = ["http"]

CONNECTIONS = "/api/v1/app-connections/cloudflare"
SYNCS = "/api/v1/secret-syncs/cloudflare-workers"
NOT_A_UUID = "not-a-uuid"


def _connection(http: httpx.Client, name: str = "cf", **extra: Any) -> dict[str, Any]:
    body = {"name": name, "method": "api-token", "credentials": {"accountId": "a", "apiToken": "t"}, **extra}
    return ok(http.post(CONNECTIONS, json=body))["appConnection"]


def _sync_body(project_id: str, connection_id: str, **extra: Any) -> dict[str, Any]:
    return {
        "name": "sync",
        "projectId": project_id,
        "connectionId": connection_id,
        "environment": "dev",
        "secretPath": "/",
        "syncOptions": {"initialSyncBehavior": "overwrite-destination"},
        "destinationConfig": {"scriptId": "api"},
        **extra,
    }


def test_default_environments_are_development_staging_production(
    http: httpx.Client, fake_infisical: FakeInfisical
) -> None:
    project_id = ok(http.post("/api/v1/projects", json={"projectName": "  Defaults "}))["project"]["id"]
    envs = sorted(fake_infisical.table("environments"), key=lambda e: e["position"])
    assert [(e["name"], e["slug"], e["position"]) for e in envs] == [
        ("Development", "dev", 1),
        ("Staging", "staging", 2),
        ("Production", "prod", 3),
    ]
    assert ok(http.get(f"/api/v1/projects/{project_id}"))["project"]["name"] == "Defaults"


def test_names_descriptions_and_comments_are_trimmed_where_infisical_trims(
    http: httpx.Client, fake_infisical: FakeInfisical
) -> None:
    body = {"projectName": " P ", "projectDescription": " d ", "shouldCreateDefaultEnvs": False}
    created = ok(http.post("/api/v1/projects", json=body))["project"]
    assert (created["name"], created["description"]) == ("P", "d")
    env = ok(http.post(f"/api/v1/workspace/{created['id']}/environments", json={"name": " Dev ", "slug": "dev"}))
    assert env["environment"]["name"] == "Dev"
    identity_id = identity(http, fake_infisical, name=" ci ")
    assert fake_infisical.table("identities")[0]["name"] == "ci"
    renamed = ok(http.patch(f"/api/v1/identities/{identity_id}", json={"name": " ci2 "}))["identity"]
    assert renamed["name"] == "ci2"
    connection = _connection(http, description=" cf account ")
    assert connection["description"] == "cf account"
    sync = ok(http.post(SYNCS, json=_sync_body(created["id"], connection["id"], description=" d ")))["secretSync"]
    assert sync["description"] == "d"
    base = {"projectId": created["id"], "environment": "dev"}
    secret = ok(http.post("/api/v4/secrets/K", json={**base, "secretValue": "v", "secretComment": " c "}))["secret"]
    assert secret["secretComment"] == "c"
    patched = ok(http.patch("/api/v4/secrets/K", json={**base, "secretComment": " c2 "}))["secret"]
    assert patched["secretComment"] == " c2 ", "an update keeps the comment as sent"


@pytest.mark.parametrize("slug", ["my_env", "-dev", "dev--x", "a" * 65])
def test_environment_slugs_must_be_slugified(http: httpx.Client, fake_infisical: FakeInfisical, slug: str) -> None:
    project_id = project(http)
    response = http.post(f"/api/v1/workspace/{project_id}/environments", json={"name": "x", "slug": slug})
    issues = failure(response, 422)
    assert [issue["path"] for issue in issues] == [["slug"]]
    assert response.json()["error"] == "ValidationFailure"


def test_slugs_are_lower_cased_and_trimmed_before_the_check(http: httpx.Client, fake_infisical: FakeInfisical) -> None:
    project_id = project(http)
    env = ok(http.post(f"/api/v1/workspace/{project_id}/environments", json={"name": "x", "slug": " Dev "}))
    assert env["environment"]["slug"] == "dev"


def test_connection_and_sync_names_are_slugs(http: httpx.Client, fake_infisical: FakeInfisical) -> None:
    project_id = project(http, "dev")
    assert failure(http.post(CONNECTIONS, json={"name": "cf_main", "method": "api-token"}), 422)
    too_long = {"name": "c" * 65, "method": "api-token", "credentials": {"accountId": "a", "apiToken": "t"}}
    assert failure(http.post(CONNECTIONS, json=too_long), 422)
    connection = _connection(http)
    refused = http.post(SYNCS, json=_sync_body(project_id, connection["id"], name="my_sync"))
    assert [issue["path"] for issue in failure(refused, 422)] == [["name"]]


def test_environment_positions_shift_on_collision(http: httpx.Client, fake_infisical: FakeInfisical) -> None:
    project_id = project(http, "a", "b", "c")
    base = f"/api/v1/workspace/{project_id}/environments"
    ok(http.post(base, json={"name": "x", "slug": "x", "position": 2}))

    def order() -> list[tuple[str, int]]:
        rows = [e for e in fake_infisical.table("environments") if e["projectId"] == project_id]
        return sorted(((e["slug"], e["position"]) for e in rows), key=lambda pair: pair[1])

    assert order() == [("a", 1), ("x", 2), ("b", 3), ("c", 4)]
    c_id = next(e["id"] for e in fake_infisical.table("environments") if e["slug"] == "c")
    ok(http.patch(f"{base}/{c_id}", json={"position": 1}))
    assert order() == [("c", 1), ("a", 2), ("x", 3), ("b", 4)]
    a_id = next(e["id"] for e in fake_infisical.table("environments") if e["slug"] == "a")
    ok(http.patch(f"{base}/{a_id}", json={"position": 4}))
    assert order() == [("c", 1), ("x", 2), ("b", 3), ("a", 4)]


def test_environment_duplicate_is_infisicals_400(http: httpx.Client, fake_infisical: FakeInfisical) -> None:
    project_id = project(http, "dev")
    again = http.post(f"/api/v1/workspace/{project_id}/environments", json={"name": "d", "slug": "dev"})
    assert failure(again, 400) == "Environment with slug already exists"


def test_connection_and_sync_ids_must_be_uuids(http: httpx.Client, fake_infisical: FakeInfisical) -> None:
    for response in (
        http.get(f"{CONNECTIONS}/{NOT_A_UUID}"),
        http.patch(f"{CONNECTIONS}/{NOT_A_UUID}", json={}),
        http.delete(f"{CONNECTIONS}/{NOT_A_UUID}"),
        http.get(f"{SYNCS}/{NOT_A_UUID}"),
        http.delete(f"{SYNCS}/{NOT_A_UUID}"),
    ):
        assert failure(response, 422)[0]["message"] == "Invalid uuid"
    missing = "00000000-0000-4000-8000-000000000000"
    assert "Could not find" in failure(http.get(f"{SYNCS}/{missing}"), 404)


def test_connection_lookup_by_name_is_scoped_by_project_id(http: httpx.Client, fake_infisical: FakeInfisical) -> None:
    project_id = project(http)
    _connection(http, name="scoped", projectId=project_id)
    _connection(http, name="org-wide")
    by_name = f"{CONNECTIONS}/connection-name"
    assert failure(http.get(f"{by_name}/scoped"), 404)
    assert ok(http.get(f"{by_name}/scoped", params={"projectId": project_id}))["appConnection"]["name"] == "scoped"
    assert ok(http.get(f"{by_name}/org-wide"))["appConnection"]["projectId"] is None
    assert failure(http.get(f"{by_name}/org-wide", params={"projectId": project_id}), 404)
