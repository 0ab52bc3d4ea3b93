"""Hyperdrive: a config per stage whose origin password is a secret with an owner, from the deploy environment
(``inject``) or read by the deploy from Infisical itself (``sync``, against the local Infisical-compatible server),
and never anywhere but inside a secret envelope."""

from __future__ import annotations

import os
from typing import Any

import pulumi
import pytest

from components.config import StageConfigError, parse_stage_config
from components.infisical import InfisicalClient
from components.secrets.deploy_inputs import MissingSecretsError
from plan.engine import ProgramRun
from plan.inventory import UNBOUND, stage_inventory
from plan.model import build_plan
from tests.conftest import PROJECT, full_environment, raw_config, run_stage
from tests.fakes.infisical import FakeInfisical
from tests.fakes.infisical.fixtures import fake_infisical, fake_infisical_server
from tests.infisical.engine import seed_environment, seed_project

__all__ = ["fake_infisical", "fake_infisical_server"]  # the fixtures this module uses

CANARY = "canary-origin-password-5f1d"


def origin_password(run: ProgramRun) -> dict[str, Any]:
    (config,) = run.by_type(":HyperdriveConfig")
    return dict(config.wire_inputs["origin"]["password"])


def synced(raw: dict[str, Any], project_id: str | None = None) -> dict[str, Any]:
    raw["hyperdrive"]["main"]["password"] = {"owner": "sync", "folder": "/db", "ownedBy": "platform-team"}
    if project_id is not None:
        raw["infisical"]["projectId"] = project_id
    return raw


def test_an_injected_password_is_read_once_and_stays_a_secret() -> None:
    raw = raw_config("staging")
    environment = {**full_environment("staging", raw, lambda name: f"dummy-{name}"), "HYPERDRIVE_MAIN_PASSWORD": CANARY}
    run = run_stage("staging", raw, environment=environment)
    password = origin_password(run)
    assert password["value"] == CANARY and len(password) == 2  # the value, inside its envelope
    assert CANARY not in str(build_plan(run))
    del environment["HYPERDRIVE_MAIN_PASSWORD"]
    with pytest.raises(MissingSecretsError, match=r"HYPERDRIVE_MAIN_PASSWORD \(hyperdrive main\)"):
        run_stage("staging", raw, environment=environment)


def seed(fake: FakeInfisical, values: dict[str, str]) -> str:
    project_id = seed_project()
    environment = seed_environment(project_id, "staging")
    with InfisicalClient() as client:
        client.post("/api/v2/folders", json={"projectId": project_id, "environment": environment, "name": "db"})
        for key, value in values.items():
            body = {"projectId": project_id, "environment": environment, "secretPath": "/db", "secretValue": value}
            client.post("/api/v4/secrets/{secretName}", path={"secretName": key}, json=body)
    return project_id


def deploy_environment(raw: dict[str, Any]) -> dict[str, str]:
    """The deploy's own variables and its Infisical identity (the fixture points INFISICAL_* at the fake)."""
    infisical = {name: value for name, value in os.environ.items() if name.startswith("INFISICAL_")}
    return {**full_environment("staging", raw, lambda name: f"dummy-{name}"), **infisical}


def test_a_synced_password_is_read_from_infisical_by_the_deploy(fake_infisical: FakeInfisical) -> None:
    project_id = seed(fake_infisical, {"HYPERDRIVE_MAIN_PASSWORD": CANARY, "UNRELATED": "other-value"})
    raw = synced(raw_config("staging"), project_id)
    environment = deploy_environment(raw)
    assert "HYPERDRIVE_MAIN_PASSWORD" not in environment  # not an injected variable: the deploy reads it itself
    fake_infisical.clear_requests()
    run = run_stage("staging", raw, environment=environment)
    assert origin_password(run)["value"] == CANARY
    reads = [f"{r.method} {r.path}" for r in fake_infisical.requests() if "/secrets" in r.path]
    assert reads == ["GET /api/v4/secrets/HYPERDRIVE_MAIN_PASSWORD"]  # exactly the one key, nothing else
    assert CANARY not in str(build_plan(run)) and CANARY not in str(run.outputs)
    described = run.outputs["hyperdriveConfigs"].value["main"]
    assert described["boundBy"] == ["api"]
    row = described["password"]
    assert row["owner"] == "sync" and row["infisical"] == {"environment": "staging", "folder": "/db"}
    # The read runs as the stage's deploy identity in CI: its role reads that folder beside /cloudflare.
    (role,) = [r for r in run.registrations if r.name == "ci-identity-role"]
    reads = role.inputs["permissions"][0]
    assert reads["action"] == ["describeSecret", "readValue"]
    assert reads["conditions"] == {"environment": {"$eq": "staging"}, "secretPath": {"$in": ["/cloudflare", "/db"]}}


def test_a_missing_synced_password_stops_the_deploy_by_name(fake_infisical: FakeInfisical) -> None:
    raw = synced(raw_config("staging"), seed(fake_infisical, {}))
    with pytest.raises(pulumi.RunError) as caught:
        run_stage("staging", raw, environment=deploy_environment(raw))
    assert "/db:HYPERDRIVE_MAIN_PASSWORD (hyperdrive.main)" in str(caught.value)


def test_a_synced_password_needs_the_project_it_comes_from() -> None:
    raw = synced(raw_config("staging"))
    raw["infisical"].pop("projectId")
    raw["infisical"]["projectStack"] = "acme/workers-stage-platform/project"
    with pytest.raises(StageConfigError) as caught:
        parse_stage_config(raw, stage="staging", namespace=PROJECT)
    assert "needs 'infisical.projectId'" in dict(caught.value.problems)[f"{PROJECT}:hyperdrive.main.password.owner"]


def test_the_credential_free_plan_reads_nothing() -> None:
    raw = synced(raw_config("staging"))
    run = run_stage("staging", raw, environment={}, allow_missing=True)
    assert origin_password(run)["value"] == "[secret: not provided]"


def test_a_config_no_worker_binds_keeps_its_password_in_the_inventory() -> None:
    raw = raw_config("staging")
    raw["workers"]["api"]["bindings"].pop("PG")
    run = run_stage("staging", raw)
    rows = [row for row in stage_inventory("staging", run)["secrets"] if row["name"] == "HYPERDRIVE_MAIN_PASSWORD"]
    assert [row["workers"] for row in rows] == [[UNBOUND]]
    assert rows[0]["kept"].endswith("set as the origin password of Hyperdrive config main")
