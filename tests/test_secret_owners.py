"""One owner per secret: what each owner binds, what a deploy must provide, and which files never hold a value."""

from __future__ import annotations

import subprocess
from pathlib import Path
from typing import Any

import pulumi
import pytest

from components.config import parse_stage_config
from components.secrets.deploy_inputs import CLOUDFLARE_TOKEN_ENV, MissingSecretsError
from plan.engine import PlanMocks, ProgramRun, RecordingMonitor
from plan.model import build_plan, is_secret
from tests.canaries import (
    ROOT,
    all_canaries,
    canary,
)
from tests.conftest import PROJECT, STAGES, full_environment, injected_variables, raw_config, run_stage


def test_staging_never_binds_the_real_side_effect_value() -> None:
    raw = raw_config("staging")
    environment = {
        **full_environment("staging", raw, canary),
        "STRIPE_SECRET_KEY": canary("REAL-stripe"),
        "RESEND_API_KEY": canary("REAL-resend"),
    }
    run = run_stage("staging", raw, environment=environment)
    everything = all_canaries([r.inputs for r in run.registrations])
    assert "REAL-" not in everything  # not even inside an envelope
    api = next(s for s in run.by_type("WorkersScript") if s.name == "api")
    texts = {b["name"]: b["text"] for b in api.inputs["bindings"]["value"] if b["type"] == "secret_text"}
    assert texts["STRIPE_SECRET_KEY"] == canary("STRIPE_SECRET_KEY_SANDBOX")
    assert texts["RESEND_API_KEY"] == ""
    # The sync token is injected too, whoever wrote it into /cloudflare (the project stack, or a person).
    for source in ("managed", "manual"):
        raw["infisical"]["syncToken"] = {"source": source}
        assert injected_variables(parse_stage_config(raw, stage="staging", namespace=PROJECT)) == [
            "CLOUDFLARE_SYNC_API_TOKEN",
            "HYPERDRIVE_MAIN_PASSWORD",
            "STRIPE_SECRET_KEY_SANDBOX",
        ]


def test_prod_binds_the_real_side_effect_values() -> None:
    prod = parse_stage_config(raw_config("prod"), stage="prod", namespace=PROJECT)
    assert injected_variables(prod) == [
        "CLOUDFLARE_SYNC_API_TOKEN",
        "HYPERDRIVE_MAIN_PASSWORD",
        "RESEND_API_KEY",
        "STRIPE_SECRET_KEY",
    ]


def test_missing_injected_secrets_stop_before_any_registration() -> None:
    raw = raw_config("prod")
    environment = {CLOUDFLARE_TOKEN_ENV: canary("token"), "RESEND_API_KEY": ""}
    resource_mocks = PlanMocks("prod")
    monitor = RecordingMonitor(resource_mocks)
    with pytest.raises(MissingSecretsError) as caught:
        run_stage("prod", raw, environment=environment, resource_mocks=resource_mocks, monitor=monitor)
    message = str(caught.value)
    assert monitor.registrations == []
    assert "RESEND_API_KEY (worker api)" in message  # empty counts as missing
    assert "STRIPE_SECRET_KEY (worker api)" in message
    assert "CLOUDFLARE_SYNC_API_TOKEN (the Infisical Cloudflare connection; minted by the project stack)" in message
    assert "infisical run --env=prod --path=/cloudflare -- pulumi up -s prod" in message
    assert "CANARY-" not in message
    assert isinstance(caught.value, pulumi.RunError)  # shown by the CLI without a traceback


def test_the_plan_shows_missing_values_without_failing() -> None:
    run = run_stage("prod", environment={}, allow_missing=True)
    plan = build_plan(run)
    api = next(r for r in plan["resources"] if r["label"] == "WorkersScript/api")
    shown = {b["name"]: b.get("text") for b in api["inputs"]["bindings"]}
    assert shown["STRIPE_SECRET_KEY"] == "[secret: not provided]"
    assert shown["BETTER_AUTH_SECRET"] == "[secret]"
    provider = next(r for r in plan["resources"] if r["type"] == "pulumi:providers:cloudflare")
    assert provider["inputs"]["apiToken"] == "[secret: not provided]"


def test_generated_secret_is_a_random_password_rotated_by_config() -> None:
    raw = raw_config("dev")
    environment = {**full_environment("dev", raw, lambda name: f"dummy-{name}"), "ROTATION_DATE": "2026-12-01"}
    run = run_stage("dev", raw, environment=environment)
    password = run.by_type("RandomPassword")[0]
    assert password.name == "api-BETTER_AUTH_SECRET"
    assert password.inputs["length"] == 48.0 and password.inputs["special"] is False
    # rotateEvery: 30d: the keeper is the start of the 30-day period 2026-12-01 falls in
    assert password.inputs["keepers"] == {"rotation": "0", "period": "2026-11-03"}
    assert password.parent is not None and password.parent.endswith("Stage::dev")
    raw["workers"]["api"]["secrets"]["BETTER_AUTH_SECRET"]["rotation"] = 1
    rotated = run_stage("dev", raw, environment=environment).by_type("RandomPassword")[0]
    # keepers change → a new value on `pulumi up`
    assert rotated.inputs["keepers"] == {"rotation": "1", "period": "2026-11-03"}
    del raw["workers"]["api"]["secrets"]["BETTER_AUTH_SECRET"]["rotateEvery"]
    by_hand = run_stage("dev", raw, environment=environment).by_type("RandomPassword")[0]
    assert by_hand.inputs["keepers"] == {"rotation": "1"}  # no period, no period keeper


def test_generated_secret_shorter_than_32_is_refused() -> None:
    raw = raw_config("dev")
    raw["workers"]["api"]["secrets"]["BETTER_AUTH_SECRET"]["length"] = 16
    with pytest.raises(Exception, match="greater than or equal to 32"):
        run_stage("dev", raw)


def test_synced_secrets_are_kept_across_deploys(stage_runs: dict[str, ProgramRun]) -> None:
    for stage in STAGES:
        scripts = {s.name: s for s in stage_runs[stage].by_type("WorkersScript")}
        api = scripts["api"].inputs["bindings"]["value"]
        # Exactly what the sync owns is inherited from the previous version; nothing is kept by type, so a
        # secret this config retired leaves the worker with the next upload.
        assert sorted(b["name"] for b in api if b["type"] == "inherit") == [
            "GITHUB_CLIENT_SECRET",
            "GOOGLE_CLIENT_SECRET",
        ]
        assert all(set(b) == {"name", "type"} for b in api if b["type"] == "inherit")  # no value, never bound
        assert "keepBindings" not in scripts["api"].inputs and "keepBindings" not in scripts["jobs"].inputs
        bound = {b["name"] for b in api if b["type"] != "inherit"}
        assert not bound & {"GOOGLE_CLIENT_SECRET", "GITHUB_CLIENT_SECRET"}  # never bound by Pulumi


def test_secret_owner_outputs_name_owners_only(stage_runs: dict[str, ProgramRun]) -> None:
    owners = stage_runs["staging"].outputs["secretOwners"].value["api"]
    assert owners["GOOGLE_CLIENT_SECRET"] == "synced from Infisical staging:/oauth"
    assert owners["STRIPE_SECRET_KEY"] == "injected from $STRIPE_SECRET_KEY_SANDBOX at deploy time"
    assert owners["RESEND_API_KEY"] == "bound empty (sandbox)"
    assert owners["BETTER_AUTH_SECRET"].startswith("generated")


def test_cloudflare_token_from_secret_config() -> None:
    raw = raw_config("dev")
    environment = dict.fromkeys(injected_variables(parse_stage_config(raw, stage="dev", namespace=PROJECT)), "x")
    run = run_stage(
        "dev",
        raw,
        environment=environment,
        extra_config={"cloudflare:apiToken": canary("config-token")},
        secret_keys=["cloudflare:apiToken"],
    )
    token = run.by_type("providers:cloudflare")[0].inputs["apiToken"]
    assert is_secret(token) and token["value"] == canary("config-token")


def test_missing_cloudflare_token_is_a_clear_error() -> None:
    raw = raw_config("dev")
    environment = dict.fromkeys(injected_variables(parse_stage_config(raw, stage="dev", namespace=PROJECT)), "x")
    with pytest.raises(pulumi.RunError, match="no Cloudflare API token: set CLOUDFLARE_API_TOKEN"):
        run_stage("dev", raw, environment=environment)


def test_config_secrets_are_read_only_as_secrets() -> None:
    sources = "\n".join(p.read_text() for p in (ROOT / "components").rglob("*.py"))
    assert 'get_secret("apiToken")' in sources
    for plain_read in ('.get("apiToken")', '.require("apiToken")', "config.api_token"):
        assert plain_read not in sources


def test_stack_files_hold_no_secret_values() -> None:
    for path in ROOT.glob("Pulumi.*.yaml"):
        text = path.read_text()
        assert "secure:" not in text, path.name
        assert "apiToken" not in text, path.name


def test_gitignore_covers_secret_files() -> None:
    probes = [".env", ".env.local", ".env.production", ".dev.vars", "workers/api/.dev.vars", "key.pem",
              "stack-export.json", "prod.stack.json", "backup.sql", "db.sqlite", "infisical-token.txt"]  # fmt: skip
    result = subprocess.run(
        ["git", "check-ignore", "--no-index", *probes], cwd=ROOT, capture_output=True, text=True, check=False
    )
    assert sorted(result.stdout.split()) == sorted(probes)
    kept = subprocess.run(
        ["git", "check-ignore", "--no-index", ".env.example"], check=False, cwd=ROOT, capture_output=True
    )
    assert kept.returncode == 1  # the example stays committable


def test_repository_tracks_no_secret_files() -> None:
    tracked = subprocess.run(["git", "ls-files"], cwd=ROOT, capture_output=True, text=True, check=True).stdout
    for path in tracked.split():
        name = Path(path).name
        assert not (name.startswith(".env") and name != ".env.example"), path
        assert not name.startswith(".dev.vars") and not name.endswith((".pem", ".key")), path
        if name.endswith(".sql"):  # D1 migrations are schema; an export or dump (rows) is never committed
            assert Path(path).parent == Path("migrations"), path
            assert "insert into" not in (ROOT / path).read_text().lower(), path


def test_missing_secret_message_names_the_shared_preview_environment() -> None:
    raw = raw_config("staging")
    raw["workers"]["api"]["domains"] = ["api.pr-7.example.net"]
    with pytest.raises(MissingSecretsError) as caught:
        run_stage("pr-7", raw, environment={CLOUDFLARE_TOKEN_ENV: "x"})
    assert "infisical run --env=preview --path=/cloudflare -- pulumi up -s pr-7" in str(caught.value)


def _config_error(raw: dict[str, Any]) -> str:
    from components.config import StageConfigError

    environment = full_environment("staging", raw_config("staging"), canary)
    with pytest.raises(StageConfigError) as caught:
        run_stage("staging", raw, environment=environment)
    return str(caught.value)


def test_structural_config_errors_never_echo_a_value() -> None:
    """A secret pasted into the wrong place is named by its key in the error, never repeated."""
    raw = raw_config("staging")
    raw["accountId"] = canary("account")
    raw["zone"]["token"] = canary("unknown-key-value")
    raw["workers"]["jobs"]["vars"]["LOG_LEVEL"] = {"nested": canary("wrong-type")}
    message = _config_error(raw)
    assert "zone.token" in message and "accountId" in message and "LOG_LEVEL" in message
    assert "CANARY-" not in message


def test_secret_looking_var_errors_never_echo_a_value() -> None:
    raw = raw_config("staging")
    raw["workers"]["api"]["vars"]["STRIPE_SECRET_KEY_COPY"] = canary("pasted-into-a-var")
    raw["workers"]["api"]["vars"]["SENTRY_DSN"] = f"https://user:{canary('dsn-password')}@sentry.example.com/1"
    message = _config_error(raw)
    assert "STRIPE_SECRET_KEY_COPY" in message and "SENTRY_DSN" in message
    assert "CANARY-" not in message


def test_a_retired_secret_is_not_kept_on_a_synced_worker() -> None:
    """Retiring a Pulumi-bound secret on a synced worker removes it: nothing keeps it by type."""
    raw = raw_config("staging")
    del raw["workers"]["api"]["secrets"]["RESEND_API_KEY"]
    api = next(s for s in run_stage("staging", raw).by_type("WorkersScript") if s.name == "api")
    names = {b["name"]: b["type"] for b in api.inputs["bindings"]["value"]}
    assert "RESEND_API_KEY" not in names
    assert {n for n, t in names.items() if t == "inherit"} == {"GITHUB_CLIENT_SECRET", "GOOGLE_CLIENT_SECRET"}
