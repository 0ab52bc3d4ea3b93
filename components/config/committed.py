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
from components.rules.stage_layout import PROJECT_ROOT, read_values


def committed_stage_config(stage: str, namespace: str, root: Path = PROJECT_ROOT) -> StageConfig:
    """``Pulumi.<stage>.yaml`` under ``root``, checked; StageConfigError names the file with every problem."""
    path = root / f"Pulumi.{stage}.yaml"
    values = read_values(path) if path.is_file() else None
    if values is None:
        raise StageConfigError([(path.name, f"stage {stage!r} has no readable config file")])
    try:
        return parse_stage_config(values, stage=stage, namespace=namespace, project_root=root)
    except StageConfigError as error:
        raise StageConfigError([(f"{path.name}: {where}", message) for where, message in error.problems]) from None


def committed_stage_configs(stages: Iterable[str], namespace: str, root: Path = PROJECT_ROOT) -> dict[str, StageConfig]:
    """Every named stage's committed config, checked (all problems of all files at once). A stage without a
    file yet is left out: it cannot deploy before it has one."""
    configs: dict[str, StageConfig] = {}
    problems: list[tuple[str, str]] = []
    for stage in stages:
        if not (root / f"Pulumi.{stage}.yaml").is_file():
            continue
        try:
            configs[stage] = committed_stage_config(stage, namespace, root)
        except StageConfigError as error:
            problems += error.problems
    if problems:
        raise StageConfigError(problems)
    return configs
