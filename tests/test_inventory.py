"""The secrets inventory: built from the program's own run, committed, and never stale or leaky."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from plan.__main__ import main as plan_main
from plan.engine import ProgramRun
from plan.inventory import RENDERERS, inventory, stage_inventory
from plan.model import is_secret
from tests.canaries import all_canaries, canary_run
from tests.conftest import PROJECT, STAGES, config_problems, raw_config, run_stage

ROOT = Path(__file__).resolve().parents[1]
COMMITTED = ROOT / "docs" / "inventory.md"


def rows(run: ProgramRun, label: str | None = None) -> dict[str, dict[str, Any]]:
    return {row["name"]: row for row in stage_inventory(label or run.stack, run)["secrets"]}


def test_committed_inventory_is_current(tmp_path: Path) -> None:
    """docs/inventory.md is what the program says today; regenerate it with the command in its header."""
    fresh = tmp_path / "inventory.md"
    assert plan_main(["--inventory", "--all-stages", "--format", "markdown", "--output", str(fresh)]) == 0
    assert COMMITTED.read_text() == fresh.read_text(), (
        "docs/inventory.md is stale: run `bin/plan --inventory --all-stages --format markdown "
        "--output docs/inventory.md` and commit it"
    )
    text = COMMITTED.read_text()
    for stage in (*STAGES, "pr-<number>"):
        assert f"| {stage} | STRIPE_SECRET_KEY | api | inject |" in text
    assert "### Synced secrets (`owner: sync`)" in text and "### Injected secrets (`owner: inject`)" in text


def test_places_come_from_the_registered_resources(stage_runs: dict[str, ProgramRun]) -> None:
    run = stage_runs["staging"]
    found = rows(run)
    (sync,) = run.by_type("CloudflareWorkersSecretSync")
    for name in ("GOOGLE_CLIENT_SECRET", "GITHUB_CLIENT_SECRET"):
        assert found[name]["owner"] == "sync"
        assert found[name]["infisical"] == {"environment": sync.inputs["environment"], "folder": "/oauth"}
        assert sync.outputs["secret_path"] == "/oauth"
    copy = next(r for r in run.by_type(":Secret") if r.inputs["key"] == "BETTER_AUTH_SECRET")
    generated = found["BETTER_AUTH_SECRET"]
    assert generated["kept"].endswith(f"Infisical staging:{copy.outputs['secret_path']}")
    assert generated["ownedBy"] == "platform-team" and generated["sensitivity"] == "secret"
    stripe = found["STRIPE_SECRET_KEY"]
    assert stripe["kept"] == "Infisical staging:/cloudflare, read at deploy time as $STRIPE_SECRET_KEY_SANDBOX"
    assert stripe["sideEffects"] == "yes: sandboxed here, reads $STRIPE_SECRET_KEY_SANDBOX"
    assert stripe["rotation"] == "every 90 days, or on compromise"
    assert found["RESEND_API_KEY"]["sideEffects"] == "yes: sandboxed here, bound empty"
    assert found["GITHUB_CLIENT_SECRET"]["rotation"] == "on compromise"
    assert found["GOOGLE_CLIENT_SECRET"]["rotation"] == "on staff change"
    prod = rows(stage_runs["prod"])
    assert prod["STRIPE_SECRET_KEY"]["sideEffects"] == "yes: the real value (prod)"
    assert prod["STRIPE_SECRET_KEY"]["kept"].endswith("as $STRIPE_SECRET_KEY")


def test_every_registered_secret_binding_is_in_the_inventory(stage_runs: dict[str, ProgramRun]) -> None:
    for stage, run in stage_runs.items():
        listed = {(worker, row["name"]) for row in stage_inventory(stage, run)["secrets"] for worker in row["workers"]}
        (script,) = [r for r in run.by_type(":WorkersScript") if r.name == "api"]
        bound = {("api", b["name"]) for b in script.inputs["bindings"]["value"] if b["type"] == "secret_text"}
        assert bound and bound <= listed
        synced = {("api", n) for n in ("GOOGLE_CLIENT_SECRET", "GITHUB_CLIENT_SECRET")}
        (hyperdrive,) = run.by_type(":HyperdriveConfig")  # its origin password is listed with the worker binding it
        assert is_secret(hyperdrive.wire_inputs["origin"]["password"])
        assert listed == bound | synced | {("api", "HYPERDRIVE_MAIN_PASSWORD")}


def test_vars_say_why_they_are_public(stage_runs: dict[str, ProgramRun]) -> None:
    found = {row["name"]: row for row in stage_inventory("dev", stage_runs["dev"])["vars"]}
    assert found["PUBLIC_APP_URL"]["public"] == "public prefix PUBLIC_"
    assert found["STRIPE_PUBLISHABLE_KEY"]["public"] == "PUBLISHABLE in its name"
    assert found["ALGOLIA_SEARCH_KEY"]["public"].startswith("listed in publicVars")
    assert found["LOG_LEVEL"]["workers"] == ["api", "jobs"]


@pytest.mark.parametrize("stage", STAGES)
def test_inventory_never_holds_a_value(stage: str) -> None:
    run = canary_run(stage)
    data = inventory([(stage, run)])
    for render in RENDERERS.values():
        assert "CANARY-" not in render(data)
    assert "CANARY-" not in all_canaries(run.outputs["secretInventory"].value)
    assert not run.outputs["secretInventory"].secret


def test_inventory_formats(capsys: pytest.CaptureFixture[str]) -> None:
    assert plan_main(["prod", "--inventory"]) == 0
    table = capsys.readouterr().out
    assert "STRIPE_SECRET_KEY" in table and "payments-team" in table and "Rotation playbooks" in table
    assert plan_main(["staging", "--inventory", "--format", "json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert [s["stage"] for s in data["stages"]] == ["staging"]
    assert set(data["playbooks"]) == {"generated-periodic", "inject", "origin-inject", "sync"}
    assert any("infisical run --env=staging" in step for step in data["playbooks"]["inject"])


def test_all_stages_needs_the_inventory_flag() -> None:
    with pytest.raises(SystemExit) as exited:
        plan_main(["--all-stages"])
    assert exited.value.code == 2


def test_pr_stage_inventory_reads_the_preview_environment() -> None:
    raw = raw_config("staging")
    for worker in raw["workers"].values():
        worker.pop("domains", None)
    found = rows(run_stage("pr-7", raw), "pr-<number>")
    assert found["GOOGLE_CLIENT_SECRET"]["kept"].startswith("Infisical preview:/oauth")


@pytest.mark.parametrize(
    ("key", "value", "expected"),
    [
        ("rotateEvery", "monthly", "expected a rotation cadence"),
        ("rotateEvery", "0d", "expected a rotation cadence"),
        ("ownedBy", "", "at least 1 character"),
        ("rotateEvry", "30d", "unknown key 'rotateEvry'; allowed keys here: description, keepPrevious, length"),
    ],
)
def test_bad_secret_metadata_is_refused_with_its_path(
    key: str, value: str, expected: str, staging_raw: dict[str, Any]
) -> None:
    staging_raw["workers"]["api"]["secrets"]["BETTER_AUTH_SECRET"][key] = value
    found = config_problems(staging_raw)
    assert expected in found[f"{PROJECT}:workers.api.secrets.BETTER_AUTH_SECRET.{key}"]
