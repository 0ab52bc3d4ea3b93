"""The credential-free plan CLI: formats, exit codes, and that it shows what the program registers."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from plan.__main__ import main as plan_main
from plan.model import build_plan
from tests.conftest import STAGES, run_stage

ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.parametrize("stage", STAGES)
def test_plan_json_lists_every_registration(stage: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert plan_main([stage, "--format", "json"]) == 0
    plan = json.loads(capsys.readouterr().out)
    run = run_stage(stage, environment={}, allow_missing=True)
    assert sorted(r["label"] for r in plan["resources"]) == sorted(r["label"] for r in build_plan(run)["resources"])
    assert len(plan["resources"]) == len(run.registrations)
    by_label = {r["label"]: r for r in plan["resources"]}
    script = by_label["WorkersScript/api"]
    assert script["physicalName"] == f"acme-{stage}-api"
    assert script["parent"] == "Worker/api"
    assert "D1Database/d1-main" in script["dependsOn"]
    assert by_label["D1Database/d1-main"]["protect"] is (stage == "prod")
    assert plan["outputs"]["d1Databases"]["main"]["name"] == f"acme-{stage}-main"


def test_plan_table_and_markdown(capsys: pytest.CaptureFixture[str]) -> None:
    assert plan_main(["prod"]) == 0
    table = capsys.readouterr().out
    assert "Plan for stack 'prod'" in table
    assert "acme-prod-main" in table and "protect, retainOnDelete" in table
    assert re.search(r"STRIPE_SECRET_KEY +secret_text +\[secret: not provided\]", table)
    assert plan_main(["staging", "--format", "markdown"]) == 0
    markdown = capsys.readouterr().out
    assert markdown.startswith("### Plan for `staging`")
    assert "| 1 | Stage | staging |" in markdown
    assert "synced from Infisical staging:/oauth" in markdown


def test_plan_writes_to_a_file(tmp_path: Path) -> None:
    target = tmp_path / "plan.md"
    assert plan_main(["dev", "--format", "markdown", "--output", str(target)]) == 0
    assert "acme-dev-api" in target.read_text()


def _cli(*args: str, cwd: Path = ROOT) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.run(
        [sys.executable, "-m", "plan", *args], check=False, cwd=cwd, capture_output=True, text=True, env=env
    )


def test_invalid_config_exits_2_with_every_problem_and_no_traceback(tmp_path: Path) -> None:
    for name in ("Pulumi.yaml", "workers"):
        (tmp_path / name).symlink_to(ROOT / name)
    broken = (ROOT / "Pulumi.staging.yaml").read_text()
    broken = broken.replace("database: main}", "database: mian}", 1).replace(
        "domains: [api.staging.example.net]", "domains: [api.example.org]"
    )
    (tmp_path / "Pulumi.staging.yaml").write_text(broken)
    result = subprocess.run(
        [sys.executable, "-c", "import sys, plan.stack_files as s, plan.__main__ as m; "
         "from pathlib import Path; root = Path(sys.argv[1]); "
         "s.PROJECT_ROOT = root; sys.exit(m.main(['staging']))",
         str(tmp_path)],
        check=False, cwd=ROOT, capture_output=True, text=True, env={**os.environ, "PYTHONPATH": str(ROOT)},
    )  # fmt: skip
    assert result.returncode == 2, result.stderr
    assert "Traceback" not in result.stderr
    assert "workers-stage-platform:workers.api.bindings.DB.database: database 'mian' is not declared" in result.stderr
    assert "workers-stage-platform:workers.api.domains[0]: hostname 'api.example.org' is not inside" in result.stderr
    assert result.stdout == ""


def test_unknown_stage_exits_2() -> None:
    result = _cli("qa")
    assert result.returncode == 2
    assert "'qa' is not a stack name" in result.stderr and "Traceback" not in result.stderr


def test_policy_violation_exits_3(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    """A program bug the config cannot catch (prod left unprotected) fails the plan via the policy rules."""
    from components.config import StageConfig

    monkeypatch.setattr(StageConfig, "is_prod", property(lambda self: False))
    assert plan_main(["prod", "--format", "markdown"]) == 3
    markdown = capsys.readouterr().out
    assert "**mandatory**" in markdown
    assert "D1Database/d1-main" in markdown and "protect" in markdown


def test_plan_masks_each_secret_and_nothing_else() -> None:
    """One secret binding does not make the script's plain vars secret: secretness is read per value."""
    plan = build_plan(run_stage("staging"))
    script = next(r for r in plan["resources"] if r["label"] == "WorkersScript/api")
    bindings = {b["name"]: b for b in script["inputs"]["bindings"]}
    assert bindings["LOG_LEVEL"]["text"] == "debug"
    assert bindings["PUBLIC_APP_URL"]["text"] == "https://api.staging.example.net"
    assert json.loads(bindings["FEATURES"]["json"]) == {"betaDashboard": True, "signup": True}
    assert bindings["STRIPE_SECRET_KEY"]["text"] == "[secret]"
    assert bindings["BETTER_AUTH_SECRET"]["text"] == "[secret]"
    assert bindings["STRIPE_SECRET_KEY"]["type"] == "secret_text"


def test_consumer_and_cron_say_what_they_are() -> None:
    plan = build_plan(run_stage("staging"))
    by_label = {r["label"]: r for r in plan["resources"]}
    assert by_label["QueueConsumer/jobs-consumer"]["physicalName"] == "consumer of acme-staging-jobs"
    assert by_label["WorkersCronTrigger/jobs-cron"]["physicalName"] == "cron */30 * * * *"
