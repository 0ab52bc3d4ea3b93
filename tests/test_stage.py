"""The stage platform under the mock engine: isolation, binding shapes, dependencies, protection, outputs."""

from __future__ import annotations

import json
from typing import Any

import pytest

from plan.engine import ProgramRun, Registration
from plan.model import is_secret
from tests.conftest import STAGES, raw_config, run_stage

STATEFUL = ("D1Database", "R2Bucket", "WorkersKvNamespace", ":Queue")
NAME_KEYS = ("name", "title", "queueName", "scriptName")


def one(run: ProgramRun, type_suffix: str, name: str) -> Registration:
    matches = [r for r in run.by_type(type_suffix) if r.name == name]
    assert len(matches) == 1, [r.name for r in run.by_type(type_suffix)]
    return matches[0]


def cloudflare(run: ProgramRun) -> list[Registration]:
    return [r for r in run.registrations if r.type.startswith("cloudflare:index/")]


def bindings_of(script: Registration) -> list[dict[str, Any]]:
    bindings = script.inputs["bindings"]
    return bindings["value"] if is_secret(bindings) else bindings


def label(urn: str) -> str:
    return urn.rsplit("::", 1)[-1]


@pytest.mark.parametrize("stage", STAGES)
def test_complete_resource_set(stage: str, stage_runs: dict[str, ProgramRun]) -> None:
    run = stage_runs[stage]
    kinds = sorted(r.type.rsplit(":", 1)[-1] + "/" + r.name for r in cloudflare(run))
    assert kinds == sorted(
        [
            "D1Database/d1-main",
            "R2Bucket/r2-assets",
            "WorkersKvNamespace/kv-cache",
            "Queue/queue-jobs",
            "Queue/queue-jobs-dlq",
            "QueueConsumer/jobs-consumer",
            "WorkersScript/api",
            "WorkersScript/jobs",
            f"WorkersCustomDomain/api-domain-{'api.example.com' if stage == 'prod' else f'api.{stage}.example.net'}",
            "WorkersCronTrigger/api-cron",  # no crons: kept with an empty list (deleting one clears nothing)
            "WorkersCronTrigger/jobs-cron",
            "HyperdriveConfig/hyperdrive-main",
            "Workflow/api-workflow-reports",
            # No Cloudflare token: a stage never mints one (its sync token comes from the project stack).
        ]
    )


@pytest.mark.parametrize("stage", STAGES)
def test_physical_names_carry_app_and_stage(stage: str, stage_runs: dict[str, ProgramRun]) -> None:
    for registration in cloudflare(stage_runs[stage]):
        for key in NAME_KEYS:
            if key in registration.inputs and registration.type.rsplit(":", 1)[-1] != "QueueConsumer":
                assert registration.inputs[key].startswith(f"acme-{stage}-"), (registration.name, key)


def _identifiers(run: ProgramRun) -> set[str]:
    """Every physical name, id and hostname a stage's resources carry or were given."""
    values: set[str] = set()
    for registration in cloudflare(run):
        for key in (*NAME_KEYS, "hostname", "pattern", "queueId", "uuid"):
            for source in (registration.inputs, registration.outputs):
                if isinstance(source.get(key), str):
                    values.add(source[key])
        if registration.id:
            values.add(registration.id)
    return values - {"0123456789abcdef0123456789abcdef"}  # dev and staging share the non-prod account by design


def test_no_identifier_is_shared_across_stages(stage_runs: dict[str, ProgramRun]) -> None:
    identifiers = {stage: _identifiers(run) for stage, run in stage_runs.items()}
    for stage in STAGES:
        for other in STAGES:
            if stage != other:
                assert not identifiers[stage] & identifiers[other], (stage, other)


@pytest.mark.parametrize("stage", STAGES)
def test_no_input_references_another_stage(stage: str, stage_runs: dict[str, ProgramRun]) -> None:
    """Every id or name in a stage's inputs is one of its own (ids come from the stage's own resources)."""
    own = _identifiers(stage_runs[stage])
    foreign = set().union(*(_identifiers(stage_runs[s]) for s in STAGES if s != stage))
    text = json.dumps([r.inputs for r in stage_runs[stage].registrations], default=str)
    assert [value for value in foreign if value in text] == []
    assert own


@pytest.mark.parametrize("stage", STAGES)
def test_every_cloudflare_resource_uses_the_stage_provider(stage: str, stage_runs: dict[str, ProgramRun]) -> None:
    run = stage_runs[stage]
    providers = [r for r in run.registrations if r.type == "pulumi:providers:cloudflare"]
    assert len(providers) == 1
    provider = providers[0]
    assert provider.parent is not None and provider.parent.endswith(f"Stage::{stage}")
    assert is_secret(provider.inputs["apiToken"])
    for registration in cloudflare(run):
        assert registration.provider_urn == provider.urn, registration.name


def test_d1_binding_shapes(stage_runs: dict[str, ProgramRun]) -> None:
    run = stage_runs["staging"]
    db = one(run, "D1Database", "d1-main")
    bucket = one(run, "R2Bucket", "r2-assets")
    kv = one(run, "WorkersKvNamespace", "kv-cache")
    queue = one(run, ":Queue", "queue-jobs")
    api = {b["name"]: b for b in bindings_of(one(run, "WorkersScript", "api"))}
    assert api["DB"] == {"name": "DB", "type": "d1", "id": db.outputs["uuid"]}
    assert api["ASSETS"] == {"name": "ASSETS", "type": "r2_bucket", "bucketName": "acme-staging-assets"}
    assert api["ASSETS"]["bucketName"] == bucket.inputs["name"]
    assert api["CACHE"] == {"name": "CACHE", "type": "kv_namespace", "namespaceId": kv.id}
    assert api["JOBS"] == {"name": "JOBS", "type": "queue", "queueName": queue.inputs["queueName"]}
    assert api["LOG_LEVEL"] == {"name": "LOG_LEVEL", "type": "plain_text", "text": "debug"}
    assert api["FEATURES"] == {
        "name": "FEATURES",
        "type": "json",
        "json": '{"betaDashboard": true, "signup": true}',
    }
    assert api["BETTER_AUTH_SECRET"]["type"] == "secret_text"
    assert set(api) == {
        "DB", "ASSETS", "CACHE", "JOBS", "FEATURES", "LOG_LEVEL", "PUBLIC_APP_URL", "STRIPE_PUBLISHABLE_KEY",
        "ALGOLIA_SEARCH_KEY", "BETTER_AUTH_SECRET", "STRIPE_SECRET_KEY", "RESEND_API_KEY",
        "GOOGLE_CLIENT_SECRET", "GITHUB_CLIENT_SECRET",  # synced: inherited by name, never given a value
        "VISITS", "COUNTER", "REPORTS", "AI", "EMBEDDINGS", "EVENTS", "LIMITER", "VERSION", "PG",
        "STATIC",  # the other kinds: tests/test_bindings.py
    }  # fmt: skip
    assert api["GOOGLE_CLIENT_SECRET"] == {"name": "GOOGLE_CLIENT_SECRET", "type": "inherit"}


def test_service_binding_shape_and_order() -> None:
    raw = raw_config("dev")
    raw["workers"]["api"]["bindings"]["JOBS_SERVICE"] = {
        "type": "service",
        "worker": "jobs",
        "entrypoint": "Admin",
    }
    run = run_stage("dev", raw)
    api = one(run, "WorkersScript", "api")
    jobs = one(run, "WorkersScript", "jobs")
    binding = {b["name"]: b for b in bindings_of(api)}["JOBS_SERVICE"]
    assert binding == {
        "name": "JOBS_SERVICE",
        "type": "service",
        "service": "acme-dev-jobs",
        "entrypoint": "Admin",
    }
    assert jobs.urn in api.dependencies
    wrangler = run.outputs["wranglerConfigs"].value["api"]
    assert wrangler["services"] == [{"binding": "JOBS_SERVICE", "service": "acme-dev-jobs", "entrypoint": "Admin"}]


def test_script_code_settings(stage_runs: dict[str, ProgramRun]) -> None:
    api = one(stage_runs["dev"], "WorkersScript", "api")
    assert api.inputs["mainModule"] == "index.mjs"
    assert api.inputs["contentFile"] == "workers/api/index.mjs"
    assert len(api.inputs["contentSha256"]) == 64
    assert api.inputs["contentType"] == "application/javascript+module"
    assert api.inputs["compatibilityDate"] == "2025-06-01"
    assert api.inputs["compatibilityFlags"] == ["nodejs_compat"]


@pytest.mark.parametrize("stage", STAGES)
def test_dependency_edges(stage: str, stage_runs: dict[str, ProgramRun]) -> None:
    run = stage_runs[stage]
    api = one(run, "WorkersScript", "api")
    jobs = one(run, "WorkersScript", "jobs")
    storage = {r.name: r.urn for r in run.registrations if r.type.endswith(STATEFUL)}
    bound_by_api = {storage["d1-main"], storage["r2-assets"], storage["kv-cache"], storage["queue-jobs"]}
    assert bound_by_api <= set(api.dependencies)
    assert bound_by_api <= set(api.property_dependencies["bindings"])
    assert {storage["d1-main"], storage["r2-assets"]} <= set(jobs.dependencies)

    consumer = one(run, "QueueConsumer", "jobs-consumer")
    assert set(consumer.dependencies) == {storage["queue-jobs"], storage["queue-jobs-dlq"], jobs.urn}
    assert consumer.property_dependencies["scriptName"] == [jobs.urn]
    for kind in ("WorkersCustomDomain", "WorkersCronTrigger"):
        for registration in run.by_type(kind):
            assert registration.dependencies in ([api.urn], [jobs.urn]), registration.name


def test_route_depends_on_script_and_carries_zone() -> None:
    raw = raw_config("dev")
    raw["workers"]["api"]["routes"] = ["dev.example.net/api/*"]
    run = run_stage("dev", raw)
    route = one(run, "WorkersRoute", "api-route-dev.example.net/api/*")
    assert route.inputs == {
        "pattern": "dev.example.net/api/*",
        "script": "acme-dev-api",
        "zoneId": raw["zone"]["id"],
    }
    assert route.dependencies == [one(run, "WorkersScript", "api").urn]


@pytest.mark.parametrize("stage", STAGES)
def test_custom_domains_carry_explicit_zone_id(stage: str, stage_runs: dict[str, ProgramRun]) -> None:
    for domain in stage_runs[stage].by_type("WorkersCustomDomain"):
        assert domain.inputs["zoneId"] == raw_config(stage)["zone"]["id"]
        assert domain.inputs["service"] == f"acme-{stage}-api"


def test_queue_consumer_settings(stage_runs: dict[str, ProgramRun]) -> None:
    consumer = one(stage_runs["staging"], "QueueConsumer", "jobs-consumer")
    queue = one(stage_runs["staging"], ":Queue", "queue-jobs")
    assert consumer.inputs["queueId"] == queue.outputs["queueId"]
    assert consumer.inputs["deadLetterQueue"] == "acme-staging-jobs-dlq"
    assert consumer.inputs["type"] == "worker"
    assert consumer.inputs["settings"] == {
        "batchSize": 10.0,
        "maxRetries": 3.0,
        "maxWaitTimeMs": 5000.0,
        "retryDelay": 30.0,
    }


def test_cron_trigger(stage_runs: dict[str, ProgramRun]) -> None:
    cron = one(stage_runs["staging"], "WorkersCronTrigger", "jobs-cron")
    assert cron.inputs["schedules"] == [{"cron": "*/30 * * * *"}]
    assert cron.inputs["scriptName"] == "acme-staging-jobs"


def test_prod_stateful_resources_are_protected_and_retained(stage_runs: dict[str, ProgramRun]) -> None:
    stateful = [r for r in stage_runs["prod"].registrations if r.type.endswith(STATEFUL)]
    assert len(stateful) == 5
    assert all(r.protect and r.retain_on_delete for r in stateful)
    others = [r for r in cloudflare(stage_runs["prod"]) if r not in stateful]
    assert not any(r.protect for r in others)


@pytest.mark.parametrize("stage", ["dev", "staging"])
def test_other_stages_can_be_destroyed(stage: str, stage_runs: dict[str, ProgramRun]) -> None:
    assert not any(r.protect or r.retain_on_delete for r in stage_runs[stage].registrations)


def test_components_are_parented(stage_runs: dict[str, ProgramRun]) -> None:
    run = stage_runs["dev"]
    by_urn = run.by_urn()

    def parent_of(type_suffix: str, name: str) -> str:
        registration = one(run, type_suffix, name)
        assert registration.parent is not None
        parent = by_urn[registration.parent]
        return f"{parent.type.rsplit(':', 1)[-1]}/{parent.name}"

    assert parent_of("index:Storage", "storage") == "Stage/dev"
    assert parent_of("index:Worker", "api") == "Stage/dev"
    assert parent_of("D1Database", "d1-main") == "Storage/storage"
    assert parent_of("WorkersScript", "api") == "Worker/api"
    assert parent_of("WorkersCustomDomain", "api-domain-api.dev.example.net") == "Worker/api"
    assert parent_of("QueueConsumer", "jobs-consumer") == "Worker/jobs"
    assert parent_of("index:InfisicalStage", "infisical") == "Stage/dev"
    types = {r.type for r in run.registrations if not r.custom}
    kinds = ("Stage", "Storage", "Hyperdrive", "Worker", "InfisicalStage")
    assert types == {f"stageplatform:index:{t}" for t in kinds}


def test_stack_outputs(stage_runs: dict[str, ProgramRun]) -> None:
    run = stage_runs["staging"]
    out = {name: output.value for name, output in run.outputs.items()}
    assert not any(output.secret for output in run.outputs.values())
    db = one(run, "D1Database", "d1-main")
    assert out["stage"] == "staging" and out["app"] == "acme"
    assert out["d1Databases"] == {"main": {"id": db.outputs["uuid"], "name": "acme-staging-main"}}
    assert out["r2Buckets"] == {"assets": {"name": "acme-staging-assets"}}
    assert out["kvNamespaces"]["cache"]["title"] == "acme-staging-cache"
    assert out["queues"]["jobs"]["name"] == "acme-staging-jobs"
    assert out["queues"]["jobs"]["deadLetterQueue"]["name"] == "acme-staging-jobs-dlq"
    assert out["workers"] == {
        "api": {"scriptName": "acme-staging-api", "urls": ["https://api.staging.example.net"]},
        "jobs": {"scriptName": "acme-staging-jobs", "urls": []},
    }


def test_wrangler_configs(stage_runs: dict[str, ProgramRun]) -> None:
    run = stage_runs["staging"]
    configs = run.outputs["wranglerConfigs"].value
    db = one(run, "D1Database", "d1-main")
    kv = one(run, "WorkersKvNamespace", "kv-cache")
    api, jobs = configs["api"], configs["jobs"]
    assert "name" not in api and "name" not in jobs  # Pulumi owns the scripts: `wrangler deploy` must stop
    assert api["main"] == "workers/api/index.mjs"
    assert api["account_id"] == "0123456789abcdef0123456789abcdef"
    assert api["compatibility_date"] == "2025-06-01" and api["compatibility_flags"] == ["nodejs_compat"]
    assert api["d1_databases"] == [
        {"binding": "DB", "database_name": "acme-staging-main", "database_id": db.outputs["uuid"],
         "migrations_dir": "migrations"}
    ]  # fmt: skip
    assert api["kv_namespaces"] == [{"binding": "CACHE", "id": kv.id}]
    assert api["r2_buckets"] == [{"binding": "ASSETS", "bucket_name": "acme-staging-assets"}]
    assert api["queues"] == {"producers": [{"binding": "JOBS", "queue": "acme-staging-jobs"}]}
    assert api["vars"]["LOG_LEVEL"] == "debug" and api["vars"]["FEATURES"] == {
        "signup": True,
        "betaDashboard": True,
    }
    assert api["routes"] == [{"pattern": "api.staging.example.net", "custom_domain": True}]
    assert api["secrets"] == {
        "required": ["BETTER_AUTH_SECRET", "GITHUB_CLIENT_SECRET", "GOOGLE_CLIENT_SECRET", "RESEND_API_KEY",
                     "STRIPE_SECRET_KEY"]
    }  # fmt: skip
    assert jobs["queues"] == {
        "consumers": [
            {"queue": "acme-staging-jobs", "max_batch_size": 10, "max_batch_timeout": 5.0, "max_retries": 3,
             "dead_letter_queue": "acme-staging-jobs-dlq", "retry_delay": 30}
        ]
    }  # fmt: skip
    assert jobs["triggers"] == {"crons": ["*/30 * * * *"]}
    json.dumps(configs)  # ready to write as JSON


def test_two_runs_register_identical_inputs() -> None:
    """No perpetual diff: nothing random, time- or order-dependent reaches an input."""

    def snapshot(run: ProgramRun) -> list[tuple[str, str]]:
        return sorted((r.urn, json.dumps(r.inputs, sort_keys=True, default=str)) for r in run.registrations)

    assert snapshot(run_stage("staging")) == snapshot(run_stage("staging"))


def test_pr_stage_is_isolated_and_unprotected() -> None:
    raw = raw_config("staging")
    raw["workers"]["api"]["domains"] = ["api.pr-42.example.net"]
    run = run_stage("pr-42", raw)
    assert one(run, "WorkersScript", "api").inputs["scriptName"] == "acme-pr-42-api"
    assert not any(r.protect for r in run.registrations)
