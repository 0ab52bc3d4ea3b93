"""preview.yml: what runs for which pull request, with which identity, and what the PR gets as comments."""

import os
import re
import subprocess

import pytest

from plan.diff.render import ACK_LABEL
from tests.conftest import checked_config
from tests.workflow_tools import (
    INFISICAL_LOGIN,
    PLAN_ARTIFACT,
    PULUMI_STATE,
    REPO,
    ROOT,
    SELECT_STACK,
    Job,
    Workflow,
    environment_name,
    job,
    jobs_that_run,
    load,
    pull_request,
    run,
    step_env,
    step_index,
    steps,
    triggers,
    uses,
    walk_strings,
    with_,
)

# --------------------------------------------------------------------------------------------------
# preview.yml
# --------------------------------------------------------------------------------------------------


def test_preview_runs_on_pull_requests(preview: Workflow) -> None:
    assert "pull_request" in triggers(preview)


def test_preview_logs_in_as_the_pr_preview_identity_and_reads_only_the_preview_folder(preview: Workflow) -> None:
    preview_job = job(preview, "preview")
    folder = checked_config("staging").infisical.ci_identity.preview_folder  # type: ignore[union-attr]
    assert preview_job["permissions"].get("id-token") == "write"
    index = step_index(preview_job, lambda s: uses(s) == INFISICAL_LOGIN, "the Infisical login")
    inputs = with_(steps(preview_job)[index])
    assert "vars.INFISICAL_IDENTITY_ID_PR_PREVIEW" in str(inputs.get("identity-id"))
    assert inputs.get("environment") == "staging" and inputs.get("mask-paths") == folder
    used = {
        f for step in steps(preview_job) for f in re.findall(r"infisical run --env=staging --path=(\S+)", run(step))
    }
    selected = [with_(s) for s in steps(preview_job) if uses(s) == SELECT_STACK]
    assert used == {folder} and [(s["environment"], s["path"], s["missing"]) for s in selected] == [
        ("staging", folder, "fail")
    ]


def test_preview_never_holds_a_deploy_identity_or_anything_of_prod(preview: Workflow) -> None:
    preview_job = job(preview, "preview")
    text = str(preview_job)
    assert "INFISICAL_IDENTITY_ID_STAGING" not in text and "INFISICAL_IDENTITY_ID_PROD" not in text
    assert "/cloudflare" not in text, "the staging deploy token lives in /cloudflare"
    assert "prod" not in re.sub(r"produc(es|ed)", "", text), "prod is checked by the credential-free diff only"
    state = steps(preview_job)[step_index(preview_job, lambda s: uses(s) == PULUMI_STATE, "the state lookup")]
    assert with_(state) == {"stage": "staging", "team": "${{ vars.PULUMI_PREVIEW_TEAM }}"}, "a read-only team"


# Which identity each `identity-id` variable names: (stage whose stack creates it, which identity).
IDENTITY_VARIABLES = {
    "INFISICAL_IDENTITY_ID_STAGING": ("staging", "deploy"),
    "INFISICAL_IDENTITY_ID_PROD": ("prod", "deploy"),
    "INFISICAL_IDENTITY_ID_PR_PREVIEW": ("staging", "pr-preview"),
}


def oidc_subject(job_: Job, event: str) -> str:
    """The `sub` of the job's GitHub OIDC token: its environment if it has one, else the event's context."""
    environment = environment_name(job_)
    if environment:
        return f"repo:{REPO}:environment:{environment}"
    assert event == "pull_request", "only pull_request jobs run without an environment here"
    return f"repo:{REPO}:pull_request"


def bound_subjects(variable: str) -> list[str]:
    stage, kind = IDENTITY_VARIABLES[variable]
    github = checked_config(stage).infisical.ci_identity  # type: ignore[union-attr]
    assert github is not None
    github = github.model_copy(update={"repository": REPO})
    return [github.preview_subject()] if kind == "pr-preview" else github.allowed_subjects(stage)


@pytest.mark.parametrize(
    ("name", "job_id", "event"),
    [
        ("preview.yml", "preview", "pull_request"),
        ("deploy.yml", "deploy-staging", "push"),
        ("deploy.yml", "deploy-prod", "push"),
    ],
)
def test_each_job_logs_in_as_the_identity_that_trusts_its_subject(name: str, job_id: str, event: str) -> None:
    """The identity a job names is bound to exactly the subject that job's OIDC token carries, and the
    staging deploy identity never to pull requests."""
    job_ = job(load(name), job_id)
    variables = set(re.findall(r"vars\.(INFISICAL_IDENTITY_ID_\w+)", str(job_)))
    assert len(variables) == 1, variables
    (variable,) = variables
    assert oidc_subject(job_, event) in bound_subjects(variable)
    assert f"repo:{REPO}:pull_request" not in bound_subjects("INFISICAL_IDENTITY_ID_STAGING")
    assert bound_subjects("INFISICAL_IDENTITY_ID_PR_PREVIEW") == [f"repo:{REPO}:pull_request"]


def test_preview_runs_pulumi_preview_with_the_policy_pack_and_comments_it(preview: Workflow) -> None:
    preview_job = job(preview, "preview")
    login = step_index(preview_job, lambda s: uses(s) == INFISICAL_LOGIN, "the Infisical login")
    index = step_index(preview_job, lambda s: "pulumi preview" in run(s), "running pulumi preview")
    script = run(steps(preview_job)[index])
    assert 'pulumi preview --stack "$STACK" --diff' in script and "--policy-pack policy" in script
    assert step_env(steps(preview_job)[index])["STACK"] == "${{ steps.state.outputs.stack }}"
    post = step_index(preview_job, lambda s: "createComment" in str(with_(s).get("script")), "posting the comment")
    fail = step_index(preview_job, lambda s: "PREVIEW_EXIT_CODE" in run(s), "failing on a failed preview")
    assert login < index < post < fail, "secrets first, the comment even when the preview failed, then the verdict"
    assert "!cancelled()" in str(steps(preview_job)[post]["if"])
    assert "pulumi-preview -->" in str(with_(steps(preview_job)[post])["script"]), "one comment, edited in place"
    assert preview_job["permissions"].get("pull-requests") == "write"


def test_which_preview_jobs_run_for_which_pull_request(preview: Workflow) -> None:
    assert jobs_that_run(preview, pull_request()) == {"plan", "diff", "preview"}
    assert jobs_that_run(preview, pull_request(preview_identity=False)) == {"plan", "diff"}, "the preview is opt-in"
    assert jobs_that_run(preview, pull_request(fork=True)) == {"plan", "diff"}
    assert jobs_that_run(preview, pull_request(user="dependabot[bot]")) == {"plan", "diff"}
    assert jobs_that_run(preview, pull_request("pull_request_target", fork=True)) == {"fork-comment", "diff-comment"}
    assert jobs_that_run(preview, pull_request("pull_request_target")) == {"diff-comment"}


def test_fork_path_runs_the_credential_free_plan_without_secrets(preview: Workflow) -> None:
    plan = job(preview, "plan")
    index = step_index(plan, lambda s: "bin/plan staging" in run(s), "running bin/plan")
    script = run(steps(plan)[index])
    assert "--format markdown" in script
    assert "--output plan.md" in script
    assert plan["permissions"] == {"contents": "read"}, "the plan job runs fork code: read-only, no OIDC"
    for step in steps(plan):
        assert not uses(step).startswith(("Infisical/", "pulumi/auth-actions@")), "the plan needs no login"
    assert not any("secrets." in text or "vars.INFISICAL" in text for text in walk_strings(plan))
    upload = step_index(plan, lambda s: uses(s).startswith("actions/upload-artifact@"), "uploading the plan")
    assert with_(steps(plan)[upload]).get("name") == PLAN_ARTIFACT
    assert "plan.md" in str(with_(steps(plan)[upload]).get("path"))
    assert index < upload


def test_fork_plan_is_posted_as_the_pr_comment_without_running_fork_code(preview: Workflow) -> None:
    assert "pull_request_target" in triggers(preview)
    comment = job(preview, "fork-comment")
    assert comment["permissions"].get("pull-requests") == "write"
    assert "id-token" not in comment["permissions"]
    for step in steps(comment):
        assert not uses(step).startswith("actions/checkout@"), "never check out the fork's code here"
        assert not run(step), "the privileged job runs no script at all"
    download = step_index(comment, lambda s: uses(s).startswith("actions/download-artifact@"), "downloading")
    assert with_(steps(comment)[download]).get("name") == PLAN_ARTIFACT
    finder = steps(comment)[0]
    assert "'preview.yml'" in str(with_(finder).get("script")), "it must look for runs of this workflow"
    post = step_index(comment, lambda s: "createComment" in str(with_(s).get("script")), "posting a comment")
    assert download < post


def test_every_pull_request_gets_the_diff_against_its_base_without_credentials(preview: Workflow) -> None:
    diff = job(preview, "diff")
    assert diff["permissions"] == {"contents": "read"}, "the diff job runs the PR's (maybe a fork's) code"
    assert not any("secrets." in text or "vars.INFISICAL" in text for text in walk_strings(diff))
    checkout = steps(diff)[step_index(diff, lambda s: uses(s).startswith("actions/checkout@"), "checkout")]
    assert with_(checkout).get("fetch-depth") == 0, "the base commit must be in the clone to be planned"
    index = step_index(diff, lambda s: "--against" in run(s), "running bin/plan --against")
    step = steps(diff)[index]
    assert 'bin/plan "$stage" --against "$BASE_SHA" --format markdown' in run(step)
    assert "for stage in dev staging prod" in run(step)
    assert step["env"]["BASE_SHA"] == "${{ github.event.pull_request.base.sha }}"
    upload = step_index(diff, lambda s: uses(s).startswith("actions/upload-artifact@"), "uploading the diff")
    assert with_(steps(diff)[upload]).get("name") == "plan-diff"
    assert {"labeled", "unlabeled"} <= set(triggers(preview)["pull_request"]["types"]), "the label re-runs it"


def _gate(preview: Workflow, **env: str) -> int:
    diff = job(preview, "diff")
    step = steps(diff)[step_index(diff, lambda s: "ACK_LABEL" in str(s.get("env")), "the label gate")]
    assert step["env"]["ACK_LABEL"] == ACK_LABEL, "the workflow and the docs name the same label"
    values = {"DEV_EXIT": "0", "STAGING_EXIT": "0", "PROD_EXIT": "0", "LABELS": "", "ACK_LABEL": ACK_LABEL, **env}
    result = subprocess.run(["bash", "-c", run(step)], env={"PATH": os.environ["PATH"], **values}, check=False)
    return result.returncode


def test_a_destructive_prod_change_fails_the_check_unless_acknowledged(preview: Workflow) -> None:
    assert _gate(preview) == 0
    assert _gate(preview, PROD_EXIT="4") == 1
    assert _gate(preview, PROD_EXIT="4", LABELS=f"docs,{ACK_LABEL}") == 0
    assert _gate(preview, PROD_EXIT="4", LABELS=f"{ACK_LABEL}-not") == 1
    assert _gate(preview, STAGING_EXIT="2", LABELS=ACK_LABEL) == 1, "a label never overrides a refused edit"
    assert _gate(preview, DEV_EXIT="3", LABELS=ACK_LABEL) == 1, "nor a policy violation"
    assert ACK_LABEL in (ROOT / "docs" / "review.md").read_text()


def test_the_diff_is_commented_for_every_pr_without_running_its_code(preview: Workflow) -> None:
    comment = job(preview, "diff-comment")
    assert comment["permissions"] == {"actions": "read", "pull-requests": "write"}
    for step in steps(comment):
        assert not uses(step).startswith("actions/checkout@"), "never check out the PR's code here"
        assert not run(step), "the privileged job runs no script at all"
    download = step_index(comment, lambda s: uses(s).startswith("actions/download-artifact@"), "downloading")
    assert with_(steps(comment)[download]).get("name") == "plan-diff"
    post = step_index(comment, lambda s: "createComment" in str(with_(s).get("script")), "posting a comment")
    assert download < post
    assert "destructive-change-acknowledged" in str(with_(steps(comment)[post]).get("script"))
