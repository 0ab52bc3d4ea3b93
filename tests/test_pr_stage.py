"""``pr-<number>`` stages out of the box: planned from the committed template on a clean clone, as CI deploys them,
and never mistaken for committed stages when CI's copy of the template lies around."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest

from plan.__main__ import main as plan_main
from plan.program_run import committed_stages
from plan.stack_files import PR_TEMPLATE, stack_config
from tests.conftest import PROJECT

ROOT = Path(__file__).resolve().parents[1]


def test_a_pr_stage_plans_from_the_template(capsys: pytest.CaptureFixture[str]) -> None:
    assert not (ROOT / "Pulumi.pr-123.yaml").exists(), "a stray stack file would hide what a clean clone does"
    assert plan_main(["pr-123", "--format", "json"]) == 0
    plan = json.loads(capsys.readouterr().out)
    by_label = {r["label"]: r for r in plan["resources"]}
    assert by_label["WorkersScript/api"]["physicalName"] == "acme-pr-123-api"
    assert not [r for r in plan["resources"] if r["type"].endswith(("WorkersCustomDomain", "WorkersRoute"))]
    syncs = [r for r in plan["resources"] if r["type"].endswith("CloudflareWorkersSecretSync")]
    assert syncs and {s["inputs"]["environment"] for s in syncs} == {"preview"}  # the shared preview environment


def test_the_template_has_no_hostnames_and_no_stage_of_its_own() -> None:
    config, secret_keys = stack_config("pr-5")
    assert secret_keys == []
    workers = json.loads(config[f"{PROJECT}:workers"])
    assert all("domains" not in w and "routes" not in w for w in workers.values())
    assert f"{PROJECT}:stage" not in config


def test_ci_s_copy_of_the_template_is_not_a_committed_stage(tmp_path: Path) -> None:
    for name in ("Pulumi.yaml", "Pulumi.dev.yaml", "Pulumi.prod.yaml", "Pulumi.project.yaml", PR_TEMPLATE):
        shutil.copy(ROOT / name, tmp_path / name)
    shutil.copy(ROOT / PR_TEMPLATE, tmp_path / "Pulumi.pr-123.yaml")
    assert committed_stages(tmp_path) == ["dev", "prod"]
    (tmp_path / "Pulumi.pr-123.yaml").write_text("config:\n  workers-stage-platform:app: somebody-else\n")
    assert stack_config("pr-123", tmp_path)[0] == {"workers-stage-platform:app": "somebody-else"}
    assert stack_config("pr-124", tmp_path) == stack_config("pr-5")  # no copy of its own: the template


def test_the_template_is_gitignored_as_ci_copies_it() -> None:
    ignored = subprocess.run(
        ["git", "check-ignore", "--no-index", "-q", "Pulumi.pr-123.yaml"], cwd=ROOT, check=False, timeout=30
    )
    tracked = subprocess.run(
        ["git", "check-ignore", "--no-index", "-q", PR_TEMPLATE], cwd=ROOT, check=False, timeout=30
    )
    assert ignored.returncode == 0 and tracked.returncode == 1
