"""Changes that break prod together: traffic moved onto new resources, owners handed over, ups that stop half way."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from plan.__main__ import main as plan_main
from plan.baseline import empty_plan
from plan.diff import CREATE, DELETE, REPLACE, UPDATE, diff_plans
from plan.diff.render import render_terminal
from plan.exits import EXIT_DESTRUCTIVE_PROD
from plan.review import review
from tests.conftest import PROJECT
from tests.test_diff import changes_of, plan_of


def rename_database(raw: dict[str, Any], follow: bool = False) -> None:
    """The prod D1 key ``main`` becomes ``primary``, every binding to it follows in the config."""
    raw["d1"]["primary"] = raw["d1"].pop("main")
    if follow:
        raw["d1"]["primary"]["renamedFrom"] = "main"
    for worker in raw["workers"].values():
        for binding in worker.get("bindings", {}).values():
            if binding.get("type") == "d1":
                binding["database"] = "primary"


@pytest.fixture(scope="module")
def prod() -> dict[str, Any]:
    return plan_of("prod")


def test_a_prod_database_key_rename_moves_both_workers_to_an_empty_database(prod: dict[str, Any]) -> None:
    diff = diff_plans(prod, plan_of("prod", rename_database), "main")
    changes = changes_of(diff)
    assert changes["D1Database/d1-primary"].op == CREATE and changes["D1Database/d1-main"].op == DELETE
    for script in ("WorkersScript/api", "WorkersScript/jobs"):
        assert changes[script].op == UPDATE
        (moved,) = [f for f in changes[script].flags if f.kind == "traffic"]
        assert moved.message == (
            "bindings[DB] moves to D1Database/d1-primary, which this up creates empty; left behind in "
            "D1Database/d1-main: every row of the database"
        )
    # The protected old database fails the up at its end, after both scripts already point at the new one.
    (why,) = diff.partway
    assert why.startswith("D1Database/d1-main is deleted last and its delete fails (the resource is protected)")
    assert why.endswith("3 other change(s) are applied: D1Database/d1-primary, WorkersScript/api, WorkersScript/jobs")
    assert {c.label for c in diff.destructive} == {"D1Database/d1-main", "WorkersScript/api", "WorkersScript/jobs"}
    text = render_terminal(diff)
    assert "this up fails part-way: D1Database/d1-main is deleted last" in text
    assert "no change destroys data" not in text


def test_the_review_exits_4_for_it(tmp_path: Path, prod: dict[str, Any], capsys: pytest.CaptureFixture[str]) -> None:
    saved = tmp_path / "base.json"
    saved.write_text(json.dumps(prod))
    assert review(plan_of("prod", rename_database), str(saved), "table", None) == EXIT_DESTRUCTIVE_PROD
    assert "bindings[DB] moves to D1Database/d1-primary, which this up creates empty" in capsys.readouterr().out
    # The CLI plans the committed config (key `main`): against a base that had `primary`, the same move back.
    saved.write_text(json.dumps(plan_of("prod", rename_database)))
    assert plan_main(["prod", "--against", str(saved)]) == EXIT_DESTRUCTIVE_PROD
    out = capsys.readouterr().out
    assert "bindings[DB] moves to D1Database/d1-main, which this up creates empty" in out
    assert "this up fails part-way: D1Database/d1-primary is deleted last" in out


def test_a_renamed_storage_key_creates_and_deletes_nothing(prod: dict[str, Any]) -> None:
    def rename_all(raw: dict[str, Any]) -> None:
        rename_database(raw, follow=True)
        raw["r2"]["media"] = {**raw["r2"].pop("assets"), "renamedFrom": "assets"}
        raw["kv"]["sessions"] = {**raw["kv"].pop("cache"), "renamedFrom": ["cache"]}
        raw["queues"]["tasks"] = {**raw["queues"].pop("jobs"), "renamedFrom": "jobs"}
        api, jobs = raw["workers"]["api"], raw["workers"]["jobs"]
        for worker in (api, jobs):
            worker["bindings"]["ASSETS"]["bucket"] = "media"
        api["bindings"]["CACHE"]["namespace"] = "sessions"
        api["bindings"]["JOBS"]["queue"] = "tasks"
        jobs["consumes"]["queue"] = "tasks"

    diff = diff_plans(prod, plan_of("prod", rename_all), "main")
    assert diff.changes == [] and diff.refusals == [] and diff.partway == []
    renamed = {o.path: o.what for o in diff.outputs if o.what.startswith("renamed")}
    assert renamed == {
        "d1Databases.main": "renamed to d1Databases.primary",
        "r2Buckets.assets": "renamed to r2Buckets.media",
        "kvNamespaces.cache": "renamed to kvNamespaces.sessions",
        "queues.jobs": "renamed to queues.tasks",
    }
    assert all(o.warning for o in diff.outputs if o.path in renamed)


def test_a_rename_that_names_no_deployed_key_is_refused(prod: dict[str, Any]) -> None:
    def typo(raw: dict[str, Any]) -> None:
        rename_database(raw, follow=True)
        raw["d1"]["primary"]["renamedFrom"] = "mian"

    diff = diff_plans(prod, plan_of("prod", typo), "main")
    (refusal,) = diff.refusals
    assert refusal.path == "workers-stage-platform:d1.primary.renamedFrom"
    assert refusal.message.startswith("'mian' names no d1 key the base has")


def test_a_consumer_moved_to_a_new_queue_is_a_traffic_break(prod: dict[str, Any]) -> None:
    def move(raw: dict[str, Any]) -> None:
        raw["queues"]["tasks"] = {}
        raw["workers"]["jobs"]["consumes"]["queue"] = "tasks"

    consumer = changes_of(diff_plans(prod, plan_of("prod", move)))["QueueConsumer/jobs-consumer"]
    assert consumer.op == REPLACE
    assert (
        "queueId moves to Queue/queue-tasks, which this up creates empty; left behind in Queue/queue-jobs: the "
        "messages waiting in the queue"
    ) in [f.message for f in consumer.flags]


def test_a_service_binding_moved_to_a_new_worker_is_a_traffic_break() -> None:
    def with_service(raw: dict[str, Any], target: str) -> None:
        if target != "jobs":
            raw["workers"][target] = {"main": raw["workers"]["jobs"]["main"]}
        raw["workers"]["api"]["bindings"]["JOBS_API"] = {"type": "service", "worker": target}

    base = plan_of("staging", lambda raw: with_service(raw, "jobs"))
    diff = diff_plans(base, plan_of("staging", lambda raw: with_service(raw, "reports")))
    script = changes_of(diff)["WorkersScript/api"]
    assert script.paths == ['bindings[JOBS_API].service: "acme-staging-jobs" → "acme-staging-reports"']
    assert [f.message for f in script.flags] == [
        "bindings[JOBS_API] moves to WorkersScript/reports, a worker this up creates: this traffic goes to a "
        "script that never served"
    ]


def test_a_new_binding_to_a_new_resource_breaks_nothing() -> None:
    def add(raw: dict[str, Any]) -> None:
        raw["kv"]["sessions"] = {}
        raw["workers"]["api"]["bindings"]["SESSIONS"] = {"type": "kv", "namespace": "sessions"}

    diff = diff_plans(plan_of("staging"), plan_of("staging", add))
    assert diff.destructive == [] and diff.partway == []


def test_a_hostname_handed_to_another_worker_fails_the_up() -> None:
    """The new worker's domain is created while the old worker's still owns the hostname (deletes run last)."""

    def move(raw: dict[str, Any]) -> None:
        raw["workers"]["jobs"]["domains"] = raw["workers"]["api"].pop("domains")

    diff = diff_plans(plan_of("staging"), plan_of("staging", move))
    created = changes_of(diff)["WorkersCustomDomain/jobs-domain-api.staging.example.net"]
    assert created.op == CREATE
    assert [f.message for f in created.flags if f.kind == "fails"] == [
        "this up will fail: WorkersCustomDomain/api-domain-api.staging.example.net still owns this hostname when "
        "this one is created (an up deletes last), and Cloudflare refuses a second owner"
    ]
    assert created in diff.destructive and diff.partway == []  # it fails first: nothing else is applied


def test_a_cron_trigger_without_schedules_stops_nothing(prod: dict[str, Any]) -> None:
    """api has no crons: its trigger (schedules []) replaced or deleted is no traffic break."""
    diff = diff_plans(prod, plan_of("prod", lambda raw: raw["workers"].pop("api")))
    trigger = changes_of(diff)["WorkersCronTrigger/api-cron"]
    assert trigger.op == DELETE and trigger.flags == []
    assert "stop firing" not in render_terminal(diff) and "keeps firing" not in render_terminal(diff)


def test_a_binding_moved_to_another_live_resource_is_noted() -> None:
    def two(raw: dict[str, Any], bound: str) -> None:
        raw["d1"]["analytics"] = {}
        raw["workers"]["jobs"]["bindings"]["DB"]["database"] = bound

    diff = diff_plans(
        plan_of("staging", lambda raw: two(raw, "main")), plan_of("staging", lambda raw: two(raw, "analytics"))
    )
    script = changes_of(diff)["WorkersScript/jobs"]
    assert [(f.kind, f.message) for f in script.flags] == [
        ("note", "bindings[DB] moves from D1Database/d1-main to D1Database/d1-analytics, a live one")
    ]


def test_a_route_handed_to_another_worker_fails_the_up() -> None:
    def route(raw: dict[str, Any], worker: str) -> None:
        raw["workers"][worker]["routes"] = ["api.staging.example.net/v1/*"]

    diff = diff_plans(
        plan_of("staging", lambda raw: route(raw, "api")), plan_of("staging", lambda raw: route(raw, "jobs"))
    )
    created = changes_of(diff)["WorkersRoute/jobs-route-api.staging.example.net/v1/*"]
    assert [f.kind for f in created.flags if f.kind == "fails"] == ["fails"]


def test_a_kept_rename_on_a_stage_that_never_had_the_old_key_is_no_refusal() -> None:
    """A new stage copies ``renamedFrom`` (kept for the name): its alias follows nothing, and nothing is lost."""
    diff = diff_plans(empty_plan("staging", PROJECT), plan_of("staging", lambda raw: rename_database(raw, follow=True)))
    assert diff.refusals == []
    assert changes_of(diff)["D1Database/d1-primary"].physical_name == "acme-staging-main"
