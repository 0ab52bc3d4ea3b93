"""A server without a licence rate-limits each client IP (60 reads, 200 writes, 40 secret or folder requests a
minute); a whole-stage apply that meets its 429s waits as ``Retry-After`` says and completes.

The fake applies the same per-category limits (tests/fakes/infisical/rate_limits.py) in a one-second
window with smaller counts, so the stage with the most folders and secrets (staging) meets 429s in one
apply while the test stays short. The fake counts every request that came back before its
``Retry-After`` had passed: there must be none.
"""

from __future__ import annotations

import time

import httpx
import pytest

from tests.acceptance.stage_side import StageSide
from tests.conftest import full_environment, raw_config, run_stage
from tests.fakes.infisical import FakeInfisical
from tests.fakes.infisical.fixtures import fake_infisical, fake_infisical_server
from tests.fakes.infisical.rate_limits import RateLimits
from tests.infisical.engine import seed_project

__all__ = ["fake_infisical", "fake_infisical_server"]

WINDOW = 1.0
LIMITS = RateLimits(window=WINDOW, read=8, write=8, secrets=3)


def _most_folders_and_secrets() -> str:
    """The committed stage whose program registers the most Infisical folders and secrets."""

    def size(stage: str) -> int:
        registered = run_stage(stage).registrations
        return sum(r.type.endswith((":SecretFolder", ":Secret")) for r in registered)

    return max(("dev", "staging", "prod"), key=size)


def test_the_largest_stage_applies_through_429s_by_honouring_retry_after(
    fake_infisical: FakeInfisical, monkeypatch: pytest.MonkeyPatch
) -> None:
    stage = _most_folders_and_secrets()
    assert stage == "staging"
    monkeypatch.delenv("INFISICAL_RETRY_MAX_WAIT")  # the client's default: waits up to 60 s, as in CI
    monkeypatch.delenv("INFISICAL_MAX_RETRIES")
    raw = raw_config(stage)
    raw["infisical"].update(projectId=seed_project("acme"), organizationId=fake_infisical.org_id)
    side = StageSide(stage, raw, full_environment(stage, raw, lambda name: f"dummy-{name.lower()}"))
    fake_infisical.rate_limits = LIMITS
    started = time.monotonic()
    first, _ = side.up()
    elapsed = time.monotonic() - started
    assert first.changed == [f"create {a.name}" for a in side.applied], "every resource was created"
    assert fake_infisical.rate_limited >= 1, "the apply met the rate limit"
    assert fake_infisical.early_retries == 0, "no request came back before its Retry-After"
    assert elapsed >= WINDOW * 0.9, "the apply waited (requests run side by side, so their waits overlap)"
    fake_infisical.rate_limits = None
    assert side.refresh() == [] and side.diff() == []


def test_the_fakes_429_is_infisicals(fake_infisical: FakeInfisical) -> None:
    fake_infisical.rate_limits = RateLimits(window=60.0, read=60, write=200, secrets=1)
    headers = {"Authorization": f"Bearer {fake_infisical.admin_token}"}
    body = {"projectId": seed_project("acme"), "environment": "dev", "name": "a", "path": "/"}
    with httpx.Client(base_url=fake_infisical.url, headers=headers) as http:
        assert http.post("/api/v2/folders", json=body).status_code != 429
        refused = http.post("/api/v2/folders", json={**body, "name": "b"})
        assert http.get("/api/status").status_code == 200, "the status route is on the allow list"
    assert refused.status_code == 429
    assert refused.json()["error"] == "RateLimitExceeded"
    seconds = int(refused.headers["retry-after"])
    assert 1 <= seconds <= 60
    assert refused.json()["message"] == f"Rate limit exceeded. Please try again in {seconds} seconds"
