"""A first run with no Infisical at all: a copy of the project, no ``infisical`` CLI, no credentials.

``bin/dev`` names every secret it cannot read, with the reason and the command that adds it, and exits 3;
``bin/dev --allow-missing-secrets`` serves the stage with them unset, and the example worker lists them as
missing while every binding it does have works.
"""

from __future__ import annotations

import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from devstage.exits import Exit
from devstage.secrets import secret_reads
from devstage.sources import NO_SOURCE
from tests.conftest import checked_config
from tests.dev_serving import Running, free_port, get, serving, shell
from tests.dev_tools import project_copy
from tests.wrangler_tools import needs_node

pytestmark = needs_node
STAGE = "dev"


@dataclass
class FirstRun:
    refused: subprocess.CompletedProcess[str]
    """``bin/dev`` without the flag."""
    running: Running
    """``bin/dev --allow-missing-secrets``, serving."""
    copy: Path


@pytest.fixture(scope="module")
def first_run(tmp_path_factory: pytest.TempPathFactory) -> Iterator[FirstRun]:
    copy = project_copy(tmp_path_factory.mktemp("copy") / "app")
    home = tmp_path_factory.mktemp("home")
    env = shell(home, home / "tmp")
    bin_dev = str(copy / "bin" / "dev")
    refused = subprocess.run([bin_dev], env=env, capture_output=True, text=True, timeout=180, check=False)
    port = free_port()
    with serving([bin_dev, "--allow-missing-secrets", "--port", str(port)], env, port, home / "log") as running:
        yield FirstRun(refused, running, copy)


def _missing() -> list[str]:
    return sorted(read.name for read in secret_reads(checked_config(STAGE), ["api"]) if read.folder)


def test_without_the_flag_each_missing_secret_is_named_with_why(first_run: FirstRun) -> None:
    assert first_run.refused.returncode == Exit.MISSING_SECRETS, first_run.refused.stderr
    err = first_run.refused.stderr
    for name in _missing():
        assert f"  - {name} (worker api," in err
    assert " ".join(NO_SOURCE.split()[:8]) in " ".join(err.split())
    assert "infisical secrets set --projectId" in err and "--allow-missing-secrets" in err
    assert "Traceback" not in err and all(len(line) <= 120 for line in err.splitlines())


def test_with_the_flag_the_stage_serves_and_lists_what_is_missing(first_run: FirstRun) -> None:
    answer = get(f"{first_run.running.url}/_platform/bindings")
    assert answer["missing"] == _missing()
    assert {name: answer["bindings"][name] for name in _missing()} == dict.fromkeys(_missing(), "missing")
    assert answer["bindings"]["RESEND_API_KEY"] == "empty-text", "a sandbox without a value is bound empty"
    assert {"DB", "CACHE", "ASSETS", "JOBS"} <= set(answer["bindings"])


def test_the_copy_serves_from_its_own_migrated_state(first_run: FirstRun) -> None:
    assert "starting without them (--allow-missing-secrets)" in first_run.running.output()
    assert any((first_run.copy / ".dev" / STAGE / "state").rglob("*.sqlite")), "migrations applied in the copy"


def test_a_port_in_use_stops_the_start_with_exit_1(first_run: FirstRun) -> None:
    port = first_run.running.url.rsplit(":", 1)[1]
    bin_dev = first_run.copy / "bin" / "dev"
    env = shell(first_run.copy, first_run.copy / "tmp")
    args = [str(bin_dev), "--stage", "staging", "--allow-missing-secrets", "--port", port]
    done = subprocess.run(args, env=env, capture_output=True, text=True, timeout=180, check=False)
    assert done.returncode == Exit.FAILED, done.stderr
    assert f"wrangler did not start: Address already in use (127.0.0.1:{port})" in done.stderr
