"""The plan's policy section: the policy pack's rules (:mod:`policy.rules`) over a recorded program run.

The same rule functions run inside ``pulumi preview --policy-pack policy``; here they see the
registrations the mock engine recorded, secrets still in their envelopes, so secretness and
``retain_on_delete`` are checked exactly. See :mod:`policy.rules` for what each path can and cannot see.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from components.config import StageConfig
from plan.engine import ProgramRun
from policy import rules


def settings_for(
    run: ProgramRun,
    config: StageConfig | None,
    *,
    environment: Mapping[str, str] | None = None,
    pack_config: Mapping[str, Any] | None = None,
) -> rules.PolicySettings:
    """The rules' settings from the checked stage config (or, without one, the run's ``app`` output)."""
    if config is not None:
        raw: dict[str, Any] = config.model_dump(by_alias=True, mode="json")
    else:
        app = run.outputs.get("app")
        raw = {"app": app.value} if app is not None and isinstance(app.value, str) else {}
    return rules.settings_from_stage_config(raw, run.stack, pack_config=pack_config, environment=environment)


def check(
    run: ProgramRun,
    config: StageConfig | None,
    *,
    environment: Mapping[str, str] | None = None,
    pack_config: Mapping[str, Any] | None = None,
) -> list[dict[str, Any]]:
    """Every violation as ``{"rule", "resource", "message", "enforcement"}``, the plan's ``policy`` entries.

    ``config`` supplies the app name, each worker's ``publicVars`` and the side-effecting secrets; without it
    no plain var is allow-listed. ``environment`` (the deploy environment, absent in the credential-free
    plan) lets the side-effect rule compare bound values with the real variables' values.
    """
    settings = settings_for(run, config, environment=environment, pack_config=pack_config)
    resources = [rules.from_registration(registration, run.stack) for registration in run.registrations]
    return [violation.as_dict() for violation in rules.evaluate(resources, run.stack, settings)]
