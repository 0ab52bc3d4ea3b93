"""deploy-prod's release step, run for real in a git repository: prod deploys a v* tag whose commit is on main,
and with no release given (a rotation, a plain redeploy) the release prod runs now, from its stack history.

The step runs as the runner runs it (tests/workflow_steps.py), with real git; `pulumi stack history` is a stub
that prints the history a test gives it, under a stub `infisical run`.
"""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import pytest

import tests.workflow_tools as wf
from tests.workflow_steps import INFISICAL_RUN_STUB, StepRun, run_step, stub_command

STEP = wf.steps(wf.job(wf.load("deploy.yml"), "deploy-prod"))[
    wf.step_index(wf.job(wf.load("deploy.yml"), "deploy-prod"), lambda s: s.get("id") == "release", "the release")
]


def _git(repo: Path, *arguments: str) -> str:
    result = subprocess.run(["git", "-C", str(repo), *arguments], capture_output=True, text=True, check=True)
    return result.stdout.strip()


@pytest.fixture(scope="module")
def repo(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    """main: first (v1.0.0) -> second (untagged, main's HEAD); a side branch: rogue (v9.9.9), off first."""
    root = tmp_path_factory.mktemp("repo")
    _git(root, "init", "-q", "-b", "main")
    _git(root, "config", "user.email", "ci@example.com")
    _git(root, "config", "user.name", "ci")
    commits = {}
    for name in ("first", "second"):
        _git(root, "commit", "-q", "--allow-empty", "-m", name)
        commits[name] = _git(root, "rev-parse", "HEAD")
    _git(root, "tag", "-a", "v1.0.0", "-m", "v1.0.0", commits["first"])
    _git(root, "checkout", "-q", "-b", "side", commits["first"])
    _git(root, "commit", "-q", "--allow-empty", "-m", "rogue")
    commits["rogue"] = _git(root, "rev-parse", "HEAD")
    _git(root, "tag", "v9.9.9")
    _git(root, "checkout", "-q", "main")
    return {"root": str(root), **commits}


def _resolve(
    repo: dict[str, str], tmp_path: Path, release: str = "", history: list[dict[str, object]] | None = None
) -> StepRun:
    tools = tmp_path / "tools"
    tools.mkdir(exist_ok=True)
    stub_command(tools, "infisical", INFISICAL_RUN_STUB)
    stub_command(tools, "pulumi", 'test "$*" = "stack history --json --stack prod --page-size 20"\necho "$HISTORY"\n')
    expressions = {
        "inputs.release": release,
        "steps.infisical.outputs.token": "infisical-token",
        "steps.state.outputs.url": "s3://acme-prod-pulumi-state",
        "steps.state.outputs.access-token": "",
        "steps.state.outputs.stack": "prod",
    }
    return run_step(
        STEP,
        tmp_path,
        expressions,
        cwd=Path(repo["root"]),
        env={
            "PATH": f"{tools}{os.pathsep}{os.environ['PATH']}",
            "HISTORY": json.dumps(history or []),
            "INFISICAL_PROJECT_ID": "project",
        },
    )


def _update(commit: str, result: str = "succeeded", kind: str = "update") -> dict[str, object]:
    return {"kind": kind, "result": result, "environment": {"git.head": commit}}


def test_a_release_tag_on_main_is_deployed(repo: dict[str, str], tmp_path: Path) -> None:
    result = _resolve(repo, tmp_path, "v1.0.0")
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.outputs == {"tag": "v1.0.0", "commit": repo["first"]}


@pytest.mark.parametrize(
    ("release", "error"),
    [
        ("v9.9.9", "v9.9.9 ({rogue}) is not on main: prod deploys only releases of main"),
        ("v3.0.0", "there is no tag v3.0.0"),
        ("main", "release must be a v* tag such as v1.4.0, not 'main'"),
        ("v1.0.0; rm -rf /", "release must be a v* tag"),
        ("refs/heads/side", "release must be a v* tag"),
    ],
)
def test_anything_but_a_release_of_main_is_refused(
    repo: dict[str, str], tmp_path: Path, release: str, error: str
) -> None:
    result = _resolve(repo, tmp_path, release)
    assert result.returncode == 1 and result.outputs == {}
    assert f"::error::{error.format(**repo)}" in result.stdout


def test_no_release_given_redeploys_the_release_prod_runs(repo: dict[str, str], tmp_path: Path) -> None:
    """A rotation redeploys prod's newest successful update (v1.0.0), not main's HEAD (`second`)."""
    history = [_update(repo["second"], "failed"), _update(repo["first"]), _update(repo["second"], kind="refresh")]
    result = _resolve(repo, tmp_path, history=history)
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.outputs == {"tag": "v1.0.0", "commit": repo["first"]}


@pytest.mark.parametrize(
    ("running", "error"),
    [
        (None, "prod's stack history records no deployed commit: deploy a release first"),
        ("second", "prod runs {second}, which no v* tag names: deploy a release"),
        ("rogue", "v9.9.9 ({rogue}) is not on main"),
    ],
)
def test_a_rotation_refuses_what_is_not_a_release_of_main(
    repo: dict[str, str], tmp_path: Path, running: str | None, error: str
) -> None:
    history = [_update(repo[running])] if running else []
    result = _resolve(repo, tmp_path, history=history)
    assert result.returncode == 1 and result.outputs == {}
    assert f"::error::{error.format(**repo)}" in result.stdout


def test_the_release_is_checked_out_beside_main_and_only_the_program_runs_there() -> None:
    prod = wf.job(wf.load("deploy.yml"), "deploy-prod")
    names = [wf.uses(s) or wf.run(s) for s in wf.steps(prod)]
    release = wf.step_index(prod, lambda s: s.get("id") == "release", "the release")
    worktree = wf.step_index(prod, lambda s: 'git worktree add --detach "$RELEASE_DIR"' in wf.run(s), "worktree")
    assert release < worktree and wf.steps(prod)[worktree]["env"] == {
        "RELEASE_COMMIT": "${{ steps.release.outputs.commit }}"
    }
    for index, step in enumerate(wf.steps(prod)):
        if index < worktree:
            continue
        if "pulumi up" in wf.run(step) or "bin/migrate prod" in wf.run(step):
            assert step["working-directory"] == "${{ env.RELEASE_DIR }}", names[index]
        assert not wf.uses(step).startswith("./") or wf.uses(step) == wf.SELECT_STACK, "actions come from main"
    checkout = wf.with_(wf.steps(prod)[1])
    assert checkout.get("fetch-depth") == 0 and checkout.get("fetch-tags") is True and "ref" not in checkout
