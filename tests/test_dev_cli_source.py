"""``bin/dev`` for real, secrets read with the Infisical CLI: the staging stage, as a logged-in developer runs it.

A stub ``infisical`` on PATH answers ``infisical export --format=json`` from a store outside every scanned
folder, with a canary value for every key bin/dev names, decoys beside them, and folder secrets named like the
shell's own variables (``NODE_OPTIONS`` that would load code into node, ``PATH``, ``HOME``). One running stage
answers every test: each declared secret is served, one ``export`` per folder was made, and while it serves no
process environment or argument list and no file holds a value, and no folder secret became a variable.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from components.rules.stage_layout import PROJECT_ROOT
from devstage.secrets import secret_reads, wanted
from tests.conftest import checked_config
from tests.dev_serving import (
    SHELL_CREDENTIALS,
    Running,
    files_holding,
    free_port,
    get,
    holding,
    outside_allowlist,
    processes,
    serving,
    shell,
)
from tests.dev_tools import (
    STUB_LOG_VAR,
    STUB_STORE_VAR,
    canary,
    logged_in_home,
    stage_canaries,
    stub_store,
    write_stub_cli,
)
from tests.wrangler_tools import needs_node

pytestmark = needs_node
STAGE = "staging"
BIN_DEV = PROJECT_ROOT / "bin" / "dev"


@dataclass
class Served:
    running: Running
    canaries: list[str]
    calls: list[dict[str, str]]
    """The flags of each ``infisical`` call (never a value)."""
    home: Path
    marker: Path
    """The file the folder secret ``NODE_OPTIONS`` would create if it ever reached node."""


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    config = checked_config(STAGE)
    home = logged_in_home(tmp_path_factory.mktemp("home"))
    server = tmp_path_factory.mktemp("infisical-server")  # the stub's store: not scanned, as a real server is not
    marker = server / "node-options-ran"
    hook = server / "hook.cjs"
    hook.write_text(f"require('fs').writeFileSync({json.dumps(str(marker))}, 'ran')\n")
    values = stage_canaries(config)
    shadows = {
        ("/cloudflare", "NODE_OPTIONS"): f"--require {hook}",
        ("/cloudflare", "PATH"): canary("path"),
        ("/oauth", "HOME"): canary("home"),
        ("/oauth", "STRIPE_SECRET_KEY_SANDBOX"): canary("decoy"),
        ("/cloudflare", "UNRELATED"): canary("other"),
    }
    credentials = {name: canary(name) for name in SHELL_CREDENTIALS}
    port = free_port()
    env = shell(home, home / "tmp", credentials)
    env |= {
        "PATH": f"{write_stub_cli(home / 'bin').parent}{os.pathsep}{env['PATH']}",
        STUB_STORE_VAR: str(stub_store(server / "store.json", config, {**values, **shadows})),
        STUB_LOG_VAR: str(server / "calls.jsonl"),
    }
    command = [str(BIN_DEV), "--stage", STAGE, "--port", str(port)]  # auto: the CLI is on PATH and logged in
    with serving(command, env, port, home / "bin-dev.log") as running:
        calls = [json.loads(line) for line in (server / "calls.jsonl").read_text().splitlines()]
        secrets = [*values.values(), *(v for k, v in shadows.items() if k[1] != "NODE_OPTIONS"), *credentials.values()]
        yield Served(running, secrets, calls, home, marker)


def test_each_declared_secret_is_served_and_nothing_else_of_a_folder(served: Served) -> None:
    answer = get(f"{served.running.url}/_platform/bindings")
    for read in secret_reads(checked_config(STAGE), ["api"]):
        assert answer["bindings"][read.name] == ("text" if read.folder else "empty-text"), read.name
    assert answer["missing"] == []
    assert not {"UNRELATED", "NODE_OPTIONS"} & set(answer["bindings"])


def test_one_export_per_folder_into_a_pipe(served: Served) -> None:
    config = checked_config(STAGE)
    assert config.infisical is not None
    expected = {"projectId": config.infisical.project_id, "env": config.infisical_environment_slug}
    folders = wanted(secret_reads(config, list(config.workers)))
    flags = {"format": "json", "silent": "true"}
    assert served.calls == [{**expected, "path": folder, **flags} for folder in folders]


def test_no_process_environment_or_argument_list_holds_a_value(served: Served) -> None:
    tree = processes(session=served.running.process.pid)
    assert {"node", "workerd", "esbuild"} <= {proc.name for proc in tree}
    assert holding(served.canaries, processes()) == []
    assert {proc.name: outside_allowlist(proc) for proc in tree} == {proc.name: set() for proc in tree}


def test_a_folder_secret_never_overrides_a_variable_of_the_shell(served: Served) -> None:
    assert not served.marker.exists(), "a folder secret NODE_OPTIONS loaded code into node"
    for proc in processes(session=served.running.process.pid):
        assert b"NODE_OPTIONS" not in proc.environ, proc.name


def test_no_file_holds_a_value_while_the_stage_serves(served: Served) -> None:
    assert files_holding(served.canaries, [PROJECT_ROOT, served.home]) == []
    assert "Using secrets defined in" not in served.running.output()
