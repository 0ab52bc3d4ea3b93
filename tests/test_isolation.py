"""Stage isolation inside Infisical, on registrations, in the config check, the policy rules and the plan.

The promise: no non-prod identity can read prod (each identity's role is a custom role scoped to its own
environment), only the PR preview identity trusts pull requests, and prod sharing a project with a
project-wide non-prod identity is refused unless Pulumi.prod.yaml acknowledges it by name.
"""

from __future__ import annotations

import dataclasses
import shutil
from pathlib import Path
from typing import Any

import pytest
import yaml

from components.config.load import StageConfigError, parse_stage_config
from components.rules.access import ACK_PROD_READABLE, trusts_pull_requests
from components.rules.stage_layout import StageLayout
from plan.engine import ProgramRun, Registration
from plan.model import build_plan
from plan.policy import check, settings_for
from plan.render import render_markdown, render_table
from plan.stack_files import stack_config
from policy.checks import evaluate
from policy.resources import from_registration
from policy.settings import PolicySettings
from tests.conftest import PROJECT, STAGES, raw_config
from tests.policy_tools import analyzer, deploy_environment, found, replace

__all__ = ["analyzer"]  # the fixture this module uses

ROOT = Path(__file__).resolve().parents[1]
DYNAMIC = "pulumi-python:dynamic/infisical:"
PROJECT_ID = "3f8e6c2a-1b4d-4e7f-9a0b-5c6d7e8f9a01"
OTHER_PROJECT = "9d1c2b3a-4e5f-4a6b-8c7d-0e1f2a3b4c5d"


def of(run: ProgramRun, kind: str) -> list[Registration]:
    return [r for r in run.registrations if r.type == DYNAMIC + kind]


def named(run: ProgramRun, name: str) -> Registration:
    return next(r for r in run.registrations if r.name == name)


# --- registrations of every committed stage ----------------------------------------------------------


@pytest.mark.parametrize("stage", STAGES)
def test_every_identity_role_is_scoped_to_its_own_environment(stage: str, stage_runs: dict[str, ProgramRun]) -> None:
    run = stage_runs[stage]
    roles = {r.inputs["slug"]: r for r in of(run, "ProjectRole")}
    memberships = of(run, "ProjectIdentityMembership")
    assert memberships and len(roles) == len(memberships)
    (connection,) = of(run, "CloudflareAppConnection")
    for membership in memberships:
        role = roles[membership.inputs["role"]]  # a custom role of this stack, never a built-in one
        for permission in role.inputs["permissions"]:
            if permission["subject"] == "app-connections":  # only this stage's own connection
                assert permission["conditions"] == {"connectionId": {"$eq": connection.id}}, role.name
                assert role.name == "ci-identity-role"
                continue
            assert permission["conditions"]["environment"] == {"$eq": stage}, (role.name, permission)
            assert not permission.get("inverted")
            if permission["subject"] == "secrets":
                assert "secretPath" in permission["conditions"], (role.name, permission)


@pytest.mark.parametrize("stage", [s for s in STAGES if s != "prod"])
def test_no_non_prod_role_reaches_prod(stage: str, stage_runs: dict[str, ProgramRun]) -> None:
    for role in of(stage_runs[stage], "ProjectRole"):
        scoped = [p for p in role.inputs["permissions"] if p["subject"] != "app-connections"]
        environments = {p["conditions"]["environment"]["$eq"] for p in scoped}
        assert environments == {stage} and "prod" not in environments


@pytest.mark.parametrize("stage", STAGES)
def test_only_the_pr_preview_identity_trusts_pull_requests(stage: str, stage_runs: dict[str, ProgramRun]) -> None:
    for oidc in of(stage_runs[stage], "IdentityOidcAuth"):
        subjects = [s.strip() for s in oidc.inputs["bound_claims"]["sub"].split(",")]
        trusted = trusts_pull_requests(subjects, oidc.inputs["bound_claims"]["repository"])
        assert trusted is (oidc.name == "pr-preview-identity-oidc"), (stage, oidc.name)
        assert oidc.inputs["bound_claims"]["repository"] == "acme/app"
    preview = [o for o in of(stage_runs[stage], "IdentityOidcAuth") if o.name == "pr-preview-identity-oidc"]
    assert len(preview) == (1 if stage == "staging" else 0)


def test_the_deploy_identity_reads_what_its_deploy_reads(stage_runs: dict[str, ProgramRun]) -> None:
    role = named(stage_runs["staging"], "ci-identity-role")
    reads, writes, folders, syncs, connection = role.inputs["permissions"]
    assert connection["subject"] == "app-connections"
    assert connection["action"] == ["read-app-connections", "edit-app-connections", "connect-app-connections"]
    assert reads["action"] == ["describeSecret", "readValue"]
    assert reads["conditions"]["secretPath"] == {"$in": ["/cloudflare"]}  # `infisical run --path=/cloudflare`
    assert writes["conditions"]["secretPath"] == {"$glob": "/generated/**"}  # the generated-secret copies
    assert (folders["subject"], syncs["subject"]) == ("secret-folders", "secret-syncs")


# --- config check ---------------------------------------------------------------------------------------


def project_root(tmp_path: Path, **infisical_changes: dict[str, Any]) -> Path:
    """A copy of the repository's stage files (and workers) with some stages' infisical sections changed."""
    tmp_path.mkdir(parents=True, exist_ok=True)
    (tmp_path / "workers").symlink_to(ROOT / "workers")
    for stage in STAGES:
        document = yaml.safe_load((ROOT / f"Pulumi.{stage}.yaml").read_text())
        section = document["config"][f"{PROJECT}:infisical"]
        for key, value in infisical_changes.get(stage, {}).items():
            if key == "role":
                section["ciIdentity"]["role"] = value
            else:
                section[key] = value
        (tmp_path / f"Pulumi.{stage}.yaml").write_text(yaml.safe_dump(document))
    shutil.copy(ROOT / "Pulumi.yaml", tmp_path / "Pulumi.yaml")
    return tmp_path


def problems(stage: str, root: Path) -> dict[str, str]:
    document = yaml.safe_load((root / f"Pulumi.{stage}.yaml").read_text())
    raw = {key.split(":", 1)[1]: value for key, value in document["config"].items()}
    with pytest.raises(StageConfigError) as caught:
        parse_stage_config(raw, stage=stage, namespace=PROJECT, project_root=root)
    return dict(caught.value.problems)


def test_committed_layout_passes(tmp_path: Path) -> None:
    root = project_root(tmp_path)
    for stage in STAGES:
        document = yaml.safe_load((root / f"Pulumi.{stage}.yaml").read_text())
        raw = {key.split(":", 1)[1]: value for key, value in document["config"].items()}
        assert parse_stage_config(raw, stage=stage, namespace=PROJECT, project_root=root).stage == stage


def test_a_project_wide_non_prod_role_next_to_prod_is_refused_on_both_sides(tmp_path: Path) -> None:
    root = project_root(tmp_path, staging={"role": "viewer"})
    own = problems("staging", root)[f"{PROJECT}:infisical.ciIdentity.role"]
    prods = problems("prod", root)[f"{PROJECT}:infisical.projectId"]
    for message in (own, prods):
        assert "'viewer'" in message and "stage 'staging'" in message
        assert "remove infisical.ciIdentity.role" in message  # fix 1: the scoped custom role
        assert "infisical.projectId in Pulumi.prod.yaml" in message  # fix 2: a separate project
        assert ACK_PROD_READABLE in message


def test_a_separate_prod_project_allows_project_wide_non_prod_roles(tmp_path: Path) -> None:
    root = project_root(tmp_path, staging={"role": "viewer"}, dev={"role": "member"}, prod={"projectId": OTHER_PROJECT})
    for stage in STAGES:
        document = yaml.safe_load((root / f"Pulumi.{stage}.yaml").read_text())
        raw = {key.split(":", 1)[1]: value for key, value in document["config"].items()}
        parse_stage_config(raw, stage=stage, namespace=PROJECT, project_root=root)


def test_the_named_acknowledgement_is_the_only_way_past(tmp_path: Path) -> None:
    root = project_root(tmp_path, staging={"role": "viewer"}, prod={"acknowledge": [ACK_PROD_READABLE]})
    for stage in STAGES:
        document = yaml.safe_load((root / f"Pulumi.{stage}.yaml").read_text())
        raw = {key.split(":", 1)[1]: value for key, value in document["config"].items()}
        parse_stage_config(raw, stage=stage, namespace=PROJECT, project_root=root)
    wrong = project_root(tmp_path / "wrong", staging={"role": "viewer"}, prod={"acknowledge": ["i-accept"]})
    found_problems = problems("prod", wrong)
    assert "unknown acknowledgement" in found_problems[f"{PROJECT}:infisical.acknowledge[0]"]
    assert f"{PROJECT}:infisical.projectId" in found_problems


def test_an_acknowledgement_outside_prod_is_refused(tmp_path: Path) -> None:
    root = project_root(tmp_path, staging={"acknowledge": [ACK_PROD_READABLE]})
    assert "Pulumi.prod.yaml" in problems("staging", root)[f"{PROJECT}:infisical.acknowledge[0]"]


@pytest.mark.parametrize(
    "subject",
    [
        "repo:acme/app:pull_request",
        "repo:acme/app:*",
        # Bindings are picomatch globs on the server; each of these let a pull_request token in (measured).
        "repo:acme/app:pull_*",
        "repo:acme/*",
        "repo:acme/app:**",
        "repo:acme/app:?ull_request",
        "repo:acme/app:{pull_request,environment:staging}",
    ],
)
def test_a_deploy_identity_that_trusts_pull_requests_is_refused(subject: str, staging_raw: dict[str, Any]) -> None:
    staging_raw["infisical"]["ciIdentity"]["subjects"] = ["repo:acme/app:environment:staging", subject]
    with pytest.raises(StageConfigError) as caught:
        parse_stage_config(staging_raw, stage="staging", namespace=PROJECT)
    assert "previewFolder" in dict(caught.value.problems)[f"{PROJECT}:infisical.ciIdentity.subjects"]


def test_prod_gets_no_pr_preview_identity() -> None:
    raw = raw_config("prod")
    raw["infisical"]["ciIdentity"]["previewFolder"] = "/preview"
    with pytest.raises(StageConfigError) as caught:
        parse_stage_config(raw, stage="prod", namespace=PROJECT)
    assert f"{PROJECT}:infisical.ciIdentity.previewFolder" in dict(caught.value.problems)


# --- policy rules (plan path and pack path) -------------------------------------------------------------


def test_a_project_wide_membership_is_caught(stage_runs: dict[str, ProgramRun], analyzer: Any) -> None:
    membership = named(stage_runs["staging"], "ci-identity-membership")
    run = replace(stage_runs["staging"], "ci-identity-membership", inputs={**membership.inputs, "role": "viewer"})
    expected = [("non-prod-identities-cannot-read-prod", "infisical:ProjectIdentityMembership/ci-identity-membership")]
    assert found(check(run)) == expected
    config, _ = stack_config("staging")
    assert analyzer(run, config, deploy_environment("staging")) == expected


def test_a_custom_role_that_reaches_prod_is_caught(stage_runs: dict[str, ProgramRun], analyzer: Any) -> None:
    role = named(stage_runs["dev"], "ci-identity-role")
    wide = [{"subject": "secrets", "action": ["readValue"], "conditions": {"environment": {"$ne": "dev"}}}]
    run = replace(stage_runs["dev"], "ci-identity-role", inputs={**role.inputs, "permissions": wide})
    expected = [("non-prod-identities-cannot-read-prod", "infisical:ProjectRole/ci-identity-role")]
    assert found(check(run)) == expected
    config, _ = stack_config("dev")
    assert analyzer(run, config, deploy_environment("dev")) == expected


@pytest.mark.parametrize("pull_requests", ["repo:acme/app:pull_request", "repo:acme/*"])
def test_a_deploy_identity_trusting_pull_requests_is_caught(
    stage_runs: dict[str, ProgramRun], analyzer: Any, pull_requests: str
) -> None:
    oidc = named(stage_runs["staging"], "ci-identity-oidc")
    claims = {**oidc.inputs["bound_claims"], "sub": f"repo:acme/app:environment:staging, {pull_requests}"}
    run = replace(stage_runs["staging"], "ci-identity-oidc", inputs={**oidc.inputs, "bound_claims": claims})
    expected = [("only-pr-preview-identity-trusts-pull-requests", "infisical:IdentityOidcAuth/ci-identity-oidc")]
    assert found(check(run)) == expected
    config, _ = stack_config("staging")
    assert analyzer(run, config, deploy_environment("staging")) == expected


def with_layouts(run: ProgramRun, stage: str, *, acknowledged: bool) -> PolicySettings:
    """The stage's real policy settings with a layout where staging's identity is project-wide."""
    return dataclasses.replace(settings_for(run), infisical_layouts=layouts(acknowledged=acknowledged))


def layouts(*, acknowledged: bool) -> dict[str, StageLayout]:
    ack = frozenset({ACK_PROD_READABLE}) if acknowledged else frozenset()
    return {
        "dev": StageLayout("dev", PROJECT_ID, None, frozenset()),
        "staging": StageLayout("staging", PROJECT_ID, "viewer", frozenset()),
        "prod": StageLayout("prod", PROJECT_ID, None, ack),
    }


@pytest.mark.parametrize("stage", ["staging", "prod"])
def test_the_layout_rule_and_its_acknowledgement(stage: str, stage_runs: dict[str, ProgramRun]) -> None:
    resources = [from_registration(r, stage) for r in stage_runs[stage].registrations]
    refused = evaluate(resources, stage, with_layouts(stage_runs[stage], stage, acknowledged=False))
    assert [(v.rule, v.enforcement) for v in refused] == [("non-prod-identities-cannot-read-prod", "mandatory")]
    assert "Take one of two fixes" in refused[0].message
    passed = evaluate(resources, stage, with_layouts(stage_runs[stage], stage, acknowledged=True))
    assert [(v.rule, v.enforcement) for v in passed] == [("acknowledged-prod-exposure", "acknowledged")]
    assert passed[0].message.startswith("ACKNOWLEDGED RISK")


def test_the_plan_shows_an_acknowledged_risk_in_red(stage_runs: dict[str, ProgramRun]) -> None:
    resources = [from_registration(r, "prod") for r in stage_runs["prod"].registrations]
    settings = with_layouts(stage_runs["prod"], "prod", acknowledged=True)
    policy = [v.as_dict() for v in evaluate(resources, "prod", settings)]
    plan = build_plan(stage_runs["prod"], policy)
    table = render_table(plan)
    assert "\x1b[31m  [acknowledged] acknowledged-prod-exposure" in table
    markdown = render_markdown(plan)
    assert "```diff\n- acknowledged-prod-exposure on infisical:Project/project: ACKNOWLEDGED RISK" in markdown


def test_stages_on_the_project_stacks_project_share_it(tmp_path: Path) -> None:
    """Without infisical.projectId a stage uses the project stack's project, so such stages share one."""
    unset = {"projectId": None}
    root = project_root(tmp_path, staging={**unset, "role": "viewer"}, prod=unset, dev=unset)
    for root_file in ("staging", "prod"):
        document = yaml.safe_load((root / f"Pulumi.{root_file}.yaml").read_text())
        del document["config"][f"{PROJECT}:infisical"]["projectId"]
        (root / f"Pulumi.{root_file}.yaml").write_text(yaml.safe_dump(document))
    assert "'viewer'" in problems("staging", root)[f"{PROJECT}:infisical.ciIdentity.role"]
