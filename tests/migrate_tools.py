"""Shared helpers of the ``bin/migrate`` tests: the program's real stack outputs, an app folder, and runs.

The outputs are the real program's (under the mock engine), shaped as ``pulumi stack output --json`` prints
them (a secret output shows as ``[secret]``). The stand-in Cloudflare API gets a D1 database for each id in
them, so wrangler's remote commands land on local SQLite databases.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from components.rules.stage_layout import PROJECT_ROOT
from tests.conftest import run_stage
from tests.fakes.cloudflare_d1 import StandInCloudflare

MIGRATION = "0001_job_runs.sql"


def stack_outputs(stage: str) -> dict[str, Any]:
    """The stage's stack outputs as ``pulumi stack output --json`` prints them."""
    run = run_stage(stage, allow_missing=True, environment={})
    return {name: "[secret]" if out.secret else out.value for name, out in run.outputs.items()}


def databases(outputs: Mapping[str, Any]) -> dict[str, str]:
    """Database name → id, from the outputs' d1Databases."""
    return {entry["name"]: entry["id"] for entry in outputs["d1Databases"].values()}


def app_folder(directory: Path) -> Path:
    """An app folder with a copy of the project's migrations, which a test may edit or extend."""
    shutil.copytree(PROJECT_ROOT / "migrations", directory / "migrations")
    return directory


def migrate(
    *args: str, app: Path, records: Path, env: Mapping[str, str], outputs: Path | None = None
) -> subprocess.CompletedProcess[str]:
    """``python -m migrate`` (what bin/migrate execs) against ``app``, recording into ``records``."""
    command = [sys.executable, "-m", "migrate", *args, "--root", str(app), "--records", str(records)]
    if outputs is not None:
        command += ["--outputs", str(outputs)]
    return subprocess.run(
        command, cwd=PROJECT_ROOT, env=dict(env), capture_output=True, text=True, timeout=300, check=False
    )


def environment(cloudflare: StandInCloudflare, home: Path, **extra: str) -> dict[str, str]:
    """A clean environment that points wrangler at the stand-in (and nothing of the caller's shell)."""
    return {"PATH": os.environ.get("PATH", ""), "HOME": str(home), **cloudflare.environment(), **extra}


def write_json(path: Path, data: Any) -> Path:
    path.write_text(json.dumps(data, indent=2))
    return path


def first(calls: list[Any], suffix: str) -> int:
    """The position of the first call whose path ends with ``suffix`` (len(calls) when there is none)."""
    return next((i for i, call in enumerate(calls) if call.path.endswith(suffix)), len(calls))
