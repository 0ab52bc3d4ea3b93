"""The policy pack: every rule passes on the real stages and catches its bad program, on both paths."""

from __future__ import annotations

import dataclasses
from typing import Any

import pulumi
import pytest

from components.rules.naming import WORKER_TYPE
from plan.engine import ProgramRun
from plan.policy import check
from plan.stack_files import stack_config
from tests.conftest import STAGES, run_stage
from tests.policy_tools import (
    ACCOUNT,
    ZONE,
    binding,
    deploy_environment,
    found,
    infisical_sync,
    name_of_another_stage,
    run_small,
    script,
)

# --- good programs: the real stages ----------------------------------------------------------------------


@pytest.mark.parametrize("stage", STAGES)
def test_real_stages_pass_every_rule(stage: str, stage_runs: dict[str, ProgramRun]) -> None:
    assert check(stage_runs[stage]) == []


@pytest.mark.parametrize("stage", STAGES)
def test_real_stages_pass_with_real_and_sandbox_values_in_the_environment(stage: str) -> None:
    environment = deploy_environment(stage)
    run = run_stage(stage, environment=environment)
    assert check(run, environment=environment) == []


@pytest.mark.parametrize("stage", STAGES)
def test_credential_free_plan_passes(stage: str) -> None:
    """As bin/plan runs it: no environment, every injected value the NOT_PROVIDED marker."""
    run = run_stage(stage, environment={}, allow_missing=True)
    assert check(run) == []


@pytest.mark.parametrize("stage", STAGES)
def test_real_stages_pass_in_the_pack(stage: str, stage_runs: dict[str, ProgramRun], analyzer: Any) -> None:
    config, _ = stack_config(stage)
    assert analyzer(stage_runs[stage], config, deploy_environment(stage)) == []


def without_registered_public_vars(run: ProgramRun) -> ProgramRun:
    """``run`` as if the Worker components had registered no publicVars."""
    registrations = [
        dataclasses.replace(r, outputs={**r.outputs, "publicVars": []}) if r.type == WORKER_TYPE else r
        for r in run.registrations
    ]
    return dataclasses.replace(run, registrations=registrations)


def test_public_vars_come_from_what_the_worker_registered(stage_runs: dict[str, ProgramRun], analyzer: Any) -> None:
    """Without the worker's registered publicVars the public search key is what the rule flags: the allow-list
    matters, and it comes from the program's registrations, on both paths."""
    api = next(r for r in stage_runs["staging"].registrations if r.type == WORKER_TYPE and r.name == "api")
    assert "ALGOLIA_SEARCH_KEY" in api.outputs["publicVars"]
    run = without_registered_public_vars(stage_runs["staging"])
    violations = check(run)
    assert found(violations) == [("no-secret-looking-plain-text", "WorkersScript/api")]
    assert "ALGOLIA_SEARCH_KEY" in violations[0]["message"]
    assert analyzer(run) == [("no-secret-looking-plain-text", "WorkersScript/api")]
    pack_allowed = check(run, pack_config={"publicVars": ["ALGOLIA_SEARCH_KEY"]})
    assert pack_allowed == []


# --- bad programs: one per rule, each caught by exactly its rule -----------------------------------------


def _plain_secret_text() -> None:
    script([binding("API_TOKEN", "secret_text", text="typed-in-clear")])


def _plain_secret_key() -> None:
    script(
        [
            binding(
                "SIGNING_KEY",
                "secret_key",
                algorithm='{"name": "HMAC", "hash": "SHA-256"}',
                format="raw",
                key_base64="AAAA",
            )
        ]
    )


def _secret_looking_plain_text() -> None:
    script([binding("STRIPE_SECRET_KEY", "plain_text", text="sk_test_123")])


def _service_binding_to_another_stage() -> None:
    script([binding("JOBS", "service", service="acme-prod-jobs")])


def _route_on_another_stages_host() -> None:
    import pulumi_cloudflare as cf

    cf.WorkersRoute(
        "api-route", cf.WorkersRouteArgs(zone_id=ZONE, pattern="api.dev.example.com/*", script="acme-staging-api")
    )


def _custom_domain_without_zone() -> None:
    import pulumi_cloudflare as cf

    cf.WorkersCustomDomain(
        "api-domain",
        cf.WorkersCustomDomainArgs(account_id=ACCOUNT, hostname="api.staging.example.com", service="acme-staging-api"),
    )


def _synced_script_without_keep_bindings() -> None:
    script([binding("LOG_LEVEL", "plain_text", text="info")])
    infisical_sync("api-sync", "acme-staging-api")


def _synced_script_keeping_every_secret() -> None:
    """keepBindings keeps the synced secrets, but also every secret this config retired."""
    script([binding("GOOGLE_CLIENT_SECRET", "inherit")], keep_bindings=["secret_text", "secret_key"])
    infisical_sync("api-sync", "acme-staging-api")


def _origin(password: Any) -> None:
    import pulumi_cloudflare as cf

    origin = cf.HyperdriveConfigOriginArgs(
        scheme="postgres", host="db.example.com", database="acme", user="app", password=password
    )
    cf.HyperdriveConfig(
        "hyperdrive-main", cf.HyperdriveConfigArgs(account_id=ACCOUNT, name="acme-staging-main", origin=origin)
    )


def _plain_origin_password() -> None:
    _origin("typed-in-clear")


def _workflow_binding_to_another_stage() -> None:
    script([binding("REPORTS", "workflow", workflow_name="acme-prod-reports", class_name="ReportWorkflow")])


def _live_key_outside_prod() -> None:
    script([binding("STRIPE_SECRET_KEY", "secret_text", text=pulumi.Output.secret("sk_live_0000"))])


SECRET = "secret-bindings-are-secret"
CROSS_STAGE = "no-cross-stage-references"
SCRIPT = "WorkersScript/api"
BAD_PROGRAMS = {
    "secret_text in clear": (_plain_secret_text, SECRET, SCRIPT),
    "secret_key in clear": (_plain_secret_key, SECRET, SCRIPT),
    "secret-looking plain_text": (_secret_looking_plain_text, "no-secret-looking-plain-text", SCRIPT),
    "D1 named for prod in staging": (name_of_another_stage, "physical-names-carry-stage", "D1Database/d1-main"),
    "service binding to prod": (_service_binding_to_another_stage, CROSS_STAGE, SCRIPT),
    "route on dev's host": (_route_on_another_stages_host, CROSS_STAGE, "WorkersRoute/api-route"),
    "custom domain without zone": (
        _custom_domain_without_zone,
        "custom-domains-have-zone-id",
        "WorkersCustomDomain/api-domain",
    ),
    "synced script drops secrets": (
        _synced_script_without_keep_bindings,
        "synced-scripts-keep-secret-bindings",
        SCRIPT,
    ),
    "synced script keeps retired secrets": (
        _synced_script_keeping_every_secret,
        "synced-scripts-keep-secret-bindings",
        SCRIPT,
    ),
    "live key in staging": (_live_key_outside_prod, "no-real-side-effect-credentials-outside-prod", SCRIPT),
    "origin password in clear": (
        _plain_origin_password,
        "hyperdrive-origin-passwords-are-secret",
        "HyperdriveConfig/hyperdrive-main",
    ),
    "workflow binding to prod": (_workflow_binding_to_another_stage, CROSS_STAGE, SCRIPT),
}


@pytest.mark.parametrize("case", sorted(BAD_PROGRAMS))
def test_bad_program_is_caught_by_exactly_its_rule(case: str, analyzer: Any) -> None:
    program, rule, resource = BAD_PROGRAMS[case]
    run = run_small(program)
    violations = check(run)
    assert found(violations) == [(rule, resource)]
    assert all(v["enforcement"] == "mandatory" for v in violations)
    assert analyzer(run) == [(rule, resource)]


@pytest.mark.parametrize(
    "case",
    [
        "secret_text wrapped",
        "public plain_text",
        "names of this stage",
        "custom domain with zone",
        "synced script keeps secrets",
        "test key in staging",
        "origin password a secret",
    ],
)
def test_good_counterparts_of_the_small_programs(case: str, analyzer: Any) -> None:
    import pulumi_cloudflare as cf

    def program() -> None:
        match case:
            case "secret_text wrapped":
                script([binding("API_TOKEN", "secret_text", text=pulumi.Output.secret("typed-in-clear"))])
            case "public plain_text":
                script([binding("STRIPE_PUBLISHABLE_KEY", "plain_text", text="pk_test_123")])
            case "names of this stage":
                cf.D1Database("d1-main", cf.D1DatabaseArgs(account_id=ACCOUNT, name="acme-staging-prod-mirror"))
                script([binding("JOBS", "service", service="acme-staging-jobs")])
            case "custom domain with zone":
                cf.WorkersCustomDomain(
                    "api-domain",
                    cf.WorkersCustomDomainArgs(
                        account_id=ACCOUNT, hostname="api.staging.example.com", service="acme-staging-api", zone_id=ZONE
                    ),
                )
            case "synced script keeps secrets":
                script([binding("GOOGLE_CLIENT_SECRET", "inherit")])
                infisical_sync("api-sync", "acme-staging-api")
            case "test key in staging":
                script([binding("STRIPE_SECRET_KEY", "secret_text", text=pulumi.Output.secret("sk_test_0000"))])
            case "origin password a secret":
                _origin(pulumi.Output.secret("typed-in-clear"))

    run = run_small(program)
    assert check(run) == []
    assert analyzer(run) == []


def test_messages_never_contain_secret_values() -> None:
    for case in ("secret_text in clear", "live key in staging", "origin password in clear"):
        program = BAD_PROGRAMS[case][0]
        messages = " ".join(v["message"] for v in check(run_small(program)))
        assert "typed-in-clear" not in messages and "sk_live_0000" not in messages, messages
