"""The Infisical sync token made as code: scope, expiry, rotation, the connection following, the manual switch."""

from __future__ import annotations

import json
from typing import Any

import pytest
from pulumi.runtime import mocks

from components.cloudflare.tokens import SYNC
from components.config.load import StageConfigError, parse_stage_config
from plan.engine import PERMISSION_GROUPS_LOOKUP, PlanMocks, ProgramRun, Registration, fake_id
from plan.model import is_secret
from tests.conftest import PROJECT, STAGES, full_environment, raw_config, run_stage

ACCOUNT = "0123456789abcdef0123456789abcdef"
CONNECTION = "pulumi-python:dynamic/infisical:CloudflareAppConnection"


def token_of(run: ProgramRun) -> Registration:
    (token,) = run.by_type("AccountToken")
    return token


def connection_of(run: ProgramRun) -> Registration:
    (connection,) = [r for r in run.registrations if r.type == CONNECTION]
    return connection


def on(stage: str, day: str, raw: dict[str, Any] | None = None) -> ProgramRun:
    raw = raw if raw is not None else raw_config(stage)
    environment = {**full_environment(stage, raw, lambda name: f"dummy-{name.lower()}"), "ROTATION_DATE": day}
    return run_stage(stage, raw, environment=environment)


@pytest.mark.parametrize("stage", STAGES)
def test_the_sync_token_has_exactly_the_scoped_permission(stage: str, stage_runs: dict[str, ProgramRun]) -> None:
    token = token_of(stage_runs[stage])
    assert token.inputs["accountId"] == ACCOUNT
    assert token.inputs["name"] == f"acme-{stage}-infisical-sync"
    assert token.inputs["status"] == "active"
    (policy,) = token.inputs["policies"]
    assert policy["effect"] == "allow"
    assert json.loads(policy["resources"]) == {f"com.cloudflare.api.account.{ACCOUNT}": "*"}  # this account only
    # The ids the lookup returned for exactly the declared groups (Workers Scripts Write), and nothing else.
    assert [group["name"] for group in map(vars, SYNC)] == ["Workers Scripts Write"]
    assert policy["permissionGroups"] == [{"id": fake_id("permission-group", group.name)} for group in SYNC]
    assert token.inputs["expiresOn"].endswith("T00:00:00Z")
    assert "value" in token.additional_secret_outputs


@pytest.mark.parametrize("stage", STAGES)
def test_the_connection_gets_the_token_as_a_secret(stage: str, stage_runs: dict[str, ProgramRun]) -> None:
    run = stage_runs[stage]
    token, connection = token_of(run), connection_of(run)
    assert is_secret(connection.inputs["api_token"])
    assert connection.inputs["api_token"]["value"] == token.outputs["value"]["value"]  # the token's own value
    assert token.urn in connection.dependencies  # created first; replaced first, so the connection follows


def test_the_expiry_is_the_keeper_and_replaces_the_token() -> None:
    # 30d periods on the fixed grid: 2026-12-03 .. 2027-01-01, then from 2027-01-02.
    early, late, next_period = on("staging", "2026-12-04"), on("staging", "2027-01-01"), on("staging", "2027-01-02")
    assert token_of(early).inputs["expiresOn"] == token_of(late).inputs["expiresOn"]  # same period: no rotation
    assert token_of(next_period).inputs["expiresOn"] > token_of(early).inputs["expiresOn"]  # a new token...
    assert token_of(early).replace_on_changes == ["*"]  # ...because any change replaces the token
    assert token_of(early).delete_before_replace is False  # new token first, old one deleted after the connection


def test_the_token_expires_one_period_after_it_is_due() -> None:
    raw = raw_config("prod")
    raw["infisical"]["syncToken"] = {"rotateEvery": "1mo"}
    assert token_of(on("prod", "2026-12-15", raw)).inputs["expiresOn"] == "2027-02-01T00:00:00Z"


def test_the_manual_switch_keeps_the_pasted_token() -> None:
    raw = raw_config("staging")
    raw["infisical"]["syncToken"] = {"source": "manual"}
    environment = full_environment("staging", raw, lambda name: f"dummy-{name.lower()}")
    run = run_stage("staging", raw, environment=environment)
    assert run.by_type("AccountToken") == []
    token = connection_of(run).inputs["api_token"]
    assert is_secret(token) and token["value"] == "dummy-cloudflare_sync_api_token"


def test_an_event_cadence_is_refused() -> None:
    raw = raw_config("staging")
    raw["infisical"]["syncToken"] = {"rotateEvery": "on-demand"}
    with pytest.raises(StageConfigError) as caught:
        parse_stage_config(raw, stage="staging", namespace=PROJECT)
    assert "period" in dict(caught.value.problems)[f"{PROJECT}:infisical.syncToken.rotateEvery"]


class NoGroups(PlanMocks):
    def call(self, args: mocks.MockCallArgs) -> tuple[dict[str, Any], list[tuple[str, str]] | None]:
        if args.token == PERMISSION_GROUPS_LOOKUP:
            return {"results": []}, []
        return super().call(args)


def test_a_failed_permission_group_lookup_names_the_missing_permission() -> None:
    with pytest.raises(Exception, match="Account API Tokens Read"):
        run_stage("dev", resource_mocks=NoGroups("dev"))
