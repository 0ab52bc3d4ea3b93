"""Secret-looking values: a known credential format is refused under any name, in JSON at any depth, padded or not.

A public name (``VITE_…``, ``PUBLISHABLE``) or ``publicVars`` exempts a var from the *name* check only. Both the
config check (exit 2 before anything runs) and the policy rule (the plan and ``pulumi preview``) refuse, and no
message repeats the value.
"""

from __future__ import annotations

import json
from typing import Any

import pytest

from components.rules.secret_names import secret_looking_reason
from components.rules.secret_values import secret_json_values, secret_value_reason
from plan.engine import ProgramRun
from plan.policy import check
from plan.stack_files import stack_config
from tests.conftest import PROJECT, config_problems, raw_config
from tests.policy_tools import analyzer, deploy_environment, found, replace

__all__ = ["analyzer"]

LIVE = "sk_live_" + "4eC39HqLyjWDarjtT1zdp7dc"
KNOWN = [
    LIVE,
    "rk_test_" + "51H0000000000000000000a",
    "whsec_" + "abcdefghijklmnop",
    "ghp_" + "a" * 36,
    "github_pat_" + "11AAAAAA" * 4,
    "glpat-" + "x" * 20,
    "xoxb-" + "1234567890-abc",
    "re_" + "123456789abc",
    "SG." + "a" * 22 + "." + "b" * 43,
    "sk-proj-" + "a" * 40,
    "sk-ant-" + "api03-" + "a" * 30,
    "AIza" + "S" * 35,
    "AKIA" + "IOSFODNN7EXAMPLE",
    "npm_" + "a" * 36,
    "shpat_" + "a" * 32,
    "-----BEGIN OPENSSH PRIVATE KEY-----\nb3Blbn\n-----END OPENSSH PRIVATE KEY-----",
    "redis://:hunter2@cache.internal:6379",
    "postgres://app:hunter2@db.internal/app",
    "https://hooks.example.com/x?token=abc123",
]
PLAIN = [
    "pk_live_51H0000000000000000000000",  # publishable: public by design
    "https://api.example.com",
    "postgres://app@db.internal/app",  # a user, no password
    "task-abcdefghijklmnopqrstuvwxyz",  # not an OpenAI key: `sk-` inside a word
    "debug",
    "3f1c9e0d2b7a4c6e8f0a1b2c3d4e5f60",
]


@pytest.mark.parametrize("value", KNOWN)
def test_known_formats_are_secret_looking_padded_or_not(value: str) -> None:
    for padded in (value, f"  {value}", f"{value}\n", f"Bearer {value}"):
        assert secret_value_reason(padded), padded


@pytest.mark.parametrize("value", PLAIN)
def test_public_values_pass(value: str) -> None:
    assert secret_value_reason(value) is None


@pytest.mark.parametrize("name", ["VITE_STRIPE_KEY", "STRIPE_PUBLISHABLE_KEY", "NEXT_PUBLIC_TOKEN", "PUBLIC_X"])
def test_a_public_name_never_excuses_a_secret_value(name: str) -> None:
    assert secret_looking_reason(name, LIVE)
    assert secret_looking_reason(name, LIVE, public=True)  # publicVars too: names only
    assert secret_looking_reason(name, "pk_live_51H000000") is None
    assert "sk_live" not in str(secret_looking_reason(name, LIVE))


def test_json_is_scanned_at_every_depth_keys_included() -> None:
    value = {"a": [1, {"b": LIVE}], "redis://:pw@h": True, "ok": "fine"}
    assert [path for path, _ in secret_json_values(value)] == [("a", 1, "b"), ("redis://:pw@h",)]


# --- the config check -----------------------------------------------------------------------------------------


def refused(raw: dict[str, Any]) -> dict[str, str]:
    messages = config_problems(raw, "dev")
    assert not any(LIVE in message for message in messages.values())
    return messages


def test_a_public_prefix_var_with_a_live_key_is_refused() -> None:
    raw = raw_config("dev")
    raw["workers"]["api"]["vars"]["VITE_STRIPE_KEY"] = LIVE
    raw["workers"]["api"]["vars"]["PUBLIC_STRIPE"] = " " + LIVE
    raw["workers"]["api"]["publicVars"].append("PUBLIC_STRIPE")
    found_problems = refused(raw)
    assert "shape of a known API key" in found_problems[f"{PROJECT}:workers.api.vars.VITE_STRIPE_KEY"]
    assert "exempt names only" in found_problems[f"{PROJECT}:workers.api.vars.PUBLIC_STRIPE"]


def test_a_json_binding_is_scanned() -> None:
    raw = raw_config("dev")
    raw["workers"]["api"]["bindings"]["FEATURES"]["value"] = {"stripe": {"keys": ["x", LIVE]}}
    message = refused(raw)[f"{PROJECT}:workers.api.bindings.FEATURES.value.stripe.keys[1]"]
    assert "JSON binding" in message


# --- the policy rule, on both paths ---------------------------------------------------------------------------


def with_binding(run: ProgramRun, binding: dict[str, Any]) -> ProgramRun:
    api = next(r for r in run.registrations if r.name == "api" and r.custom)
    envelope = api.inputs["bindings"]
    return replace(run, "api", inputs={**api.inputs, "bindings": {**envelope, "value": [*envelope["value"], binding]}})


@pytest.mark.parametrize(
    "binding",
    [
        {"name": "VITE_STRIPE_KEY", "type": "plain_text", "text": LIVE},
        {"name": "ALGOLIA_SEARCH_KEY", "type": "plain_text", "text": " " + LIVE},  # listed in publicVars
        {"name": "FLAGS", "type": "json", "json": json.dumps({"deep": [{"key": LIVE}]})},
        {"name": "CACHE_URL_PUBLIC", "type": "plain_text", "text": "redis://:pw@cache.internal"},
    ],
)
def test_the_policy_refuses_secret_values_under_any_name(
    binding: dict[str, Any], stage_runs: dict[str, ProgramRun], analyzer: Any
) -> None:
    run = with_binding(stage_runs["dev"], binding)
    violations = check(run)
    assert found(violations) == [("no-secret-looking-plain-text", "WorkersScript/api")]
    assert LIVE not in violations[0]["message"]
    config, _ = stack_config("dev")
    assert analyzer(run, config, deploy_environment("dev")) == [("no-secret-looking-plain-text", "WorkersScript/api")]
