"""``bin/dev`` without a long-running server: help, ``--config-only``, refusals, missing secrets, offline start,
and the ``infisical run`` chain's relay."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

from components.rules.stage_layout import PROJECT_ROOT
from devstage import __main__ as dev
from devstage import launch, sources
from devstage.configs import LOCAL_ACCOUNT_ID
from devstage.secrets import secret_reads
from tests.conftest import STAGES, checked_config
from tests.dev_tools import STUB_LOG_VAR, STUB_STORE_VAR, app_copy, seed_stage, stub_store, write_stub_cli
from tests.fakes.infisical import FakeInfisical
from tests.wrangler_tools import needs_node, run_wrangler

BIN_DEV = PROJECT_ROOT / "bin" / "dev"


def bin_dev(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run([str(BIN_DEV), *args], env=env, capture_output=True, text=True, timeout=180, check=False)


def clean_env(home: Path) -> dict[str, str]:
    return {"PATH": os.environ["PATH"], "HOME": str(home)}


def test_help_says_what_bin_dev_does(tmp_path: Path) -> None:
    done = bin_dev("--help", env=clean_env(tmp_path))
    assert done.returncode == 0, done.stderr
    for phrase in ("--config-only", "--stage", "infisical run", "machine identity", ".dev.vars", "sandbox", "offline"):
        assert phrase in done.stdout, phrase


@needs_node
@pytest.mark.parametrize("stage", STAGES)
def test_config_only_writes_local_configs_that_wrangler_deploys_dry(stage: str, tmp_path: Path) -> None:
    out = tmp_path / "configs"
    done = bin_dev("--stage", stage, "--config-only", str(out), env=clean_env(tmp_path))
    assert done.returncode == 0, done.stderr
    config = checked_config(stage)
    assert sorted(p.name for p in out.iterdir()) == sorted(f"{worker}.jsonc" for worker in config.workers)
    for worker in config.workers:
        path = out / f"{worker}.jsonc"
        text = path.read_text()
        assert "Pulumi owns the deployed" in text.split("{", 1)[0]  # the contract, in the file itself
        local = json.loads("\n".join(line for line in text.splitlines() if not line.startswith("//")))
        assert local["name"] == config.naming.physical(worker)
        assert local["account_id"] == LOCAL_ACCOUNT_ID  # a deploy of it can reach no account
        assert "routes" not in local
        assert Path(local["main"]).is_absolute() and Path(local["main"]).is_file()
        for db in local.get("d1_databases", []):
            assert db["database_id"] == f"local-{db['database_name']}" and Path(db["migrations_dir"]).is_dir()
        for kv in local.get("kv_namespaces", []):
            assert kv["id"].startswith(f"local-{config.naming.prefix}-")
        dry = run_wrangler("deploy", "--dry-run", "-c", str(path), cwd=tmp_path, home=tmp_path)
        assert dry.returncode == 0, dry.stdout + dry.stderr


def test_a_plaintext_secret_file_next_to_a_worker_is_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = app_copy(tmp_path / "app")
    value = "sk_live_canary_in_a_dev_vars_file"
    (root / "workers" / "api" / ".dev.vars").write_text(f"# local\nSTRIPE_SECRET_KEY={value}\n")
    (root / "workers" / "jobs" / ".env.example").write_text("RESEND_API_KEY=\n")  # a template: fine
    assert dev.main(["--stage", "dev"], root=root) == dev.EXIT_USAGE
    err = capsys.readouterr().err
    assert "workers/api/.dev.vars" in err and ".env.example" not in err
    assert "Infisical" in err and "delete the files" in err
    assert value not in err


def test_missing_secrets_are_named_with_the_command_that_adds_them(tmp_path: Path) -> None:
    config = checked_config("dev")
    assert config.infisical is not None
    with FakeInfisical() as fake:
        client_id, client_secret = seed_stage(fake, config, {})
        env = clean_env(tmp_path) | {
            "INFISICAL_HOST": fake.url,
            "INFISICAL_UNIVERSAL_AUTH_CLIENT_ID": client_id,
            "INFISICAL_UNIVERSAL_AUTH_CLIENT_SECRET": client_secret,
        }
        done = bin_dev("--stage", "dev", "--secrets-from", "identity", env=env)
    assert done.returncode == launch.EXIT_MISSING_SECRETS, done.stderr
    for read in secret_reads(config, list(config.workers)):
        if read.folder is None:
            continue  # bound empty (a sandbox without a value): nothing to add
        assert f"  - {read.name} (worker {read.worker}, {read.owner}, {read.folder}:{read.key})" in done.stderr
        if read.owner == "generated":
            assert "run `pulumi up -s dev` once" in done.stderr
        else:
            command = f"infisical secrets set --env=dev --path={read.folder} --projectId={config.infisical.project_id}"
            assert f"{command} {read.key}=<value>" in done.stderr
    assert client_secret not in done.stderr + done.stdout
    assert "starting wrangler dev" not in done.stderr


@needs_node
def test_a_stage_without_secrets_starts_offline(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    root = app_copy(tmp_path / "app")
    stage_file = root / "Pulumi.dev.yaml"
    document = yaml.safe_load(stage_file.read_text())
    for worker in document["config"]["workers-stage-platform:workers"].values():
        worker.pop("secrets", None)
        worker.pop("secretsFolder", None)
    stage_file.write_text(yaml.safe_dump(document))
    for name in list(os.environ):
        if name.startswith(("INFISICAL_", "CLOUDFLARE_")):
            monkeypatch.delenv(name)
    monkeypatch.setenv("PATH", os.environ["PATH"])  # no `infisical` here; nothing may be needed either
    monkeypatch.setenv("CLOUDFLARE_API_TOKEN", "must-not-reach-wrangler")
    started: dict[str, Any] = {}

    def fake_exec(path: str, argv: list[str], env: dict[str, str]) -> None:
        started.update(path=path, argv=argv, env=env)
        raise SystemExit(0)

    monkeypatch.setattr(launch.os, "execve", fake_exec)
    monkeypatch.chdir(tmp_path)
    with pytest.raises(SystemExit):
        dev.main(["--stage", "dev", "--port", "0"], root=root)
    assert "applying D1 migrations to local database acme-dev-main" in capsys.readouterr().err
    argv, env = started["argv"], started["env"]
    assert argv[1] == "dev" and "--local" in argv and argv[argv.index("--env-file") + 1] == os.devnull
    assert [a for a in argv if a.startswith("-c=")] == [f"-c={root}/.dev/dev/config/{w}.jsonc" for w in ("api", "jobs")]
    assert not [name for name in env if name.startswith(("INFISICAL_", "CLOUDFLARE_API", "STUB_"))]
    assert env["WRANGLER_SEND_METRICS"] == "false" and env["CLOUDFLARE_CF_FETCH_ENABLED"] == "false"
    assert any((root / ".dev" / "dev" / "state").rglob("*.sqlite")), "migrations were applied before the start"


def test_the_relay_keeps_each_folders_value_apart(tmp_path: Path) -> None:
    """``infisical run`` injects whole folders; a key in an inner folder must not shadow an outer one's."""
    config = checked_config("staging")
    reads = [read for read in secret_reads(config, list(config.workers)) if read.folder]
    values = {
        (read.folder, read.key): f"value-of-{read.folder}-{read.key}" for read in reads if read.folder and read.key
    }
    shadow = {("/oauth", "STRIPE_SECRET_KEY_SANDBOX"): "the-wrong-folder"}  # /oauth is the innermost link
    stub_dir = tmp_path / "bin"
    write_stub_cli(stub_dir)
    folder_list = sorted({read.folder for read in reads if read.folder})
    slots = sources.cli_slot(folder_list, reads)
    dump = "import json, os; print(json.dumps({k: v for k, v in os.environ.items() if k.startswith('DEVSTAGE_')}))"
    chain = sources.cli_command(config, reads, [sys.executable, "-c", dump])
    env = {
        "PATH": f"{stub_dir}{os.pathsep}{os.environ['PATH']}",
        "PYTHONPATH": str(PROJECT_ROOT),
        STUB_STORE_VAR: stub_store(config, {**values, **shadow}),
        STUB_LOG_VAR: str(tmp_path / "calls.jsonl"),
    }
    done = subprocess.run(chain, env=env, capture_output=True, text=True, check=True, timeout=60)
    seen = json.loads(done.stdout)
    assert {address: seen[slot] for address, slot in slots.items()} == values
