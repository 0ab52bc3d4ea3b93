"""`bin/plan <stage> --against BASE`: what a change does, per logical resource, with its flags."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any
from unittest.mock import ANY

import pytest

from components.cloudflare.replacements import API
from plan.__main__ import main as plan_main
from plan.diff import ADOPT, CREATE, DELETE, PROTECTED, REPLACE, SECRET_CHANGED, UPDATE, Change, PlanDiff, diff_plans
from plan.diff.render import WIDTH, render_json, render_markdown, render_terminal
from plan.model import build_plan
from tests.conftest import raw_config, run_stage

CANARY = "canary-s3cr3t-value"


def plan_of(stage: str, edit: Callable[[dict[str, Any]], None] | None = None) -> dict[str, Any]:
    raw = raw_config(stage)
    if edit:
        edit(raw)
    # Every injected secret gets a canary value: none may reach a diff.
    run = run_stage(stage, raw, environment=None)
    return build_plan(run)


def changes_of(diff: PlanDiff) -> dict[str, Change]:
    return {c.label: c for c in diff.changes}


def all_text(diff: PlanDiff) -> str:
    return render_terminal(diff) + render_markdown(diff) + render_json(diff)


@pytest.fixture(scope="module")
def staging() -> dict[str, Any]:
    return plan_of("staging")


@pytest.fixture(scope="module")
def prod() -> dict[str, Any]:
    return plan_of("prod")


def test_no_change_is_no_change(staging: dict[str, Any]) -> None:
    diff = diff_plans(staging, plan_of("staging"))
    assert diff.changes == [] and diff.refusals == []
    assert "no changes" in render_terminal(diff)


def test_create_update_and_delete_with_paths(staging: dict[str, Any]) -> None:
    def edit(raw: dict[str, Any]) -> None:
        raw["kv"]["sessions"] = {}
        raw["workers"]["api"]["compatibilityDate"] = "2025-09-01"
        raw["workers"]["api"]["domains"] = []

    diff = diff_plans(staging, plan_of("staging", edit), "main")
    changes = changes_of(diff)
    assert changes["WorkersKvNamespace/kv-sessions"].op == CREATE
    script = changes["WorkersScript/api"]
    assert script.op == UPDATE
    assert script.paths == ['compatibilityDate: "2025-06-01" → "2025-09-01"']
    domain = changes["WorkersCustomDomain/api-domain-api.staging.example.net"]
    assert domain.op == DELETE
    assert [f.kind for f in domain.flags] == ["traffic"]
    assert "the hostname stops reaching the worker" in domain.flags[0].message
    assert diff.destructive == [domain]
    text = render_terminal(diff)
    assert "1 to create, 1 to update, 1 to delete" in text
    assert "    Worker/api\n" in text and "      -  WorkersCustomDomain/api-domain-api.staging.example.net" in text


def test_replacement_names_the_property_and_the_data_lost(staging: dict[str, Any]) -> None:
    """A D1 jurisdiction edit replaces the database (RequiresReplace upstream): every row is lost."""

    def edit(raw: dict[str, Any]) -> None:
        raw["d1"]["main"]["jurisdiction"] = "eu"

    diff = diff_plans(staging, plan_of("staging", edit))
    d1 = changes_of(diff)["D1Database/d1-main"]
    assert d1.op == REPLACE
    assert d1.reasons == ["jurisdiction forces replacement (internal/services/d1_database/schema.go)"]
    assert any(f.kind == "data" and "every row of the database" in f.message for f in d1.flags)
    # What reads the database's id is updated with the new one.
    assert changes_of(diff)["WorkersScript/api"].paths == ["(inputs from D1Database/d1-main, which is replaced)"]


def test_renaming_the_app_replaces_every_database_and_bucket_outside_prod(staging: dict[str, Any]) -> None:
    diff = diff_plans(staging, plan_of("staging", lambda raw: raw.update(app="acme2")))
    changes = changes_of(diff)
    for label in ("D1Database/d1-main", "R2Bucket/r2-assets"):
        assert changes[label].op == REPLACE
        assert changes[label].reasons[0].startswith("name forces replacement")
        assert any(f.kind == "data" for f in changes[label].flags)
    assert changes["WorkersScript/api"].op == REPLACE  # script_name forces replacement
    assert changes["WorkersCustomDomain/api-domain-api.staging.example.net"].reasons == [
        "service forces replacement (internal/services/workers_custom_domain/schema.go)"
    ]
    # KV titles and queue names are renamed in place: no replacement, no data lost.
    assert changes["WorkersKvNamespace/kv-cache"].op == UPDATE
    assert changes["Queue/queue-jobs"].op == UPDATE


def test_a_changed_secret_shows_only_as_changed(staging: dict[str, Any]) -> None:
    def edit(raw: dict[str, Any]) -> None:
        raw["workers"]["api"]["secrets"]["BETTER_AUTH_SECRET"]["rotation"] = 1

    diff = diff_plans(staging, plan_of("staging", edit))
    changes = changes_of(diff)
    assert changes["WorkersScript/api"].paths == [f"bindings[BETTER_AUTH_SECRET].text: {SECRET_CHANGED}"]
    password = changes["RandomPassword/api-BETTER_AUTH_SECRET"]
    assert password.op == REPLACE and password.reasons[0].startswith("keepers forces replacement")
    text = all_text(diff)
    assert "dummy-" not in text and "plan-generated" not in text


def test_injected_secret_values_never_reach_the_diff(staging: dict[str, Any]) -> None:
    raw = raw_config("staging")
    base = build_plan(run_stage("staging", raw, environment=None))
    variables = {"CLOUDFLARE_API_TOKEN": CANARY}
    from tests.conftest import full_environment

    env = full_environment("staging", raw, lambda name: f"{CANARY}-{name}")
    head = build_plan(run_stage("staging", raw, environment={**env, **variables}))
    diff = diff_plans(base, head)
    assert CANARY not in all_text(diff)
    assert all(p.endswith(SECRET_CHANGED) for c in diff.changes for p in c.paths)


def test_protected_prod_replacement_fails(prod: dict[str, Any]) -> None:
    diff = diff_plans(prod, plan_of("prod", lambda raw: raw["d1"]["main"].update(jurisdiction="eu")))
    d1 = changes_of(diff)["D1Database/d1-main"]
    assert d1.op == REPLACE
    assert PROTECTED in [f.message for f in d1.flags]
    assert diff.refusals == []


def test_a_location_hint_edit_is_refused_and_never_sent(prod: dict[str, Any]) -> None:
    """The hint is write-once (ignore_changes): the engine never replaces for it, the diff refuses the edit."""
    diff = diff_plans(prod, plan_of("prod", lambda raw: raw["d1"]["main"].update(locationHint="eeur")))
    assert "D1Database/d1-main" not in changes_of(diff)
    assert [(r.path, r.message.split(";")[0]) for r in diff.refusals] == [
        (
            "workers-stage-platform:d1.main.locationHint",
            "the location hint is written only when the database is created",
        )
    ]


def test_r2_jurisdiction_edit_is_refused_though_upstream_updates_in_place(staging: dict[str, Any]) -> None:
    diff = diff_plans(staging, plan_of("staging", lambda raw: raw["r2"]["assets"].update(jurisdiction="eu")))
    assert changes_of(diff)["R2Bucket/r2-assets"].op == UPDATE
    assert [r.path for r in diff.refusals] == ["workers-stage-platform:r2.assets.jurisdiction"]


def test_removing_a_cron_is_flagged(staging: dict[str, Any]) -> None:
    diff = diff_plans(staging, plan_of("staging", lambda raw: raw["workers"]["jobs"].update(crons=["0 * * * *"])))
    cron = changes_of(diff)["WorkersCronTrigger/jobs-cron"]
    assert cron.op == UPDATE
    assert [f.message for f in cron.flags] == ["schedules removed, they stop firing: */30 * * * *"]


def test_adopted_resources_show_as_imports(staging: dict[str, Any]) -> None:
    head = json.loads(json.dumps(staging))
    base = json.loads(json.dumps(staging))
    base["resources"] = [r for r in base["resources"] if r["label"] != "WorkersKvNamespace/kv-cache"]
    next(r for r in head["resources"] if r["label"] == "WorkersKvNamespace/kv-cache")["importId"] = "acc/ns-1"
    change = changes_of(diff_plans(base, head))["WorkersKvNamespace/kv-cache"]
    assert change.op == ADOPT and change.import_id == "acc/ns-1"
    assert "=  WorkersKvNamespace/kv-cache  (acme-staging-cache)\n          import acc/ns-1\n" in render_terminal(
        diff_plans(base, head)
    )


def test_a_base_without_urns_still_matches(staging: dict[str, Any]) -> None:
    """Plans written before URNs were recorded: identity is rebuilt from the parent chain."""
    base = json.loads(json.dumps(staging))
    for resource in base["resources"]:
        for key in ("urn", "parentUrn", "aliases", "importId", "deleteBeforeReplace", "ignoreChanges"):
            resource.pop(key, None)
    assert diff_plans(base, staging).changes == []


def test_renderers_fit_and_say_the_same(prod: dict[str, Any]) -> None:
    def edit(raw: dict[str, Any]) -> None:
        raw["workers"]["api"]["domains"] = ["www.example.com"]
        raw["r2"]["assets"]["location"] = "enam"  # kept by the provider: a note, not a change

    diff = diff_plans(prod, plan_of("prod", edit), "main")
    terminal = render_terminal(diff)
    for line in terminal.splitlines():  # wrapped at WIDTH; a longer line is one unbroken word (a URL), <= 120
        assert len(line) <= WIDTH or (len(line) <= 120 and len(line.split()) == 1), line
    assert f"'{API}/accounts/<account>/workers/domains?hostname=<hostname>'" in terminal  # never broken
    markdown = render_markdown(diff)
    assert markdown.startswith("### Changes to `prod` against `main`")
    assert "> [!CAUTION]" in markdown and "`destructive-change-acknowledged`" in markdown
    assert "R2Bucket/r2-assets" not in [c.label for c in diff.changes]
    assert '- **R2Bucket/r2-assets**: location: "weur" → "enam" changes nothing' in markdown
    data = json.loads(render_json(diff))
    assert data["counts"] == {"create": 1, "update": 0, "replace": 0, "delete": 1, "adopt": 0}
    assert data["destructive"] == ["WorkersCustomDomain/api-domain-api.example.com"]
    assert data["outputs"][0] == {"path": "workers.api.urls", "what": ANY, "warning": None}


# --- the CLI ---------------------------------------------------------------------------------------


def _saved(tmp_path: Path, plan: dict[str, Any]) -> str:
    path = tmp_path / "base.json"
    path.write_text(json.dumps(plan))
    return str(path)


def test_cli_exit_4_for_a_destructive_prod_change(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """The base had a second domain; the head (the committed config) drops it: traffic breaks in prod."""
    base = plan_of("prod", lambda raw: raw["workers"]["api"]["domains"].append("www.example.com"))
    assert plan_main(["prod", "--against", _saved(tmp_path, base), "--format", "markdown"]) == 4
    assert "WorkersCustomDomain/api-domain-www.example.com" in capsys.readouterr().out


def test_cli_exit_0_outside_prod_and_for_no_change(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    base = plan_of("staging", lambda raw: raw["workers"]["api"]["domains"].append("www.staging.example.net"))
    assert plan_main(["staging", "--against", _saved(tmp_path, base)]) == 0
    assert "1 destructive change(s) (stage staging)" in capsys.readouterr().out
    plan_main(["prod", "--format", "json", "--output", str(tmp_path / "prod.json")])
    assert plan_main(["prod", "--against", str(tmp_path / "prod.json"), "--format", "json"]) == 0
    assert json.loads(capsys.readouterr().out)["changes"] == []


def test_cli_exit_2_for_a_refused_edit(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    base = plan_of("dev", lambda raw: raw["d1"]["main"].pop("locationHint"))
    assert plan_main(["dev", "--against", _saved(tmp_path, base)]) == 2
    err = capsys.readouterr().err
    assert "error: workers-stage-platform:d1.main.locationHint: the location hint is written only" in err


def test_cli_refuses_a_base_of_another_stack_or_no_ref(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert plan_main(["dev", "--against", _saved(tmp_path, plan_of("staging"))]) == 2
    assert "a plan of stack 'staging', not 'dev'" in capsys.readouterr().err
    assert plan_main(["dev", "--against", "no-such-ref-anywhere"]) == 2
    assert "is neither a plan file nor a git ref" in capsys.readouterr().err


def test_cli_plans_a_git_ref_in_a_temporary_worktree(capsys: pytest.CaptureFixture[str]) -> None:
    assert plan_main(["dev", "--against", "HEAD"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("Changes to stack 'dev' of workers-stage-platform against HEAD:\n")


def test_plan_table_fits_a_terminal(capsys: pytest.CaptureFixture[str]) -> None:
    """The resource table groups by component and wraps dependencies instead of a 250-column row."""
    assert plan_main(["prod"]) == 0
    table = capsys.readouterr().out
    resources = table.split("\n\n")[1]
    assert max(len(line) for line in resources.splitlines()) <= 120
    assert "  Worker/api " in resources and "    WorkersScript/api " in resources
    assert "        depends on D1Database/d1-main, HyperdriveConfig/hyperdrive-main, Queue/queue-jobs," in resources


def test_a_changed_var_shows_its_values_and_a_secret_never(staging: dict[str, Any]) -> None:
    """Plain vars are plain in the plan, so their change is shown; the secret next to them stays a marker."""

    def edit(raw: dict[str, Any]) -> None:
        raw["workers"]["api"]["vars"]["LOG_LEVEL"] = "info"
        raw["workers"]["api"]["secrets"]["BETTER_AUTH_SECRET"]["rotation"] = 7

    script = changes_of(diff_plans(staging, plan_of("staging", edit)))["WorkersScript/api"]
    assert script.paths == [
        'bindings[LOG_LEVEL].text: "debug" → "info"',
        f"bindings[BETTER_AUTH_SECRET].text: {SECRET_CHANGED}",
    ]
