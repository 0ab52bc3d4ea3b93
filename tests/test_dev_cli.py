"""``bin/dev`` without a long-running server: help and exit codes, usage errors, ``--config-only``, missing
secrets for every reason, and the hand-over to the local runtime (caught at the exec)."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml

from components.rules.stage_layout import PROJECT_ROOT
from devstage import cli, configs, launch, wrangler
from devstage.configs import DECLARED_SECRETS, LOCAL_ACCOUNT_ID
from devstage.exits import Exit, exit_code_lines
from devstage.secrets import Reading, SecretRead, resolve, secret_reads
from tests.conftest import STAGES, checked_config
from tests.dev_serving import free_port
from tests.dev_tools import STUB_LOG_VAR, STUB_STORE_VAR, app_copy, logged_in_home, seed_stage, write_stub_cli
from tests.fakes.infisical import FakeInfisical
from tests.wrangler_tools import needs_node, run_wrangler

BIN_DEV = PROJECT_ROOT / "bin" / "dev"
DOC = PROJECT_ROOT / "docs" / "local-dev.md"


def bin_dev(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run([str(BIN_DEV), *args], env=env, capture_output=True, text=True, timeout=180, check=False)


def clean_env(home: Path) -> dict[str, str]:
    return {"PATH": os.environ["PATH"], "HOME": str(home)}


def test_help_and_the_docs_list_the_same_exit_codes(tmp_path: Path) -> None:
    done = bin_dev("--help", env=clean_env(tmp_path))
    assert done.returncode == 0, done.stderr
    for phrase in (
        "--config-only",
        "--stage",
        "infisical export",
        "machine identity",
        ".dev.vars",
        "sandbox",
        "offline",
    ):
        assert phrase in done.stdout, phrase
    listed = [line.strip() for line in done.stdout.split("exit codes:\n", 1)[1].splitlines() if line.strip()]
    assert listed == exit_code_lines()
    documented = [f"{code}  {meaning}" for code, meaning in _doc_exit_codes()]
    assert documented == exit_code_lines()
    assert all(len(line) <= 120 for line in done.stdout.splitlines())


def _doc_exit_codes() -> list[tuple[str, str]]:
    rows = [line for line in DOC.read_text().split("## Exit codes", 1)[1].splitlines() if line.startswith("| `")]
    return [(row.split("|")[1].strip(" `"), row.split("|")[2].strip()) for row in rows]


def test_help_and_usage_errors_answer_before_the_program_is_imported(tmp_path: Path) -> None:
    python = PROJECT_ROOT / ".venv" / "bin" / "python"
    usage_errors = (["--port", "x"], ["--stage", "qa"], ["--stage", "project"])
    for args, code in ((["--help"], 0), *((args, Exit.USAGE) for args in usage_errors)):
        done = subprocess.run(
            [str(python), "-X", "importtime", "-m", "devstage", *args], cwd=PROJECT_ROOT, env=clean_env(tmp_path),
            capture_output=True, text=True, timeout=30, check=False,
        )  # fmt: skip
        assert done.returncode == code, done.stderr
        imported = {line.split("|")[-1].strip() for line in done.stderr.splitlines() if line.startswith("import time:")}
        heavy = {"pulumi", "pulumi_cloudflare", "pydantic", "plan", "yaml"}
        assert not {name for name in imported if name.split(".")[0] in heavy or name.startswith("components.config")}
        assert "Traceback" not in done.stderr and (code == 0 or "bin/dev: error: " in done.stderr)
    assert "'project' is the project stack" in done.stderr


def test_an_unknown_worker_is_a_usage_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["api", "nosuch", "--config-only", str(tmp_path)], root=app_copy(tmp_path / "app")) == Exit.USAGE
    assert "stage 'dev' has no worker nosuch (workers: api, jobs)" in capsys.readouterr().err


@pytest.mark.parametrize("stage", STAGES)
def test_local_configs_differ_from_the_deployed_ones_only_where_they_must(stage: str, tmp_path: Path) -> None:
    config = checked_config(stage)
    paths = configs.build(stage).write(tmp_path, list(config.workers))
    assert [p.name for p in paths] == [f"{worker}.jsonc" for worker in config.workers]
    for worker, path in zip(config.workers, paths, strict=True):
        text = path.read_text()
        assert "Pulumi owns the deployed" in text.split("{", 1)[0]  # the contract, in the file itself
        local = json.loads("\n".join(line for line in text.splitlines() if not line.startswith("//")))
        assert local["name"] == config.naming.physical(worker)
        assert local["account_id"] == LOCAL_ACCOUNT_ID  # a deploy of it can reach no account
        assert "routes" not in local and "secrets" not in local  # wrangler looks for no secret of its own
        declared = sorted(read.name for read in secret_reads(config, [worker]))
        assert local.get("vars", {}).get(DECLARED_SECRETS, []) == declared
        assert Path(local["main"]).is_absolute() and Path(local["main"]).is_file()
        for db in local.get("d1_databases", []):
            assert db["database_id"] == f"local-{db['database_name']}" and Path(db["migrations_dir"]).is_dir()
        for kv in local.get("kv_namespaces", []):
            assert kv["id"].startswith(f"local-{config.naming.prefix}-")


@needs_node
def test_config_only_writes_configs_that_wrangler_deploys_dry(tmp_path: Path) -> None:
    out = tmp_path / "configs"
    done = bin_dev("--stage", "staging", "--config-only", str(out), env=clean_env(tmp_path))
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == [str(out / f"{worker}.jsonc") for worker in checked_config("staging").workers]
    for path in sorted(out.iterdir()):
        dry = run_wrangler("deploy", "--dry-run", "-c", str(path), cwd=tmp_path, home=tmp_path)
        assert dry.returncode == 0, dry.stdout + dry.stderr


def _start(root: Path, monkeypatch: pytest.MonkeyPatch, env: dict[str, str], *args: str) -> dict[str, Any]:
    """``bin/dev`` in this process up to its exec of the local runtime, which is caught: returns the exec's
    arguments and environment, and the document the runtime would have read from the pipe."""
    for name in list(os.environ):
        monkeypatch.delenv(name)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    started: dict[str, Any] = {}

    def caught_exec(path: str, argv: list[str], environment: dict[str, str]) -> None:
        fd = int(argv[-1])
        with os.fdopen(fd, "rb") as pipe:
            started.update(argv=argv, env=environment, payload=json.loads(pipe.read()))
        raise SystemExit(0)

    monkeypatch.setattr(launch.os, "execve", caught_exec)
    monkeypatch.chdir(root)
    with pytest.raises(SystemExit):
        cli.main(["--port", str(free_port()), *args], root=root)
    return started


@needs_node
def test_the_values_go_to_the_runtime_over_a_pipe_and_nowhere_else(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    root = app_copy(tmp_path / "app")
    config = checked_config("dev")
    values = {(r.folder, r.key): f"value-{r.key}" for r in secret_reads(config, ["api"]) if r.folder and r.key}
    with FakeInfisical() as fake:
        client_id, client_secret = seed_stage(fake, config, values)
        shell = {
            "PATH": os.environ["PATH"], "HOME": str(tmp_path), "LC_ALL": "C.UTF-8", "NODE_OPTIONS": "--inspect",
            "PULUMI_ACCESS_TOKEN": "pul-1", "AWS_SECRET_ACCESS_KEY": "aws-1", "INFISICAL_HOST": fake.url,
            "INFISICAL_UNIVERSAL_AUTH_CLIENT_ID": client_id, "INFISICAL_UNIVERSAL_AUTH_CLIENT_SECRET": client_secret,
        }  # fmt: skip
        started = _start(root, monkeypatch, shell)
    assert "applying D1 migrations to local database acme-dev-main" in capsys.readouterr().err
    assert any((root / ".dev" / "dev" / "state").rglob("*.sqlite")), "migrations were applied before the start"
    argv, env, payload = started["argv"], started["env"], started["payload"]
    assert Path(argv[0]).name == "node" and argv[1] == str(launch.LAUNCHER)
    assert set(env) == {"PATH", "HOME", "LC_ALL", *wrangler.SETTINGS, wrangler.LOG_PATH}
    assert not [value for value in values.values() if value in json.dumps(argv) + json.dumps(env)]
    workers = {Path(worker["config"]).stem: worker["secrets"] for worker in payload["workers"]}
    assert list(workers) == ["api", "jobs"], "the first worker serves"
    expected = {r.name: values[(r.folder, r.key)] if r.folder and r.key else "" for r in secret_reads(config, ["api"])}
    assert workers == {"api": expected, "jobs": {}}


def test_a_payload_larger_than_a_default_pipe_buffer_still_fits() -> None:
    data = json.dumps({"value": "x" * 300_000}).encode()
    fd = launch.filled_pipe(data)
    with os.fdopen(fd, "rb") as pipe:
        assert pipe.read() == data


def test_the_runtime_environment_is_an_allowlist() -> None:
    shell = {
        "PATH": "/bin", "HOME": "/home/dev", "TMPDIR": "/tmp/x", "LANG": "C", "LC_CTYPE": "C", "https_proxy": "http://p",
        "PULUMI_ACCESS_TOKEN": "t", "AWS_SECRET_ACCESS_KEY": "k", "NODE_OPTIONS": "--require x", "WRANGLER_LOG": "x",
        "CLOUDFLARE_API_TOKEN": "c", "INFISICAL_TOKEN": "i", "STRIPE_SECRET_KEY": "s", "MINIFLARE_WORKERD_PATH": "/x",
    }  # fmt: skip
    env = wrangler.environment(shell, Path("/logs"))
    passed = {"PATH", "HOME", "TMPDIR", "LANG", "LC_CTYPE", "https_proxy"}
    assert {name: env[name] for name in passed} == {name: shell[name] for name in passed}
    assert set(env) == passed | set(wrangler.SETTINGS) | {wrangler.LOG_PATH}


@pytest.mark.parametrize("reason", ["no-source", "no-cli", "no-credentials", "unreachable", "cli-fails", "not-set"])
def test_missing_secrets_are_named_with_why_whatever_the_reason(
    reason: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    root = app_copy(tmp_path / "app")
    config = checked_config("dev")
    env = {"PATH": os.environ["PATH"], "HOME": str(tmp_path)}
    args = ["--stage", "dev", "--port", "0"]
    with FakeInfisical() as fake:
        if reason == "no-cli":
            args += ["--secrets-from", "cli"]
        elif reason == "no-credentials":
            args += ["--secrets-from", "identity"]
        elif reason == "unreachable":
            env |= {"INFISICAL_HOST": f"http://127.0.0.1:{free_port()}", "INFISICAL_TOKEN": "tok"}
            args += ["--secrets-from", "identity"]
        elif reason == "cli-fails":  # logged in, but the folders do not exist in its project
            env |= {"PATH": f"{write_stub_cli(tmp_path / 'bin').parent}{os.pathsep}{env['PATH']}"}
            env |= {STUB_STORE_VAR: str(tmp_path / "store.json"), STUB_LOG_VAR: str(tmp_path / "calls")}
            (tmp_path / "store.json").write_text("{}")
            logged_in_home(tmp_path)
        elif reason == "not-set":
            client_id, client_secret = seed_stage(fake, config, {})
            env |= {"INFISICAL_HOST": fake.url, "INFISICAL_UNIVERSAL_AUTH_CLIENT_ID": client_id}
            env |= {"INFISICAL_UNIVERSAL_AUTH_CLIENT_SECRET": client_secret}
        for name in list(os.environ):
            monkeypatch.delenv(name)
        for name, value in env.items():
            monkeypatch.setenv(name, value)
        assert cli.main(args, root=root) == Exit.MISSING_SECRETS
    err = capsys.readouterr().err
    why = {
        "no-source": "no way to read Infisical here",
        "no-cli": "the Infisical CLI (`infisical`) is not on PATH",
        "no-credentials": "the machine identity cannot be used: no Infisical credentials",
        "unreachable": "cannot be used",
        "cli-fails": "`infisical export` exited 1: error: Unable to fetch secrets",
        "not-set": "not set in Infisical",
    }[reason]
    assert why in err
    for read in secret_reads(config, list(config.workers)):
        if read.folder:
            assert f"  - {read.name} (worker {read.worker}, {read.owner}): {read.folder} {read.key}" in err
    assert "run `pulumi up -s dev` once" in err and 'STRIPE_SECRET_KEY_SANDBOX="$STRIPE_SECRET_KEY_SANDBOX"' in err
    assert "tok" not in err.split() and "starting stage" not in err
    assert all(len(line) <= 120 for line in err.splitlines()), err


def test_a_secret_name_may_mean_different_folders_in_different_workers() -> None:
    reads = [SecretRead("api", "TOKEN", "sync", "/api", "TOKEN"), SecretRead("jobs", "TOKEN", "sync", "/jobs", "TOKEN")]
    values, missing = resolve(reads, Reading({("/api", "TOKEN"): "a", ("/jobs", "TOKEN"): "j"}))
    assert values == {"api": {"TOKEN": "a"}, "jobs": {"TOKEN": "j"}} and missing == []


@needs_node
def test_a_stage_without_secrets_starts_with_no_infisical_at_all(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = app_copy(tmp_path / "app")
    stage_file = root / "Pulumi.dev.yaml"
    document = yaml.safe_load(stage_file.read_text())
    for worker in document["config"]["workers-stage-platform:workers"].values():
        worker.pop("secrets", None)
        worker.pop("secretsFolder", None)
    stage_file.write_text(yaml.safe_dump(document))
    started = _start(root, monkeypatch, {"PATH": os.environ["PATH"], "HOME": str(tmp_path)})
    assert [worker["secrets"] for worker in started["payload"]["workers"]] == [{}, {}]
