"""``bin/dev`` for real: every committed stage served by one ``wrangler dev`` on 127.0.0.1, secrets from Infisical.

``dev`` and ``prod`` read their secrets with a machine identity (universal auth) from the local
Infisical-compatible server; ``staging`` through a stub ``infisical`` CLI on PATH, as a logged-in developer
would. One request then goes through every binding for real (D1 query, KV and R2 put/get, a queue message
that ``jobs`` consumes, counts in api's Durable Object and writes to D1, service bindings, a Durable Object, a
Workflow run to completion, the static assets, Analytics Engine, a rate limiter, version metadata), another
shows each declared secret present by name and kind only, and afterwards no file in the project (nor the home
folder) holds any canary value. Bindings with no local emulation are named at start and left out.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import time
import urllib.error
import urllib.request
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from components.rules.stage_layout import PROJECT_ROOT
from devstage import configs
from devstage.secrets import secret_reads
from tests.conftest import STAGES, checked_config
from tests.dev_tools import (
    STUB_LOG_VAR,
    STUB_STORE_VAR,
    files_holding,
    free_port,
    seed_stage,
    stub_store,
    write_stub_cli,
)
from tests.fakes.infisical import FakeInfisical
from tests.wrangler_tools import bound_entries, needs_node

pytestmark = needs_node
BIN_DEV = PROJECT_ROOT / "bin" / "dev"
PATH_OF_STAGE = {"dev": "identity", "staging": "cli", "prod": "identity"}
START_TIMEOUT = 120.0
ROUNDTRIP_KINDS = {
    **{"d1": "d1", "kv_namespace": "kv", "r2_bucket": "r2", "queue": "queue", "service": "service"},
    **{"durable_object_namespace": "durable_object", "workflow": "workflow", "assets": "assets"},
    **{"analytics_engine": "analytics_engine", "ratelimit": "ratelimit", "version_metadata": "version_metadata"},
}
"""What the api worker's round trip calls each binding kind it uses for real (the provider's type → its word)."""


def canary(label: str) -> str:
    return f"canary-{label.lower()}-{uuid.uuid4().hex}"


def base_environment(home: Path) -> dict[str, str]:
    """A clean shell: PATH and a fresh home, no Cloudflare or Infisical variables of the test runner."""
    return {"PATH": os.environ["PATH"], "HOME": str(home), "LANG": "C.UTF-8"}


@dataclass
class Served:
    stage: str
    url: str
    log: Path
    home: Path
    canaries: list[str]
    reads: list[str]
    """How the values were read: the stub CLI's ``run`` flags, or the requests the local server answered."""


def _get(url: str, method: str = "GET", timeout: float = 60) -> dict[str, Any]:
    """One JSON request; a 503 (wrangler dev still starting a worker, as under load) is retried until ``timeout``."""
    deadline = time.monotonic() + timeout
    request = urllib.request.Request(url, method=method, data=b"" if method == "POST" else None)
    while True:
        try:
            with urllib.request.urlopen(request, timeout=max(1.0, deadline - time.monotonic())) as response:
                return dict(json.loads(response.read()))
        except urllib.error.HTTPError as error:
            if error.code != 503 or time.monotonic() > deadline:
                raise
            time.sleep(0.5)


def _wait_ready(url: str, process: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"bin/dev exited with {process.returncode}:\n{log.read_text()}")
        try:
            _get(f"{url}/_platform/bindings", timeout=5)
            return
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            time.sleep(0.5)
    pytest.fail(f"bin/dev did not serve within {START_TIMEOUT}s:\n{log.read_text()}")


@pytest.fixture(scope="module", params=STAGES)
def served(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    """One ``bin/dev`` (one ``wrangler dev``) per stage, for every test of this module."""
    stage: str = request.param
    config = checked_config(stage)
    reads = [read for read in secret_reads(config, list(config.workers)) if read.folder and read.key]
    values = {(read.folder, read.key): canary(read.name) for read in reads if read.folder and read.key}
    # Other secrets in the same folders (infisical run hands a whole folder over): never bound.
    decoys = {("/oauth", "STRIPE_SECRET_KEY_SANDBOX"): canary("decoy"), ("/cloudflare", "UNRELATED"): canary("other")}
    home = tmp_path_factory.mktemp(f"home-{stage}")
    log = home / "bin-dev.log"
    env = base_environment(home)
    port, inspector = free_port(), free_port()
    args = [str(BIN_DEV), "--stage", stage, "--port", str(port), "--inspector-port", str(inspector)]
    with FakeInfisical() as fake:
        if PATH_OF_STAGE[stage] == "identity":
            client_id, client_secret = seed_stage(fake, config, {**values, **decoys})
            fake.clear_requests()
            env |= {
                "INFISICAL_HOST": fake.url,
                "INFISICAL_UNIVERSAL_AUTH_CLIENT_ID": client_id,
                "INFISICAL_UNIVERSAL_AUTH_CLIENT_SECRET": client_secret,
            }
            args += ["--secrets-from", "identity"]
            secrets_known = [*values.values(), *decoys.values(), client_secret]
        else:
            stub_dir = home / "stub-bin"
            write_stub_cli(stub_dir)
            (home / ".infisical").mkdir()
            (home / ".infisical" / "infisical-config.json").write_text(json.dumps({"loggedInUserEmail": "dev@acme"}))
            env |= {
                "PATH": f"{stub_dir}{os.pathsep}{env['PATH']}",
                STUB_STORE_VAR: stub_store(config, {**values, **decoys}),
                STUB_LOG_VAR: str(home / "stub-calls.jsonl"),
            }
            secrets_known = [*values.values(), *decoys.values()]
        with log.open("wb") as output:
            process = subprocess.Popen(
                args, env=env, stdout=output, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                start_new_session=True,
            )  # fmt: skip
        try:
            url = f"http://127.0.0.1:{port}"
            _wait_ready(url, process, log)
            calls_file = home / "stub-calls.jsonl"
            if PATH_OF_STAGE[stage] == "cli":
                seen = calls_file.read_text().splitlines()
            else:
                seen = sorted(
                    f"{r.method} {r.path}" for r in fake.requests() if "/secrets/" in r.path or "login" in r.path
                )
            yield Served(stage, url, log, home, secrets_known, seen)
        finally:
            os.killpg(process.pid, signal.SIGTERM)
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait(timeout=10)


def test_one_request_goes_through_every_binding(served: Served) -> None:
    local = configs.build(served.stage)
    api = local.wrangler["api"]
    answer = _get(f"{served.url}/_platform/roundtrip", method="POST", timeout=90)
    used = answer["bindings"]
    expected = {name: ROUNDTRIP_KINDS[kind] for name, kind in bound_entries(api) if kind in ROUNDTRIP_KINDS}
    assert {"durable_object", "workflow", "assets"} <= set(expected.values()), "the example exercises all three"
    assert {name: result["kind"] for name, result in used.items()} == expected
    assert all(result["ok"] for result in used.values()), used
    queues = [result for result in used.values() if result["kind"] == "queue"]
    assert queues and all(result["consumedBy"] == "job_runs" for result in queues), "jobs wrote the message to D1"
    # jobs counted the message in api's Durable Object class, through its binding to the other worker's class
    assert all(result["countedByJobs"] >= 1 for result in queues), queues


def test_bindings_without_local_emulation_are_named_and_left_out(served: Served) -> None:
    local = configs.build(served.stage)
    dropped = [left for lefts in local.not_local.values() for left in lefts]
    assert {left.kind for left in dropped} == {"ai", "vectorize", "hyperdrive"}, dropped
    log = " ".join(served.log.read_text().split())  # the notices wrap at 120 columns
    for left in dropped:
        assert f"env.{left.binding} ({left.kind}) has no local emulation and is left out" in log
    bound = _get(f"{served.url}/_platform/bindings")["bindings"]
    assert not {left.binding for left in dropped} & set(bound), "the worker starts without them"


def test_each_declared_secret_is_present_by_name_and_kind(served: Served) -> None:
    config = checked_config(served.stage)
    with urllib.request.urlopen(f"{served.url}/_platform/bindings", timeout=30) as response:
        raw = response.read().decode()
    assert not [value for value in served.canaries if value in raw]
    bindings = json.loads(raw)["bindings"]
    for read in secret_reads(config, ["api"]):
        assert bindings[read.name] == ("text" if read.folder else "empty-text"), read.name
    assert "UNRELATED" not in bindings, "a folder's other secrets never reach the worker"


def test_no_file_holds_a_secret_value_after_the_run(served: Served) -> None:
    assert (PROJECT_ROOT / ".dev" / served.stage / "logs").is_dir(), "wrangler's logs are kept under .dev/"
    assert files_holding(served.canaries, [PROJECT_ROOT, served.home]) == []


def test_secrets_are_read_only_where_the_stage_config_says(served: Served) -> None:
    config = checked_config(served.stage)
    assert config.infisical is not None
    reads = [read for read in secret_reads(config, list(config.workers)) if read.folder and read.key]
    if PATH_OF_STAGE[served.stage] == "cli":  # one `infisical run` per folder, as a developer would type it
        folders = sorted({read.folder for read in reads if read.folder})
        expected = {"env": config.infisical_environment_slug, "projectId": config.infisical.project_id}
        assert [json.loads(call) for call in served.reads] == [{**expected, "path": folder} for folder in folders]
    else:  # a machine-identity login, then exactly the declared keys: no other secret is ever fetched
        keys = sorted(f"GET /api/v4/secrets/{read.key}" for read in reads)
        assert served.reads == sorted(["POST /api/v1/auth/universal-auth/login", *keys])
