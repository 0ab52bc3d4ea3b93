"""Isolation in the workflows: which job can reach which stage's state and secrets, and zizmor's audit.

Pulumi state holds every secret a stack saw, so a credential that reads prod's state owns prod. These tests
check, on the parsed workflows, that no pull-request job and no non-prod job holds one: each job's state
backend (`.github/actions/pulumi-state`), its Infisical login and its secrets are those of its own stage, only
prod's gated jobs name prod, and nothing ever asks Pulumi Cloud for an organization token.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

import tests.workflow_tools as wf
from tests.workflow_steps import run_step

PULL_REQUEST_EVENTS = {"pull_request", "pull_request_target"}
PROD_ENVIRONMENTS = {"production", "drift-${{ matrix.stage }}"}
"""The GitHub environments whose jobs may name prod (drift's matrix runs drift-prod for prod)."""


def _jobs() -> list[tuple[str, str, wf.Job]]:
    return [
        (path.name, job_id, job_)
        for path in wf.all_workflow_files()
        for job_id, job_ in wf.load(path.name)["jobs"].items()
        if "steps" in job_
    ]


def _pull_request_workflows() -> list[str]:
    return [p.name for p in wf.all_workflow_files() if PULL_REQUEST_EVENTS & set(wf.triggers(wf.load(p.name)))]


def _with(job_: wf.Job, action: str) -> list[dict[str, Any]]:
    return [wf.with_(step) for step in wf.steps(job_) if wf.uses(step) == action]


def test_nothing_asks_pulumi_cloud_for_an_organization_token() -> None:
    """Pulumi Cloud grants organization tokens admin on every stack: prod's state for anyone who holds one."""
    for path in [*wf.all_workflow_files(), *wf.all_action_files()]:
        text = path.read_text(encoding="utf-8")
        assert "access_token:organization" not in text, path.name
    exchange = "\n".join(wf.run(step) for step in wf.action_steps("pulumi-state"))
    assert exchange.count('requested_token_type: "urn:pulumi:token-type:access_token:team"') == 1
    assert '--arg scope "team:${TEAM}"' in exchange


@pytest.mark.parametrize("name", _pull_request_workflows())
def test_pull_request_jobs_never_name_prod(name: str) -> None:
    """PR checks of prod are the credential-free diff (bin/plan prod --against): no PR job logs in for prod,
    reads prod's state or secrets, or runs under a prod environment."""
    for job_id, job_ in wf.load(name)["jobs"].items():
        text = str(job_)
        assert wf.environment_name(job_) not in {"production", "staging"}, f"{name}:{job_id}"
        assert "INFISICAL_IDENTITY_ID_PROD" not in text and "INFISICAL_IDENTITY_ID_STAGING" not in text
        assert "--env=prod" not in text and "environment: prod" not in text
        for inputs in _with(job_, wf.PULUMI_STATE):
            assert inputs["stage"] in {"staging", "${{ env.STAGE }}"}, f"{name}:{job_id}: {inputs}"
        for inputs in _with(job_, wf.INFISICAL_LOGIN) + _with(job_, wf.SELECT_STACK):
            assert inputs["environment"] in {"staging", "preview"}, f"{name}:{job_id}"
            if inputs["environment"] == "staging":
                assert "/cloudflare" not in str(inputs), "never staging's deploy folder (its deploy token)"
    assert 'bin/plan "$stage" --against' in str(wf.job(wf.load("preview.yml"), "diff"))


@pytest.mark.parametrize(("name", "job_id", "job_"), [(n, j, b) for n, j, b in _jobs()], ids=lambda v: str(v)[:20])
def test_each_job_holds_only_its_own_stages_state_and_secrets(name: str, job_id: str, job_: wf.Job) -> None:
    """The state lookup, the Infisical login, the stack selection and every `infisical run` of a job name one
    stage; a job names prod only under a gated prod environment."""
    stages = {str(i["stage"]) for i in _with(job_, wf.PULUMI_STATE)}
    logins = _with(job_, wf.INFISICAL_LOGIN) + _with(job_, wf.SELECT_STACK)
    environments = {str(i["environment"]) for i in logins if "environment" in i}
    for step in wf.steps(job_):
        environments |= set(re.findall(r"infisical run --env=(\w+)", wf.run(step)))
    environments.discard("$STAGE")
    assert len(stages) <= 1 and len(environments) <= 1, f"{name}:{job_id}: {stages} {environments}"
    touches_prod = "prod" in stages | environments or "INFISICAL_IDENTITY_ID_PROD" in str(job_)
    if touches_prod:
        assert wf.environment_name(job_) == "production", f"{name}:{job_id} reaches prod outside `production`"
    if stages and environments:
        (stage,) = stages
        (environment,) = environments
        expected = {"${{ env.STAGE }}": "preview", "${{ matrix.stage }}": "${{ matrix.stage }}"}.get(stage, stage)
        assert environment == expected, f"{name}:{job_id}: state of {stage} with secrets of {environment}"


def test_the_drift_check_reads_each_stage_under_that_stages_environment() -> None:
    drift = wf.job(wf.load("drift.yml"), "drift")
    assert wf.environment_name(drift) in PROD_ENVIRONMENTS and drift["env"]["STAGE"] == "${{ matrix.stage }}"
    assert {str(i["environment"]) for i in _with(drift, wf.INFISICAL_LOGIN)} == {"${{ matrix.stage }}"}


# --------------------------------------------------------------------------------------------------
# zizmor
# --------------------------------------------------------------------------------------------------


def _zizmor(*arguments: str) -> subprocess.CompletedProcess[str]:
    binary = Path(sys.executable).parent / "zizmor"
    assert binary.is_file(), "zizmor is missing: bin/test installs it from requirements-dev.txt"
    return subprocess.run(
        [str(binary), "--offline", "--format", "json", *arguments],
        cwd=wf.ROOT,
        capture_output=True,
        text=True,
        check=False,
        timeout=300,
    )


def test_zizmor_finds_nothing_medium_or_high() -> None:
    result = _zizmor(".github")
    findings = json.loads(result.stdout or "[]")
    serious = [
        (f["ident"], f["determinations"]["severity"], f["locations"][0]["symbolic"]["key"])
        for f in findings
        if f["determinations"]["severity"] in {"Medium", "High"}
    ]
    assert serious == [], serious
    assert any(f["ident"] for f in findings) or result.returncode == 0


def test_zizmor_would_catch_an_unpinned_action(tmp_path: Path) -> None:
    """The audit is live: the same zizmor reports a tag-pinned action in a workflow like ours as high."""
    workflow = tmp_path / ".github" / "workflows" / "x.yml"
    workflow.parent.mkdir(parents=True)
    workflow.write_text(
        "on: push\npermissions: {}\njobs:\n  a:\n    runs-on: ubuntu-latest\n    permissions: {}\n"
        "    steps:\n      - uses: actions/checkout@v5\n        with:\n          persist-credentials: false\n"
    )
    findings = json.loads(_zizmor(str(workflow)).stdout)
    assert ("unpinned-uses", "High") in {(f["ident"], f["determinations"]["severity"]) for f in findings}


def test_each_accepted_finding_is_suppressed_in_place_with_its_reason() -> None:
    for path in [*wf.all_workflow_files(), *wf.all_action_files()]:
        for line in path.read_text(encoding="utf-8").splitlines():
            if "zizmor: ignore" in line:
                reason = line.split("]", 1)[1].strip()
                assert len(reason) > 30, f"{path.name}: {line.strip()!r} says no reason"


# --------------------------------------------------------------------------------------------------
# The backend each job uses is the program's own declaration (bin/plan <stage> --backend)
# --------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("stage", "environment", "bucket"),
    [("staging", "staging", "staging"), ("prod", "prod", "prod"), ("pr-7", "preview", "preview")],
)
def test_the_state_lookup_reads_the_programs_own_backend(
    tmp_path: Path, stage: str, environment: str, bucket: str
) -> None:
    """Each stage's own bucket; pr stages share the preview bucket; no organization or team on R2."""
    declared = wf.action_steps("pulumi-state")[0]
    result = run_step(declared, tmp_path, {"inputs.stage": stage, "inputs.team": ""}, cwd=wf.ROOT)
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.outputs["backend"] == "r2" and result.outputs["stack"] == stage
    assert result.outputs["url"].startswith(f"s3://acme-{bucket}-pulumi-state?endpoint=https://")
    assert result.outputs["credentials-environment"] == environment and result.github_env == ""
    assert (result.outputs["organization"], result.outputs["team"], result.outputs["secrets-provider"]) == (
        "",
        "",
        "passphrase",
    )
