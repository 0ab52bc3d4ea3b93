"""Canaries: unique values planted on every secret path, and the mocks and scans that look for them.

A test that finds a canary outside a secret envelope proves a wrapping in the program is missing.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from plan.engine import PlanMocks, ProgramRun, mocks, secret
from plan.model import is_secret
from tests.conftest import full_environment, raw_config, run_stage

ROOT = Path(__file__).resolve().parents[1]


def canary(name: str) -> str:
    return f"CANARY-{name}-7f3e9a"


class CanaryMocks(PlanMocks):
    """Generated passwords come back as canaries (wrapped as secrets, as the real engine does)."""

    def new_resource(self, args: mocks.MockResourceArgs) -> tuple[str | None, dict[str, Any]]:
        ident, state = super().new_resource(args)
        if args.typ.endswith("RandomPassword"):
            state["result"] = secret(canary(f"generated-{args.name}"))
        if args.typ.endswith("AccountToken"):  # a sync token the project stack mints
            state["value"] = secret(canary("sync-token"))
        return ident, state


class PlainPasswordMocks(PlanMocks):
    """A provider that forgot to mark its output secret: our own wrapping must still make it one."""

    def new_resource(self, args: mocks.MockResourceArgs) -> tuple[str | None, dict[str, Any]]:
        ident, state = super().new_resource(args)
        if args.typ.endswith("RandomPassword"):
            state["result"] = canary("generated-plain")
        if args.typ.endswith("AccountToken"):
            state["value"] = canary("sync-token-plain")
        return ident, state


def canary_run(stage: str, **kwargs: Any) -> ProgramRun:
    raw = raw_config(stage)
    environment = full_environment(stage, raw, canary)
    return run_stage(stage, raw, environment=environment, resource_mocks=CanaryMocks(stage), **kwargs)


def plaintext_canaries(value: Any, inside_secret: bool = False) -> Iterator[str]:
    """Canaries found outside any secret envelope."""
    if is_secret(value):
        yield from plaintext_canaries(value.get("value"), inside_secret=True)
    elif isinstance(value, dict):
        for k, v in value.items():
            yield from plaintext_canaries(k, inside_secret)
            yield from plaintext_canaries(v, inside_secret)
    elif isinstance(value, list):
        for v in value:
            yield from plaintext_canaries(v, inside_secret)
    elif isinstance(value, str) and "CANARY-" in value and not inside_secret:
        yield value


def all_canaries(value: Any) -> str:
    return json.dumps(value, default=str)
