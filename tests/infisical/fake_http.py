"""Plain HTTP helpers for the tests of the fake server itself (no provider code in between)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from tests.fakes.infisical import FakeInfisical


@pytest.fixture
def http(fake_infisical: FakeInfisical) -> Iterator[httpx.Client]:
    """An HTTP client for the fake, authenticated with the admin token."""
    headers = {"Authorization": f"Bearer {fake_infisical.admin_token}"}
    with httpx.Client(base_url=fake_infisical.url, headers=headers) as client:
        yield client


def ok(response: httpx.Response) -> dict[str, Any]:
    assert response.status_code == 200, response.text
    return dict(response.json())


def failure(response: httpx.Response, status: int) -> Any:
    """The ``message`` of an error answer, after checking its status and Infisical's error envelope."""
    body = response.json()
    assert response.status_code == status, response.text
    envelope = {"reqId", "statusCode", "message", "error"}
    assert set(body) == (envelope | {"details"} if body.get("error") == "PermissionDenied" else envelope)
    return body["message"]


def project(http: httpx.Client, *envs: str) -> str:
    """A project without default environments, then ``envs`` created in order."""
    body = {"projectName": "Rules", "shouldCreateDefaultEnvs": False}
    project_id = str(ok(http.post("/api/v1/projects", json=body))["project"]["id"])
    for slug in envs:
        ok(http.post(f"/api/v1/workspace/{project_id}/environments", json={"name": slug, "slug": slug}))
    return project_id


def identity(http: httpx.Client, fake: FakeInfisical, name: str = "ci", **extra: Any) -> str:
    body = {"name": name, "organizationId": fake.org_id, **extra}
    return str(ok(http.post("/api/v1/identities", json=body))["identity"]["id"])
