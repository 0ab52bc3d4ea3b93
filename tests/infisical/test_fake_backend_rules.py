"""The fake follows rules read in Infisical's backend: folder modes, split trusted IPs, sync jobs.

These talk HTTP to the fake directly (no provider code), so they pin the server's behaviour on its own.
"""

from __future__ import annotations

import time
from typing import Any

import httpx
import pytest

from tests.fakes.infisical import FakeInfisical
from tests.fakes.infisical.fixtures import fake_infisical_both_folder_modes

from .fake_http import http, identity, ok, project

__all__ = ["fake_infisical_both_folder_modes", "http"]

GITHUB = "https://token.actions.githubusercontent.com"
SYNCS = "/api/v1/secret-syncs/cloudflare-workers"


# -- folders ----


def test_existing_folder_create_follows_the_selected_backend(
    http: httpx.Client, fake_infisical_both_folder_modes: FakeInfisical
) -> None:
    project_id = project(http, "dev")
    body = {"projectId": project_id, "environment": "dev", "name": "c", "path": "/a/b"}
    first = ok(http.post("/api/v2/folders", json=body))["folder"]
    assert first["path"] == "/a/b/c"
    listed = http.get("/api/v2/folders", params={"projectId": project_id, "environment": "dev", "path": "/a"})
    assert [f["name"] for f in listed.json()["folders"]] == ["b"], "missing parents are created"
    again = http.post("/api/v2/folders", json=body)
    if fake_infisical_both_folder_modes.folder_behaviour == "legacy":
        assert again.json()["folder"]["id"] == first["id"]
    else:
        assert again.status_code == 400
        assert again.json()["message"] == "Folder with name 'c' already exists in path '/a/b'"
    assert len(fake_infisical_both_folder_modes.table("folders")) == 4, "root, a, b, c and nothing else"


def test_folder_behaviour_is_restored_by_reset() -> None:
    fake = FakeInfisical(folder_behaviour="legacy")
    fake.folder_behaviour = "current"
    fake.reset()
    restored: str = fake.folder_behaviour
    assert restored == "legacy"
    unknown: Any = "newest"
    with pytest.raises(ValueError, match="folder_behaviour"):
        fake.folder_behaviour = unknown


# -- trusted IPs ----


def _attach(http: httpx.Client, identity_id: str, **extra: Any) -> httpx.Response:
    body = {"oidcDiscoveryUrl": GITHUB, "boundIssuer": GITHUB, "boundClaims": {}, **extra}
    return http.post(f"/api/v1/auth/oidc-auth/identities/{identity_id}", json=body)


def test_trusted_ips_are_stored_split(http: httpx.Client, fake_infisical: FakeInfisical) -> None:
    identity_id = identity(http, fake_infisical)
    ok(_attach(http, identity_id))
    read = ok(http.get(f"/api/v1/auth/oidc-auth/identities/{identity_id}"))["identityOidcAuth"]
    assert read["accessTokenTrustedIps"] == [
        {"ipAddress": "0.0.0.0", "type": "ipv4", "prefix": 0},
        {"ipAddress": "::", "type": "ipv6", "prefix": 0},
    ]


def test_trusted_ip_ranges_need_the_ip_allowlisting_plan(http: httpx.Client, fake_infisical: FakeInfisical) -> None:
    identity_id = identity(http, fake_infisical)
    refused = _attach(http, identity_id, accessTokenTrustedIps=[{"ipAddress": "10.0.0.0/8"}])
    assert refused.status_code == 400
    assert "due to plan restriction" in refused.json()["message"]
    fake_infisical.ip_allowlisting = True
    invalid = _attach(http, identity_id, accessTokenTrustedIps=[{"ipAddress": "10.0.0.0/33"}])
    assert (invalid.status_code, invalid.json()["message"]) == (400, "The IP is not a valid IPv4, IPv6, or CIDR block")
    ips = [{"ipAddress": " 10.1.2.3/8 "}, {"ipAddress": "192.0.2.7"}]
    stored = ok(_attach(http, identity_id, accessTokenTrustedIps=ips))["identityOidcAuth"]
    assert stored["accessTokenTrustedIps"] == [
        {"ipAddress": "10.1.2.3", "type": "ipv4", "prefix": 8},
        {"ipAddress": "192.0.2.7", "type": "ipv4"},
    ]


def test_ca_cert_is_trimmed(http: httpx.Client, fake_infisical: FakeInfisical) -> None:
    identity_id = identity(http, fake_infisical)
    created = ok(_attach(http, identity_id, caCert="  PEM\n"))["identityOidcAuth"]
    updated = http.patch(f"/api/v1/auth/oidc-auth/identities/{identity_id}", json={"caCert": "PEM2\n"})
    assert (created["caCert"], ok(updated)["identityOidcAuth"]["caCert"]) == ("PEM", "PEM2")


# -- secret syncs ----


def _sync(http: httpx.Client, token: str = "cf-token", script: str = "api") -> tuple[str, dict[str, Any]]:
    project_id = project(http, "dev")
    connection = ok(
        http.post(
            "/api/v1/app-connections/cloudflare",
            json={"name": f"cf-{script}", "method": "api-token", "credentials": {"accountId": "a", "apiToken": token}},
        )
    )["appConnection"]
    body = {
        "name": f"sync-{script}",
        "projectId": project_id,
        "connectionId": connection["id"],
        "environment": "dev",
        "secretPath": "/",
        "syncOptions": {"initialSyncBehavior": "overwrite-destination"},
        "destinationConfig": {"scriptId": script},
    }
    return project_id, ok(http.post(SYNCS, json=body))["secretSync"]


def test_a_sync_job_runs_after_create(http: httpx.Client, fake_infisical: FakeInfisical) -> None:
    _, created = _sync(http)
    assert (created["syncStatus"], created["lastSyncMessage"]) == ("pending", None)
    read = ok(http.get(f"{SYNCS}/{created['id']}"))["secretSync"]
    assert (read["syncStatus"], read["lastSyncMessage"]) == ("succeeded", None)
    assert read["lastSyncedAt"] and read["lastSyncJobId"]
    assert not any(key.startswith("_") for key in read)


def test_a_sync_to_an_unknown_script_fails_with_cloudflares_error(
    http: httpx.Client, fake_infisical: FakeInfisical
) -> None:
    fake_infisical.unknown_scripts.add("ghost")
    _, created = _sync(http, script="ghost")
    read = ok(http.get(f"{SYNCS}/{created['id']}"))["secretSync"]
    assert read["syncStatus"] == "failed"
    assert '"code":10007' in read["lastSyncMessage"]


def test_a_sync_with_a_revoked_token_fails_and_the_token_is_never_echoed(
    http: httpx.Client, fake_infisical: FakeInfisical
) -> None:
    _, created = _sync(http, token="revoked-later")
    fake_infisical.rejected_tokens.add("revoked-later")
    updated = ok(http.patch(f"{SYNCS}/{created['id']}", json={"description": "again"}))["secretSync"]
    assert updated["syncStatus"] == "pending", "an update queues a sync job"
    read = ok(http.get(f"{SYNCS}/{created['id']}"))["secretSync"]
    assert read["syncStatus"] == "failed"
    assert "Authentication error" in read["lastSyncMessage"]
    assert "revoked-later" not in read["lastSyncMessage"]


def test_delete_with_remove_secrets_is_asynchronous(http: httpx.Client, fake_infisical: FakeInfisical) -> None:
    fake_infisical.sync_job_seconds = 0.3
    _, created = _sync(http)
    busy = http.delete(f"{SYNCS}/{created['id']}", params={"removeSecrets": "true"})
    assert busy.status_code == 400, "the sync job queued by the create is still running"
    assert busy.json()["message"] == "A job for this sync is already in progress. Please try again shortly."
    time.sleep(0.35)
    deleted = ok(http.delete(f"{SYNCS}/{created['id']}", params={"removeSecrets": "true"}))["secretSync"]
    assert deleted["removeStatus"] == "pending"
    lingering = ok(http.get(f"{SYNCS}/{created['id']}"))["secretSync"]
    assert lingering["removeStatus"] == "running"
    time.sleep(0.35)
    assert http.get(f"{SYNCS}/{created['id']}").status_code == 404


def test_a_failed_remove_keeps_the_sync(http: httpx.Client, fake_infisical: FakeInfisical) -> None:
    _, created = _sync(http)
    fake_infisical.unknown_scripts.add("api")
    ok(http.delete(f"{SYNCS}/{created['id']}", params={"removeSecrets": "true"}))
    kept = ok(http.get(f"{SYNCS}/{created['id']}"))["secretSync"]
    assert kept["removeStatus"] == "failed"
    assert '"code":10007' in kept["lastRemoveMessage"]
