"""deploy.yml and pr-stage.yml: which stage deploys on which event, with which gates, and what each job runs."""

import re

import pytest

from plan.stack_files import PR_TEMPLATE
from tests.workflow_tools import (
    PULUMI_STATE,
    SELECT_STACK,
    WORKFLOWS,
    Workflow,
    dispatch,
    environment_name,
    job,
    jobs_that_run,
    load,
    pull_request,
    push,
    run,
    step_index,
    steps,
    triggers,
    uses,
    with_,
)

# --------------------------------------------------------------------------------------------------
# deploy.yml
# --------------------------------------------------------------------------------------------------


def test_deploy_triggers(deploy: Workflow) -> None:
    """A pushed tag never runs this file: its own copy of it would be the tag's, not main's (release.yml
    dispatches main's instead)."""
    on = triggers(deploy)
    assert on["push"] == {"branches": ["main"]}
    stage = on["workflow_dispatch"]["inputs"]["stage"]
    assert "prod" in stage["options"]
    assert stage.get("default") != "prod", "a manual run must not default to prod"
    for event in ("workflow_dispatch", "workflow_call"):
        assert on[event]["inputs"]["release"]["default"] == "", "no release given: prod's running release"


def test_which_deploy_job_runs_for_which_event(deploy: Workflow) -> None:
    assert jobs_that_run(deploy, push("refs/heads/main")) == {"deploy-staging"}
    assert jobs_that_run(deploy, push("refs/tags/v1.4.0")) == set(), "a tag push runs nothing of this file"
    assert jobs_that_run(deploy, dispatch("prod", release="v1.4.0")) == {"deploy-prod"}
    assert jobs_that_run(deploy, dispatch("prod")) == {"deploy-prod"}
    assert jobs_that_run(deploy, dispatch("prod", "refs/tags/v1.4.0")) == set(), "only main's copy deploys prod"
    assert jobs_that_run(deploy, dispatch("staging")) == {"deploy-staging"}
    assert jobs_that_run(deploy, push("refs/heads/feature")) == set()
    assert jobs_that_run(deploy, dispatch("prod", "refs/heads/feature", "v1.4.0")) == set()
    assert jobs_that_run(deploy, dispatch("staging", "refs/heads/feature")) == set()


def test_a_pushed_tag_asks_mains_deploy_for_that_release() -> None:
    release = load("release.yml")
    assert triggers(release) == {"push": {"tags": ["v*"]}}
    (job_,) = release["jobs"].values()
    assert job_["permissions"] == {"actions": "write"}, "it can start a workflow, nothing else"
    (step,) = steps(job_)
    assert 'gh workflow run deploy.yml --repo "$GITHUB_REPOSITORY" --ref main -f stage=prod' in run(step)
    assert '-f release="$RELEASE"' in run(step) and step["env"]["RELEASE"] == "${{ github.ref_name }}"


def test_only_the_production_environment_deploys_prod(deploy: Workflow) -> None:
    assert environment_name(job(deploy, "deploy-prod")) == "production"
    assert environment_name(job(deploy, "deploy-staging")) == "staging"
    for job_id, job_ in deploy["jobs"].items():
        if any("--env=prod" in run(step) for step in steps(job_)):
            assert environment_name(job_) == "production", f"{job_id} touches prod outside `production`"
    assert "INFISICAL_IDENTITY_ID_PROD" in str(job(deploy, "deploy-prod")["env"])
    assert "INFISICAL_IDENTITY_ID_PROD" not in str(job(deploy, "deploy-staging"))


@pytest.mark.parametrize(("job_id", "stage"), [("deploy-staging", "staging"), ("deploy-prod", "prod")])
def test_one_concurrency_group_per_stage_never_cancelled(deploy: Workflow, job_id: str, stage: str) -> None:
    concurrency = job(deploy, job_id).get("concurrency")
    assert isinstance(concurrency, dict), f"{job_id} needs a concurrency group"
    assert stage in str(concurrency.get("group"))
    assert concurrency.get("cancel-in-progress") is False
    groups = {str(j["concurrency"]["group"]) for j in deploy["jobs"].values()}
    assert len(groups) == len(deploy["jobs"]), "each stage has its own group"


@pytest.mark.parametrize(("job_id", "stage"), [("deploy-staging", "staging"), ("deploy-prod", "prod")])
def test_pulumi_up_runs_under_infisical_run(deploy: Workflow, job_id: str, stage: str) -> None:
    deploy_job = job(deploy, job_id)
    index = step_index(deploy_job, lambda s: "pulumi up" in run(s), "running pulumi up")
    script = run(steps(deploy_job)[index])
    assert f"infisical run --env={stage} --path=/cloudflare" in script
    assert "--yes" in script
    assert "--policy-pack policy" in script


def test_prod_backs_up_every_d1_database_before_pulumi_up(deploy: Workflow) -> None:
    prod = job(deploy, "deploy-prod")
    backup = step_index(prod, lambda s: "wrangler d1 export" in run(s), "exporting D1")
    script = run(steps(prod)[backup])
    assert "--remote" in script and 'PATH="$RELEASE_DIR/node_modules/.bin:$PATH"' in script
    # wrangler runs in an emptied environment given the deploy token only, never the rest of /cloudflare
    export = script[script.index("exec env -i ") : script.index("wrangler d1 export")]
    given = re.findall(r"\b([A-Z_]+)=", export)
    assert given == ["PATH", "HOME", "CLOUDFLARE_API_TOKEN", "CLOUDFLARE_ACCOUNT_ID"], given
    assert "pulumi stack output --json d1Databases" in script
    up = step_index(prod, lambda s: "pulumi up" in run(s), "running pulumi up")
    upload = step_index(
        prod,
        lambda s: uses(s).startswith("actions/upload-artifact@") and "d1" in str(with_(s)),
        "uploading D1",
    )
    assert backup < upload < up, "the backup is taken and kept before prod changes"
    assert int(with_(steps(prod)[upload])["retention-days"]) <= 7, "a D1 export holds data: short retention"


@pytest.mark.parametrize(("job_id", "stage"), [("deploy-staging", "staging"), ("deploy-prod", "prod")])
def test_wrangler_configs_are_published_after_the_deploy(deploy: Workflow, job_id: str, stage: str) -> None:
    deploy_job = job(deploy, job_id)
    up = step_index(deploy_job, lambda s: "pulumi up" in run(s), "running pulumi up")
    write = step_index(deploy_job, lambda s: "pulumi stack output --json wranglerConfigs" in run(s), "writing configs")
    upload = step_index(
        deploy_job,
        lambda s: uses(s).startswith("actions/upload-artifact@") and "wrangler" in str(with_(s).get("name")),
        "uploading the wrangler configs",
    )
    assert up < write < upload
    assert stage in str(with_(steps(deploy_job)[upload]).get("name"))


# --------------------------------------------------------------------------------------------------
# pr-stage.yml
# --------------------------------------------------------------------------------------------------


def test_pr_stage_triggers(pr_stage: Workflow) -> None:
    types = set(triggers(pr_stage)["pull_request"]["types"])
    assert {"labeled", "unlabeled", "closed"} <= types


def test_which_pr_stage_job_runs_for_which_event(pr_stage: Workflow) -> None:
    labelled = ("preview-stage",)
    assert jobs_that_run(pr_stage, pull_request(action="labeled", labels=labelled, label="preview-stage")) == {"up"}
    assert jobs_that_run(pr_stage, pull_request(action="synchronize", labels=labelled)) == {"up"}
    assert jobs_that_run(pr_stage, pull_request(action="closed", labels=labelled)) == {"down"}
    assert jobs_that_run(pr_stage, pull_request(action="unlabeled", label="preview-stage")) == {"down"}
    assert jobs_that_run(pr_stage, pull_request(action="labeled", labels=("bug",), label="bug")) == set()
    assert jobs_that_run(pr_stage, pull_request(action="synchronize")) == set()
    forked = pull_request(fork=True, action="labeled", labels=labelled, label="preview-stage")
    assert jobs_that_run(pr_stage, forked) == set(), "fork PRs never get a stage"
    assert jobs_that_run(pr_stage, pull_request(fork=True, action="closed", labels=labelled)) == set()


def test_pr_stage_deploys_the_committed_template_on_the_preview_backend(pr_stage: Workflow) -> None:
    """A pr stage never reads another stage's stack: both jobs write Pulumi.pr-<n>.yaml from PR_TEMPLATE (the file
    `bin/plan pr-<n>` plans), its state is the preview backend (`bin/plan pr-<n> --backend`), its secrets the
    `preview` environment."""
    copy = f'cp {PR_TEMPLATE} "Pulumi.${{STAGE}}.yaml"'
    up_job = job(pr_stage, "up")
    assert "pull_request.number" in str(pr_stage["env"]["STAGE"])
    config = step_index(up_job, lambda s: copy in run(s), "copying the pr template")
    state = step_index(up_job, lambda s: uses(s) == PULUMI_STATE, "the state lookup")
    select = step_index(up_job, lambda s: uses(s) == SELECT_STACK, "selecting the stack")
    deploy_step = step_index(up_job, lambda s: "pulumi up" in run(s), "running pulumi up")
    assert config < state < select < deploy_step
    assert with_(steps(up_job)[state]) == {"stage": "${{ env.STAGE }}"}
    assert {k: with_(steps(up_job)[select])[k] for k in ("environment", "path", "missing")} == {
        "environment": "preview",
        "path": "/cloudflare",
        "missing": "create",
    }
    assert "infisical run --env=preview --path=/cloudflare" in run(steps(up_job)[deploy_step])
    down_job = job(pr_stage, "down")
    copied = step_index(down_job, lambda s: copy in run(s), "copying the pr template")
    destroyed = step_index(down_job, lambda s: "pulumi destroy" in run(s), "destroying the stage")
    assert copied < destroyed
    everything = "\n".join(str(step) for job_id in ("up", "down") for step in steps(job(pr_stage, job_id)))
    assert "--copy-config-from" not in everything and "config cp" not in everything
    assert "Pulumi.staging.yaml" not in everything
    assert "staging" not in str(with_(steps(up_job)[select])), "never staging's backend or secrets"


def test_pr_stage_destroys_and_removes_the_stack(pr_stage: Workflow) -> None:
    down_job = job(pr_stage, "down")
    index = step_index(down_job, lambda s: "pulumi destroy" in run(s), "destroying the stage")
    script = run(steps(down_job)[index])
    destroy = script.index("pulumi destroy --yes")
    remove = script.index("pulumi stack rm --yes")
    assert destroy < remove
    assert "infisical run --env=preview --path=/cloudflare" in script
    select = step_index(down_job, lambda s: uses(s) == SELECT_STACK, "selecting the stack")
    assert with_(steps(down_job)[select])["missing"] == "skip" and select < index
    assert steps(down_job)[index]["if"] == "steps.select.outputs.exists == 'true'", "nothing to destroy: done"


def test_pr_stage_deploy_and_destroy_never_overlap(pr_stage: Workflow) -> None:
    groups = set()
    for job_id in ("up", "down"):
        concurrency = job(pr_stage, job_id)["concurrency"]
        assert "pull_request.number" in str(concurrency["group"])
        assert concurrency["cancel-in-progress"] is False
        groups.add(str(concurrency["group"]))
    assert len(groups) == 1, "up and down share one group per PR"


def test_workflows_take_wrangler_from_the_lockfile() -> None:
    """wrangler is pinned once, in package-lock.json: a workflow installs it with `npm ci`, never by version."""
    pinned = [path.name for path in WORKFLOWS.glob("*.yml") if "wrangler@" in path.read_text()]
    assert pinned == []
    deploy = load("deploy.yml").get("jobs", {})
    command = re.compile(r"\bwrangler (d1|deploy|dev|tail|types|secret)\b")
    using_wrangler = [
        job_id
        for job_id, body in deploy.items()
        if any(command.search(str(step.get("run", ""))) for step in body.get("steps", []))
    ]
    assert using_wrangler, "the deploy workflow runs wrangler (D1 backups)"
    for job_id in using_wrangler:
        steps = deploy[job_id]["steps"]
        assert any("npm ci" in str(step.get("run", "")) for step in steps), job_id
