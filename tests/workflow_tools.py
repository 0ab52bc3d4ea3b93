"""Reading the GitHub Actions workflows in tests: loading helpers, the per-workflow fixtures, and a tiny evaluator of
the job-condition expression subset the workflows use, so a test fails when behaviour changes, not only a string.
"""

import re
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

ROOT = Path(__file__).resolve().parent.parent
WORKFLOWS = ROOT / ".github" / "workflows"
ACTIONS = ROOT / ".github" / "actions"
"""The repository's own composite actions (`uses: ./.github/actions/<name>`)."""
INFISICAL_LOGIN = "./.github/actions/infisical-login"
PULUMI_STATE = "./.github/actions/pulumi-state"
SELECT_STACK = "./.github/actions/select-stack"
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


def all_action_files() -> list[Path]:
    return sorted([*ACTIONS.glob("*/action.yml"), *ACTIONS.glob("*/action.yaml")])


def load_action(name: str) -> dict[str, Any]:
    path = ACTIONS / name / "action.yml"
    assert path.is_file(), f"{path.relative_to(ROOT)} is missing"
    document = yaml.safe_load(path.read_text(encoding="utf-8"))
    assert isinstance(document, dict) and document["runs"]["using"] == "composite"
    return document


def action_steps(name: str) -> list[Step]:
    return list(load_action(name)["runs"]["steps"])


def every_step() -> Iterator[tuple[str, Step]]:
    """Each step of every workflow job and every composite action, with where it is."""
    for path in all_workflow_files():
        for job_id, job_ in load(path.name)["jobs"].items():
            for step in steps(job_):
                yield f"{path.name}:{job_id}", step
    for path in all_action_files():
        for step in action_steps(path.parent.name):
            yield f"actions/{path.parent.name}", step


def step_env(step: Step) -> dict[str, str]:
    return {str(key): str(value) for key, value in (step.get("env") or {}).items()}


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
    preview_identity: bool = True,
) -> dict[str, Any]:
    """A pull-request event; ``preview_identity`` says whether the PR preview identity variable is set."""
    return {
        "vars.INFISICAL_IDENTITY_ID_PR_PREVIEW": "identity-id" if preview_identity else "",
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


def dispatch(stage: str, ref: str = "refs/heads/main", release: str = "") -> dict[str, Any]:
    return {
        "github.event_name": "workflow_dispatch",
        "github.repository": REPO,
        "github.ref": ref,
        "inputs.stage": stage,
        "inputs.release": release,
    }
