"""The plan's policy section: the policy pack's rules (:mod:`policy.checks`) over a recorded program run.

The same rule functions run inside ``pulumi preview --policy-pack policy``; here they see the
registrations the mock engine recorded, secrets where the program put them, so secretness and
``retain_on_delete`` are checked exactly. Settings (the app, each worker's allow-lists) come from what the
program registered on its components, as in the pack: see :mod:`policy.settings`.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from plan.engine import ProgramRun
from policy import checks
from policy.resources import from_registration
from policy.settings import PolicySettings, settings_from_resources


def settings_for(
    run: ProgramRun,
    *,
    environment: Mapping[str, str] | None = None,
    pack_config: Mapping[str, Any] | None = None,
) -> PolicySettings:
    """The rules' settings: what the run's components registered, the pack config, the deploy environment."""
    resources = [from_registration(registration, run.stack) for registration in run.registrations]
    return settings_from_resources(resources, run.stack, pack_config=pack_config, environment=environment)


def check(
    run: ProgramRun,
    *,
    environment: Mapping[str, str] | None = None,
    pack_config: Mapping[str, Any] | None = None,
) -> list[dict[str, Any]]:
    """Every violation as ``{"rule", "resource", "message", "enforcement"}``, the plan's ``policy`` entries.

    ``environment`` (the deploy environment, absent in the credential-free plan) lets the side-effect rule
    compare bound values with the real variables' values.
    """
    resources = [from_registration(registration, run.stack) for registration in run.registrations]
    settings = settings_for(run, environment=environment, pack_config=pack_config)
    return [violation.as_dict() for violation in checks.evaluate(resources, run.stack, settings)]
