"""rotate.yml: weekly and on dispatch, it deploys the stages whose generated secrets are due, via deploy.yml."""

from __future__ import annotations

from datetime import date

import pytest

import tests.workflow_tools as wf
from plan.rotation_due import due
from tests.conftest import full_environment, raw_config, run_stage

NAME = "rotate.yml"


def test_rotate_runs_weekly_and_on_dispatch() -> None:
    on = wf.triggers(wf.load(NAME))
    assert [entry["cron"] for entry in on["schedule"]] == ["17 5 * * 1"]
    assert "workflow_dispatch" in on


@pytest.mark.parametrize("stage", ["staging", "prod"])
def test_each_due_stage_deploys_through_deploy_yml(stage: str) -> None:
    rotate = wf.load(NAME)
    job = wf.job(rotate, f"rotate-{stage}")
    assert job["uses"] == "./.github/workflows/deploy.yml"
    assert job["with"] == {"stage": stage, "rotation-date": "${{ needs.due.outputs.date }}"}
    assert job["needs"] == "due" and job["if"] == f"needs.due.outputs.{stage} == 'true'"
    assert wf.job(rotate, "due")["outputs"][stage] == f"${{{{ steps.due.outputs.{stage} }}}}"
    assert "plan.rotation_due" in wf.run(wf.steps(wf.job(rotate, "due"))[-1])


def test_deploy_yml_takes_the_call_through_its_own_gates() -> None:
    deploy = wf.load("deploy.yml")
    inputs = wf.triggers(deploy)["workflow_call"]["inputs"]
    assert inputs["stage"]["required"] is True and "rotation-date" in inputs
    for stage, job_id in (("staging", "deploy-staging"), ("prod", "deploy-prod")):
        context = {"github.event_name": "schedule", "github.repository": wf.REPO, "github.ref": "refs/heads/main"}
        assert wf.jobs_that_run(deploy, {**context, "inputs.stage": stage}) == {job_id}
    assert wf.environment_name(wf.job(deploy, "deploy-prod")) == "production"


@pytest.mark.parametrize(("job_id", "stage"), [("deploy-staging", "staging"), ("deploy-prod", "prod")])
def test_deploy_pins_the_rotation_date_before_pulumi_up(job_id: str, stage: str) -> None:
    job = wf.job(wf.load("deploy.yml"), job_id)
    pin = wf.step_index(job, lambda s: s.get("id") == "today", "pinning the rotation date")
    up = wf.step_index(job, lambda s: "pulumi up" in wf.run(s), f"running pulumi up for {stage}")
    assert pin < up
    assert wf.steps(job)[pin]["env"] == {"REQUESTED_ROTATION_DATE": "${{ inputs.rotation-date }}"}
    assert wf.run(wf.steps(job)[pin]) == 'echo "date=${REQUESTED_ROTATION_DATE:-$(date -u +%F)}" >> "$GITHUB_OUTPUT"'
    assert wf.step_env(wf.steps(job)[up])["ROTATION_DATE"] == "${{ steps.today.outputs.date }}"


def test_a_prod_rotation_redeploys_the_running_release_not_mains_head() -> None:
    """rotate-prod hands deploy.yml no release, and deploy-prod then takes the commit of prod's newest successful
    update (tests/test_workflow_release.py runs that step)."""
    rotate = wf.job(wf.load(NAME), "rotate-prod")
    assert "release" not in rotate["with"]
    prod = wf.job(wf.load("deploy.yml"), "deploy-prod")
    resolve = wf.steps(prod)[wf.step_index(prod, lambda s: s.get("id") == "release", "resolving the release")]
    assert "pulumi stack history --json" in wf.run(resolve)
    up = wf.steps(prod)[wf.step_index(prod, lambda s: "pulumi up" in wf.run(s), "running pulumi up")]
    assert up["working-directory"] == "${{ env.RELEASE_DIR }}", "the release's program, not main's"


def test_a_stage_is_due_in_the_week_its_period_began() -> None:
    """30-day periods start 2026-10-04 and 2026-11-03."""

    environment = full_environment("staging", raw_config("staging"), lambda name: f"dummy-{name}")

    def on(day: str) -> list[str]:
        run = run_stage("staging", environment={**environment, "ROTATION_DATE": day})
        return due(run, date.fromisoformat(day), 7)

    assert on("2026-11-03") == ["api-BETTER_AUTH_SECRET"]
    assert on("2026-11-09") == ["api-BETTER_AUTH_SECRET"]
    assert on("2026-11-10") == []  # the weekly run of 2026-11-09 already deployed it
    assert on("2026-11-02") == []


def test_the_weekly_run_fails_visibly_on_an_overdue_secret() -> None:
    job = wf.job(wf.load(NAME), "secret-ages")
    assert wf.environment_name(job) == "staging" and job["permissions"]["id-token"] == "write"
    token = wf.step_index(job, lambda s: wf.uses(s) == wf.INFISICAL_LOGIN, "logging in to Infisical")
    check = wf.step_index(job, lambda s: "--inventory --check-age" in wf.run(s), "checking the secret ages")
    assert token < check
    assert "vars.INFISICAL_IDENTITY_ID_STAGING" in str(wf.with_(wf.steps(job)[token])["identity-id"])
    assert wf.step_env(wf.steps(job)[check]) == {"INFISICAL_TOKEN": "${{ steps.infisical.outputs.token }}"}
    script = wf.run(wf.steps(job)[check])
    assert 'exit "$rc"' in script and "::error::" in script
    assert job["env"]["INFISICAL_PROJECT_ID"] == "${{ vars.INFISICAL_PROJECT_ID }}"
