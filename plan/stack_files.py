"""Read ``Pulumi.yaml`` and ``Pulumi.<stage>.yaml`` the way the Pulumi CLI hands them to a program.

Structured values (objects, lists) become JSON text, exactly as the CLI passes config to the
language host, so the program under the mock engine sees what it sees under ``pulumi up``. The files are
read by :mod:`components.rules.stack_file`, which names the file and line of anything it refuses.

A ``pr-<number>`` stage has no committed file: its stack is made in CI from :data:`PR_TEMPLATE`, the
committed template ``pr-stage.yml`` copies to ``Pulumi.pr-<number>.yaml``, so ``bin/plan pr-123`` plans it
on a clean clone exactly as CI deploys it. A ``Pulumi.pr-<number>.yaml`` that exists (CI's copy) is read
instead, as the Pulumi CLI would.
"""

from __future__ import annotations

import json
from pathlib import Path

from components.config.load import StageConfigError
from components.rules.naming import PR_TEMPLATE, is_preview_stage, is_valid_stage
from components.rules.stack_file import StackFileError, read_config, read_yaml
from components.rules.stage_layout import PROJECT_ROOT

__all__ = ["PR_TEMPLATE", "file_config", "project_name", "stack_config", "stack_file"]


def project_name(root: Path | None = None) -> str:
    path = (root or PROJECT_ROOT) / "Pulumi.yaml"
    try:
        document, _ = read_yaml(path)
    except StackFileError as error:
        raise StageConfigError([(error.where, error.message)]) from None
    if not isinstance(document, dict) or not isinstance(document.get("name"), str):
        raise StageConfigError([(path.name, "the project file needs a name: key")])
    return document["name"]


def stack_file(stage: str, root: Path | None = None) -> Path | None:
    """The file a stage's config comes from: its own ``Pulumi.<stage>.yaml``, else the template of a pr stage."""
    root = root or PROJECT_ROOT
    own = root / f"Pulumi.{stage}.yaml"
    if own.is_file():
        return own
    template = root / PR_TEMPLATE
    return template if is_valid_stage(stage) and is_preview_stage(stage) and template.is_file() else None


def stack_config(stage: str, root: Path | None = None) -> tuple[dict[str, str], list[str]]:
    """The stack's config as ``{"<namespace>:<key>": str}`` plus the keys holding secrets."""
    root = root or PROJECT_ROOT
    path = stack_file(stage, root)
    if path is None:
        known = sorted(
            stack
            for stack in (p.name.removeprefix("Pulumi.").removesuffix(".yaml") for p in root.glob("Pulumi.*.yaml"))
            if "." not in stack
        )
        raise StageConfigError(
            [
                (
                    f"Pulumi.{stage}.yaml",
                    f"no config file for stage {stage!r} (stacks with config here: {', '.join(known)}; "
                    f"pr-<number> stages use {PR_TEMPLATE})",
                )
            ]
        )
    return file_config(path)


def file_config(path: Path) -> tuple[dict[str, str], list[str]]:
    """The config of one stack file (or the pr template) as :func:`stack_config` returns it."""
    try:
        values = read_config(path)
    except StackFileError as error:
        raise StageConfigError([(error.where, error.message)]) from None
    config: dict[str, str] = {}
    secret_keys: list[str] = []
    for key, value in values.items():
        if isinstance(value, dict) and "secure" in value and len(value) == 1:
            secret_keys.append(key)  # encrypted: the plan has no key to decrypt it, and needs none
            continue
        config[key] = value if isinstance(value, str) else json.dumps(value)
    return config, secret_keys
