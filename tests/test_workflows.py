"""The GitHub Actions workflows: the invariants every workflow keeps (tests/test_workflow_lint.py lints them).

The invariants are checked on the parsed YAML; job conditions (``if:``) are evaluated for concrete events by
:mod:`tests.workflow_tools`.
"""

import re
from collections.abc import Iterator

import pytest

from tests.workflow_tools import (
    INFISICAL_LOGIN,
    ROOT,
    SELECT_STACK,
    WORKFLOWS,
    Job,
    Workflow,
    action_steps,
    all_action_files,
    all_workflow_files,
    evaluate,
    every_step,
    load,
    run,
    step_env,
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

SHA_PIN = re.compile(
    r"^\s*(?:-\s+)?uses:\s+(?P<action>[\w.-]+/[\w./-]+)@(?P<sha>[0-9a-f]{40}) # (?P<version>v\d+\.\d+\.\d+)\s*$"
)
LOCAL = re.compile(r"^\s*(?:-\s+)?uses:\s+\./\.github/(actions/[\w-]+|workflows/[\w-]+\.ya?ml)\s*$")
PINNED_FILES = [*all_workflow_files(), *all_action_files()]


def _uses_lines() -> list[tuple[str, str]]:
    found = []
    for path in PINNED_FILES:
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if re.match(r"^\s*(-\s+)?uses:", line):
                found.append((f"{path.relative_to(ROOT)}:{number}", line))
    return found


def test_every_action_is_pinned_to_a_commit_sha_with_its_version_in_a_comment() -> None:
    """A tag can be moved to other code; a full commit SHA cannot. The comment says which release it is."""
    lines = _uses_lines()
    assert len(lines) > 20, lines
    for where, line in lines:
        assert SHA_PIN.match(line) or LOCAL.match(line), (
            f"{where}: {line.strip()!r} is not `owner/repo@<40-hex> # vX.Y.Z`"
        )


def test_each_action_is_pinned_to_one_release_everywhere() -> None:
    pins: dict[str, set[tuple[str, str]]] = {}
    for _where, line in _uses_lines():
        if match := SHA_PIN.match(line):
            pins.setdefault(match["action"], set()).add((match["sha"], match["version"]))
    assert pins, "no pinned action found"
    assert {action: found for action, found in pins.items() if len(found) > 1} == {}


@pytest.mark.parametrize("line", ["uses: actions/checkout@v5", "uses: actions/checkout@" + "a" * 40, "uses: x/y@main"])
def test_the_pin_rule_refuses_tags_and_bare_shas(line: str) -> None:
    assert not SHA_PIN.match(line) and not LOCAL.match(line)


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


SECRET_NAME = re.compile(r"TOKEN|JWT|SECRET|PASSPHRASE|PASSWORD|KEY", re.IGNORECASE)


def test_no_step_writes_to_github_env_or_github_path() -> None:
    """Tokens and JWTs stay in step outputs (masked) and reach only the steps that name them; nothing a later
    step would inherit unasked is written (GITHUB_ENV also lets one step set LD_PRELOAD for every later one)."""
    for where, step in every_step():
        script = run(step)
        assert "GITHUB_ENV" not in script and "GITHUB_PATH" not in script, f"{where}: {step.get('name')!r}"


def test_no_action_that_exports_credentials_to_the_environment_is_used() -> None:
    """Infisical/secrets-action (export-type env: core.exportVariable of every secret) and pulumi/auth-actions
    (v1 exports PULUMI_ACCESS_TOKEN whatever its input says) would put tokens into GITHUB_ENV."""
    for where, step in every_step():
        assert not uses(step).startswith(("Infisical/secrets-action", "pulumi/auth-actions")), where


def test_credentials_reach_a_step_only_from_a_masked_step_output() -> None:
    for where, step in every_step():
        for name, value in step_env(step).items():
            if SECRET_NAME.search(name) and name not in {"GH_TOKEN"}:
                assert re.fullmatch(r"\$\{\{ (steps\.[\w-]+\.outputs|inputs)\.[\w-]+ \}\}", value), (where, name)
            if name == "GH_TOKEN":
                assert value == "${{ github.token }}", where
    for path in all_workflow_files():
        for job_id, job_ in load(path.name)["jobs"].items():
            names = set(job_.get("env") or {}) | set(load(path.name).get("env") or {})
            assert not {name for name in names if SECRET_NAME.search(name) and "ID" not in name}, (path.name, job_id)


def test_the_login_actions_hand_tokens_over_as_masked_outputs_only() -> None:
    for name, output in (("infisical-login", "token"), ("pulumi-state", "access-token")):
        scripts = [run(step) for step in action_steps(name)]
        writes = [s for s in scripts if f'echo "{output}=${{token}}" >> "$GITHUB_OUTPUT"' in s]
        assert writes, name
        for script in writes:
            assert script.index('echo "::add-mask::${jwt}"') < script.index('echo "::add-mask::${token}"')
            assert script.index('echo "::add-mask::${token}"') < script.index(f'echo "{output}=${{token}}"')
            assert not re.search(r'--arg \w+ "\$(jwt|token)"|-H "Authorization: [Bb]earer \$', script), "never on argv"
            assert 'JWT="$jwt" jq -n' in script and "--data-binary @-" in script


def _infisical_cli_jobs(workflow: Workflow) -> Iterator[tuple[str, Job]]:
    for job_id, job_ in workflow["jobs"].items():
        if any("infisical run" in run(step) for step in steps(job_)):
            yield job_id, job_


@pytest.mark.parametrize("name", ["deploy.yml", "pr-stage.yml", "preview.yml"])
def test_infisical_cli_jobs_log_in_by_oidc_and_mask_every_secret_first(name: str) -> None:
    workflow = load(name)
    jobs = list(_infisical_cli_jobs(workflow))
    assert jobs, f"{name} has no job that runs Pulumi under `infisical run`"
    for job_id, job_ in jobs:
        assert job_["permissions"].get("id-token") == "write", f"{name}:{job_id} cannot request an OIDC token"
        login = step_index(job_, lambda s: uses(s) == INFISICAL_LOGIN, "logging in by OIDC")
        inputs = with_(steps(job_)[login])
        assert steps(job_)[login].get("id") == "infisical" and inputs["mask-paths"], f"{name}:{job_id}"
        first_run = step_index(job_, lambda s: "infisical run" in run(s) or uses(s) == SELECT_STACK, "using secrets")
        assert login < first_run, f"{name}:{job_id}: log in and mask, then use the secrets"
        for step in steps(job_):
            for folder in re.findall(r"infisical run --env=\S+ --path=(\S+)", run(step)):
                assert folder in str(inputs["mask-paths"]).split(), f"{name}:{job_id}: {folder} is used unmasked"
            if "infisical run" in run(step):
                assert step_env(step)["INFISICAL_TOKEN"] == "${{ steps.infisical.outputs.token }}", step.get("name")
