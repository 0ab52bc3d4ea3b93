"""deploy.yml migrates D1 (staging on every deploy, prod after approval with a recovery point), and drift.yml
checks staging and prod for drift every day with read-only credentials. Checked on the parsed YAML."""

from __future__ import annotations

import re
import shlex
import sys

import pytest

import tests.workflow_tools as wf
from migrate.__main__ import parse as parse_migrate
from plan import drift
from tests.test_workflows import test_infisical_cli_jobs_log_in_by_oidc_and_mask_every_secret_first

DRIFT = "drift.yml"
STAGES = ["staging", "prod"]


@pytest.fixture(scope="module")
def deploy() -> wf.Workflow:
    return wf.load("deploy.yml")


@pytest.fixture(scope="module")
def drift_workflow() -> wf.Workflow:
    return wf.load(DRIFT)


def test_drift_logs_in_by_oidc_and_masks_what_it_reads_before_using_it() -> None:
    """The rules every workflow keeps (pinned actions, least privilege, no GitHub secrets...) run for drift.yml
    in tests/test_workflows.py; this one applies to the jobs that run under `infisical run`."""
    test_infisical_cli_jobs_log_in_by_oidc_and_mask_every_secret_first(DRIFT)


def test_drift_uses_only_the_actions_the_other_workflows_use(drift_workflow: wf.Workflow) -> None:
    others = {
        wf.uses(step)
        for name in ("deploy.yml", "preview.yml", "pr-stage.yml", "rotate.yml")
        for job in wf.load(name)["jobs"].values()
        for step in wf.steps(job)
    }
    mine = {wf.uses(step) for step in wf.steps(wf.job(drift_workflow, "drift"))} - {""}
    assert mine <= others, mine - others


def test_drift_runs_every_day_for_staging_and_prod(drift_workflow: wf.Workflow) -> None:
    on = wf.triggers(drift_workflow)
    (schedule,) = on["schedule"]
    minute, hour, day, month, weekday = schedule["cron"].split()
    assert (day, month, weekday) == ("*", "*", "*") and minute.isdigit() and hour.isdigit()
    assert "workflow_dispatch" in on
    job = wf.job(drift_workflow, "drift")
    assert job["strategy"]["matrix"]["stage"] == STAGES
    assert job["strategy"]["fail-fast"] is False
    assert job["env"]["STAGE"] == "${{ matrix.stage }}"
    assert job["concurrency"] == {"group": "drift-${{ matrix.stage }}", "cancel-in-progress": False}


def _preview_step(drift_workflow: wf.Workflow) -> str:
    job = wf.job(drift_workflow, "drift")
    index = wf.step_index(job, lambda s: "pulumi preview" in wf.run(s), "running pulumi preview")
    return wf.run(wf.steps(job)[index])


def test_drift_refreshes_and_expects_no_changes_naming_what_drifted(drift_workflow: wf.Workflow) -> None:
    script = _preview_step(drift_workflow)
    preview = script[script.index("pulumi preview") :].split("\n")[0]
    assert "--refresh" in preview and "--expect-no-changes" in preview
    assert '> "$RUNNER_TEMP/preview.json"' in script, "the preview's document (states, values) stays out of the log"
    assert "python -m plan.drift" in script and "--annotate" in script and '--summary "$GITHUB_STEP_SUMMARY"' in script
    assert script.index("pulumi preview") < script.index("plan.drift")


def test_drift_runs_with_read_only_credentials_only(drift_workflow: wf.Workflow) -> None:
    job = wf.job(drift_workflow, "drift")
    text = str(job)
    assert wf.environment_name(job) == "drift-${{ matrix.stage }}", "never the deploy environments' OIDC subjects"
    assert set(re.findall(r"vars\.(INFISICAL_IDENTITY_ID\w*)", text)) == {"INFISICAL_IDENTITY_ID_DRIFT"}
    assert job["permissions"] == {"contents": "read", "id-token": "write"}
    state = next(s for s in wf.steps(job) if wf.uses(s) == wf.PULUMI_STATE)
    assert wf.with_(state) == {"stage": "${{ matrix.stage }}", "team": "${{ vars.PULUMI_DRIFT_TEAM }}"}
    select = next(s for s in wf.steps(job) if wf.uses(s) == wf.SELECT_STACK)
    assert (wf.with_(select)["path"], wf.with_(select)["missing"]) == ("/drift", "fail"), "read-only state access"
    script = _preview_step(drift_workflow)
    assert re.search(r"--path=/drift [^\n]*-- \\\n\s*pulumi preview", script), "pulumi sees /drift's read-only token"
    commands = " ".join(wf.run(step) for step in wf.steps(job))
    for writing in (
        "pulumi up",
        "pulumi destroy",
        "pulumi refresh",
        "pulumi import",
        "--yes",
        "wrangler",
        "bin/migrate",
    ):
        assert writing not in commands, writing


def test_drift_checks_the_commit_the_stack_was_deployed_from(drift_workflow: wf.Workflow) -> None:
    job = wf.job(drift_workflow, "drift")
    checkout = wf.step_index(job, lambda s: wf.uses(s).startswith("actions/checkout@"), "checking out")
    assert wf.with_(wf.steps(job)[checkout])["fetch-depth"] == 0
    find = wf.step_index(job, lambda s: "pulumi stack history --json" in wf.run(s), "finding the deployed commit")
    script = wf.run(wf.steps(job)[find])
    assert '.kind == "update" and .result == "succeeded"' in script and '"git.head"' in script
    add = wf.step_index(job, lambda s: 'git worktree add --detach "$RUNNER_TEMP/deployed"' in wf.run(s), "worktree")
    assert wf.steps(job)[add]["env"] == {"DEPLOYED": "${{ steps.deployed.outputs.commit }}"}, "no credential"
    preview = wf.step_index(job, lambda s: "pulumi preview" in wf.run(s), "running pulumi preview")
    assert find < add < preview and wf.steps(job)[preview]["working-directory"] == "${{ runner.temp }}/deployed"


def _step(job: wf.Job, needle: str) -> int:
    return wf.step_index(job, lambda s: needle in wf.run(s), needle)


def _migrate_arguments(script: str) -> list[str]:
    line = script[script.index("bin/migrate") :].replace("\\\n", " ").split("\n")[0]
    return shlex.split(line.replace("$", ""))[1:]


@pytest.mark.parametrize(("job_id", "stage"), [("deploy-staging", "staging"), ("deploy-prod", "prod")])
def test_every_deploy_migrates_its_stage_after_pulumi_up(deploy: wf.Workflow, job_id: str, stage: str) -> None:
    job = wf.job(deploy, job_id)
    up, migrate = _step(job, "pulumi up"), _step(job, f"bin/migrate {stage} ")
    configs = _step(job, "pulumi stack output --json wranglerConfigs")
    assert up < migrate < configs, "migrated before the app pipeline gets the configs"
    script = wf.run(wf.steps(job)[migrate])
    assert f"infisical run --env={stage} --path=/cloudflare" in script
    assert 'pulumi stack output --json --stack "$STACK" > "$outputs"' in script, "the stage's own ids"
    args = parse_migrate(_migrate_arguments(script))
    assert args.stage == stage and not args.dry_run and args.outputs == "outputs"
    assert args.summary is not None and "GITHUB_STEP_SUMMARY" in str(args.summary)
    assert any("npm ci" in wf.run(step) for step in wf.steps(job)[:migrate]), "wrangler from the lockfile"
    # Its tools are installed by a step that gets no credential (tokens are step outputs, passed by name): install
    # scripts never see one, and the migration installs nothing.
    warm = _step(job, "bin/migrate --help > /dev/null")
    assert warm < migrate and not any("TOKEN" in name for name in wf.step_env(wf.steps(job)[warm]))


def test_staging_publishes_the_ledger_prod_reads(deploy: wf.Workflow) -> None:
    staging, prod = wf.job(deploy, "deploy-staging"), wf.job(deploy, "deploy-prod")
    upload = wf.step_index(staging, lambda s: wf.with_(s).get("name") == "d1-ledger-staging", "ledger upload")
    assert _step(staging, "bin/migrate staging ") < upload
    assert wf.with_(wf.steps(staging)[upload])["path"] == "migrate-records/staging.ledger.json"
    fetch = _step(prod, "name=d1-ledger-staging")
    script = wf.run(wf.steps(prod)[fetch])
    assert '.workflow_run.head_branch == "main"' in script
    assert ".workflow_run.head_repository_id == .workflow_run.repository_id" in script, "no fork's artifact"
    assert "gh run download" in script and prod["permissions"]["actions"] == "read"
    migrate = _step(prod, "bin/migrate prod ")
    assert fetch < migrate
    args = parse_migrate(_migrate_arguments(wf.run(wf.steps(prod)[migrate])))
    assert str(args.staging_ledger) == "migrate-records/staging.ledger.json" and str(args.records) == "migrate-records"


def test_prod_migrates_only_after_the_production_approval(deploy: wf.Workflow) -> None:
    for event in (wf.dispatch("prod", release="v1.4.0"), wf.dispatch("prod")):
        (job_id,) = wf.jobs_that_run(deploy, event)
        job = wf.job(deploy, job_id)
        assert wf.environment_name(job) == "production", "required reviewers approve before any step runs"
        assert _step(job, "pulumi up") < _step(job, "bin/migrate prod ")
    staging = wf.job(deploy, "deploy-staging")
    assert "bin/migrate prod" not in str(staging) and wf.environment_name(staging) == "staging"


def test_the_recovery_point_is_kept_even_when_the_migration_fails(deploy: wf.Workflow) -> None:
    prod = wf.job(deploy, "deploy-prod")
    migrate = _step(prod, "bin/migrate prod ")
    upload = wf.step_index(
        prod, lambda s: str(wf.with_(s).get("name", "")).startswith("d1-recovery-prod-"), "keeping the record"
    )
    step = wf.steps(prod)[upload]
    assert migrate < upload and step["if"] == "${{ !cancelled() }}"
    assert wf.with_(step)["path"] == "release/migrate-records/", "where the release's bin/migrate writes it"
    assert wf.steps(prod)[migrate]["working-directory"] == "${{ env.RELEASE_DIR }}"
    assert (
        prod["env"]["RELEASE_DIR"] == "${{ github.workspace }}/release" and int(wf.with_(step)["retention-days"]) == 30
    )


def test_the_drift_report_module_is_standard_library_only() -> None:
    """drift.yml runs it with the runner's Python, before any requirement is installed."""
    for module in (
        "plan/drift.py",
        "components/rules/terminal.py",
        "components/__init__.py",
        "components/rules/__init__.py",
    ):
        imported = re.findall(r"^(?:from|import) ([\w.]+)", (wf.ROOT / module).read_text(), re.MULTILINE)
        outside = {name for name in imported if name.split(".")[0] not in sys.stdlib_module_names}
        assert outside <= {"components.rules.terminal"}, module  # its help's width cap: stdlib too
    assert drift.EXIT_DRIFT == 1
