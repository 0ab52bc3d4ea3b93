"""Secrets end to end: Pulumi secrets everywhere, no plaintext anywhere.

Canaries are unique values planted on every secret path. Each test fails if one wrapping in the
program is removed (tried: dropping ``Output.secret`` in the deploy inputs or the worker, or passing the
Cloudflare token as plain text).
"""

from __future__ import annotations

import logging
from typing import Any

import pulumi
import pytest

from components.secrets.deploy_inputs import CLOUDFLARE_TOKEN_ENV
from plan.model import build_plan, is_secret
from plan.render import RENDERERS
from tests.canaries import (
    ROOT,
    PlainPasswordMocks,
    all_canaries,
    canary,
    canary_run,
    plaintext_canaries,
)
from tests.conftest import PROJECT, STAGES, full_environment, raw_config, run_stage


@pytest.mark.parametrize("stage", STAGES)
def test_no_canary_outside_a_secret_envelope(stage: str, caplog: pytest.LogCaptureFixture, capfd: Any) -> None:
    caplog.set_level(logging.DEBUG)
    run = canary_run(stage)
    text = all_canaries([r.inputs for r in run.registrations])
    assert "CANARY-" in text  # the canaries really went in...
    for registration in run.registrations:  # ...and only ever inside envelopes
        assert list(plaintext_canaries(registration.inputs)) == [], registration.name
    for name, output in run.outputs.items():
        if not output.secret:
            assert "CANARY-" not in all_canaries(output.value), name
    for format_name, render in RENDERERS.items():
        assert "CANARY-" not in render(build_plan(run)), format_name
    captured = capfd.readouterr()
    assert "CANARY-" not in captured.out + captured.err
    assert "CANARY-" not in caplog.text


def test_every_secret_path_reaches_the_wire_as_a_secret() -> None:
    run = canary_run("prod")
    provider = run.by_type("providers:cloudflare")[0]
    assert is_secret(provider.inputs["apiToken"])
    assert provider.inputs["apiToken"]["value"] == canary(CLOUDFLARE_TOKEN_ENV)
    assert "apiToken" in provider.additional_secret_outputs
    for script in run.by_type("WorkersScript"):
        bindings = script.inputs["bindings"]
        secret_names = {b["name"] for b in bindings["value"]} if is_secret(bindings) else set()
        texts = {b["name"]: b.get("text") for b in (bindings["value"] if is_secret(bindings) else bindings)}
        for name, text in texts.items():
            if isinstance(text, str) and "CANARY-" in text:
                assert name in secret_names
    api = next(s for s in run.by_type("WorkersScript") if s.name == "api")
    texts = {b["name"]: b["text"] for b in api.inputs["bindings"]["value"] if b["type"] == "secret_text"}
    assert texts == {
        "BETTER_AUTH_SECRET": canary("generated-api-BETTER_AUTH_SECRET"),
        "STRIPE_SECRET_KEY": canary("STRIPE_SECRET_KEY"),
        "RESEND_API_KEY": canary("RESEND_API_KEY"),
    }


@pytest.mark.parametrize("stage", STAGES)
def test_the_sync_token_reaches_the_connection_only_as_a_secret(stage: str) -> None:
    run = canary_run(stage)
    (connection,) = [r for r in run.registrations if r.type.endswith("infisical:CloudflareAppConnection")]
    assert is_secret(connection.inputs["api_token"])
    # The token the project stack wrote into the stage's /cloudflare folder, read like any injected secret.
    assert connection.inputs["api_token"]["value"] == canary("CLOUDFLARE_SYNC_API_TOKEN")
    assert canary("CLOUDFLARE_SYNC_API_TOKEN") not in list(plaintext_canaries([r.inputs for r in run.registrations]))


def test_a_minted_sync_token_reported_in_plain_text_is_still_sent_as_a_secret() -> None:
    """Mocks do not apply additional_secret_outputs: the program's own Output.secret must hold, in the project
    stack that mints the token and writes it into each stage's Infisical environment."""
    raw = raw_config("project")
    run = run_stage("project", raw, environment={}, allow_missing=True, resource_mocks=PlainPasswordMocks("project"))
    handoffs = [r for r in run.registrations if r.type.endswith("infisical:Secret")]
    assert handoffs
    for handoff in handoffs:
        assert is_secret(handoff.inputs["value"])
        assert handoff.inputs["value"]["value"] == canary("sync-token-plain")
    for registration in run.registrations:
        if not registration.type.endswith("AccountToken"):
            assert canary("sync-token-plain") not in list(plaintext_canaries(registration.inputs)), registration.name


def test_each_owner_hands_out_values_already_secret() -> None:
    """The deploy inputs wrap at the moment of reading; the worker component wraps again on binding.

    The end-to-end canary tests above cover the worker's wrapping; this one covers the deploy
    inputs', so removing either one fails a test.
    """
    from pulumi.runtime.sync_await import _sync_await

    from components.config import load_stage_config
    from components.secrets.deploy_inputs import DeployEnvironment
    from components.secrets.owners import worker_secrets
    from plan.engine import run_program
    from tests.conftest import encode

    handed_out: dict[str, pulumi.Output[str]] = {}

    def program() -> None:
        config = load_stage_config()
        inputs = DeployEnvironment(full_environment("prod", raw_config("prod"), canary)).read(config)
        parent = pulumi.ComponentResource("test:index:Parent", "parent")
        api = config.workers["api"]
        secrets = worker_secrets("api", api, "prod", injected=inputs.injected, today=inputs.today, parent=parent)
        for binding in secrets.bindings:
            handed_out[binding.name] = pulumi.Output.from_input(binding.value)
        handed_out["cloudflare token"] = inputs.cloudflare_api_token

    run_program(
        program,
        project=PROJECT,
        stack="prod",
        config=encode(raw_config("prod")),
        resource_mocks=PlainPasswordMocks("prod"),
    )
    assert set(handed_out) == {
        "BETTER_AUTH_SECRET",
        "STRIPE_SECRET_KEY",
        "RESEND_API_KEY",
        "cloudflare token",
    }
    for name, value in handed_out.items():
        assert _sync_await(value.is_secret()), name


def test_worker_binds_secret_values_as_secrets_even_if_handed_plain_ones() -> None:
    """The worker component's own wrapping, on its own: a plain value handed in is bound as a secret."""
    from components.cloudflare.worker import Worker
    from components.cloudflare.worker_args import WorkerArgs
    from components.secrets.owners import SecretBinding, WorkerSecrets
    from plan.engine import run_program

    def program() -> None:
        Worker(
            "probe",
            WorkerArgs(
                account_id="0" * 32, zone_id="1" * 32, script_name="acme-dev-probe", main="workers/api/index.mjs",
                project_root=ROOT, compatibility_date="2025-06-01", compatibility_flags=[], bindings=[],
                secrets=WorkerSecrets([SecretBinding("PLAIN", pulumi.Output.from_input(canary("plain")))]),
                domains=[], routes=[], crons=[], consumer=None, observability=True,
            ),
        )  # fmt: skip

    run = run_program(program, project=PROJECT, stack="dev", config={})
    script = run.by_type("WorkersScript")[0]
    assert is_secret(script.inputs["bindings"])
    assert list(plaintext_canaries(script.inputs)) == []
