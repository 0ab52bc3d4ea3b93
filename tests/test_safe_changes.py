"""Changes that cannot break a live stage: what the program registers, and what config refuses."""

from __future__ import annotations

from typing import Any

import pytest

from components.cloudflare.replacements import DELETE_BEFORE_REPLACE, RULES
from components.config import StageConfigError, parse_stage_config
from plan.diff import REPLACE, UPDATE, diff_plans
from plan.engine import ProgramRun
from plan.model import build_plan
from policy.names import short_type
from tests.conftest import PROJECT, raw_config, run_stage


def with_route(raw: dict[str, Any]) -> dict[str, Any]:
    raw["workers"]["api"]["routes"] = ["api.staging.example.net/v1/*"]
    return raw


@pytest.fixture(scope="module")
def staging_run() -> ProgramRun:
    return run_stage("staging", with_route(raw_config("staging")))


def test_every_worker_keeps_a_cron_trigger_even_without_crons(staging_run: ProgramRun) -> None:
    """Deleting a trigger does nothing upstream, so a worker without crons has one with no schedules."""
    triggers = {r.name: r.inputs["schedules"] for r in staging_run.by_type(":WorkersCronTrigger")}
    assert triggers == {"api-cron": [], "jobs-cron": [{"cron": "*/30 * * * *"}]}


def test_single_owner_resources_are_deleted_before_they_are_replaced(staging_run: ProgramRun) -> None:
    seen = set()
    for registration in staging_run.registrations:
        kind = short_type(registration.type)
        if kind in RULES:
            assert registration.delete_before_replace is (kind in DELETE_BEFORE_REPLACE), registration.name
            seen.add(kind)
    assert {"WorkersCustomDomain", "WorkersRoute", "QueueConsumer"} == DELETE_BEFORE_REPLACE
    assert seen >= DELETE_BEFORE_REPLACE


def test_the_d1_location_hint_is_write_once(staging_run: ProgramRun) -> None:
    (d1,) = staging_run.by_type(":D1Database")
    assert d1.ignore_changes == ["primaryLocationHint"]
    assert d1.inputs["primaryLocationHint"] == "weur"  # still written at create


def renamed(raw: dict[str, Any]) -> dict[str, Any]:
    raw["workers"]["gateway"] = {**raw["workers"].pop("api"), "renamedFrom": "api"}
    return raw


def test_a_renamed_worker_carries_aliases() -> None:
    run = run_stage("staging", renamed(with_route(raw_config("staging"))))
    workers = {r.name: r for r in run.by_type(":Worker")}
    assert [a["name"] for a in workers["gateway"].aliases] == ["api"]
    assert workers["jobs"].aliases == []
    passwords = {r.name: r for r in run.by_type(":RandomPassword")}
    assert [a["name"] for a in passwords["gateway-BETTER_AUTH_SECRET"].aliases] == ["api-BETTER_AUTH_SECRET"]


def test_a_rename_is_followed_not_deleted_and_recreated() -> None:
    base = build_plan(run_stage("staging", with_route(raw_config("staging"))))
    head = build_plan(run_stage("staging", renamed(with_route(raw_config("staging")))))
    changes = {c.label: c for c in diff_plans(base, head).changes}
    domain = changes["WorkersCustomDomain/gateway-domain-api.staging.example.net"]
    assert domain.op == REPLACE
    assert (
        domain.reasons[0]
        == "renamed from WorkersCustomDomain/api-domain-api.staging.example.net (aliases keep its state)"
    )
    assert [f.kind for f in domain.flags] == ["traffic", "note"]  # no "fails": deleted before it is re-created
    route = changes["WorkersRoute/gateway-route-api.staging.example.net/v1/*"]
    assert route.op == UPDATE and route.paths == ['script: "acme-staging-api" → "acme-staging-gateway"']
    assert changes["WorkersScript/gateway"].op == REPLACE  # a new script name is a new script
    assert not [c for c in changes.values() if c.op in ("+", "-") and c.type.startswith("cloudflare:")]
    assert "RandomPassword/gateway-BETTER_AUTH_SECRET" not in changes  # the generated value stays


def test_a_prod_worker_rename_does_not_fail_part_way() -> None:
    """The renamed worker's folder of generated copies moves; nothing protected is deleted."""
    diff = diff_plans(build_plan(run_stage("prod")), build_plan(run_stage("prod", renamed(raw_config("prod")))))
    assert diff.partway == []
    assert not [c.label for c in diff.changes if any(f.kind == "fails" for f in c.flags)]
    moved = {c.label: c.op for c in diff.changes if c.type.endswith("SecretFolder")}
    assert moved == {
        "infisical:SecretFolder/folder-generated-gateway": "+",
        "infisical:SecretFolder/folder-generated-api": "-",
    }


def test_without_the_alias_a_rename_deletes_the_old_domain() -> None:
    """What renamedFrom prevents: the new domain created while the old one still owns the hostname."""
    base = build_plan(run_stage("staging"))
    raw = renamed(raw_config("staging"))
    del raw["workers"]["gateway"]["renamedFrom"]
    changes = {c.label: c for c in diff_plans(base, build_plan(run_stage("staging", raw))).changes}
    assert changes["WorkersCustomDomain/api-domain-api.staging.example.net"].op == "-"
    assert changes["WorkersCustomDomain/gateway-domain-api.staging.example.net"].op == "+"


@pytest.mark.parametrize(
    ("edit", "path", "message"),
    [
        (
            lambda raw: raw["workers"]["jobs"].update(renamedFrom="api"),
            "workers.jobs.renamedFrom",
            "worker 'api' still exists",
        ),
        (
            lambda raw: raw["workers"]["jobs"].update(renamedFrom="jobs"),
            "workers.jobs.renamedFrom",
            "cannot be renamed from its own key",
        ),
        (
            lambda raw: (renamed(raw), raw["workers"]["jobs"].update(renamedFrom="api")),
            "workers.jobs.renamedFrom",
            "worker 'gateway' is already renamed from 'api'",
        ),
    ],
)
def test_config_refuses_a_rename_state_cannot_follow(edit: Any, path: str, message: str) -> None:
    raw = raw_config("staging")
    edit(raw)
    with pytest.raises(StageConfigError) as error:
        parse_stage_config(raw, stage="staging", namespace=PROJECT)
    assert any(p == f"{PROJECT}:{path}" and message in m for p, m in error.value.problems), error.value.problems


def test_removing_crons_clears_them_instead_of_leaving_them_firing() -> None:
    base = build_plan(run_stage("staging"))
    raw = raw_config("staging")
    raw["workers"]["jobs"]["crons"] = []
    (change,) = diff_plans(base, build_plan(run_stage("staging", raw))).changes
    assert (change.label, change.op) == ("WorkersCronTrigger/jobs-cron", UPDATE)
    assert change.paths == ['schedules: [{"cron": "*/30 * * * *"}] → []']
    assert [f.message for f in change.flags] == ["schedules removed, they stop firing: */30 * * * *"]


def renamed_database(raw: dict[str, Any], *previous: str) -> dict[str, Any]:
    raw["d1"]["primary"] = {**raw["d1"].pop("main"), "renamedFrom": list(previous)}
    for worker in raw["workers"].values():
        for binding in worker.get("bindings", {}).values():
            if binding.get("type") == "d1":
                binding["database"] = "primary"
    return raw


def test_a_renamed_storage_key_keeps_its_state_and_its_physical_name() -> None:
    run = run_stage("staging", renamed_database(raw_config("staging"), "main"))
    (d1,) = run.by_type(":D1Database")
    assert (d1.name, [a["name"] for a in d1.aliases], d1.inputs["name"]) == (
        "d1-primary",
        ["d1-main"],
        "acme-staging-main",
    )
    raw = raw_config("staging")
    raw["queues"]["tasks"] = {**raw["queues"].pop("jobs"), "renamedFrom": "jobs"}
    raw["workers"]["api"]["bindings"]["JOBS"]["queue"] = "tasks"
    raw["workers"]["jobs"]["consumes"]["queue"] = "tasks"
    queues = {r.name: r for r in run_stage("staging", raw).by_type(":Queue")}
    assert [a["name"] for a in queues["queue-tasks-dlq"].aliases] == ["queue-jobs-dlq"]
    assert queues["queue-tasks-dlq"].inputs["queueName"] == "acme-staging-jobs-dlq"


def test_a_chain_of_renames_keeps_the_first_name() -> None:
    """main → primary (deployed) → rows: both earlier keys, oldest first; the name stays the oldest key's."""
    raw = renamed_database(raw_config("staging"), "main", "primary")
    raw["d1"]["rows"] = raw["d1"].pop("primary")
    for worker in raw["workers"].values():
        for binding in worker.get("bindings", {}).values():
            if binding.get("type") == "d1":
                binding["database"] = "rows"
    (d1,) = run_stage("staging", raw).by_type(":D1Database")
    assert ([a["name"] for a in d1.aliases], d1.inputs["name"]) == (["d1-main", "d1-primary"], "acme-staging-main")


@pytest.mark.parametrize(
    ("edit", "path", "message"),
    [
        (lambda raw: renamed_database(raw, "primary"), "d1.primary.renamedFrom[0]", "cannot be renamed from its own"),
        (
            lambda raw: (renamed_database(raw, "main"), raw["d1"].update(main={})),
            "d1.primary.renamedFrom[0]",
            "'main' still exists in d1",
        ),
        (
            lambda raw: raw["kv"].update(old={"renamedFrom": "gone"}, new={"renamedFrom": "gone"}),
            "kv.old.renamedFrom[0]",
            "'new' already names 'gone' in renamedFrom",
        ),
        (
            lambda raw: raw["r2"]["assets"].update(renamedFrom="media", adopt="acme-staging-media"),
            "r2.assets.adopt",
            "adopt imports a resource the stack does not have, renamedFrom follows one it has",
        ),
    ],
)
def test_config_refuses_a_storage_rename_state_cannot_follow(edit: Any, path: str, message: str) -> None:
    raw = raw_config("staging")
    edit(raw)
    with pytest.raises(StageConfigError) as error:
        parse_stage_config(raw, stage="staging", namespace=PROJECT)
    assert any(p == f"{PROJECT}:{path}" and message in m for p, m in error.value.problems), error.value.problems
