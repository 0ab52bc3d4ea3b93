"""Durable Objects end to end: declared by append-only tagged migrations, uploaded after the live tag, and every
class a change deletes, renames or drops flagged by the diff (``bin/plan prod --against`` exits 4)."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pulumi
import pytest

import plan.commands as plan_commands
from components.cloudflare.durable_objects import MigrationTagError, upload_migrations
from components.config import DurableObjectsConfig
from plan.__main__ import main as plan_main
from plan.diff import diff_plans
from plan.engine import LIVE_SCRIPTS_LOOKUP, PlanMocks, mocks
from plan.model import build_plan
from plan.stack_files import stack_config
from tests.conftest import PROJECT, config_problems, encode, raw_config, run_stage

MIGRATIONS: list[dict[str, Any]] = [
    {"tag": "v1", "newSqliteClasses": ["Counter"]},
    {"tag": "v2", "newSqliteClasses": ["Room"]},
    {"tag": "v3", "renamedClasses": [{"from": "Room", "to": "Lobby"}]},
]


def with_migrations(raw: dict[str, Any], steps: list[dict[str, Any]]) -> dict[str, Any]:
    raw["workers"]["jobs"]["durableObjects"] = {"migrations": steps}
    return raw


def test_migrations_apply_in_order_or_say_where_they_cannot() -> None:
    steps: list[dict[str, Any]] = [
        {"tag": "v1", "newSqliteClasses": ["Counter"]},
        {"tag": "v1", "newSqliteClasses": ["Counter"]},
        {"tag": "v3", "renamedClasses": [{"from": "Nope", "to": "Other"}]},
        {"tag": "v4", "deletedClasses": ["Ghost"]},
        {"tag": "v5"},
    ]
    found = config_problems(with_migrations(raw_config("staging"), steps))
    at = f"{PROJECT}:workers.jobs.durableObjects.migrations"
    assert "is used twice" in found[f"{at}[1].tag"]
    assert "exists already" in found[f"{at}[1].newSqliteClasses[0]"]
    assert "'Nope' does not exist at this step (classes then: Counter)" in found[f"{at}[2].renamedClasses[0].from"]
    assert "'Ghost' does not exist" in found[f"{at}[3].deletedClasses[0]"]
    assert "changes no class" in found[f"{at}[4]"]


def test_a_binding_names_a_class_its_worker_exports() -> None:
    raw = raw_config("staging")
    raw["workers"]["api"].pop("durableObjects")
    raw["workers"]["api"]["bindings"].pop("VISITS")
    raw["workers"]["api"]["bindings"]["COUNTER"]["className"] = "Counterr"
    raw["workers"]["jobs"]["bindings"]["OTHER"] = {"type": "durable_object", "className": "X", "worker": "api"}
    raw["workers"]["api"]["bindings"]["GONE"] = {"type": "durable_object", "className": "X", "worker": "nope"}
    found = config_problems(raw)
    bindings = f"{PROJECT}:workers.%s.bindings"
    assert "'Counterr' is not a Durable Object class of worker 'jobs'" in found[bindings % "api" + ".COUNTER.className"]
    assert "worker 'api' exports no Durable Object class" in found[bindings % "jobs" + ".OTHER.className"]
    assert "worker 'nope' is not declared under 'workers'" in found[bindings % "api" + ".GONE.worker"]


def test_the_upload_carries_the_steps_after_the_live_tag() -> None:
    config = DurableObjectsConfig.model_validate({"migrations": MIGRATIONS})
    first = upload_migrations("at", config, None)
    assert first is not None and first.old_tag is None and first.new_tag == "v3" and len(first.steps) == 3
    later = upload_migrations("at", config, "v1")
    assert later is not None and (later.old_tag, later.new_tag) == ("v1", "v3") and len(later.steps) == 2
    assert upload_migrations("at", config, "v3") is None  # up to date: no migrations, the tag stays
    with pytest.raises(MigrationTagError, match=r"at.migrations: .*tagged 'v0'.* append-only"):
        upload_migrations("at", config, "v0")


class LiveTags(PlanMocks):
    """Cloudflare's answer to the live-scripts lookup: the jobs script of the stage at tag ``v1``."""

    def call(self, args: mocks.MockCallArgs) -> tuple[dict[str, Any], list[tuple[str, str]] | None]:
        if args.token == LIVE_SCRIPTS_LOOKUP:
            return {"results": [{"id": f"acme-{self.stack}-jobs", "migrationTag": "v1"}]}, []
        return super().call(args)


def test_the_program_reads_the_live_tag_before_it_uploads() -> None:
    raw = with_migrations(raw_config("staging"), MIGRATIONS)
    run = run_stage("staging", raw, resource_mocks=LiveTags("staging"))
    (jobs,) = [r for r in run.by_type(":WorkersScript") if r.name == "jobs"]
    assert jobs.inputs["migrations"]["oldTag"] == "v1" and jobs.inputs["migrations"]["newTag"] == "v3"
    assert [sorted(step) for step in jobs.inputs["migrations"]["steps"]] == [["newSqliteClasses"], ["renamedClasses"]]
    config = run.outputs["wranglerConfigs"].value["jobs"]
    assert [step["tag"] for step in config["migrations"]] == ["v1", "v2", "v3"]  # wrangler keeps the whole list
    raw["workers"]["jobs"]["durableObjects"]["migrations"] = MIGRATIONS[1:]  # the deployed v1 is gone
    raw["workers"]["api"]["bindings"].pop("COUNTER")
    raw["workers"]["jobs"]["bindings"].pop("COUNTER")
    with pytest.raises(pulumi.RunError, match=r"durableObjects\.migrations: the live script's last"):
        run_stage("staging", raw, resource_mocks=LiveTags("staging"))


def plan_of(stage: str, edit: Callable[[dict[str, Any]], None]) -> dict[str, Any]:
    raw = raw_config(stage)
    edit(raw)
    return build_plan(run_stage(stage, raw))


def delete_counter(raw: dict[str, Any]) -> None:
    raw["workers"]["jobs"]["durableObjects"]["migrations"].append({"tag": "v2", "deletedClasses": ["Counter"]})
    raw["workers"]["api"]["bindings"].pop("COUNTER")
    raw["workers"]["jobs"]["bindings"].pop("COUNTER")


def drop_counter(raw: dict[str, Any]) -> None:
    """The class taken out of the config without a step: its objects would be lost, and Cloudflare refuses it."""
    raw["workers"]["jobs"].pop("durableObjects")
    raw["workers"]["api"]["bindings"].pop("COUNTER")
    raw["workers"]["jobs"]["bindings"].pop("COUNTER")


def rename_counter(raw: dict[str, Any]) -> None:
    raw["workers"]["jobs"]["durableObjects"]["migrations"].append(
        {"tag": "v2", "renamedClasses": [{"from": "Counter", "to": "Tally"}]}
    )
    for worker in ("api", "jobs"):
        raw["workers"][worker]["bindings"]["COUNTER"]["className"] = "Tally"


@pytest.mark.parametrize(
    ("edit", "said"),
    [
        (delete_counter, "Durable Object class 'Counter' is deleted: every object in it is destroyed"),
        (drop_counter, "Durable Object class 'Counter' is no longer declared: its objects would be lost"),
        (rename_counter, "Durable Object class 'Counter' is renamed to 'Tally': its objects move there"),
    ],
)
def test_a_class_a_change_takes_away_is_flagged_as_data(edit: Callable[[dict[str, Any]], None], said: str) -> None:
    base = build_plan(run_stage("staging"))
    diff = diff_plans(base, plan_of("staging", edit))
    (script,) = [change for change in diff.changes if change.label == "WorkersScript/jobs"]
    assert [flag.kind for flag in script.flags if flag.message.startswith(said)] == ["data"]
    assert script.destructive


def test_an_added_class_is_no_loss_and_an_edited_step_cannot_deploy() -> None:
    base = build_plan(run_stage("staging"))
    added = plan_of("staging", lambda raw: raw["workers"]["jobs"]["durableObjects"]["migrations"].append(
        {"tag": "v2", "newSqliteClasses": ["Room"]}
    ))  # fmt: skip
    (script,) = [c for c in diff_plans(base, added).changes if c.label == "WorkersScript/jobs"]
    assert not script.destructive and script.flags == []
    edited = plan_of("staging", lambda raw: raw["workers"]["jobs"]["durableObjects"]["migrations"][0].update(
        newClasses=["Counter"], newSqliteClasses=[]
    ))  # fmt: skip
    (script,) = [c for c in diff_plans(base, edited).changes if c.label == "WorkersScript/jobs"]
    assert [flag.kind for flag in script.flags] == ["fails"]


def test_replacing_or_deleting_the_exporting_script_loses_its_objects() -> None:
    def rename_app(raw: dict[str, Any]) -> None:
        raw["app"] = "acme2"

    diff = diff_plans(build_plan(run_stage("staging")), plan_of("staging", rename_app))
    (script,) = [c for c in diff.changes if c.label == "WorkersScript/jobs"]
    assert any(f.kind == "data" and "'Counter' and every object in them go with the old script" in f.message
               for f in script.flags)  # fmt: skip


def test_a_class_removed_from_prods_config_exits_4(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    base = tmp_path / "base.json"
    assert plan_main(["prod", "--format", "json", "--output", str(base)]) == 0
    config, secret_keys = stack_config("prod")
    raw = raw_config("prod")
    delete_counter(raw)
    head = {**config, **encode(raw)}
    monkeypatch.setattr(plan_commands, "stack_config", lambda _stage: (head, secret_keys))
    assert plan_main(["prod", "--against", str(base), "--format", "json"]) == 4
    diff = json.loads(capsys.readouterr().out)
    assert "WorkersScript/jobs" in diff["destructive"]
