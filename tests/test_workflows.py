"""The GitHub Actions workflows: the invariants every workflow keeps (tests/test_workflow_lint.py lints them).

The invariants are checked on the parsed YAML; job conditions (``if:``) are evaluated for concrete events by
:mod:`tests.workflow_tools`.
"""

import re
from collections.abc import Iterator

import pytest

from tests.workflow_tools import (
    ROOT,
    WORKFLOWS,
    Job,
    Workflow,
    all_workflow_files,
    evaluate,
    load,
    run,
    step_index,
    steps,
    uses,
    walk_strings,
    with_,
)

EVERY_WORKFLOW = sorted(path.name for path in all_workflow_files())
"""Each rule below holds for every workflow file, the ones added later included."""


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


@pytest.mark.parametrize("name", EVERY_WORKFLOW)
def test_third_party_actions_are_pinned_to_a_version(name: str) -> None:
    workflow = load(name)
    for job_id, job_ in workflow["jobs"].items():
        for step in steps(job_):
            action = uses(step)
            if action and not action.startswith("./"):
                assert VERSION_PIN.match(action), f"{name}:{job_id}: {action!r} is not pinned to a version tag"


@pytest.mark.parametrize("name", EVERY_WORKFLOW)
def test_permissions_are_least_privilege_per_job(name: str) -> None:
    workflow = load(name)
    assert workflow.get("permissions") == {}, f"{name}: the workflow-level token must have no permission"
    for job_id, job_ in workflow["jobs"].items():
        permissions = job_.get("permissions")
        assert isinstance(permissions, dict), f"{name}:{job_id} must declare its own permissions"
        assert "write-all" not in walk_strings(permissions)
        assert permissions.get("contents", "read") != "write", f"{name}:{job_id} must not write contents"


@pytest.mark.parametrize("name", EVERY_WORKFLOW)
def test_no_long_lived_token_comes_from_github_secrets(name: str) -> None:
    text = (WORKFLOWS / name).read_text(encoding="utf-8")
    referenced = set(re.findall(r"(?<![\w/.-])secrets\.([A-Za-z_][A-Za-z0-9_]*)", text))
    assert referenced <= {"GITHUB_TOKEN"}, f"{name} reads GitHub secrets {sorted(referenced)}"
    assert not re.search(r"secrets\[", text), f"{name} indexes the secrets context"
    secret_lines = [line for line in text.splitlines() if "secrets." in line]
    for forbidden in ("INFISICAL", "CLOUDFLARE", "PULUMI_ACCESS_TOKEN", "CLIENT-SECRET", "CLIENT_SECRET"):
        offending = [line for line in secret_lines if forbidden in line.upper()]
        assert not offending, f"{name} reads a long-lived {forbidden} token from GitHub secrets: {offending}"


@pytest.mark.parametrize("name", EVERY_WORKFLOW)
def test_run_scripts_contain_no_expressions(name: str) -> None:
    """Everything reaches scripts through env, so no PR title or branch name can inject shell."""
    workflow = load(name)
    for job_id, job_ in workflow["jobs"].items():
        for step in steps(job_):
            assert "${{" not in run(step), f"{name}:{job_id}: step {step.get('name')!r} expands ${{{{ }}}} in run:"


@pytest.mark.parametrize("name", EVERY_WORKFLOW)
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


@pytest.mark.parametrize("name", EVERY_WORKFLOW)
def test_pulumi_cli_matches_the_sdk_pin(name: str) -> None:
    """Every step that installs the Pulumi CLI installs the version the SDK is pinned to."""
    workflow = load(name)
    for job_ in workflow["jobs"].values():
        for step in steps(job_):
            if uses(step).startswith("pulumi/actions@"):
                assert with_(step).get("pulumi-version") == "${{ env.PULUMI_VERSION }}", name
                assert workflow["env"]["PULUMI_VERSION"] == _pinned_pulumi_version(), name


@pytest.mark.parametrize("name", EVERY_WORKFLOW)
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
