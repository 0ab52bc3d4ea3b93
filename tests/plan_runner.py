"""Run ``bin/plan`` (``plan.__main__.main``) over many edited versions of the committed stack files, in one process.

``python -m tests.plan_runner CASES.json`` from a *copy* of the repository: each case writes its files over the
copy's (``{"files": {"Pulumi.staging.yaml": "..."}, "args": ["staging"]}``), runs the CLI exactly as
``bin/plan`` does, restores the files, and the results (exit code, stdout, stderr, per case) are printed as
JSON. One process for every case: the program's imports are paid once.
"""

from __future__ import annotations

import contextlib
import io
import json
import sys
from pathlib import Path
from typing import Any

from components.rules import stage_layout
from plan.__main__ import main


def run_case(root: Path, case: dict[str, Any]) -> dict[str, Any]:
    saved = {name: (root / name).read_text() for name in case["files"] if (root / name).exists()}
    for name, text in case["files"].items():
        (root / name).write_text(text)
    stage_layout.committed_values.cache_clear()
    out, err = io.StringIO(), io.StringIO()
    try:
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            try:
                code = main(list(case["args"]))
            except SystemExit as error:  # argparse
                code = error.code if isinstance(error.code, int) else 1
    finally:
        for name in case["files"]:
            if name in saved:
                (root / name).write_text(saved[name])
            else:
                (root / name).unlink()
        stage_layout.committed_values.cache_clear()
    return {"code": code, "stdout": out.getvalue(), "stderr": err.getvalue()}


if __name__ == "__main__":
    cases = json.loads(Path(sys.argv[1]).read_text())
    results = [run_case(stage_layout.PROJECT_ROOT, case) for case in cases]
    sys.stdout.write(json.dumps(results))
