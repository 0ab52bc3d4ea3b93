"""One credential-free run of the real program for a stack, shared by every view of the plan.

The plan, the inventory and the secret-age check all start here, so each of them shows what the
program registers and exports, and none of them describes the resources a second time.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from components.infisical_side.project_stack import ProjectStack
from components.program import run as program
from components.rules.naming import PREVIEW_LABEL, PREVIEW_STACK, is_preview_stage, is_valid_stage
from components.rules.rotation import ROTATION_DATE_ENV
from components.rules.stage_layout import PROJECT_ROOT
from components.secrets.deploy_inputs import DeployEnvironment
from components.stage import Stage
from plan.engine import ProgramRun, run_program
from plan.stack_files import PR_TEMPLATE, file_config, project_name, stack_config


@dataclass(frozen=True)
class PlanRun:
    run: ProgramRun
    stage: Stage | ProjectStack
    label: str
    """How the stage is named to people: the stack name, or ``pr-<number>`` for the preview stages."""


def plan_run(stack: str, variables: Mapping[str, str] | None = None) -> PlanRun:
    """Run the program for ``stack`` from its committed ``Pulumi.<stack>.yaml`` under the mock engine.

    ``variables`` stand in for the deploy environment (none: every secret shows as not provided).
    Raises :class:`components.config.StageConfigError` for an invalid or missing config.
    """
    config, secret_keys = stack_config(stack)
    return run_stack(stack, config, secret_keys, variables=variables)


def preview_plan_run(variables: Mapping[str, str] | None = None) -> PlanRun:
    """A pull request's stage, made the way ``pr-stage.yml`` makes it: from the committed template."""
    config, secret_keys = file_config(PROJECT_ROOT / PR_TEMPLATE)
    return run_stack(PREVIEW_STACK, config, secret_keys, label=PREVIEW_LABEL, variables=variables)


def committed_stages(root: Path = PROJECT_ROOT) -> list[str]:
    """The stages with a committed ``Pulumi.<stage>.yaml``, long-lived ones first (dev, staging, prod).

    A ``Pulumi.pr-<number>.yaml`` is never committed (CI's copy of the template, gitignored): not one of them.
    """
    order = {"dev": 0, "staging": 1, "prod": 2}
    found = (p.name.removeprefix("Pulumi.").removesuffix(".yaml") for p in root.glob("Pulumi.*.yaml"))
    committed = (s for s in found if is_valid_stage(s) and not is_preview_stage(s))
    return sorted(committed, key=lambda s: (order.get(s, 3), s))


def run_stack(
    stack: str,
    config: dict[str, str],
    secret_keys: list[str],
    *,
    label: str | None = None,
    variables: Mapping[str, str] | None = None,
) -> PlanRun:
    """Run the program as ``stack`` with ``config`` (the CLI's fully qualified form) under the mock engine."""
    stages: list[Stage | ProjectStack] = []
    # The plan rotates on the same "today" as a deploy would: ROTATION_DATE when CI pins it.
    pinned = {ROTATION_DATE_ENV: os.environ[ROTATION_DATE_ENV]} if os.environ.get(ROTATION_DATE_ENV) else {}
    environment = DeployEnvironment({**pinned, **(variables or {})}, allow_missing=True)
    run = run_program(
        lambda: stages.append(program(environment)),
        project=project_name(),
        stack=stack,
        config=config,
        secret_keys=secret_keys,
    )
    return PlanRun(run, stages[0], label or stack)
