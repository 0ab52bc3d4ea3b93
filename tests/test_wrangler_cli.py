"""Real wrangler (the pinned npm release) against the configs the program publishes, for every stage.

* ``wrangler deploy --dry-run`` accepts each published config (named explicitly, as only a deliberate
  act can) and binds exactly what the config declares;
* a plain ``wrangler deploy`` of a published config stops before it uploads anything: Pulumi owns the
  scripts;
* ``wrangler d1 migrations apply --local`` applies ``migrations/``;
* ``wrangler types`` gives an ``Env`` that names every binding, var and secret, and nothing else.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.conftest import STAGES, run_stage
from tests.wrangler_tools import app_root, binding_names, env_interface, needs_node, run_wrangler, write_config

pytestmark = needs_node


@pytest.fixture(scope="module")
def published() -> dict[str, dict[str, Any]]:
    """Per stage: the wranglerConfigs and workers outputs of the real program."""
    outputs = {}
    for stage in STAGES:
        run = run_stage(stage, allow_missing=True, environment={})
        outputs[stage] = {"configs": run.outputs["wranglerConfigs"].value, "workers": run.outputs["workers"].value}
    return outputs


@pytest.mark.parametrize("stage", STAGES)
def test_deploy_dry_run_accepts_every_published_config(
    stage: str, published: dict[str, dict[str, Any]], tmp_path: Path
) -> None:
    root = app_root(tmp_path / "app")
    for worker, config in published[stage]["configs"].items():
        path = write_config(root, f"wrangler.{worker}", config)
        script = published[stage]["workers"][worker]["scriptName"]
        done = run_wrangler("deploy", "--dry-run", "-c", path.name, "--name", script, cwd=root, home=tmp_path)
        assert done.returncode == 0, done.stdout + done.stderr
        assert "--dry-run: exiting now." in done.stdout
        bound = {line.split()[0].removeprefix("env.") for line in done.stdout.splitlines() if line.startswith("env.")}
        assert bound == binding_names(config) - set(config.get("secrets", {}).get("required", [])), worker


@pytest.mark.parametrize("stage", STAGES)
def test_wrangler_deploy_of_a_published_config_stops_before_uploading(
    stage: str, published: dict[str, dict[str, Any]], tmp_path: Path
) -> None:
    root = app_root(tmp_path / "app")
    configs = published[stage]["configs"]
    assert all("name" not in config for config in configs.values())  # the same for each: one run per stage
    path = write_config(root, "wrangler", configs["api"])
    # A pipeline has a token and the config its account: wrangler must still refuse before any request.
    pipeline = {"CLOUDFLARE_API_TOKEN": "pipeline-token", "CI": "true"}
    done = run_wrangler("deploy", "-c", path.name, cwd=root, home=tmp_path, extra_env=pipeline)
    output = done.stdout + done.stderr
    assert done.returncode != 0, output
    assert "You need to provide a name when publishing a worker" in output, output
    assert "Total Upload" not in output and "fetch failed" not in output, output


@pytest.mark.parametrize("stage", STAGES)
def test_d1_migrations_apply_locally(stage: str, published: dict[str, dict[str, Any]], tmp_path: Path) -> None:
    root = app_root(tmp_path / "app")
    config = published[stage]["configs"]["api"]
    path = write_config(root, "wrangler", config)
    (database,) = config["d1_databases"]
    state = tmp_path / "state"
    done = run_wrangler(
        "d1", "migrations", "apply", database["database_name"], "--local", "-c", path.name, "--persist-to", str(state),
        cwd=root, home=tmp_path,
    )  # fmt: skip
    assert done.returncode == 0, done.stdout + done.stderr
    applied = [line for line in done.stdout.splitlines() if "0001_job_runs.sql" in line]
    assert applied and "✅" in applied[-1], done.stdout
    assert any(state.rglob("*.sqlite")), "the local database holds the applied schema"


@pytest.mark.parametrize("stage", STAGES)
def test_wrangler_types_names_every_binding_and_secret(
    stage: str, published: dict[str, dict[str, Any]], tmp_path: Path
) -> None:
    root = app_root(tmp_path / "app")
    for worker, config in published[stage]["configs"].items():
        path = write_config(root, f"wrangler.{worker}", config)
        out = root / f"{worker}.d.ts"
        done = run_wrangler("types", "-c", path.name, str(out), "--include-runtime=false", cwd=root, home=tmp_path)
        assert done.returncode == 0, done.stdout + done.stderr
        declarations = out.read_text()
        assert env_interface(declarations) == binding_names(config), worker
        for secret in config.get("secrets", {}).get("required", []):
            assert f"{secret}: string;" in declarations, secret
