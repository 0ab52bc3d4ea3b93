"""Prod in a Cloudflare account of its own, or a named acknowledgement shown in red by every plan it concerns.

Cloudflare scopes Workers, D1, R2, KV and Queues permissions to a whole account, so a stage sharing prod's
account can reach prod with its own deploy token. The committed example gives prod its own account; these tests
make prod share one and check the mandatory rule on the plan path and the pack path, and the acknowledgement.
"""

from __future__ import annotations

import dataclasses
from types import SimpleNamespace
from typing import Any

import pytest

from components.config import StageConfigError, parse_stage_config
from components.rules.shared_account import ACK_SHARED_ACCOUNT
from components.rules.stage_layout import committed_layouts, layout_of
from plan.engine import ProgramRun
from plan.model import build_plan
from plan.policy import check
from plan.render import render_markdown, render_table
from plan.stack_files import stack_config
from policy import account_checks
from tests.conftest import PROJECT, STAGES, raw_config
from tests.policy_tools import analyzer, deploy_environment, found, replace

__all__ = ["analyzer"]

NON_PROD = "0123456789abcdef0123456789abcdef"
RULE, ACKNOWLEDGED = "prod-has-its-own-cloudflare-account", "acknowledged-shared-cloudflare-account"


def test_the_committed_prod_has_an_account_of_its_own(stage_runs: dict[str, ProgramRun]) -> None:
    layouts = committed_layouts()
    assert {layouts[s].account_id for s in ("dev", "staging")} == {NON_PROD}
    assert layouts["prod"].account_id not in (NON_PROD, None)
    for stage in STAGES:
        assert [v for v in check(stage_runs[stage]) if "account" in v["rule"]] == []


def sharing(
    run: ProgramRun, stage: str, *, account: str = NON_PROD, acknowledge: list[str] | None = None
) -> ProgramRun:
    """``run`` with its Stage registering a layout in ``account`` (and prod's acknowledgements), as a stage file
    edited that way would make the program register it."""
    root = next(r for r in run.registrations if r.name == stage and not r.custom)
    layout = {**root.outputs["stageLayout"], "accountId": account}
    if acknowledge is not None:
        layout["acknowledge"] = acknowledge
    return replace(run, stage, outputs={**root.outputs, "stageLayout": layout})


def test_prod_sharing_the_non_prod_account_fails_on_both_paths(
    stage_runs: dict[str, ProgramRun], analyzer: Any
) -> None:
    run = sharing(stage_runs["prod"], "prod")
    violations = check(run)
    assert found(violations) == [(RULE, "Stage/prod")]
    message = violations[0]["message"]  # the pr stages' template is in the non-prod account too
    assert "'dev', 'pr-<number>', 'staging'" in message and ACK_SHARED_ACCOUNT in message
    config, _ = stack_config("prod")
    assert analyzer(run, config, deploy_environment("prod")) == [(RULE, "Stage/prod")]


def test_a_stage_moving_into_prods_account_fails_its_own_plan(stage_runs: dict[str, ProgramRun]) -> None:
    prod_account = committed_layouts()["prod"].account_id
    assert prod_account is not None
    run = sharing(stage_runs["staging"], "staging", account=prod_account)
    assert found(check(run)) == [(RULE, "Stage/staging")]
    assert found(check(stage_runs["dev"])) == []  # dev is not the one sharing


def test_the_acknowledgement_lets_it_through_in_red(stage_runs: dict[str, ProgramRun]) -> None:
    run = sharing(stage_runs["prod"], "prod", acknowledge=[ACK_SHARED_ACCOUNT])
    violations = check(run)
    assert [(v["rule"], v["enforcement"]) for v in violations] == [(ACKNOWLEDGED, "acknowledged")]
    assert violations[0]["message"].startswith("ACKNOWLEDGED RISK")
    plan = build_plan(run, violations)
    assert f"\x1b[31m  [acknowledged] {ACKNOWLEDGED}: Stage/prod: ACKNOWLEDGED RISK" in render_table(plan)
    assert f"```diff\n- {ACKNOWLEDGED} on Stage/prod: ACKNOWLEDGED RISK" in render_markdown(plan)


def test_every_plan_the_sharing_concerns_shows_the_acknowledgement() -> None:
    layouts = dict(committed_layouts())
    prod = layouts["prod"]
    layouts["prod"] = dataclasses.replace(prod, account_id=NON_PROD, acknowledged=frozenset({ACK_SHARED_ACCOUNT}))
    resources = [SimpleNamespace(type="stageplatform:index:Stage", name="x", props={})]
    for stage in ("dev", "staging", "prod", "pr-<number>"):
        assert list(account_checks.shared_account(resources, stage, layouts)) == []
        assert len(list(account_checks.acknowledged_shared_account(resources, stage, layouts))) == 1


@pytest.mark.parametrize("where", [("acknowledge",), ("infisical", "acknowledge")])
def test_acknowledgements_are_prods_and_named(where: tuple[str, ...]) -> None:
    raw = raw_config("staging")
    target = raw
    for key in where[:-1]:
        target = target[key]
    target[where[-1]] = [ACK_SHARED_ACCOUNT, "i-accept-everything"]
    with pytest.raises(StageConfigError) as caught:
        parse_stage_config(raw, stage="staging", namespace=PROJECT)
    found_problems = dict(caught.value.problems)
    path = f"{PROJECT}:{'.'.join(where)}"
    assert "belongs in Pulumi.prod.yaml" in found_problems[f"{path}[0]"]
    assert "unknown acknowledgement" in found_problems[f"{path}[1]"]


def test_the_layout_reads_the_account_and_both_acknowledgement_lists() -> None:
    layout = layout_of("prod", {"accountId": "a" * 32, "acknowledge": ["x"], "infisical": {"acknowledge": ["y"]}})
    assert layout.account_id == "a" * 32 and layout.acknowledged == {"x", "y"}
