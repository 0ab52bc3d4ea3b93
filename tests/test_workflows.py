"""The GitHub Actions workflows: the deploy flow's invariants hold (tests/test_workflow_lint.py lints them).

The invariants are checked on the parsed YAML. Job conditions (``if:``) are *evaluated* for concrete
events (a push to main, a v* tag, a fork PR, ...) by a tiny evaluator of the expression subset the
workflows use, so a test fails when the behaviour changes, not only when a string does.
"""

from __future__ import annotations

import os
import re
import subprocess
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from plan.diff_render import ACK_LABEL
from tests.conftest import checked_config

ROOT = Path(__file__).resolve().parent.parent
WORKFLOWS = ROOT / ".github" / "workflows"
REPO = "acme/workers-stage-platform"
PLAN_ARTIFACT = "credential-free-plan"

Workflow = dict[Any, Any]  # PyYAML turns the key `on` into True, so keys are not all strings
Job = dict[str, Any]
Step = dict[str, Any]


# --------------------------------------------------------------------------------------------------
# Loading helpers
# --------------------------------------------------------------------------------------------------


def load(name: str) -> Workflow:
    path = WORKFLOWS / name
    assert path.is_file(), f"{path.relative_to(ROOT)} is missing"
    document = yaml.safe_load(path.read_text(encoding="utf-8"))
    assert isinstance(document, dict), f"{name} is not a YAML mapping"
    return document


def triggers(workflow: Workflow) -> dict[str, Any]:
    """The ``on:`` mapping; PyYAML (YAML 1.1) reads the bare key ``on`` as the boolean True."""
    value = workflow.get("on", workflow.get(True))
    assert isinstance(value, dict), "the workflow's `on:` must be a mapping of events"
    return value


def job(workflow: Workflow, job_id: str) -> Job:
    jobs = workflow.get("jobs") or {}
    assert job_id in jobs, f"job {job_id!r} is missing (jobs: {sorted(jobs)})"
    found = jobs[job_id]
    assert isinstance(found, dict)
    return found


def steps(job_: Job) -> list[Step]:
    return list(job_.get("steps") or [])


def uses(step: Step) -> str:
    return str(step.get("uses", ""))


def run(step: Step) -> str:
    return str(step.get("run", ""))


def with_(step: Step) -> dict[str, Any]:
    return dict(step.get("with") or {})


def step_index(job_: Job, predicate: Callable[[Step], bool], what: str) -> int:
    for index, step in enumerate(steps(job_)):
        if predicate(step):
            return index
    raise AssertionError(f"no step {what}")


def environment_name(job_: Job) -> str:
    environment = job_.get("environment")
    if isinstance(environment, dict):
        return str(environment.get("name", ""))
    return str(environment or "")


def all_workflow_files() -> list[Path]:
    return sorted([*WORKFLOWS.glob("*.yml"), *WORKFLOWS.glob("*.yaml")])


def walk_strings(node: Any) -> Iterator[str]:
    if isinstance(node, str):
        yield node
    elif isinstance(node, dict):
        for key, value in node.items():
            yield from walk_strings(key)
            yield from walk_strings(value)
    elif isinstance(node, list):
        for item in node:
            yield from walk_strings(item)


@pytest.fixture(scope="module")
def preview() -> Workflow:
    return load("preview.yml")


@pytest.fixture(scope="module")
def deploy() -> Workflow:
    return load("deploy.yml")


@pytest.fixture(scope="module")
def pr_stage() -> Workflow:
    return load("pr-stage.yml")


# --------------------------------------------------------------------------------------------------
# A tiny evaluator for the `if:` expressions (the subset the workflows use)
# --------------------------------------------------------------------------------------------------

_TOKEN = re.compile(
    r"""\s*(?:
        (?P<string>'(?:[^']|'')*')
      | (?P<op>&&|\|\||==|!=|!|\(|\)|,)
      | (?P<number>\d+)
      | (?P<name>[A-Za-z_][A-Za-z0-9_-]*(?:\.(?:[A-Za-z_][A-Za-z0-9_-]*|\*))*)
    )""",
    re.VERBOSE,
)
_OPS = {"&&": " and ", "||": " or ", "!": " not ", "==": "==", "!=": "!=", "(": "(", ")": ")", ",": ","}
_FUNCTIONS = {"startsWith": "_starts_with", "contains": "_contains", "endsWith": "_ends_with"}
_LITERALS = {"true": "True", "false": "False", "null": "None"}


def _translate(expression: str) -> str:
    source = expression.strip()
    if source.startswith("${{") and source.endswith("}}"):
        source = source[3:-2]
    out: list[str] = []
    position = 0
    while position < len(source):
        if not source[position:].strip():
            break
        match = _TOKEN.match(source, position)
        assert match is not None, f"cannot evaluate {expression!r} at {source[position:]!r}"
        assert match.end() > position, f"cannot evaluate {expression!r} at {source[position:]!r}"
        position = match.end()
        if match.group("string") is not None:
            out.append(repr(match.group("string")[1:-1].replace("''", "'")))
        elif match.group("op") is not None:
            out.append(_OPS[match.group("op")])
        elif match.group("number") is not None:
            out.append(match.group("number"))
        else:
            name = match.group("name")
            is_call = source[position:].lstrip().startswith("(")
            if is_call:
                assert name in _FUNCTIONS, f"function {name} is not supported by the test evaluator"
                out.append(_FUNCTIONS[name])
            elif name in _LITERALS:
                out.append(_LITERALS[name])
            else:
                out.append(f"_ctx({name!r})")
    return "".join(out)


def evaluate(expression: str | bool | None, context: dict[str, Any]) -> bool:
    """Evaluate a job's ``if:`` for an event described by ``context`` (dotted names -> values)."""
    if expression is None:
        return True
    if isinstance(expression, bool):
        return expression
    namespace = {
        "__builtins__": {},
        "_ctx": lambda name: context.get(name, ""),
        "_starts_with": lambda a, b: str(a).lower().startswith(str(b).lower()),
        "_ends_with": lambda a, b: str(a).lower().endswith(str(b).lower()),
        "_contains": lambda a, b: b in a if isinstance(a, list) else str(b).lower() in str(a).lower(),
    }
    # Only the translated token stream of our own workflow files is evaluated, with no builtins.
    return bool(eval(_translate(expression), namespace))  # noqa: S307


def jobs_that_run(workflow: Workflow, context: dict[str, Any]) -> set[str]:
    return {job_id for job_id, job_ in workflow["jobs"].items() if evaluate(job_.get("if"), context)}


def pull_request(
    event_name: str = "pull_request",
    *,
    fork: bool = False,
    action: str = "synchronize",
    labels: tuple[str, ...] = (),
    label: str = "",
    user: str = "alice",
) -> dict[str, Any]:
    return {
        "github.event_name": event_name,
        "github.repository": REPO,
        "github.ref": "refs/pull/7/merge",
        "github.event.action": action,
        "github.event.pull_request.head.repo.full_name": "mallory/workers-stage-platform" if fork else REPO,
        "github.event.pull_request.labels.*.name": list(labels),
        "github.event.pull_request.user.login": user,
        "github.event.label.name": label,
    }


def push(ref: str) -> dict[str, Any]:
    return {"github.event_name": "push", "github.repository": REPO, "github.ref": ref}


def dispatch(stage: str, ref: str = "refs/heads/main") -> dict[str, Any]:
    return {
        "github.event_name": "workflow_dispatch",
        "github.repository": REPO,
        "github.ref": ref,
        "inputs.stage": stage,
    }


def test_the_evaluator_itself() -> None:
    context = {"github.ref": "refs/tags/v1.2.0", "a.labels.*.name": ["x"], "inputs.stage": "prod"}
    assert evaluate("startsWith(github.ref, 'refs/tags/v') && inputs.stage == 'prod'", context)
    assert not evaluate("github.ref == 'refs/heads/main' || contains(a.labels.*.name, 'y')", context)
    assert evaluate("!(inputs.stage != 'prod')", context)
    assert evaluate("${{ contains(a.labels.*.name, 'x') }}", context)


def test_the_three_workflows_exist() -> None:
    names = {path.name for path in all_workflow_files()}
    assert {"preview.yml", "deploy.yml", "pr-stage.yml"} <= names


# --------------------------------------------------------------------------------------------------
# Every workflow
# --------------------------------------------------------------------------------------------------

VERSION_PIN = re.compile(r"^[\w.-]+/[\w./-]+@(v\d+(\.\d+){0,2}|[0-9a-f]{40})$")


@pytest.mark.parametrize("name", ["preview.yml", "deploy.yml", "pr-stage.yml"])
def test_third_party_actions_are_pinned_to_a_version(name: str) -> None:
    workflow = load(name)
    for job_id, job_ in workflow["jobs"].items():
        for step in steps(job_):
            action = uses(step)
            if action and not action.startswith("./"):
                assert VERSION_PIN.match(action), f"{name}:{job_id}: {action!r} is not pinned to a version tag"


@pytest.mark.parametrize("name", ["preview.yml", "deploy.yml", "pr-stage.yml"])
def test_permissions_are_least_privilege_per_job(name: str) -> None:
    workflow = load(name)
    assert workflow.get("permissions") == {}, f"{name}: the workflow-level token must have no permission"
    for job_id, job_ in workflow["jobs"].items():
        permissions = job_.get("permissions")
        assert isinstance(permissions, dict), f"{name}:{job_id} must declare its own permissions"
        assert "write-all" not in walk_strings(permissions)
        assert permissions.get("contents", "read") != "write", f"{name}:{job_id} must not write contents"


@pytest.mark.parametrize("name", ["preview.yml", "deploy.yml", "pr-stage.yml"])
def test_no_long_lived_token_comes_from_github_secrets(name: str) -> None:
    text = (WORKFLOWS / name).read_text(encoding="utf-8")
    referenced = set(re.findall(r"secrets\.([A-Za-z_][A-Za-z0-9_]*)", text))
    assert referenced <= {"GITHUB_TOKEN"}, f"{name} reads GitHub secrets {sorted(referenced)}"
    assert not re.search(r"secrets\[", text), f"{name} indexes the secrets context"
    secret_lines = [line for line in text.splitlines() if "secrets." in line]
    for forbidden in ("INFISICAL", "CLOUDFLARE", "PULUMI_ACCESS_TOKEN", "CLIENT-SECRET", "CLIENT_SECRET"):
        offending = [line for line in secret_lines if forbidden in line.upper()]
        assert not offending, f"{name} reads a long-lived {forbidden} token from GitHub secrets: {offending}"


@pytest.mark.parametrize("name", ["preview.yml", "deploy.yml", "pr-stage.yml"])
def test_run_scripts_contain_no_expressions(name: str) -> None:
    """Everything reaches scripts through env, so no PR title or branch name can inject shell."""
    workflow = load(name)
    for job_id, job_ in workflow["jobs"].items():
        for step in steps(job_):
            assert "${{" not in run(step), f"{name}:{job_id}: step {step.get('name')!r} expands ${{{{ }}}} in run:"


@pytest.mark.parametrize("name", ["preview.yml", "deploy.yml", "pr-stage.yml"])
def test_checkouts_do_not_persist_the_token(name: str) -> None:
    workflow = load(name)
    for job_id, job_ in workflow["jobs"].items():
        for step in steps(job_):
            if uses(step).startswith("actions/checkout@"):
                assert with_(step).get("persist-credentials") is False, f"{name}:{job_id} persists the token"


def _pinned_pulumi_version() -> str:
    for line in (ROOT / "requirements.txt").read_text(encoding="utf-8").splitlines():
        match = re.match(r"^pulumi==([\d.]+)\s*$", line.strip())
        if match:
            return match.group(1)
    raise AssertionError("requirements.txt pins no pulumi version")


@pytest.mark.parametrize("name", ["preview.yml", "deploy.yml", "pr-stage.yml"])
def test_pulumi_cli_matches_the_sdk_pin(name: str) -> None:
    assert load(name)["env"]["PULUMI_VERSION"] == _pinned_pulumi_version()


@pytest.mark.parametrize("name", ["preview.yml", "deploy.yml", "pr-stage.yml"])
def test_derived_credentials_are_masked_before_they_are_exported(name: str) -> None:
    """Any token written to GITHUB_ENV is ::add-mask::ed first, in the same script."""
    workflow = load(name)
    for job_id, job_ in workflow["jobs"].items():
        for step in steps(job_):
            script = run(step)
            for match in re.finditer(r"echo \"(INFISICAL_TOKEN)=\$\{(\w+)\}\" >> \"\$GITHUB_ENV\"", script):
                mask = f'echo "::add-mask::${{{match.group(2)}}}"'
                assert mask in script[: match.start()], f"{name}:{job_id}: {match.group(1)} is exported unmasked"


def _infisical_cli_jobs(workflow: Workflow) -> Iterator[tuple[str, Job]]:
    for job_id, job_ in workflow["jobs"].items():
        if any("infisical run" in run(step) for step in steps(job_)):
            yield job_id, job_


@pytest.mark.parametrize("name", ["deploy.yml", "pr-stage.yml"])
def test_infisical_cli_jobs_log_in_by_oidc_and_mask_every_secret_first(name: str) -> None:
    workflow = load(name)
    jobs = list(_infisical_cli_jobs(workflow))
    assert jobs, f"{name} has no job that runs Pulumi under `infisical run`"
    for job_id, job_ in jobs:
        assert job_["permissions"].get("id-token") == "write", f"{name}:{job_id} cannot request an OIDC token"
        login = step_index(job_, lambda s: "infisical login --method=oidc-auth" in run(s), "logging in by OIDC")
        script = run(steps(job_)[login])
        assert "--machine-identity-id=" in script
        assert "--jwt=" in script
        assert "ACTIONS_ID_TOKEN_REQUEST_URL" in script, "the JWT must be GitHub's OIDC token"
        mask = step_index(
            job_, lambda s: "infisical export" in run(s) and "::add-mask::" in run(s), "masking the secrets"
        )
        first_run = step_index(job_, lambda s: "infisical run" in run(s), "running under infisical run")
        assert login < mask < first_run, f"{name}:{job_id}: log in, then mask, then use the secrets"


# --------------------------------------------------------------------------------------------------
# preview.yml
# --------------------------------------------------------------------------------------------------


def test_preview_runs_on_pull_requests(preview: Workflow) -> None:
    assert "pull_request" in triggers(preview)


def test_preview_job_uses_the_infisical_oidc_action(preview: Workflow) -> None:
    preview_job = job(preview, "preview")
    assert preview_job["permissions"].get("id-token") == "write"
    index = step_index(preview_job, lambda s: uses(s).startswith("Infisical/secrets-action@"), "Infisical action")
    inputs = with_(steps(preview_job)[index])
    assert inputs.get("method") == "oidc"
    assert "vars.INFISICAL_IDENTITY_ID_PR_PREVIEW" in str(inputs.get("identity-id"))
    assert inputs.get("env-slug") == "staging"
    assert inputs.get("secret-path") == checked_config("staging").infisical.ci_identity.preview_folder  # type: ignore[union-attr]
    assert inputs.get("export-type", "env") == "env", "secrets must arrive as (masked) env vars"
    assert "client-secret" not in inputs, "universal auth would need a long-lived client secret"
    assert "client-id" not in inputs


def test_preview_never_holds_a_deploy_identity_or_an_infisical_token(preview: Workflow) -> None:
    preview_job = job(preview, "preview")
    text = str(preview_job)
    assert "INFISICAL_IDENTITY_ID_STAGING" not in text and "INFISICAL_IDENTITY_ID_PROD" not in text
    assert "/cloudflare" not in text, "the staging deploy token lives in /cloudflare"
    assert "INFISICAL_TOKEN" not in text, "preview runs only check/diff, which never call Infisical"


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


def test_preview_runs_pulumi_preview_with_diff_comment_and_policy_pack(preview: Workflow) -> None:
    preview_job = job(preview, "preview")
    infisical = step_index(preview_job, lambda s: uses(s).startswith("Infisical/secrets-action@"), "Infisical")
    index = step_index(
        preview_job,
        lambda s: uses(s).startswith("pulumi/actions@") and with_(s).get("command") == "preview",
        "running pulumi preview",
    )
    inputs = with_(steps(preview_job)[index])
    assert str(inputs.get("stack-name", "")).endswith("staging")
    assert inputs.get("diff") is True
    assert inputs.get("comment-on-pr") is True
    assert inputs.get("policyPacks") == "policy"
    assert preview_job["permissions"].get("pull-requests") == "write"
    assert infisical < index, "secrets must be fetched before the preview"


def test_preview_logs_in_to_pulumi_by_oidc_unless_self_managed(preview: Workflow) -> None:
    preview_job = job(preview, "preview")
    index = step_index(preview_job, lambda s: uses(s).startswith("pulumi/auth-actions@"), "Pulumi OIDC login")
    assert "PULUMI_BACKEND_URL" in str(steps(preview_job)[index].get("if"))


def test_which_preview_jobs_run_for_which_pull_request(preview: Workflow) -> None:
    assert jobs_that_run(preview, pull_request()) == {"plan", "diff", "preview"}
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
    assert ACK_LABEL in (ROOT / "README.md").read_text()


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


# --------------------------------------------------------------------------------------------------
# deploy.yml
# --------------------------------------------------------------------------------------------------


def test_deploy_triggers(deploy: Workflow) -> None:
    on = triggers(deploy)
    assert on["push"]["branches"] == ["main"]
    assert "v*" in on["push"]["tags"]
    stage = on["workflow_dispatch"]["inputs"]["stage"]
    assert "prod" in stage["options"]
    assert stage.get("default") != "prod", "a manual run must not default to prod"


def test_which_deploy_job_runs_for_which_event(deploy: Workflow) -> None:
    assert jobs_that_run(deploy, push("refs/heads/main")) == {"deploy-staging"}
    assert jobs_that_run(deploy, push("refs/tags/v1.4.0")) == {"deploy-prod"}
    assert jobs_that_run(deploy, dispatch("prod")) == {"deploy-prod"}
    assert jobs_that_run(deploy, dispatch("prod", "refs/tags/v1.4.0")) == {"deploy-prod"}
    assert jobs_that_run(deploy, dispatch("staging")) == {"deploy-staging"}
    assert jobs_that_run(deploy, push("refs/heads/feature")) == set()
    assert jobs_that_run(deploy, dispatch("prod", "refs/heads/feature")) == set()


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
    assert "--remote" in script
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


def test_pr_stage_creates_the_stack_from_staging_and_deploys_it(pr_stage: Workflow) -> None:
    up_job = job(pr_stage, "up")
    assert "pull_request.number" in str(pr_stage["env"]["STAGE"])
    create = step_index(up_job, lambda s: "pulumi stack init" in run(s), "creating the stack")
    assert "--copy-config-from" in run(steps(up_job)[create])
    assert "staging" in run(steps(up_job)[create])
    deploy_step = step_index(up_job, lambda s: "pulumi up" in run(s), "running pulumi up")
    assert "infisical run --env=preview --path=/cloudflare" in run(steps(up_job)[deploy_step])
    assert create < deploy_step


def test_pr_stage_destroys_and_removes_the_stack(pr_stage: Workflow) -> None:
    down_job = job(pr_stage, "down")
    index = step_index(down_job, lambda s: "pulumi destroy" in run(s), "destroying the stage")
    script = run(steps(down_job)[index])
    destroy = script.index("pulumi destroy --yes")
    remove = script.index("pulumi stack rm --yes")
    assert destroy < remove
    assert "infisical run --env=preview --path=/cloudflare" in script


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
