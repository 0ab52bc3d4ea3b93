"""``bin/dev`` for real, secrets read with a machine identity: the dev stage served by one local wrangler.

The local Infisical-compatible server holds a canary value in every folder and key bin/dev names, plus decoys
beside them; the developer's shell holds a machine identity and other credentials. One running stage answers
every test of this module: a request goes through every binding (D1, KV, R2, a queue message that ``jobs``
consumes, counts in its Durable Object and writes to D1, both Durable Object classes, a Workflow run to
completion, the static assets, Analytics Engine, a rate limiter, version metadata), another shows each declared
secret by name and kind; bindings with no local emulation are named at start and left out; and while it
serves, no process environment or argument list and no file holds a canary or a shell credential.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from components.rules.stage_layout import PROJECT_ROOT
from devstage import configs
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
from tests.dev_tools import canary, seed_stage, stage_canaries
from tests.fakes.infisical import FakeInfisical
from tests.wrangler_tools import bound_entries, needs_node

pytestmark = needs_node
STAGE = "dev"
BIN_DEV = PROJECT_ROOT / "bin" / "dev"
ROUNDTRIP_KINDS = {
    **{"d1": "d1", "kv_namespace": "kv", "r2_bucket": "r2", "queue": "queue", "service": "service"},
    **{"durable_object_namespace": "durable_object", "workflow": "workflow", "assets": "assets"},
    **{"analytics_engine": "analytics_engine", "ratelimit": "ratelimit", "version_metadata": "version_metadata"},
}
"""What the api worker's round trip calls each binding kind it uses for real (the provider's type → its word)."""


@dataclass
class Served:
    running: Running
    canaries: list[str]
    """Every value that must stay out of environments and files: secrets, decoys, credentials."""
    requests: list[str]
    """The requests the local server answered while bin/dev started."""
    scanned: list[Path]
    """Folders scanned for files: the project, and the home folder (TMPDIR is inside)."""


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    config = checked_config(STAGE)
    values = stage_canaries(config)
    decoys = {("/oauth", "STRIPE_SECRET_KEY_SANDBOX"): canary("decoy"), ("/cloudflare", "UNRELATED"): canary("other")}
    home = tmp_path_factory.mktemp("home")
    credentials = {name: canary(name) for name in SHELL_CREDENTIALS}
    port = free_port()
    with FakeInfisical() as fake:
        client_id, client_secret = seed_stage(fake, config, {**values, **decoys})
        fake.clear_requests()
        env = shell(home, home / "tmp", credentials) | {
            "INFISICAL_HOST": fake.url,
            "INFISICAL_UNIVERSAL_AUTH_CLIENT_ID": client_id,
            "INFISICAL_UNIVERSAL_AUTH_CLIENT_SECRET": client_secret,
        }
        command = [str(BIN_DEV), "--stage", STAGE, "--port", str(port), "--secrets-from", "identity"]
        with serving(command, env, port, home / "bin-dev.log") as running:
            seen = fake.requests()
            answered = sorted(f"{r.method} {r.path}" for r in seen if "/secrets/" in r.path or "login" in r.path)
            secrets = [*values.values(), *decoys.values(), client_secret, *credentials.values()]
            yield Served(running, secrets, answered, [PROJECT_ROOT, home])


def test_one_request_goes_through_every_binding(served: Served) -> None:
    api = configs.build(STAGE).wrangler["api"]
    used = get(f"{served.running.url}/_platform/roundtrip", method="POST", timeout=90)["bindings"]
    expected = {name: ROUNDTRIP_KINDS[kind] for name, kind in bound_entries(api) if kind in ROUNDTRIP_KINDS}
    assert {"durable_object", "workflow", "assets"} <= set(expected.values()), "the example exercises all three"
    assert {name: result["kind"] for name, result in used.items()} == expected
    assert all(result["ok"] for result in used.values()), used
    queues = [result for result in used.values() if result["kind"] == "queue"]
    assert queues and all(result["consumedBy"] == "job_runs" for result in queues), "jobs wrote the message to D1"
    # jobs counted the message in its Durable Object class, which api reads through its binding to that class
    assert all(result["countedByJobs"] >= 1 for result in queues), queues


def test_bindings_without_local_emulation_are_named_and_left_out(served: Served) -> None:
    dropped = [left for lefts in configs.build(STAGE).not_local.values() for left in lefts]
    assert {left.kind for left in dropped} == {"ai", "vectorize", "hyperdrive"}, dropped
    output = " ".join(served.running.output().split())  # the notices wrap at 120 columns
    for left in dropped:
        assert f"env.{left.binding} ({left.kind}) has no local emulation and is left out" in output
    bound = get(f"{served.running.url}/_platform/bindings")["bindings"]
    assert not {left.binding for left in dropped} & set(bound), "the worker starts without them"


def test_each_declared_secret_is_served_by_name_and_kind_only(served: Served) -> None:
    answer = get(f"{served.running.url}/_platform/bindings")
    assert not [value for value in served.canaries if value in str(answer)]
    for read in secret_reads(checked_config(STAGE), ["api"]):
        assert answer["bindings"][read.name] == ("text" if read.folder else "empty-text"), read.name
    assert answer["missing"] == []
    assert "UNRELATED" not in answer["bindings"], "a folder's other secrets never reach the worker"


def test_no_process_environment_or_argument_list_holds_a_value(served: Served) -> None:
    tree = processes(session=served.running.process.pid)
    assert {"node", "workerd", "esbuild"} <= {proc.name for proc in tree}, "the scan sees the whole runtime"
    assert holding(served.canaries, processes()) == []
    assert {proc.name: outside_allowlist(proc) for proc in tree} == {proc.name: set() for proc in tree}


def test_no_file_holds_a_value_while_the_stage_serves(served: Served) -> None:
    assert (PROJECT_ROOT / ".dev" / STAGE / "logs").is_dir(), "wrangler's logs are kept under .dev/"
    assert files_holding(served.canaries, served.scanned) == []


def test_the_log_points_at_no_secrets_file(served: Served) -> None:
    output = served.running.output()
    assert "Using secrets defined in" not in output and "Missing required secrets" not in output
    assert "secrets handed over in memory: " in output and "(hidden)" in output


def test_exactly_the_declared_keys_are_read(served: Served) -> None:
    folders = wanted(secret_reads(checked_config(STAGE), ["api", "jobs"]))
    keys = [f"GET /api/v4/secrets/{key}" for keys in folders.values() for key in keys]
    assert served.requests == sorted(["POST /api/v1/auth/universal-auth/login", *keys])
