"""Shared fixtures: run the real program under the recording mock engine, with canary secrets.

``pulumi_cloudflare`` is imported once per test process (about 3 s); everything else is quick.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator, Mapping
from typing import Any

import pytest

from components.config import StageConfig, StageConfigError, parse_stage_config
from components.program import run as program
from components.rules.stack_values import namespace_values
from components.secrets.deploy_inputs import CLOUDFLARE_TOKEN_ENV, DeployEnvironment, required_variables
from plan.engine import ProgramRun, run_program
from plan.stack_files import project_name, stack_config
from tests.quiet import ASYNCIO, StrayAsyncioErrors, describe

pytest_plugins = [
    "tests.policy_tools",  # the policy pack's `analyzer` fixture
    "tests.workflow_tools",  # one fixture per workflow file
]

PROJECT = project_name()
STAGES = ("dev", "staging", "prod")


def raw_config(stage: str) -> dict[str, Any]:
    """The committed ``Pulumi.<stage>.yaml`` project keys, decoded (safe to mutate: a deep copy)."""
    config, _ = stack_config(stage)
    return namespace_values(config, PROJECT)  # freshly decoded: safe to mutate


def encode(raw: Mapping[str, Any], extra: Mapping[str, str] | None = None) -> dict[str, str]:
    """Back to the fully qualified, JSON-encoded form the Pulumi CLI hands a program."""
    encoded = {f"{PROJECT}:{k}": v if isinstance(v, str) else json.dumps(v) for k, v in raw.items()}
    return {**encoded, **(extra or {})}


def checked_config(stage: str) -> StageConfig:
    """The committed stage config, validated."""
    return parse_stage_config(raw_config(stage), stage=stage, namespace=PROJECT)


def config_problems(raw: dict[str, Any], stage: str = "staging") -> dict[str, str]:
    """Every problem the config check finds in ``raw`` (which must have one), by config path."""
    with pytest.raises(StageConfigError) as caught:
        parse_stage_config(raw, stage=stage, namespace=PROJECT)
    return dict(caught.value.problems)


def injected_variables(config: StageConfig) -> list[str]:
    """Every environment variable a deploy of the stage reads secrets from (besides the Cloudflare token)."""
    return sorted(required_variables(config))


def full_environment(stage: str, raw: Mapping[str, Any], value: Callable[[str], str]) -> dict[str, str]:
    config = parse_stage_config(raw, stage=stage, namespace=PROJECT)
    return {
        CLOUDFLARE_TOKEN_ENV: value(CLOUDFLARE_TOKEN_ENV),
        **{v: value(v) for v in injected_variables(config)},
    }


def run_stage(
    stage: str,
    raw: Mapping[str, Any] | None = None,
    *,
    environment: Mapping[str, str] | None = None,
    allow_missing: bool = False,
    extra_config: Mapping[str, str] | None = None,
    secret_keys: list[str] | None = None,
    **kwargs: Any,
) -> ProgramRun:
    """Run the program for ``stage`` with its committed config (or ``raw``) under the recording mocks.

    Without ``environment``, every injected secret and the Cloudflare token get a dummy value.
    """
    raw = raw if raw is not None else raw_config(stage)
    if environment is None:
        environment = full_environment(stage, raw, lambda name: f"dummy-{name.lower()}")
    env = DeployEnvironment(dict(environment), allow_missing=allow_missing)
    return run_program(
        lambda: program(env),
        project=PROJECT,
        stack=stage,
        config=encode(raw, extra_config),
        secret_keys=secret_keys,
        **kwargs,
    )


@pytest.fixture(scope="session")
def stage_runs() -> dict[str, ProgramRun]:
    """One run per committed stage (read-only: tests must not mutate these)."""
    return {stage: run_stage(stage) for stage in STAGES}


@pytest.fixture
def staging_raw() -> dict[str, Any]:
    return raw_config("staging")


@pytest.fixture(scope="session", autouse=True)
def _stray_asyncio_errors() -> Iterator[StrayAsyncioErrors]:
    handler = StrayAsyncioErrors()
    ASYNCIO.addHandler(handler)
    yield handler
    ASYNCIO.removeHandler(handler)
    leftover = handler.collected()
    if leftover:
        pytest.fail(describe(leftover), pytrace=False)


@pytest.fixture(autouse=True)
def _no_stray_asyncio_error(_stray_asyncio_errors: StrayAsyncioErrors) -> Iterator[None]:
    """Fails the test during which asyncio reported an error nobody retrieved (see tests/quiet.py)."""
    yield
    reports = _stray_asyncio_errors.take()
    if reports:
        pytest.fail(describe(reports), pytrace=False)
