"""Config validation: every bad input gives a located, actionable message and no resource at all."""

from __future__ import annotations

from typing import Any

import pytest

from components.config import StageConfigError, parse_stage_config
from plan.engine import RecordingMonitor
from tests.conftest import PROJECT, STAGES, config_problems, raw_config, run_stage


@pytest.mark.parametrize("stage", STAGES)
def test_committed_stage_configs_are_valid(stage: str) -> None:
    config = parse_stage_config(raw_config(stage), stage=stage, namespace=PROJECT)
    assert config.stage == stage
    assert set(config.workers) == {"api", "jobs"}


def test_stage_hostnames_follow_the_seed_app() -> None:
    hosts = {s: parse_stage_config(raw_config(s), stage=s, namespace=PROJECT).workers["api"].domains for s in STAGES}
    assert hosts == {
        "prod": ["api.example.com"],
        "staging": ["api.staging.example.net"],
        "dev": ["api.dev.example.net"],
    }


def test_unknown_key_names_the_allowed_keys(staging_raw: dict[str, Any]) -> None:
    staging_raw["workers"]["api"]["bindigns"] = {}
    found = config_problems(staging_raw)
    message = found[f"{PROJECT}:workers.api.bindigns"]
    assert "unknown key 'bindigns'" in message
    assert "bindings" in message and "domains" in message


def test_unknown_top_level_key(staging_raw: dict[str, Any]) -> None:
    staging_raw["acountId"] = "x"
    assert "unknown key 'acountId'" in config_problems(staging_raw)[f"{PROJECT}:acountId"]


@pytest.mark.parametrize("stage", ["qa", "production", "pr-0", "pr-abc", "Staging"])
def test_bad_stage_name_lists_what_is_allowed(stage: str, staging_raw: dict[str, Any]) -> None:
    message = config_problems(staging_raw, stage=stage)["stack"]
    assert repr(stage) in message
    assert "dev, staging, prod or pr-<number>" in message


@pytest.mark.parametrize("stage", ["dev", "staging", "prod", "pr-1", "pr-4521"])
def test_allowed_stage_names(stage: str, staging_raw: dict[str, Any]) -> None:
    staging_raw["workers"]["api"]["domains"] = []
    if stage == "prod":  # prod refuses a PR preview identity (tested in tests/test_isolation.py)
        del staging_raw["infisical"]["ciIdentity"]["previewFolder"]
    assert parse_stage_config(staging_raw, stage=stage, namespace=PROJECT).stage == stage


def test_stage_key_in_config_is_refused(staging_raw: dict[str, Any]) -> None:
    staging_raw["stage"] = "prod"
    assert "the stage is the stack name" in config_problems(staging_raw)[f"{PROJECT}:stage"]


def test_hostname_outside_zone(staging_raw: dict[str, Any]) -> None:
    staging_raw["workers"]["api"]["domains"] = ["api.staging.example.net", "api.example.org"]
    message = config_problems(staging_raw)[f"{PROJECT}:workers.api.domains[1]"]
    assert "'api.example.org' is not inside the zone 'example.net'" in message


def test_lookalike_hostname_is_not_inside_the_zone(staging_raw: dict[str, Any]) -> None:
    staging_raw["workers"]["api"]["domains"] = ["api.notexample.com"]
    assert f"{PROJECT}:workers.api.domains[0]" in config_problems(staging_raw)


def test_route_outside_zone(staging_raw: dict[str, Any]) -> None:
    staging_raw["workers"]["api"]["routes"] = ["api.other.com/v1/*", "no-path-here.example.com"]
    found = config_problems(staging_raw)
    assert "routes are zone-scoped" in found[f"{PROJECT}:workers.api.routes[0]"]
    assert "'<hostname>/<path>'" in found[f"{PROJECT}:workers.api.routes[1]"]


def test_duplicate_binding_names_across_sections(staging_raw: dict[str, Any]) -> None:
    staging_raw["workers"]["api"]["vars"]["DB"] = "x"
    staging_raw["workers"]["api"]["secrets"]["CACHE"] = {"owner": "sync"}
    found = config_problems(staging_raw)
    assert "also defined under 'bindings'" in found[f"{PROJECT}:workers.api.vars.DB"]
    assert "also defined under 'bindings'" in found[f"{PROJECT}:workers.api.secrets.CACHE"]


def test_synced_secret_that_is_also_a_plain_var(staging_raw: dict[str, Any]) -> None:
    staging_raw["workers"]["api"]["vars"]["GOOGLE_CLIENT_SECRET"] = "x"
    staging_raw["workers"]["api"]["publicVars"].append("GOOGLE_CLIENT_SECRET")
    found = config_problems(staging_raw)
    assert "also defined under 'vars'" in found[f"{PROJECT}:workers.api.secrets.GOOGLE_CLIENT_SECRET"]


@pytest.mark.parametrize(
    ("binding", "field", "section"),
    [
        ({"type": "d1", "database": "mian"}, "database", "d1"),
        ({"type": "r2", "bucket": "uploads"}, "bucket", "r2"),
        ({"type": "kv", "namespace": "sessions"}, "namespace", "kv"),
        ({"type": "queue", "queue": "emails"}, "queue", "queues"),
        ({"type": "service", "worker": "auth"}, "worker", "workers"),
    ],
)
def test_binding_to_undeclared_resource(
    binding: dict[str, str], field: str, section: str, staging_raw: dict[str, Any]
) -> None:
    staging_raw["workers"]["api"]["bindings"]["NEW"] = binding
    message = config_problems(staging_raw)[f"{PROJECT}:workers.api.bindings.NEW.{field}"]
    assert f"is not declared under '{section}'" in message
    assert "(declared:" in message


def test_unknown_binding_type(staging_raw: dict[str, Any]) -> None:
    staging_raw["workers"]["api"]["bindings"]["X"] = {"type": "durable", "name": "y"}
    message = config_problems(staging_raw)[f"{PROJECT}:workers.api.bindings.X"]
    assert "'d1'" in message and "'service'" in message


@pytest.mark.parametrize(
    ("path", "value", "expected"),
    [
        (("workers", "jobs", "consumes", "batchSize"), "many", "valid integer"),
        (("workers", "jobs", "consumes", "batchSize"), 1000, "less than or equal to 100"),
        (("workers", "api", "domains"), "api.staging.example.com", "valid list"),
        (("queues", "jobs", "deadLetter"), "sometimes", "valid boolean"),
        (("accountId",), "not-hex", "32-character Cloudflare id"),
        (("compatibilityDate",), "June 2025", "a date written YYYY-MM-DD"),
        (("workers", "api", "crons"), ["every minute"], "five-field cron"),
    ],
)
def test_wrong_types_are_located(path: tuple[str, ...], value: Any, expected: str, staging_raw: dict[str, Any]) -> None:
    target = staging_raw
    for key in path[:-1]:
        target = target[key]
    target[path[-1]] = value
    found = config_problems(staging_raw)
    located = {k: v for k, v in found.items() if k.startswith(f"{PROJECT}:{'.'.join(path)}")}
    assert located, found
    assert any(expected in message for message in located.values()), located


def test_missing_required_key(staging_raw: dict[str, Any]) -> None:
    del staging_raw["zone"]["id"]
    assert config_problems(staging_raw)[f"{PROJECT}:zone.id"] == "this key is required"


def test_every_problem_is_listed_at_once(staging_raw: dict[str, Any]) -> None:
    staging_raw["workers"]["api"]["bindings"]["DB"]["database"] = "nope"
    staging_raw["workers"]["api"]["domains"] = ["api.elsewhere.net"]
    staging_raw["workers"]["api"]["vars"]["ADMIN_PASSWORD"] = "x"
    assert len(config_problems(staging_raw)) == 3


def test_queue_consumed_twice(staging_raw: dict[str, Any]) -> None:
    staging_raw["workers"]["api"]["consumes"] = {"queue": "jobs"}
    found = config_problems(staging_raw)
    assert any("already consumed by worker" in m for m in found.values()), found


def test_consumer_of_undeclared_queue(staging_raw: dict[str, Any]) -> None:
    staging_raw["workers"]["jobs"]["consumes"]["queue"] = "emails"
    assert "not declared under 'queues'" in config_problems(staging_raw)[f"{PROJECT}:workers.jobs.consumes.queue"]


def test_service_binding_cycle(staging_raw: dict[str, Any]) -> None:
    staging_raw["workers"]["api"]["bindings"]["JOBS_SVC"] = {"type": "service", "worker": "jobs"}
    staging_raw["workers"]["jobs"]["bindings"]["API"] = {"type": "service", "worker": "api"}
    found = config_problems(staging_raw)
    assert any("form a cycle (api -> jobs -> api)" in m for m in found.values()), found


def test_service_binding_to_itself(staging_raw: dict[str, Any]) -> None:
    staging_raw["workers"]["api"]["bindings"]["SELF"] = {"type": "service", "worker": "api"}
    assert "cannot bind to itself" in config_problems(staging_raw)[f"{PROJECT}:workers.api.bindings.SELF.worker"]


def test_physical_name_too_long(staging_raw: dict[str, Any]) -> None:
    """63 characters fit; the dead-letter queue's '-dlq' suffix pushes this one over."""
    queue = "a-very-long-queue-name-for-tests"
    staging_raw["app"] = "a-very-long-app-name"
    staging_raw["queues"][queue] = {"deadLetter": True}
    message = config_problems(staging_raw, stage="pr-123456")[f"{PROJECT}:queues.{queue}"]
    assert f"'a-very-long-app-name-pr-123456-{queue}-dlq' is 67 characters" in message
    assert "Cloudflare allows 63" in message


def test_worker_module_must_exist(staging_raw: dict[str, Any]) -> None:
    staging_raw["workers"]["api"]["main"] = "workers/api/dist/missing.mjs"
    assert "does not exist" in config_problems(staging_raw)[f"{PROJECT}:workers.api.main"]


def test_invalid_config_registers_no_resource(staging_raw: dict[str, Any]) -> None:
    """Nothing is half-applied: the program stops before its first registration."""
    from plan.engine import PlanMocks

    staging_raw["workers"]["api"]["domains"] = ["api.elsewhere.net"]
    mocks = PlanMocks("staging")
    monitor = RecordingMonitor(mocks)
    with pytest.raises(StageConfigError):
        run_stage("staging", staging_raw, resource_mocks=mocks, monitor=monitor)
    assert monitor.registrations == []


@pytest.mark.parametrize(("stage", "hostname"), [("pr-42", "api.staging.example.com"), ("dev", "api.prod.example.com")])
def test_hostname_of_another_stage_is_refused(stage: str, hostname: str, staging_raw: dict[str, Any]) -> None:
    staging_raw["workers"]["api"]["domains"] = [hostname]
    staging_raw["workers"]["api"]["routes"] = [f"{hostname}/v1/*"]
    found = config_problems(staging_raw, stage=stage)
    assert "stages never share a hostname" in found[f"{PROJECT}:workers.api.domains[0]"]
    assert "names stage" in found[f"{PROJECT}:workers.api.routes[0]"]


def test_ci_identity_needs_the_organization(staging_raw: dict[str, Any]) -> None:
    """The CI identity lives in the organization: a missing id is a config problem, located, before any resource."""
    assert "ciIdentity" in staging_raw["infisical"]
    del staging_raw["infisical"]["organizationId"]
    found = config_problems(staging_raw)
    assert "'ciIdentity'" in found[f"{PROJECT}:infisical.organizationId"]
    del staging_raw["infisical"]["ciIdentity"]
    assert parse_stage_config(staging_raw, stage="staging", namespace=PROJECT).infisical is not None


def test_preview_stage_makes_no_ci_identity_so_needs_no_organization(staging_raw: dict[str, Any]) -> None:
    del staging_raw["infisical"]["organizationId"]
    staging_raw["workers"]["api"]["domains"] = []
    staging_raw["workers"]["api"]["routes"] = []
    assert parse_stage_config(staging_raw, stage="pr-7", namespace=PROJECT).infisical is not None
