"""The committed stages' configs, checked, for the stack that acts for every stage (the project stack).

The project stack mints each stage's Cloudflare sync token in that stage's account, on that stage's
rotation period, so it reads the stage's own ``Pulumi.<stage>.yaml``: the one declaration of the account,
the period and whether the stage syncs at all. A problem in a stage file is reported at its file and path.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from components.config.load import StageConfigError, parse_stage_config
from components.config.stage_config import StageConfig
from components.rules.naming import PR_TEMPLATE, PREVIEW_LABEL, PREVIEW_STACK
from components.rules.stack_file import StackFileError
from components.rules.stage_layout import PROJECT_ROOT, read_values


def committed_stage_config(stage: str, namespace: str, root: Path = PROJECT_ROOT) -> StageConfig:
    """``Pulumi.<stage>.yaml`` under ``root`` (``pr-<number>``: the pr stages' template), checked; StageConfigError
    names the file with every problem."""
    path = root / (PR_TEMPLATE if stage == PREVIEW_LABEL else f"Pulumi.{stage}.yaml")
    try:
        values = read_values(path)
    except StackFileError as error:
        raise StageConfigError([(error.where, error.message)]) from None
    checked_as = PREVIEW_STACK if stage == PREVIEW_LABEL else stage
    try:
        return parse_stage_config(values, stage=checked_as, namespace=namespace, project_root=root)
    except StageConfigError as error:
        raise StageConfigError([(f"{path.name}: {where}", message) for where, message in error.problems]) from None


def committed_stage_configs(stages: Iterable[str], namespace: str, root: Path = PROJECT_ROOT) -> dict[str, StageConfig]:
    """Every named stage's committed config and the pr stages' template (as ``pr-<number>``), checked (all problems
    of all files at once). A stage without a file yet is left out: it cannot deploy before it has one."""
    configs: dict[str, StageConfig] = {}
    problems: list[tuple[str, str]] = []
    files = {stage: f"Pulumi.{stage}.yaml" for stage in stages}
    for stage, name in {**files, PREVIEW_LABEL: PR_TEMPLATE}.items():
        if not (root / name).is_file():
            continue
        try:
            configs[stage] = committed_stage_config(stage, namespace, root)
        except StageConfigError as error:
            problems += error.problems
    if problems:
        raise StageConfigError(problems)
    return configs
