"""The base of a diff: a saved ``--format json`` plan, or a git ref planned in a temporary worktree.

A git ref is planned with *its own* code and stage config (``python -m plan <stage> --format json``
run inside a detached worktree of that ref), so the base is exactly what that commit would deploy.
A ref without the stage's config file (or, for a pr stage, the pr template) is an empty base: everything
is a create. A ref is resolved to a commit with ``--end-of-options``, so git never reads it as an option.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

from components.rules.stage_layout import PROJECT_ROOT
from plan.stack_files import stack_file

_PLANNED = (0, 3)
"""Exit codes of ``python -m plan`` that still wrote a plan (3: a policy violation at the base)."""


class BaseError(Exception):
    """The base could not be read or planned; the message says which and why."""


def load_base(spec: str, stage: str, project: str, repo: Path = PROJECT_ROOT) -> tuple[dict[str, Any], str]:
    """(the base plan, how to name it). ``spec`` is a JSON plan file or a git ref."""
    path = Path(spec)
    if path.is_file():
        try:
            plan = json.loads(path.read_text())
        except (OSError, ValueError) as error:
            raise BaseError(f"{spec}: not a JSON plan ({error})") from None
        if not isinstance(plan, dict) or not isinstance(plan.get("resources"), list):
            raise BaseError(f"{spec}: not a plan written by `bin/plan --format json`")
        if plan.get("stack") != stage:
            raise BaseError(f"{spec}: a plan of stack {plan.get('stack')!r}, not {stage!r}")
        return plan, path.name
    return plan_at_ref(spec, stage, project, repo), spec


def empty_plan(stage: str, project: str) -> dict[str, Any]:
    return {"project": project, "stack": stage, "resources": [], "outputs": {}, "policy": []}


def plan_at_ref(ref: str, stage: str, project: str, repo: Path = PROJECT_ROOT) -> dict[str, Any]:
    if ref.startswith("-"):  # the CLI refuses these too; git must never read a ref as one of its options
        raise BaseError(f"{ref!r} is neither a plan file nor a git ref")
    # --end-of-options: whatever the ref looks like, git takes it as a ref, never as an option.
    resolved = _git(repo, "rev-parse", "--verify", "--quiet", "--end-of-options", f"{ref}^{{commit}}")
    if resolved.returncode != 0:
        raise BaseError(f"{ref!r} is neither a plan file nor a git ref (no commit by that name)")
    commit = resolved.stdout.strip()
    with tempfile.TemporaryDirectory(prefix="plan-base-") as tmp:
        tree = Path(tmp) / "tree"
        added = _git(repo, "worktree", "add", "--detach", "--quiet", "--end-of-options", str(tree), commit)
        if added.returncode != 0:
            raise BaseError(f"checking out {ref!r} ({commit[:12]}) failed: {added.stderr.strip()}")
        try:
            if stack_file(stage, tree) is None:
                return empty_plan(stage, project)
            output = Path(tmp) / "base.json"
            planned = subprocess.run(  # noqa: S603 (our own interpreter and module, arguments from the CLI)
                [sys.executable, "-m", "plan", stage, "--format", "json", "--output", str(output)],
                cwd=tree,
                env={**os.environ, "PYTHONPATH": str(tree)},
                capture_output=True,
                text=True,
                check=False,
            )
            if planned.returncode not in _PLANNED or not output.is_file():
                tail = "\n".join(planned.stderr.strip().splitlines()[-5:])
                raise BaseError(f"planning {stage!r} at {ref!r} failed (exit {planned.returncode}):\n{tail}")
            return dict(json.loads(output.read_text()))
        finally:
            _git(repo, "worktree", "remove", "--force", str(tree))


def _git(repo: Path, *args: str) -> subprocess.CompletedProcess[str]:
    command = ["git", "-C", str(repo), *args]
    return subprocess.run(command, capture_output=True, text=True, check=False)  # noqa: S603 (git from PATH)
