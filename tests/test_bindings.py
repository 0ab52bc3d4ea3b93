"""Every binding kind, registered as the provider expects it and described by the same declaration in wrangler.

The committed stages use Durable Objects, a Workflow, static assets, Workers AI, Analytics Engine, Hyperdrive,
Vectorize, rate limiting and version metadata; browser rendering, images and send_email are added here.
"""

from __future__ import annotations

import inspect
import re
import typing
from pathlib import Path
from typing import Any

import pulumi_cloudflare as cf
import pytest

from components.config import StageConfigError, parse_stage_config
from components.config.bindings import BINDING_MODELS, BINDING_TYPES, BOUND_KINDS
from plan.diff import diff_plans
from plan.engine import ProgramRun, Registration
from plan.model import build_plan, is_secret
from tests.conftest import PROJECT, STAGES, raw_config, run_stage
from tests.wrangler_tools import (
    app_root,
    binding_names,
    bound_entries,
    env_interface,
    needs_node,
    run_wrangler,
    write_config,
)

EVERY_OTHER_KIND = {
    "BROWSER": {"type": "browser"},
    "IMAGES": {"type": "images"},
    "MAILER": {"type": "send_email", "destinationAddress": "ops@example.com"},
}


def script(run: ProgramRun, worker: str) -> Registration:
    (found,) = [r for r in run.by_type(":WorkersScript") if r.name == worker]
    return found


def bindings(run: ProgramRun, worker: str) -> dict[str, dict[str, Any]]:
    value = script(run, worker).inputs["bindings"]
    return {b["name"]: b for b in (value["value"] if is_secret(value) else value)}


def test_every_declared_kind_is_a_binding_type_the_provider_takes() -> None:
    doc = inspect.getdoc(cf.WorkersScriptBindingArgs.__init__) or ""
    listed = re.search(r":param pulumi.Input\[_builtins.str\] type:.*?Available values: (.*?)\.\n", doc, re.S)
    assert listed is not None
    types = {value.replace("*", "_") for value in re.findall(r'"([a-z0-9*]+)"', listed.group(1))}  # doc: * for _
    assert set(BOUND_KINDS) <= types


def test_the_config_reference_names_each_kind_as_declared() -> None:
    """docs/config.md's table of binding kinds says what each declaration says (type, section, bin/dev)."""
    rows = {}
    for line in (Path(__file__).resolve().parents[1] / "docs" / "config.md").read_text().splitlines():
        cells = [cell.strip().strip("`") for cell in line.strip("|").split("|")]
        if len(cells) == 5 and cells[0] in BINDING_TYPES:
            rows[cells[0]] = cells
    assert set(rows) == set(BINDING_TYPES)
    for model in BINDING_MODELS:
        (kind,) = typing.get_args(model.model_fields["type"].annotation)
        bound = getattr(model, "BOUND", None)
        if bound is not None:
            assert rows[kind][2:4] == [bound.provider_type, bound.section], kind
            assert rows[kind][4].startswith("left out") is (bound.local is not None), kind


@pytest.mark.parametrize("stage", STAGES)
def test_the_committed_stages_use_every_kind(stage: str, stage_runs: dict[str, ProgramRun]) -> None:
    run = stage_runs[stage]
    used = {b["type"] for worker in ("api", "jobs") for b in bindings(run, worker).values()}
    kinds = {"durable_object_namespace", "workflow", "ai", "analytics_engine", "hyperdrive", "vectorize", "ratelimit"}
    assert kinds | {"version_metadata", "assets"} <= used
    assert script(run, "api").inputs["assets"]["directory"] == "workers/api/public"


def test_shapes_and_owners(stage_runs: dict[str, ProgramRun]) -> None:
    run = stage_runs["staging"]
    api, jobs = bindings(run, "api"), bindings(run, "jobs")
    assert jobs["COUNTER"] == {"name": "COUNTER", "type": "durable_object_namespace", "className": "Counter"}
    assert api["COUNTER"]["scriptName"] == "acme-staging-jobs"  # another worker's class names its script
    assert api["VISITS"] == {"name": "VISITS", "type": "durable_object_namespace", "className": "Visits"}
    (workflow,) = run.by_type(":Workflow")
    assert workflow.inputs == {
        "accountId": "0123456789abcdef0123456789abcdef",
        "workflowName": "acme-staging-reports",
        "className": "ReportWorkflow",
        "scriptName": "acme-staging-api",
    }
    assert workflow.parent == script(run, "api").parent  # the Worker that exports its class owns it
    assert script(run, "api").urn in workflow.dependencies
    assert api["REPORTS"] == {
        "name": "REPORTS", "type": "workflow", "workflowName": "acme-staging-reports", "className": "ReportWorkflow",
    }  # fmt: skip
    (hyperdrive,) = run.by_type(":HyperdriveConfig")
    assert api["PG"] == {"name": "PG", "type": "hyperdrive", "id": hyperdrive.id}
    assert (
        hyperdrive.inputs["name"] == "acme-staging-main"
        and hyperdrive.parent
        and hyperdrive.parent.endswith("Hyperdrive::hyperdrive")
    )
    assert is_secret(hyperdrive.wire_inputs["origin"]["password"])  # the origin password, only as a secret
    assert api["EMBEDDINGS"] == {"name": "EMBEDDINGS", "type": "vectorize", "indexName": "acme-staging-embeddings"}
    assert api["EVENTS"] == {"name": "EVENTS", "type": "analytics_engine", "dataset": "acme_staging_events"}
    assert api["LIMITER"]["simple"] == {"limit": 100.0, "period": 60.0}
    for name, kind in (("AI", "ai"), ("VERSION", "version_metadata"), ("STATIC", "assets")):
        assert api[name] == {"name": name, "type": kind}
    outputs = run.outputs["vectorizeIndexes"].value["embeddings"]
    assert outputs["create"] == "npx wrangler vectorize create acme-staging-embeddings --dimensions=768 --metric=cosine"


def test_removing_a_workflow_a_hyperdrive_config_or_the_assets_is_flagged(stage_runs: dict[str, ProgramRun]) -> None:
    raw = raw_config("staging")
    api = raw["workers"]["api"]
    for name in ("REPORTS", "PG"):
        api["bindings"].pop(name)
    api.pop("workflows")
    api.pop("assets")
    raw.pop("hyperdrive")
    diff = diff_plans(build_plan(stage_runs["staging"]), build_plan(run_stage("staging", raw)))
    flags = {change.label: [(f.kind, f.message) for f in change.flags] for change in diff.changes}
    assert ("data", "deleted: destroys every instance of the workflow, running or finished, with its step results") in (
        flags["Workflow/api-workflow-reports"]
    )
    assert ("traffic", "deleted: the workers that bind it cannot reach the database through it") in (
        flags["HyperdriveConfig/hyperdrive-main"]
    )
    assert ("traffic", "the worker stops serving its static assets (assets removed)") in flags["WorkersScript/api"]


def test_rate_limit_counters_and_datasets_are_per_stage(stage_runs: dict[str, ProgramRun]) -> None:
    namespaces = {stage: bindings(run, "api")["LIMITER"]["namespaceId"] for stage, run in stage_runs.items()}
    assert len(set(namespaces.values())) == len(STAGES) and all(n.isdigit() for n in namespaces.values())
    assert {bindings(run, "api")["EVENTS"]["dataset"] for run in stage_runs.values()} == {
        f"acme_{stage}_events" for stage in STAGES
    }


def test_a_password_in_the_file_is_refused_without_echoing_it() -> None:
    raw = raw_config("staging")
    raw["hyperdrive"]["main"]["password"] = "hunter2-in-the-file"
    with pytest.raises(StageConfigError) as caught:
        parse_stage_config(raw, stage="staging", namespace=PROJECT)
    (path, message), *_ = caught.value.problems
    assert path == f"{PROJECT}:hyperdrive.main.password" and message.startswith("the origin password is a secret")
    assert "hunter2" not in str(caught.value)


def test_references_and_kinds_bound_once_are_checked() -> None:
    raw = raw_config("staging")
    raw["workers"]["api"]["bindings"] |= {
        "PG2": {"type": "hyperdrive", "config": "nope"},
        "VEC2": {"type": "vectorize", "index": "nope"},
        "FLOW": {"type": "workflow", "workflow": "nope"},
        "AI2": {"type": "ai"},
    }
    raw["workers"]["api"]["assets"] |= {"directory": "workers/api/missing", "binding": "DB", "runWorkerFirst": ["!/x"]}
    with pytest.raises(StageConfigError) as caught:
        parse_stage_config(raw, stage="staging", namespace=PROJECT, project_root=Path.cwd())
    found = dict(caught.value.problems)
    at = f"{PROJECT}:workers.api"
    assert "Hyperdrive config 'nope' is not declared under 'hyperdrive'" in found[f"{at}.bindings.PG2.config"]
    assert "Vectorize index 'nope' is not declared under 'vectorize'" in found[f"{at}.bindings.VEC2.index"]
    assert "workflow 'nope' is not declared under any worker's 'workflows'" in found[f"{at}.bindings.FLOW.workflow"]
    assert "'AI' binds 'ai' already" in found[f"{at}.bindings.AI2"]
    assert "does not exist" in found[f"{at}.assets.directory"]
    assert "also defined under 'bindings'" in found[f"{at}.assets.binding"]
    assert "not a negation" in found[f"{at}.assets.runWorkerFirst"]


@needs_node
def test_real_wrangler_accepts_the_kinds_no_committed_stage_uses(tmp_path: Path) -> None:
    raw = raw_config("staging")
    raw["workers"]["jobs"]["bindings"] |= EVERY_OTHER_KIND
    run = run_stage("staging", raw)
    config = run.outputs["wranglerConfigs"].value["jobs"]
    assert {kind for _, kind in bound_entries(config)} >= {"browser", "images", "send_email"}
    root = app_root(tmp_path / "app")
    path = write_config(root, "wrangler.jobs", config)
    done = run_wrangler("deploy", "--dry-run", "-c", path.name, "--name", "acme-staging-jobs", cwd=root, home=tmp_path)
    assert done.returncode == 0, done.stdout + done.stderr
    bound = {line.split()[0].removeprefix("env.") for line in done.stdout.splitlines() if line.startswith("env.")}
    assert bound == binding_names(config)
    out = root / "jobs.d.ts"
    done = run_wrangler("types", "-c", path.name, str(out), "--include-runtime=false", cwd=root, home=tmp_path)
    assert done.returncode == 0, done.stdout + done.stderr
    assert env_interface(out.read_text()) == binding_names(config)
