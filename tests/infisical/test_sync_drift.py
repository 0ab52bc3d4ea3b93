"""A secret sync whose last run failed is drift: a refresh shows it as changed, and ``pulumi up`` runs it again.

The failure happens after the deploy, as in life: a job Infisical runs later (here one a PATCH of an unchanged
setting queued) meets a Worker Cloudflare no longer has. Reading the sync is what ``pulumi refresh`` (and
``pulumi preview --refresh``) does; ``diff`` of the refreshed state against the program's inputs is what
``--expect-no-changes`` fails on.
"""

from __future__ import annotations

from typing import Any

import pytest

from components.infisical import (
    CloudflareAppConnectionProvider,
    CloudflareWorkersSecretSyncProvider,
    InfisicalClient,
    InfisicalSyncFailedError,
)
from components.infisical.secret_sync import _SYNC
from tests.fakes.infisical import FakeInfisical

from .engine import CheckFailed, Engine, seed_environment, seed_project


def _program(fake: FakeInfisical) -> dict[str, Any]:
    """The sync's inputs as the program sends them (no last_run_failed: the provider defaults it)."""
    project_id = seed_project()
    seed_environment(project_id, "dev")
    connection_id, _ = Engine(CloudflareAppConnectionProvider()).create(
        {"name": "cf", "account_id": "acct", "api_token": "cf-token-7c1e", "project_id": project_id}
    )
    return {"name": "api-sync", "project_id": project_id, "connection_id": connection_id, "environment": "dev",
            "script_id": "api"}  # fmt: skip


def _fail_the_next_run(fake: FakeInfisical, sync_id: str) -> None:
    fake.unknown_scripts.add("api")  # the Worker was deleted by hand
    with InfisicalClient() as client:
        client.patch(_SYNC, path={"syncId": sync_id}, json={"isAutoSyncEnabled": True})
        assert client.get(_SYNC, path={"syncId": sync_id})["secretSync"]["syncStatus"] == "failed"


def _refresh(engine: Engine, id_: str, outs: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    """What a refresh stores: the outputs and the inputs the provider read back."""
    result = engine.read(id_, outs)
    assert result.outs is not None and result.inputs is not None
    return dict(result.outs), dict(result.inputs)


def test_a_refresh_after_a_failed_run_shows_the_sync_as_changed(fake_infisical: FakeInfisical) -> None:
    engine = Engine(CloudflareWorkersSecretSyncProvider())
    inputs = _program(fake_infisical)
    id_, created = engine.create(inputs)
    assert created["last_run_failed"] is False
    healthy, _ = _refresh(engine, id_, created)
    assert healthy["last_run_failed"] is False
    assert engine.diff(id_, healthy, inputs).changes is False

    _fail_the_next_run(fake_infisical, id_)
    refreshed, read_inputs = _refresh(engine, id_, healthy)
    assert refreshed["last_run_failed"] is True and read_inputs["last_run_failed"] is True
    drift = engine.diff(id_, refreshed, inputs)
    assert drift.changes is True and not drift.replaces, "an update runs the sync again; nothing is replaced"

    with pytest.raises(InfisicalSyncFailedError, match="10007: This Worker does not exist on your account"):
        engine.update(id_, refreshed, inputs)  # the cause remains: `pulumi up` says why
    fake_infisical.unknown_scripts.clear()
    repaired = engine.update(id_, refreshed, inputs)
    again, _ = _refresh(engine, id_, repaired)
    assert again["last_run_failed"] is False and engine.diff(id_, again, inputs).changes is False


def test_state_from_before_the_property_existed_is_no_drift(fake_infisical: FakeInfisical) -> None:
    engine = Engine(CloudflareWorkersSecretSyncProvider())
    inputs = _program(fake_infisical)
    id_, created = engine.create(inputs)
    older = {key: value for key, value in created.items() if key != "last_run_failed"}
    assert engine.diff(id_, older, inputs).changes is False


def test_the_program_cannot_ask_for_a_failed_sync(fake_infisical: FakeInfisical) -> None:
    engine = Engine(CloudflareWorkersSecretSyncProvider())
    asked = {**_program(fake_infisical), "last_run_failed": True}
    failures = engine.failures(asked)
    assert failures == {"last_run_failed": "must be false: the program wants a sync whose last run did not fail"}
    with pytest.raises(CheckFailed):
        engine.check(asked)
