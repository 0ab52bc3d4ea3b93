"""The pack adapter on its own, its packaging, and the pieces it shares with the plan."""

from __future__ import annotations

import dataclasses
import subprocess
import sys
from typing import Any

import pulumi_policy.policy as sdk_policy
import pytest
from pulumi_policy import (
    PolicyCustomTimeouts,
    PolicyResource,
    PolicyResourceOptions,
    ResourceValidationArgs,
    StackValidationArgs,
)
from pulumi_policy.proxy import UNKNOWN_STRING_VALUE, unknown_checking_proxy

import plan.model
import policy.__main__ as pack
from components.rules.naming import stage_in_hostname, stage_in_name
from plan.engine import ProgramRun, Registration
from policy import checks, names
from policy.resources import UNKNOWN, from_registration
from tests.policy_tools import (
    ROOT,
    name_of_another_stage,
    run_small,
)

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
    run = run_small(name_of_another_stage)
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
