"""The policy rules against bad programs made from the real stages, on both paths."""

from __future__ import annotations

from typing import Any

import pytest

import components.secrets.deploy_inputs
import components.secrets.owners
from plan.engine import ProgramRun
from plan.policy import check
from plan.stack_files import stack_config
from policy import secret_checks
from tests.conftest import run_stage
from tests.policy_tools import (
    REAL_AND_SANDBOX,
    deploy_environment,
    found,
    replace,
)

# --- bad programs made from the real stages -------------------------------------------------------------


@pytest.mark.parametrize(
    ("changes", "missing"),
    [({"protect": False}, "protect"), ({"retain_on_delete": False}, "retainOnDelete")],
)
def test_prod_stateful_resource_without_protection(
    changes: dict[str, bool], missing: str, stage_runs: dict[str, ProgramRun], analyzer: Any
) -> None:
    run = replace(stage_runs["prod"], "d1-main", **changes)
    violations = check(run)
    assert found(violations) == [("prod-stateful-protected-and-retained", "D1Database/d1-main")]
    assert f"missing: {missing}" in violations[0]["message"]
    config, _ = stack_config("prod")
    in_pack = analyzer(run, config, deploy_environment("prod"))
    # The analyzer protocol carries protect but not retain_on_delete: only the plan sees that half.
    assert in_pack == ([("prod-stateful-protected-and-retained", "D1Database/d1-main")] if missing == "protect" else [])


def test_unprotected_stateful_resources_are_fine_outside_prod(stage_runs: dict[str, ProgramRun]) -> None:
    assert not any(r.protect for r in stage_runs["staging"].registrations)
    assert check(stage_runs["staging"]) == []


def test_real_stage_syncs_into_a_script_that_keeps_secret_bindings(stage_runs: dict[str, ProgramRun]) -> None:
    """The good runs exercise the sync rule: staging's api gets an Infisical sync and keeps its bindings."""
    run = stage_runs["staging"]
    syncs = [r.inputs["script_id"] for r in run.registrations if r.type == secret_checks.INFISICAL_SYNC_TYPE]
    assert syncs == ["acme-staging-api"]
    api = next(r for r in run.registrations if r.name == "api" and r.custom)
    assert "keepBindings" not in api.inputs
    inherited = [b["name"] for b in api.inputs["bindings"]["value"] if b["type"] == "inherit"]
    assert inherited == ["GITHUB_CLIENT_SECRET", "GOOGLE_CLIENT_SECRET"]


def test_real_stage_script_that_drops_synced_secrets(stage_runs: dict[str, ProgramRun], analyzer: Any) -> None:
    api = next(r for r in stage_runs["staging"].registrations if r.name == "api" and r.custom)
    envelope = api.inputs["bindings"]
    kept = [b for b in envelope["value"] if b["type"] != "inherit"]
    run = replace(stage_runs["staging"], "api", inputs={**api.inputs, "bindings": {**envelope, "value": kept}})
    expected = [("synced-scripts-keep-secret-bindings", "WorkersScript/api")]
    assert found(check(run)) == expected
    config, _ = stack_config("staging")
    assert analyzer(run, config, deploy_environment("staging")) == expected


def test_infisical_resource_of_another_stages_environment(stage_runs: dict[str, ProgramRun], analyzer: Any) -> None:
    """prod reading (or writing) staging's Infisical environment is a cross-stage reference."""
    folder = next(r for r in stage_runs["prod"].registrations if r.name == "folder-oauth")
    assert folder.inputs["environment"] == "prod"
    run = replace(stage_runs["prod"], "folder-oauth", inputs={**folder.inputs, "environment": "staging"})
    expected = [("no-cross-stage-references", "infisical:SecretFolder/folder-oauth")]
    assert found(check(run)) == expected
    config, _ = stack_config("prod")
    assert analyzer(run, config, deploy_environment("prod")) == expected


@pytest.fixture
def reads_real_variables(monkeypatch: pytest.MonkeyPatch) -> None:
    """A regression in the program: every stage reads the real variable of side-effecting secrets."""
    for module in (components.secrets.owners, components.secrets.deploy_inputs):
        monkeypatch.setattr(module, "injected_variable", lambda name, secret, stage: name)


@pytest.mark.usefixtures("reads_real_variables")
def test_real_side_effect_credentials_in_staging_are_caught(analyzer: Any) -> None:
    environment = deploy_environment("staging")
    run = run_stage("staging", environment=environment)
    violations = check(run, environment=environment)
    rule = "no-real-side-effect-credentials-outside-prod"
    assert found(violations) == [(rule, "WorkersScript/api")] * 2
    messages = sorted(v["message"] for v in violations)
    assert "'RESEND_API_KEY' is the value of the real $RESEND_API_KEY" in messages[0]
    assert "'STRIPE_SECRET_KEY' is the value of the real $STRIPE_SECRET_KEY" in messages[1]
    assert not any(value in " ".join(messages) for value in REAL_AND_SANDBOX.values())
    config, _ = stack_config("staging")
    assert analyzer(run, config, environment) == [(rule, "WorkersScript/api")] * 2


@pytest.mark.usefixtures("reads_real_variables")
def test_credential_free_plan_sees_only_the_empty_sandbox_regression() -> None:
    """Without an environment the plan cannot tell $STRIPE_SECRET_KEY from $STRIPE_SECRET_KEY_SANDBOX (both
    are the NOT_PROVIDED marker), but a secret whose sandbox is 'empty' must not carry anything at all."""
    run = run_stage("staging", environment={}, allow_missing=True)
    violations = check(run)
    assert found(violations) == [("no-real-side-effect-credentials-outside-prod", "WorkersScript/api")]
    assert "'RESEND_API_KEY' carries a value" in violations[0]["message"]


def test_live_key_in_the_sandbox_variable_is_caught() -> None:
    environment = deploy_environment("staging", STRIPE_SECRET_KEY_SANDBOX="sk_live_0000")
    run = run_stage("staging", environment=environment)
    violations = check(run, environment=environment)
    assert found(violations) == [("no-real-side-effect-credentials-outside-prod", "WorkersScript/api")]
    assert "shape of a live-mode key" in violations[0]["message"]
    assert "sk_live_0000" not in violations[0]["message"]


def test_prod_binds_the_real_credentials() -> None:
    environment = deploy_environment("prod")
    run = run_stage("prod", environment=environment)
    assert check(run, environment=environment) == []
