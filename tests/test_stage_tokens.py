"""Cloudflare tokens: minted only by the project stack, handed to each stage through its own Infisical environment.

No stage (dev, staging, prod, a pull request's) registers a token or looks up a permission group, and no
token a stage holds lists ``Account API Tokens Write``. The project stack mints each stage's sync token in
that stage's account, with exactly the sync groups, on the stage's rotation grid, and writes it as a secret
into the stage's ``/cloudflare`` folder, which the stage reads like any injected secret.
"""

from __future__ import annotations

import json
from typing import Any

import pulumi
import pytest
from pulumi.runtime import mocks

from components.cloudflare import tokens
from components.config import INJECTED_SECRETS_FOLDER
from components.config.load import StageConfigError, parse_stage_config
from components.secrets.deploy_inputs import SYNC_TOKEN_ENV, MissingSecretsError
from plan.engine import PERMISSION_GROUPS_LOOKUP, PlanMocks, ProgramRun, Registration, fake_id
from plan.model import is_secret
from plan.policy import check
from plan.stack_files import stack_config
from tests.conftest import PROJECT, STAGES, full_environment, raw_config, run_stage
from tests.policy_tools import analyzer, deploy_environment, found

__all__ = ["analyzer"]

ACCOUNTS = {
    "dev": "0123456789abcdef0123456789abcdef",
    "staging": "0123456789abcdef0123456789abcdef",
    "preview": "0123456789abcdef0123456789abcdef",  # pr stages: staging's account
    "prod": "fedcba9876543210fedcba9876543210",
}
TOKEN_KINDS = ("AccountToken", "ApiToken")


class CountingMocks(PlanMocks):
    """Plan mocks that remember every invoke (data source) the program calls."""

    def __init__(self, stack: str) -> None:
        super().__init__(stack)
        self.calls: list[str] = []

    def call(self, args: mocks.MockCallArgs) -> tuple[dict[str, Any], list[tuple[str, str]] | None]:
        self.calls.append(args.token)
        return super().call(args)


def project_run(day: str = "2026-12-04", raw: dict[str, Any] | None = None, **kwargs: Any) -> ProgramRun:
    environment = {"ROTATION_DATE": day, "CLOUDFLARE_API_TOKEN": "the-minting-token"}
    return run_stage("project", raw if raw is not None else raw_config("project"), environment=environment, **kwargs)


def tokens_of(run: ProgramRun, environment: str) -> list[Registration]:
    return sorted(
        (r for r in run.by_type("AccountToken") if r.name.startswith(f"sync-token-{environment}-")),
        key=lambda r: r.name,
    )


def handoff(run: ProgramRun, environment: str) -> Registration:
    (secret,) = [r for r in run.by_type("infisical:Secret") if r.name == f"handoff-{environment}"]
    return secret


# --- stages mint nothing ---------------------------------------------------------------------------------


@pytest.mark.parametrize("stage", [*STAGES, "pr-7"])
def test_no_stage_registers_a_token_or_looks_up_permission_groups(stage: str) -> None:
    counting = CountingMocks(stage)
    raw = raw_config("staging" if stage == "pr-7" else stage)
    if stage == "pr-7":  # made as pr-stage.yml makes it: staging's config without its hostnames
        for worker in raw["workers"].values():
            worker.pop("domains", None)
    run = run_stage(stage, raw, resource_mocks=counting)
    assert [r.name for r in run.registrations if r.type.rsplit(":", 1)[-1] in TOKEN_KINDS] == []
    assert PERMISSION_GROUPS_LOOKUP not in counting.calls
    # ...yet every stage with synced secrets gets a token for its connection: the one in its deploy folder.
    (connection,) = run.by_type("infisical:CloudflareAppConnection")
    assert is_secret(connection.inputs["api_token"])


def test_no_token_a_stage_holds_can_mint_tokens() -> None:
    minting = "Account API Tokens Write"
    for name in tokens.STAGE_TOKENS:
        assert minting not in [group.name for group in tokens.TOKENS[name]], name
    assert set(tokens.TOKENS) == {*tokens.STAGE_TOKENS, "project"}
    assert minting in [group.name for group in tokens.MINTING]


def test_a_stage_that_registers_a_token_fails_the_policy(stage_runs: dict[str, ProgramRun], analyzer: Any) -> None:
    """A regression that mints in a stage again is caught on both policy paths."""
    import dataclasses

    staging = stage_runs["staging"]
    script = next(r for r in staging.registrations if r.name == "api" and r.custom)
    token = dataclasses.replace(
        script,
        urn=script.urn.replace(
            "cloudflare:index/workersScript:WorkersScript::api", "cloudflare:index/accountToken:AccountToken::t"
        ),
        type="cloudflare:index/accountToken:AccountToken",
        name="t",
        inputs={"accountId": ACCOUNTS["staging"], "name": "acme-staging-x"},
        wire_inputs={"accountId": ACCOUNTS["staging"], "name": "acme-staging-x"},
    )
    run = dataclasses.replace(staging, registrations=[*staging.registrations, token])
    expected = [("stages-mint-no-cloudflare-tokens", "AccountToken/t")]
    assert found(check(run)) == expected
    config, _ = stack_config("staging")
    assert analyzer(run, config, deploy_environment("staging")) == expected


# --- the project stack mints and hands over ----------------------------------------------------------------


@pytest.mark.parametrize("environment", sorted(ACCOUNTS))
def test_the_project_stack_mints_each_stages_token_in_its_account(environment: str) -> None:
    run = project_run()
    for token in tokens_of(run, environment):
        assert token.inputs["accountId"] == ACCOUNTS[environment]
        assert token.inputs["name"].startswith(f"acme-{environment}-infisical-")
        assert token.inputs["status"] == "active"
        (policy,) = token.inputs["policies"]
        assert policy["effect"] == "allow"
        assert json.loads(policy["resources"]) == {f"com.cloudflare.api.account.{ACCOUNTS[environment]}": "*"}
        assert policy["permissionGroups"] == [{"id": fake_id("permission-group", g.name)} for g in tokens.SYNC]
        assert token.inputs["expiresOn"].endswith("T00:00:00Z")
        assert "value" in token.additional_secret_outputs
        assert token.replace_on_changes == ["*"] and not token.delete_before_replace


@pytest.mark.parametrize("environment", sorted(ACCOUNTS))
def test_the_current_token_is_written_into_the_stages_deploy_folder(environment: str) -> None:
    run = project_run()
    secret = handoff(run, environment)
    assert secret.inputs["environment"] == environment
    assert secret.inputs["secret_path"] == INJECTED_SECRETS_FOLDER  # what `infisical run --path=/cloudflare` reads
    assert secret.inputs["key"] == SYNC_TOKEN_ENV  # what the stage reads
    assert is_secret(secret.inputs["value"])
    current = tokens_of(run, environment)[-1]
    assert secret.inputs["value"]["value"] == current.outputs["value"]["value"]
    assert current.urn in secret.dependencies
    assert run.outputs["syncTokens"].value[environment]["secret"] == f"{environment}:/cloudflare/{SYNC_TOKEN_ENV}"


def test_the_preview_environment_gets_its_deploy_folder_from_the_project_stack() -> None:
    run = project_run()
    (folder,) = [r for r in run.by_type("infisical:SecretFolder") if r.name == "folder-preview-cloudflare"]
    assert (folder.inputs["environment"], folder.inputs["name"], folder.inputs["adopt_existing"]) == (
        "preview",
        "cloudflare",
        True,
    )
    assert folder.urn in handoff(run, "preview").dependencies
    environment = next(r for r in run.by_type("infisical:ProjectEnvironment") if r.name == "environment-preview")
    (component,) = run.by_type("index:StageTokens")
    assert environment.urn in component.dependencies  # the environment exists before anything is written into it


def test_rotation_keeps_the_previous_periods_token_and_drops_older_ones() -> None:
    # 30d periods on the fixed grid: 2026-11-03 .. 2026-12-02, 2026-12-03 .. 2027-01-01, then from 2027-01-02.
    early, late, later = project_run("2026-12-04"), project_run("2027-01-01"), project_run("2027-01-02")
    names = {day: [t.name for t in tokens_of(run, "staging")] for day, run in (("early", early), ("late", late))}
    assert names["early"] == names["late"] == ["sync-token-staging-20261103", "sync-token-staging-20261203"]
    rolled = [t.name for t in tokens_of(later, "staging")]
    assert rolled == ["sync-token-staging-20261203", "sync-token-staging-20270102"]  # the oldest one is deleted
    kept = {t.name: t.inputs for t in tokens_of(early, "staging")}
    assert (
        kept["sync-token-staging-20261203"]
        == {t.name: t.inputs for t in tokens_of(later, "staging")}["sync-token-staging-20261203"]
    )  # unchanged inputs: the still-valid token is kept, not replaced
    assert kept["sync-token-staging-20261203"]["expiresOn"] == "2027-02-01T00:00:00Z"  # one period after its own
    assert (
        handoff(later, "staging").inputs["value"]["value"] == tokens_of(later, "staging")[-1].outputs["value"]["value"]
    )


def test_a_manual_token_is_minted_by_nobody(monkeypatch: pytest.MonkeyPatch) -> None:
    import components.program

    real = components.program.committed_stage_configs

    def with_manual_prod(stages: Any, namespace: str) -> Any:
        configs = real(stages, namespace)
        prod = configs["prod"]
        assert prod.infisical is not None
        manual = prod.infisical.sync_token.model_copy(update={"source": "manual"})
        infisical = prod.infisical.model_copy(update={"sync_token": manual})
        return {**configs, "prod": prod.model_copy(update={"infisical": infisical})}

    monkeypatch.setattr(components.program, "committed_stage_configs", with_manual_prod)
    run = project_run()
    assert tokens_of(run, "prod") == [] and "prod" not in run.outputs["syncTokens"].value
    assert tokens_of(run, "staging")


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
    raw = raw_config("project")
    raw["project"]["stages"] = ["dev"]  # one token, one lookup: the error is the run's only one
    with pytest.raises(Exception, match="Account API Tokens Read"):
        project_run(raw=raw, resource_mocks=NoGroups("project"))


# --- only `pulumi up` reads the sync token ------------------------------------------------------------------


def without_sync_token(stage: str) -> dict[str, str]:
    environment = full_environment(stage, raw_config(stage), lambda name: f"dummy-{name.lower()}")
    del environment[SYNC_TOKEN_ENV]
    return environment


def test_a_preview_goes_without_the_sync_token(monkeypatch: pytest.MonkeyPatch) -> None:
    """The PR preview and the drift check run `pulumi preview`: they never need a token that writes scripts; the
    connection keeps the token its state has (no diff)."""
    monkeypatch.setattr(pulumi.runtime, "is_dry_run", lambda: True)
    run = run_stage("staging", environment=without_sync_token("staging"))
    (connection,) = run.by_type("infisical:CloudflareAppConnection")
    assert connection.ignore_changes == ["api_token"]
    assert is_secret(connection.inputs["api_token"])


def test_pulumi_up_needs_the_sync_token() -> None:
    with pytest.raises(MissingSecretsError, match=SYNC_TOKEN_ENV):
        run_stage("staging", environment=without_sync_token("staging"))
    (connection,) = run_stage("staging").by_type("infisical:CloudflareAppConnection")
    assert not connection.ignore_changes  # with the token a deploy sends it (a rotated one reaches the connection)
