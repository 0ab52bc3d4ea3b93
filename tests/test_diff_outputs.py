"""What the diff says beyond resources: stack outputs pipelines read, secrets by name, secrets to set first."""

from __future__ import annotations

from typing import Any

import pytest

from plan.baseline import empty_plan
from plan.diff import diff_plans
from plan.diff.render import render_markdown, render_terminal
from tests.conftest import PROJECT
from tests.test_diff import changes_of, plan_of


@pytest.fixture(scope="module")
def prod() -> dict[str, Any]:
    return plan_of("prod")


def test_a_renamed_worker_moves_its_output_keys(prod: dict[str, Any]) -> None:
    def rename(raw: dict[str, Any]) -> None:
        raw["workers"]["gateway"] = {**raw["workers"].pop("api"), "renamedFrom": "api"}

    diff = diff_plans(prod, plan_of("prod", rename))
    outputs = {o.path: o for o in diff.outputs}
    for section in ("workers", "wranglerConfigs"):
        moved = outputs[f"{section}.api"]
        assert moved.what == f"renamed to {section}.gateway"
        assert moved.warning == f"pipelines that read {section}.api break: it is {section}.gateway now"
    assert outputs["workers.gateway.scriptName"].what == '"acme-prod-api" → "acme-prod-gateway"'
    assert outputs["secretOwners.api"].warning is None  # not read by pipelines
    text = render_terminal(diff)
    assert "workers.api: renamed to workers.gateway\n" in text
    assert "!! pipelines: pipelines that read wranglerConfigs.api break" in text
    assert "- `workers.api`: renamed to workers.gateway **pipelines:** pipelines that read" in render_markdown(diff)


def test_a_removed_worker_removes_its_keys_with_a_warning(prod: dict[str, Any]) -> None:
    diff = diff_plans(prod, plan_of("prod", lambda raw: raw["workers"].pop("api")))
    outputs = {o.path: o for o in diff.outputs}
    assert outputs["workers.api"].what == "removed"
    assert outputs["workers.api"].warning == "pipelines that read workers.api break: it is gone"


def test_secret_bindings_are_added_and_removed_by_name(prod: dict[str, Any]) -> None:
    def edit(raw: dict[str, Any]) -> None:
        secrets = raw["workers"]["api"]["secrets"]
        secrets.pop("RESEND_API_KEY")
        secrets["WEBHOOK_SECRET"] = {"owner": "generated"}

    script = changes_of(diff_plans(prod, plan_of("prod", edit)))["WorkersScript/api"]
    assert script.paths == [
        "bindings[RESEND_API_KEY]: removed (secret_text, value never shown)",
        "bindings[WEBHOOK_SECRET]: added (secret_text, value never shown)",
    ]


def test_a_new_inject_secret_is_named_with_its_infisical_folder(prod: dict[str, Any]) -> None:
    def edit(raw: dict[str, Any]) -> None:
        raw["workers"]["jobs"]["secrets"] = {"SLACK_WEBHOOK_URL": {"owner": "inject"}}

    diff = diff_plans(prod, plan_of("prod", edit))
    assert changes_of(diff)["WorkersScript/jobs"].paths == [
        "bindings[SLACK_WEBHOOK_URL]: added (secret_text, value never shown)"
    ]
    (note,) = diff.notes
    assert (note.subject, note.message.split(":")[0]) == (
        "before the up",
        "set SLACK_WEBHOOK_URL in Infisical environment 'prod', folder /cloudflare",
    )
    assert "before the up: set SLACK_WEBHOOK_URL in Infisical environment 'prod', folder" in render_terminal(diff)


def test_an_inject_secret_moved_between_workers_needs_nothing_new(prod: dict[str, Any]) -> None:
    def edit(raw: dict[str, Any]) -> None:
        raw["workers"]["jobs"]["secrets"] = {"RESEND_API_KEY": raw["workers"]["api"]["secrets"].pop("RESEND_API_KEY")}

    assert diff_plans(prod, plan_of("prod", edit)).notes == []  # the variable is in Infisical already


def test_create_notes_name_the_config_key_that_adopts(prod: dict[str, Any]) -> None:
    diff = diff_plans(empty_plan("prod", PROJECT), prod, "nothing")
    notes = {c.label: " ".join(f.message for f in c.flags) for c in diff.changes}
    assert (
        "adopt it instead (workers.api.adoptDomains.api.example.com: <id>)"
        in (notes["WorkersCustomDomain/api-domain-api.example.com"])
    )
    assert "adopt it instead (d1.main.adopt: <id>)" in notes["D1Database/d1-main"]
    # A cron trigger has no adopt key: its create sets the schedules (a PUT), so it needs none.
    assert notes["WorkersCronTrigger/jobs-cron"].startswith("no adopt needed")
    assert "adopt" not in notes["Queue/queue-jobs-dlq"].split("cannot be adopted")[0]
