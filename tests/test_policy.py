"""The policy pack: every rule passes on the real stages and catches its bad program, on both paths.

Plan path: ``plan.policy.check`` over registrations recorded by the mock engine. Pack path: the
pulumi-policy analyzer (the SDK's own servicer, as the CLI drives it over gRPC) fed the same
registrations, secrets in the envelopes the engine sends. Both must report the same violations, except
where the analyzer protocol cannot carry the information (``retain_on_delete``).
"""

from __future__ import annotations

import dataclasses
import json
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pulumi
import pulumi.runtime.config as runtime_config
import pulumi_policy.policy as sdk_policy
import pytest
from pulumi.runtime import proto
from pulumi_policy import (
    EnforcementLevel,
    PolicyCustomTimeouts,
    PolicyResource,
    PolicyResourceOptions,
    ResourceValidationArgs,
    StackValidationArgs,
)
from pulumi_policy.proxy import UNKNOWN_STRING_VALUE, unknown_checking_proxy

import components.secrets
import plan.model
import policy.__main__ as pack
from components.naming import WORKER_TYPE, stage_in_hostname, stage_in_name
from plan.engine import ProgramRun, Registration, run_program
from plan.policy import check
from plan.stack_files import stack_config
from policy import checks, names, secret_checks
from policy.resources import UNKNOWN, from_registration
from tests.conftest import PROJECT, STAGES, full_environment, raw_config, run_stage

ROOT = Path(__file__).resolve().parents[1]
ACCOUNT = "0123456789abcdef0123456789abcdef"
ZONE = "023e105f4ecef8ad9ca31a8372d0c353"
REAL_AND_SANDBOX = {
    "STRIPE_SECRET_KEY": "stripe-real-key",
    "STRIPE_SECRET_KEY_SANDBOX": "stripe-sandbox-key",
    "RESEND_API_KEY": "resend-real-key",
}


def deploy_environment(stage: str, **overrides: str) -> dict[str, str]:
    """Everything a deploy of ``stage`` reads, plus real *and* sandbox values, so reading the wrong one shows."""
    needed = full_environment(stage, raw_config(stage), lambda name: f"dummy-{name.lower()}")
    return {**needed, **REAL_AND_SANDBOX, **overrides}


# --- helpers -------------------------------------------------------------------------------------------


def found(violations: list[dict[str, Any]]) -> list[tuple[str, str]]:
    return sorted((v["rule"], v["resource"]) for v in violations)


def run_small(program: Callable[[], None], stack: str = "staging") -> ProgramRun:
    """A small program of real pulumi_cloudflare resources, exporting ``app`` like the real one does."""

    def body() -> None:
        program()
        pulumi.export("app", "acme")

    return run_program(body, project=PROJECT, stack=stack, config={})


def script(
    bindings: list[Any] | None = None,
    *,
    name: str = "api",
    stage: str = "staging",
    keep_bindings: list[str] | None = None,
) -> Any:
    import pulumi_cloudflare as cf

    return cf.WorkersScript(
        name,
        cf.WorkersScriptArgs(
            account_id=ACCOUNT,
            script_name=f"acme-{stage}-{name}",
            content="export default {}",
            bindings=bindings or [],
            keep_bindings=keep_bindings,
        ),
    )


def binding(name: str, type_: str, **values: Any) -> Any:
    import pulumi_cloudflare as cf

    return cf.WorkersScriptBindingArgs(name=name, type=type_, **values)


def infisical_sync(name: str, script_id: str) -> None:
    """A registration shaped like ``components.infisical.CloudflareWorkersSecretSync`` (same type, same inputs)."""
    pulumi.CustomResource(
        secret_checks.INFISICAL_SYNC_TYPE,
        name,
        {"name": name, "project_id": "p", "connection_id": "c", "environment": "staging", "script_id": script_id},
    )


def replace(run: ProgramRun, name: str, **changes: Any) -> ProgramRun:
    """``run`` with ``changes`` made to the registrations named ``name`` (new inputs also as the program sent them)."""

    def changed(r: Registration) -> Registration:
        if "inputs" in changes:  # keep each unchanged input as it was sent (secret envelopes in place)
            sent = {k: r.wire_inputs[k] if k in r.wire_inputs and r.inputs.get(k) == v else v
                    for k, v in changes["inputs"].items()}  # fmt: skip
            return dataclasses.replace(r, **changes, wire_inputs=sent)
        return dataclasses.replace(r, **changes)

    registrations = [changed(r) if r.name == name else r for r in run.registrations]
    return dataclasses.replace(run, registrations=registrations)


# --- the pack path: pulumi-policy's analyzer servicer ----------------------------------------------------


def _with_properties(message: Any, inputs: dict[str, Any]) -> Any:
    """``message`` with ``inputs`` as its properties Struct, internal keys skipped as the engine does."""
    message.properties.update({k: v for k, v in inputs.items() if not k.startswith("__")})
    return message


def _options(registration: Registration) -> Any:
    return proto.AnalyzerResourceOptions(protect=registration.protect, parent=registration.parent or "")


@pytest.fixture
def analyzer(monkeypatch: pytest.MonkeyPatch) -> Iterator[Callable[..., list[tuple[str, str]]]]:
    """Run a recorded program through the pack as the CLI would: Analyze per resource, then AnalyzeStack.

    The stack config goes in ``PULUMI_CONFIG`` and the deploy environment in the process environment, as
    the CLI starts a policy pack.
    """
    monkeypatch.setattr(sdk_policy, "deserialize_properties", pack.deserialize_keeping_secrets)
    saved = dict(runtime_config.CONFIG.get())

    def analyze(
        run: ProgramRun, config: dict[str, str] | None = None, environment: dict[str, str] | None = None
    ) -> list[tuple[str, str]]:
        monkeypatch.setenv("PULUMI_CONFIG", json.dumps(config or {f"{PROJECT}:app": "acme"}))
        for key, value in (environment or {}).items():
            monkeypatch.setenv(key, value)
        servicer = sdk_policy._PolicyAnalyzerServicer(  # the SDK's analyzer, minus the gRPC server
            pack.PACK_NAME, "0.1.0", pack.POLICIES, EnforcementLevel.MANDATORY
        )
        diagnostics = []
        for r in run.registrations:
            request = _with_properties(
                proto.AnalyzeRequest(type=r.type, urn=r.urn, name=r.name, options=_options(r)), r.wire_inputs
            )
            diagnostics += servicer.Analyze(request, None).diagnostics
        stack = proto.AnalyzeStackRequest(
            resources=[
                _with_properties(
                    proto.AnalyzerResource(
                        type=r.type,
                        urn=r.urn,
                        name=r.name,
                        options=_options(r),
                        parent=r.parent or "",
                        dependencies=r.dependencies,
                    ),
                    r.wire_inputs if r.custom else r.outputs,  # a stack validation sees a component's outputs
                )
                for r in run.registrations
            ]
        )
        diagnostics += servicer.AnalyzeStack(stack, None).diagnostics
        result = []
        for diagnostic in diagnostics:
            assert diagnostic.enforcementLevel == proto.MANDATORY, diagnostic.message  # not "can't run"
            label = diagnostic.message.split("\n", 1)[1].split(": ", 1)[0]
            result.append((diagnostic.policyName, label))
        return sorted(result)

    yield analyze
    runtime_config.set_all_config(saved)


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


def _name_of_another_stage() -> None:
    import pulumi_cloudflare as cf

    cf.D1Database("d1-main", cf.D1DatabaseArgs(account_id=ACCOUNT, name="acme-prod-db"))


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


def _live_key_outside_prod() -> None:
    script([binding("STRIPE_SECRET_KEY", "secret_text", text=pulumi.Output.secret("sk_live_0000"))])


SECRET = "secret-bindings-are-secret"
CROSS_STAGE = "no-cross-stage-references"
SCRIPT = "WorkersScript/api"
BAD_PROGRAMS = {
    "secret_text in clear": (_plain_secret_text, SECRET, SCRIPT),
    "secret_key in clear": (_plain_secret_key, SECRET, SCRIPT),
    "secret-looking plain_text": (_secret_looking_plain_text, "no-secret-looking-plain-text", SCRIPT),
    "D1 named for prod in staging": (_name_of_another_stage, "physical-names-carry-stage", "D1Database/d1-main"),
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

    run = run_small(program)
    assert check(run) == []
    assert analyzer(run) == []


def test_messages_never_contain_secret_values() -> None:
    for case in ("secret_text in clear", "live key in staging"):
        program = BAD_PROGRAMS[case][0]
        messages = " ".join(v["message"] for v in check(run_small(program)))
        assert "typed-in-clear" not in messages and "sk_live_0000" not in messages, messages


# --- bad programs made from the real stages -------------------------------------------------------------


@pytest.mark.parametrize(
    ("changes", "missing"),
    [({"protect": False}, "protect"), ({"retain_on_delete": False}, "retainOnDelete")],
)
def test_prod_stateful_resource_without_protection(
    changes: dict[str, bool], missing: str, stage_runs: dict[str, ProgramRun], analyzer: Any
) -> None:
    run = replace(stage_runs["prod"], "d1-main", **changes)
    violations = check(run)
    assert found(violations) == [("prod-stateful-protected-and-retained", "D1Database/d1-main")]
    assert f"missing: {missing}" in violations[0]["message"]
    config, _ = stack_config("prod")
    in_pack = analyzer(run, config, deploy_environment("prod"))
    # The analyzer protocol carries protect but not retain_on_delete: only the plan sees that half.
    assert in_pack == ([("prod-stateful-protected-and-retained", "D1Database/d1-main")] if missing == "protect" else [])


def test_unprotected_stateful_resources_are_fine_outside_prod(stage_runs: dict[str, ProgramRun]) -> None:
    assert not any(r.protect for r in stage_runs["staging"].registrations)
    assert check(stage_runs["staging"]) == []


def test_real_stage_syncs_into_a_script_that_keeps_secret_bindings(stage_runs: dict[str, ProgramRun]) -> None:
    """The good runs exercise the sync rule: staging's api gets an Infisical sync and keeps its bindings."""
    run = stage_runs["staging"]
    syncs = [r.inputs["script_id"] for r in run.registrations if r.type == secret_checks.INFISICAL_SYNC_TYPE]
    assert syncs == ["acme-staging-api"]
    api = next(r for r in run.registrations if r.name == "api" and r.custom)
    assert "keepBindings" not in api.inputs
    inherited = [b["name"] for b in api.inputs["bindings"]["value"] if b["type"] == "inherit"]
    assert inherited == ["GITHUB_CLIENT_SECRET", "GOOGLE_CLIENT_SECRET"]


def test_real_stage_script_that_drops_synced_secrets(stage_runs: dict[str, ProgramRun], analyzer: Any) -> None:
    api = next(r for r in stage_runs["staging"].registrations if r.name == "api" and r.custom)
    envelope = api.inputs["bindings"]
    kept = [b for b in envelope["value"] if b["type"] != "inherit"]
    run = replace(stage_runs["staging"], "api", inputs={**api.inputs, "bindings": {**envelope, "value": kept}})
    expected = [("synced-scripts-keep-secret-bindings", "WorkersScript/api")]
    assert found(check(run)) == expected
    config, _ = stack_config("staging")
    assert analyzer(run, config, deploy_environment("staging")) == expected


def test_infisical_resource_of_another_stages_environment(stage_runs: dict[str, ProgramRun], analyzer: Any) -> None:
    """prod reading (or writing) staging's Infisical environment is a cross-stage reference."""
    folder = next(r for r in stage_runs["prod"].registrations if r.name == "folder-oauth")
    assert folder.inputs["environment"] == "prod"
    run = replace(stage_runs["prod"], "folder-oauth", inputs={**folder.inputs, "environment": "staging"})
    expected = [("no-cross-stage-references", "infisical:SecretFolder/folder-oauth")]
    assert found(check(run)) == expected
    config, _ = stack_config("prod")
    assert analyzer(run, config, deploy_environment("prod")) == expected


@pytest.fixture
def reads_real_variables(monkeypatch: pytest.MonkeyPatch) -> None:
    """A regression in the program: every stage reads the real variable of side-effecting secrets."""
    monkeypatch.setattr(components.secrets, "injected_variable", lambda name, secret, stage: name)


@pytest.mark.usefixtures("reads_real_variables")
def test_real_side_effect_credentials_in_staging_are_caught(analyzer: Any) -> None:
    environment = deploy_environment("staging")
    run = run_stage("staging", environment=environment)
    violations = check(run, environment=environment)
    rule = "no-real-side-effect-credentials-outside-prod"
    assert found(violations) == [(rule, "WorkersScript/api")] * 2
    messages = sorted(v["message"] for v in violations)
    assert "'RESEND_API_KEY' is the value of the real $RESEND_API_KEY" in messages[0]
    assert "'STRIPE_SECRET_KEY' is the value of the real $STRIPE_SECRET_KEY" in messages[1]
    assert not any(value in " ".join(messages) for value in REAL_AND_SANDBOX.values())
    config, _ = stack_config("staging")
    assert analyzer(run, config, environment) == [(rule, "WorkersScript/api")] * 2


@pytest.mark.usefixtures("reads_real_variables")
def test_credential_free_plan_sees_only_the_empty_sandbox_regression() -> None:
    """Without an environment the plan cannot tell $STRIPE_SECRET_KEY from $STRIPE_SECRET_KEY_SANDBOX (both
    are the NOT_PROVIDED marker), but a secret whose sandbox is 'empty' must not carry anything at all."""
    run = run_stage("staging", environment={}, allow_missing=True)
    violations = check(run)
    assert found(violations) == [("no-real-side-effect-credentials-outside-prod", "WorkersScript/api")]
    assert "'RESEND_API_KEY' carries a value" in violations[0]["message"]


def test_live_key_in_the_sandbox_variable_is_caught() -> None:
    environment = deploy_environment("staging", STRIPE_SECRET_KEY_SANDBOX="sk_live_0000")
    run = run_stage("staging", environment=environment)
    violations = check(run, environment=environment)
    assert found(violations) == [("no-real-side-effect-credentials-outside-prod", "WorkersScript/api")]
    assert "shape of a live-mode key" in violations[0]["message"]
    assert "sk_live_0000" not in violations[0]["message"]


def test_prod_binds_the_real_credentials() -> None:
    environment = deploy_environment("prod")
    run = run_stage("prod", environment=environment)
    assert check(run, environment=environment) == []


# --- the pack adapter on its own --------------------------------------------------------------------------


def _props(registration: Registration) -> Any:
    """As the engine sends them: a resource's inputs, a component's registered outputs, no internal keys."""
    sent = registration.wire_inputs if registration.custom else registration.outputs
    inputs = {k: v for k, v in sent.items() if not k.startswith("__")}
    return unknown_checking_proxy(pack.deserialize_keeping_secrets(inputs))


def _policy_options(registration: Registration) -> PolicyResourceOptions:
    return PolicyResourceOptions(registration.protect, [], None, [], PolicyCustomTimeouts(0, 0, 0), [])


def _validation_args(registration: Registration, config: dict[str, Any] | None = None) -> ResourceValidationArgs:
    r = registration
    return ResourceValidationArgs(r.type, _props(r), r.urn, r.name, _policy_options(r), None, config)


def _stack_args(registrations: list[Registration], config: dict[str, Any] | None = None) -> StackValidationArgs:
    resources = [
        PolicyResource(r.type, _props(r), r.urn, r.name, _policy_options(r), None, None, [], {}) for r in registrations
    ]
    return StackValidationArgs(resources, config)


def _policy(name: str) -> Any:
    return next(p for p in pack.POLICIES if p.name == name)


def test_pack_config_allow_list(stage_runs: dict[str, ProgramRun], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sdk_policy, "deserialize_properties", pack.deserialize_keeping_secrets)
    monkeypatch.delenv("PULUMI_CONFIG", raising=False)  # no stack config: only the pack config allow-lists
    api = next(r for r in stage_runs["staging"].registrations if r.name == "api" and r.custom)
    reported: list[str] = []
    _policy("no-secret-looking-plain-text").validate(_stack_args([api]), lambda m, u: reported.append(m))
    assert len(reported) == 1 and "ALGOLIA_SEARCH_KEY" in reported[0]
    reported.clear()
    allowed = _stack_args([api], {"publicVars": ["ALGOLIA_SEARCH_KEY"]})
    _policy("no-secret-looking-plain-text").validate(allowed, lambda m, u: reported.append(m))
    assert reported == []


def test_pack_without_secret_markers_cannot_see_secretness(stage_runs: dict[str, ProgramRun]) -> None:
    """The SDK's own deserializer drops secret envelopes: the view says so instead of guessing."""
    assert sdk_policy.deserialize_properties is not pack.deserialize_keeping_secrets
    api = next(r for r in stage_runs["staging"].registrations if r.name == "api" and r.custom)
    props = unknown_checking_proxy(sdk_policy.deserialize_properties(dict(api.inputs)))
    opts = PolicyResourceOptions(False, [], None, [], PolicyCustomTimeouts(0, 0, 0), [])
    view = pack.from_policy_resource(ResourceValidationArgs(api.type, props, api.urn, api.name, opts, None))
    assert view.secret_paths is None
    assert view.is_secret("bindings") is None
    assert isinstance(view.props["bindings"], list)  # the values are all there, only unmarked


def test_pack_view_matches_the_plan_view(stage_runs: dict[str, ProgramRun], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sdk_policy, "deserialize_properties", pack.deserialize_keeping_secrets)
    for registration in stage_runs["staging"].registrations:
        planned = from_registration(registration, "staging")
        packed = pack.from_policy_resource(_validation_args(registration))
        assert packed.props == planned.props, registration.name
        assert packed.secret_paths == planned.secret_paths, registration.name
        assert (packed.stack, packed.label, packed.protect) == (planned.stack, planned.label, planned.protect)
        assert packed.retain_on_delete is None


def test_unknown_values_are_skipped_not_fatal(monkeypatch: pytest.MonkeyPatch) -> None:
    """During preview a name computed from another resource is unknown: the rule skips it."""
    monkeypatch.setattr(sdk_policy, "deserialize_properties", pack.deserialize_keeping_secrets)
    run = run_small(_name_of_another_stage)
    sent = {**run.registrations[0].wire_inputs, "name": UNKNOWN_STRING_VALUE}
    d1 = dataclasses.replace(run.registrations[0], inputs=sent, wire_inputs=sent)
    view = pack.from_policy_resource(_validation_args(d1))
    assert view.props["name"] is UNKNOWN
    reported: list[str] = []
    _policy("physical-names-carry-stage").validate(_stack_args([d1]), lambda m, u: reported.append(m))
    assert reported == []


def test_install_secret_markers(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sdk_policy, "deserialize_properties", sdk_policy.deserialize_properties)
    assert not pack.secrets_visible()
    assert pack.install_secret_markers() and pack.secrets_visible()
    assert pack.install_secret_markers()  # idempotent
    monkeypatch.setattr(sdk_policy, "deserialize_properties", lambda props, proxy_secrets=False: props)
    assert not pack.install_secret_markers()  # an SDK it does not recognise is left alone


def test_remediation_keeps_the_sdk_secret_proxies() -> None:
    envelope = {names.SECRET_SIG_KEY: names.SECRET_SIG, "value": "x"}
    assert pack.deserialize_keeping_secrets({"a": envelope}, True)["a"] == "x"  # the SDK's proxy unwraps on read


# --- packaging ----------------------------------------------------------------------------------------------


def test_pack_imports_light_from_inside_its_directory() -> None:
    """As the CLI runs it (``python <dir>`` with the pack directory as cwd), without pulumi_cloudflare."""
    code = (
        "import runpy, sys\n"
        "runpy.run_path('.', run_name='not_main')\n"
        "print(sorted({m.split('.')[0] for m in sys.modules} & {'pulumi_cloudflare', 'pydantic', 'pulumi_random'}))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT / "policy", capture_output=True, text=True, timeout=120, check=True
    )
    assert result.stdout.strip() == "[]", result.stderr


def test_pack_starts_and_serves() -> None:
    """``python policy`` as the CLI starts it: the SDK serves gRPC and prints its port first."""
    process = subprocess.Popen(
        [sys.executable, str(ROOT / "policy")], cwd=ROOT / "policy", stdout=subprocess.PIPE, stderr=subprocess.PIPE
    )
    try:
        assert process.stdout is not None
        port = process.stdout.readline().decode().strip()
    finally:
        process.kill()
        _, stderr = process.communicate(timeout=30)
    assert port.isdigit(), stderr.decode()
    assert b"warning" not in stderr, stderr.decode()  # the secret markers were installed


def test_pack_files() -> None:
    import yaml

    pack_yaml = yaml.safe_load((ROOT / "policy" / "PulumiPolicy.yaml").read_text())
    assert pack_yaml["runtime"]["name"] == "python"
    requirements = (ROOT / "policy" / "requirements.txt").read_text().split()
    assert "pulumi-policy==1.21.0" in requirements and "pulumi==3.272.0" in requirements
    assert [p.name for p in pack.POLICIES] == [r.name for r in checks.RULES]
    assert len({p.name for p in pack.POLICIES}) == len(pack.POLICIES)


# --- shared pieces ----------------------------------------------------------------------------------------


def test_labels_and_wire_constants_match_the_plan(stage_runs: dict[str, ProgramRun]) -> None:
    from plan.engine import SECRET_SIG, SECRET_SIG_KEY

    assert (names.SECRET_SIG_KEY, names.SECRET_SIG) == (SECRET_SIG_KEY, SECRET_SIG)
    for registration in stage_runs["staging"].registrations:
        assert from_registration(registration, "staging").label == plan.model.label(registration)


@pytest.mark.parametrize(
    ("name", "app", "stage"),
    [
        ("acme-staging-api", "acme", "staging"),
        ("acme-staging-prod-mirror", "acme", "staging"),
        ("acme-pr-12-api", "acme", "pr-12"),
        ("my-dev-app-prod-api", "my-dev-app", "prod"),
        ("acme-prod-db", None, "prod"),
        ("billing-dev-api", "acme", "dev"),
        ("acme-api", "acme", None),
    ],
)
def test_stage_in_name(name: str, app: str | None, stage: str | None) -> None:
    assert stage_in_name(name, app) == stage


def test_stage_in_hostname() -> None:
    assert stage_in_hostname("api.staging.example.com", "staging") is None
    assert stage_in_hostname("api.staging.example.com", "prod") == "staging"
    assert stage_in_hostname("api.pr-7.example.com/v1/*", "pr-8") == "pr-7"
    assert stage_in_hostname("production.example.com", "staging") is None
