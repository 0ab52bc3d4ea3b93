"""Adopting a live app: `adopt: <id>` imports each resource with the id format the provider documents."""

from __future__ import annotations

import inspect
import re
from pathlib import Path
from typing import Any

import pulumi_cloudflare as cf
import pytest

from components.cloudflare.adoption import import_id
from components.cloudflare.replacements import RULES
from components.config import StageConfigError, parse_stage_config
from plan.baseline import empty_plan
from plan.diff import ADOPT, CREATE, diff_plans
from plan.diff.render import render_markdown, render_terminal
from plan.engine import ProgramRun
from plan.model import build_plan
from tests.conftest import PROJECT, raw_config, run_stage

ACCOUNT = "fedcba9876543210fedcba9876543210"
"""Prod's own account: the adoption tests adopt prod's live app."""
ZONE = "023e105f4ecef8ad9ca31a8372d0c353"
DB_UUID = "4f1c2d3e-5a6b-4c7d-8e9f-0a1b2c3d4e5f"
KV_ID = "a" * 32
QUEUE_ID = "b" * 32
DOMAIN_ID = "c" * 32
ROUTE_ID = "d" * 32
SDK_CLASSES = {
    "D1Database": cf.D1Database,
    "R2Bucket": cf.R2Bucket,
    "WorkersKvNamespace": cf.WorkersKvNamespace,
    "Queue": cf.Queue,
    "QueueConsumer": cf.QueueConsumer,
    "WorkersScript": cf.WorkersScript,
    "WorkersCustomDomain": cf.WorkersCustomDomain,
    "WorkersRoute": cf.WorkersRoute,
    "WorkersCronTrigger": cf.WorkersCronTrigger,
}


@pytest.mark.parametrize("kind", sorted(SDK_CLASSES))
def test_import_id_formats_match_the_sdk(kind: str) -> None:
    """Each format has the parts, in the order, that the installed SDK's `pulumi import` example shows."""
    doc = Path(inspect.getfile(SDK_CLASSES[kind])).read_text()
    documented = re.search(r"\$ pulumi import \S+ example '([^']+)'", doc)
    if RULES[kind].import_id is None:
        assert documented is None and "does not currently support `pulumi import`" in doc
        return
    assert documented is not None
    ours = RULES[kind].import_id.split("/")  # type: ignore[union-attr]
    theirs = documented.group(1).split("/")
    assert len(ours) == len(theirs)
    for mine, sdk in zip(ours, theirs, strict=True):  # <account> ~ <account_id>, <uuid> ~ <database_id>, ...
        assert mine.strip("<>").split("_")[0] in sdk or sdk.endswith("_id>"), (mine, sdk)
    with pytest.raises(ValueError, match="import ids look like"):
        import_id(kind, "too", "many", "parts", "here")


def adopting(raw: dict[str, Any], stage: str) -> dict[str, Any]:
    raw["d1"]["main"] = {"adopt": DB_UUID}  # no locationHint: an import never reads it back
    raw["r2"]["assets"]["adopt"] = f"acme-{stage}-assets"
    raw["kv"]["cache"] = {"adopt": KV_ID}
    raw["queues"]["jobs"]["adopt"] = QUEUE_ID
    api = raw["workers"]["api"]
    api["adopt"] = f"acme-{stage}-api"
    api["routes"] = [f"{api['domains'][0]}/v1/*"]
    api["adoptDomains"] = {api["domains"][0]: DOMAIN_ID}
    api["adoptRoutes"] = {api["routes"][0]: ROUTE_ID}
    return raw


@pytest.fixture(scope="module")
def adopted_prod() -> ProgramRun:
    return run_stage("prod", adopting(raw_config("prod"), "prod"))


def test_every_adopted_resource_is_imported_with_its_id(adopted_prod: ProgramRun) -> None:
    imports = {r.name: r.import_id for r in adopted_prod.registrations if r.import_id}
    assert imports == {
        "d1-main": f"{ACCOUNT}/{DB_UUID}",
        "r2-assets": f"{ACCOUNT}/acme-prod-assets/default",
        "kv-cache": f"{ACCOUNT}/{KV_ID}",
        "queue-jobs": f"{ACCOUNT}/{QUEUE_ID}",
        "api": f"{ACCOUNT}/acme-prod-api",
        "api-domain-api.example.com": f"{ACCOUNT}/{DOMAIN_ID}",
        "api-route-api.example.com/v1/*": f"{ZONE}/{ROUTE_ID}",
    }


def test_adopted_prod_storage_is_protected_like_the_rest(adopted_prod: ProgramRun) -> None:
    for registration in adopted_prod.registrations:
        if registration.import_id and registration.name.startswith(("d1-", "r2-", "kv-", "queue-")):
            assert registration.protect and registration.retain_on_delete, registration.name


def test_the_plan_and_the_diff_show_adoption(adopted_prod: ProgramRun) -> None:
    plan = build_plan(adopted_prod)
    diff = diff_plans(empty_plan("prod", PROJECT), plan, "nothing")
    ops = {c.label: c.op for c in diff.changes}
    assert ops["D1Database/d1-main"] == ADOPT and ops["WorkersScript/api"] == ADOPT
    assert ops["WorkersRoute/api-route-api.example.com/v1/*"] == ADOPT
    assert ops["WorkersScript/jobs"] == CREATE  # not adopted: created, with how to adopt a live one instead
    assert f"=  D1Database/d1-main  (acme-prod-main)\n          import {ACCOUNT}/{DB_UUID}\n" in render_terminal(diff)
    text = render_markdown(diff)
    assert "a live worker of this name would be overwritten (an upload is a PUT): adopt it instead" in text
    assert "wrangler queues info <name>" in text  # how to find each id (here: the new dead-letter queue)
    assert "wrangler queues consumer remove <queue> <script>" in text  # the consumer's one manual step
    by_label = {r["label"]: r for r in plan["resources"]}
    assert by_label["D1Database/d1-main"]["importId"] == f"{ACCOUNT}/{DB_UUID}"


@pytest.mark.parametrize(
    ("edit", "path", "message"),
    [
        (
            lambda raw: raw["d1"]["main"].update(adopt=DB_UUID),  # staging's database has locationHint: weur
            "d1.main.locationHint",
            "an import never reads the location hint back",
        ),
        (
            lambda raw: raw["r2"]["assets"].update(adopt="legacy-assets"),
            "r2.assets.adopt",
            "the adopted bucket must be named 'acme-staging-assets'",
        ),
        (
            lambda raw: raw["workers"]["api"].update(adopt="legacy-api"),
            "workers.api.adopt",
            "the adopted script must be named 'acme-staging-api'",
        ),
        (
            lambda raw: raw["workers"]["api"].update(adoptDomains={"www.staging.example.net": DOMAIN_ID}),
            "workers.api.adoptDomains.www.staging.example.net",
            "is not in this worker's domains",
        ),
        (
            lambda raw: raw["workers"]["api"].update(adoptRoutes={"x.staging.example.net/*": ROUTE_ID}),
            "workers.api.adoptRoutes.x.staging.example.net/*",
            "is not in this worker's routes",
        ),
        (lambda raw: raw["kv"]["cache"].update(adopt="not-an-id"), "kv.cache.adopt", "32-character Cloudflare id"),
    ],
)
def test_config_refuses_what_an_import_would_replace_or_miss(edit: Any, path: str, message: str) -> None:
    raw = raw_config("staging")
    edit(raw)
    with pytest.raises(StageConfigError) as error:
        parse_stage_config(raw, stage="staging", namespace=PROJECT)
    assert any(p == f"{PROJECT}:{path}" and message in m for p, m in error.value.problems), error.value.problems
