"""Secret syncs run as background jobs in Infisical: the provider reports a failed first run and waits
for asynchronous deletes; slugs Infisical would refuse fail at check, with the property named."""

from __future__ import annotations

from typing import Any

import pytest

from components.infisical import (
    CloudflareAppConnectionProvider,
    CloudflareWorkersSecretSyncProvider,
    InfisicalSyncFailedError,
    ProjectEnvironmentProvider,
)
from tests.fakes.infisical import FakeInfisical

from .engine import Engine, seed_environment, seed_project

TOKEN = "CANARY-cf-token-5d1e"


def _sync_inputs(fake: FakeInfisical, **extra: Any) -> dict[str, Any]:
    project_id = seed_project()
    seed_environment(project_id, "dev")
    connection_id, _ = Engine(CloudflareAppConnectionProvider()).create(
        {"name": "cf", "account_id": "acct", "api_token": TOKEN, "project_id": project_id}
    )
    return {
        "name": "api-sync",
        "project_id": project_id,
        "connection_id": connection_id,
        "environment": "dev",
        "script_id": "api",
        **extra,
    }


def test_a_first_run_that_fails_fails_the_create_and_leaves_nothing(fake_infisical: FakeInfisical) -> None:
    fake_infisical.unknown_scripts.add("api")
    inputs = _sync_inputs(fake_infisical)
    with pytest.raises(InfisicalSyncFailedError) as caught:
        Engine(CloudflareWorkersSecretSyncProvider()).create(inputs)
    message = str(caught.value)
    assert "'api-sync'" in message and "'api'" in message
    assert "10007: This Worker does not exist on your account." in message
    assert fake_infisical.table("syncs") == [], "the half-made sync is removed"
    fake_infisical.unknown_scripts.clear()
    id_, _ = Engine(CloudflareWorkersSecretSyncProvider()).create(inputs)
    assert [s["id"] for s in fake_infisical.table("syncs")] == [id_], "a rerun converges"


def test_a_rejected_token_fails_the_update_with_infisicals_reason(fake_infisical: FakeInfisical) -> None:
    inputs = _sync_inputs(fake_infisical)
    engine = Engine(CloudflareWorkersSecretSyncProvider())
    id_, outs = engine.create(inputs)
    fake_infisical.rejected_tokens.add(TOKEN)
    with pytest.raises(InfisicalSyncFailedError) as caught:
        engine.update(id_, outs, {**inputs, "description": "again"})
    assert "10000: Authentication error" in str(caught.value)
    assert TOKEN not in str(caught.value)


def test_a_running_first_run_is_waited_for(fake_infisical: FakeInfisical) -> None:
    fake_infisical.sync_job_seconds = 0.3
    fake_infisical.unknown_scripts.add("api")
    with pytest.raises(InfisicalSyncFailedError):
        Engine(CloudflareWorkersSecretSyncProvider()).create(_sync_inputs(fake_infisical))


def test_without_auto_sync_nothing_is_awaited(fake_infisical: FakeInfisical) -> None:
    fake_infisical.unknown_scripts.add("api")
    inputs = _sync_inputs(fake_infisical, auto_sync_enabled=False)
    fake_infisical.clear_requests()
    Engine(CloudflareWorkersSecretSyncProvider()).create(inputs)
    assert fake_infisical.count("GET") == 0


def test_a_delete_that_removes_secrets_waits_for_the_job(fake_infisical: FakeInfisical) -> None:
    inputs = _sync_inputs(fake_infisical, remove_secrets_on_delete=True)
    engine = Engine(CloudflareWorkersSecretSyncProvider())
    id_, outs = engine.create(inputs)
    fake_infisical.sync_job_seconds = 0.3
    engine.update(id_, outs, {**inputs, "description": "queues a job"})  # waits for that job's run
    engine.update(id_, outs, {**inputs, "description": "and another"})
    fake_infisical.sync_job_seconds = 0.3
    engine.delete(id_, outs)
    assert fake_infisical.table("syncs") == [], "gone once the remove job finished"
    assert engine.read(id_, outs).id is None


def test_a_delete_while_a_job_runs_is_sent_again(
    fake_infisical: FakeInfisical, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("INFISICAL_SYNC_TIMEOUT", "0")  # do not wait for the first run
    inputs = _sync_inputs(fake_infisical, remove_secrets_on_delete=True)
    engine = Engine(CloudflareWorkersSecretSyncProvider())
    fake_infisical.sync_job_seconds = 0.4
    id_, outs = engine.create(inputs)
    monkeypatch.setenv("INFISICAL_SYNC_TIMEOUT", "10")
    engine.delete(id_, outs)
    assert fake_infisical.count("DELETE", "/api/v1/secret-syncs/*") >= 2, "the first answer was 'job in progress'"
    assert fake_infisical.table("syncs") == []


def test_a_failed_remove_job_is_reported(fake_infisical: FakeInfisical) -> None:
    inputs = _sync_inputs(fake_infisical, remove_secrets_on_delete=True)
    engine = Engine(CloudflareWorkersSecretSyncProvider())
    id_, outs = engine.create(inputs)
    fake_infisical.rejected_tokens.add(TOKEN)
    with pytest.raises(InfisicalSyncFailedError) as caught:
        engine.delete(id_, outs)
    assert "removing the synced secrets failed: 10000: Authentication error" in str(caught.value)


@pytest.mark.parametrize(
    ("engine", "inputs", "prop"),
    [
        (Engine(ProjectEnvironmentProvider()), {"project_id": "p", "name": "Dev", "slug": "dev_env"}, "slug"),
        (Engine(ProjectEnvironmentProvider()), {"project_id": "p", "name": "Dev", "slug": "dev--x"}, "slug"),
        (Engine(CloudflareAppConnectionProvider()), {"name": "cf_main", "account_id": "a", "api_token": "t"}, "name"),
        (
            Engine(CloudflareWorkersSecretSyncProvider()),
            {"name": "api_sync", "project_id": "p", "connection_id": "c", "environment": "dev", "script_id": "api"},
            "name",
        ),
        (
            Engine(CloudflareWorkersSecretSyncProvider()),
            {"name": "api", "project_id": "p", "connection_id": "c", "environment": "dev_1", "script_id": "api"},
            "environment",
        ),
    ],
)
def test_slugs_infisical_refuses_fail_at_check(engine: Engine, inputs: dict[str, Any], prop: str) -> None:
    failures = engine.failures(inputs)
    assert list(failures) == [prop]
    assert "single -" in failures[prop]
