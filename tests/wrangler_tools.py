"""Shared helpers of the wrangler-backed tests: the pinned wrangler, run offline, and the stage's configs.

The tests skip only when Node.js is missing; a missing ``node_modules`` is an install problem and fails.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import pytest

from components.config.bindings import BOUND_KINDS
from components.rules.stage_layout import PROJECT_ROOT
from devstage import wrangler

needs_node = pytest.mark.skipif(
    shutil.which("node") is None, reason="Node.js is not installed: wrangler (npm) cannot run on this machine"
)


def run_wrangler(
    *args: str, cwd: Path, home: Path, extra_env: Mapping[str, str] | None = None, timeout: float = 120
) -> subprocess.CompletedProcess[str]:
    """Run the project's wrangler offline (no credentials, no metrics, no update check) and capture it."""
    assert wrangler.wrangler_path().exists(), "node_modules is missing: bin/test installs it with `npm ci`"
    env = wrangler.environment({"PATH": os.environ.get("PATH", ""), "HOME": str(home)}, home / "logs")
    env.update(extra_env or {})
    return subprocess.run(
        wrangler.command(*args), cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout, check=False
    )


def app_root(directory: Path) -> Path:
    """A folder laid out like an app repository: the worker code and migrations beside its wrangler.json."""
    directory.mkdir(parents=True, exist_ok=True)
    for name in ("workers", "migrations", "node_modules"):
        (directory / name).symlink_to(PROJECT_ROOT / name, target_is_directory=True)
    return directory


def write_config(directory: Path, name: str, config: Mapping[str, Any]) -> Path:
    path = directory / f"{name}.json"
    path.write_text(json.dumps(config, indent=2))
    return path


def env_interface(declarations: str) -> set[str]:
    """The member names of ``interface Env { … }`` in a ``wrangler types`` output (one member per line)."""
    lines = declarations.splitlines()
    start = next(i for i, line in enumerate(lines) if line.strip() == "interface Env {")
    end = next(i for i in range(start, len(lines)) if lines[i].strip() == "}")
    return {line.strip().split(":")[0] for line in lines[start + 1 : end]}


def bound_entries(config: Mapping[str, Any]) -> Iterator[tuple[str, str]]:
    """(binding name, provider binding type) of every binding a wrangler config declares, found where each kind's
    one declaration (``components/config/bindings.py``) puts it; the static assets' binding as ``assets``."""
    for kind in BOUND_KINDS.values():
        *parents, last = kind.section.split(".")
        holder: Any = config
        for parent in parents:
            holder = holder.get(parent, {})
        found = holder.get(last)
        entries = [found] if kind.single and found else list(found or [])
        yield from ((entry[kind.name_key], kind.provider_type) for entry in entries)
    if binding := config.get("assets", {}).get("binding"):
        yield binding, "assets"


def binding_names(config: Mapping[str, Any]) -> set[str]:
    names = {name for name, _ in bound_entries(config)} | set(config.get("vars", {}))
    return names | set(config.get("secrets", {}).get("required", []))
