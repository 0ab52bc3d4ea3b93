"""Shared pieces of the policy tests: small programs, registrations edited in place, and the pack's analyzer.

Plan path: ``plan.policy.check`` over registrations recorded by the mock engine. Pack path: the
pulumi-policy analyzer (the SDK's own servicer, as the CLI drives it over gRPC) fed the same
registrations, secrets in the envelopes the engine sends. Both must report the same violations, except
where the analyzer protocol cannot carry the information (``retain_on_delete``).
"""

from __future__ import annotations

import dataclasses
import json
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
)

import policy.__main__ as pack
from plan.engine import ProgramRun, Registration, run_program
from policy import secret_checks
from tests.conftest import PROJECT, full_environment, raw_config

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


def name_of_another_stage() -> None:
    import pulumi_cloudflare as cf

    cf.D1Database("d1-main", cf.D1DatabaseArgs(account_id=ACCOUNT, name="acme-prod-db"))
