"""Read ``Pulumi.yaml`` and ``Pulumi.<stage>.yaml`` the way the Pulumi CLI hands them to a program.

Structured values (objects, lists) become JSON text, exactly as the CLI passes config to the
language host, so the program under the mock engine sees what it sees under ``pulumi up``.
Duplicate keys are an error here (a plain YAML load would silently keep the last one).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import yaml

from components.config.load import StageConfigError
from components.rules.stage_layout import PROJECT_ROOT


class _StrictLoader(yaml.SafeLoader):
    """Refuses duplicate mapping keys, naming the key and line."""


def _construct_mapping(loader: _StrictLoader, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
    seen: set[Any] = set()
    for key_node, _ in node.value:
        key = loader.construct_object(key_node, deep=deep)
        if key in seen:
            raise yaml.constructor.ConstructorError(
                None,
                None,
                f"duplicate key {key!r} (line {key_node.start_mark.line + 1})",
                key_node.start_mark,
            )
        seen.add(key)
    return loader.construct_mapping(node, deep=deep)


_StrictLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)


def project_name(root: Path = PROJECT_ROOT) -> str:
    document = _load(root / "Pulumi.yaml")
    return str(document["name"])


def stack_config(stage: str, root: Path = PROJECT_ROOT) -> tuple[dict[str, str], list[str]]:
    """The stack's config as ``{"<namespace>:<key>": str}`` plus the keys holding secrets."""
    path = root / f"Pulumi.{stage}.yaml"
    if not path.is_file():
        known = sorted(p.name.removeprefix("Pulumi.").removesuffix(".yaml") for p in root.glob("Pulumi.*.yaml"))
        raise StageConfigError(
            [(path.name, f"no config file for stage {stage!r} (stacks with config here: {', '.join(known)})")]
        )
    document = _load(path) or {}
    values = document.get("config") or {}
    config: dict[str, str] = {}
    secret_keys: list[str] = []
    for key, value in values.items():
        if isinstance(value, dict) and "secure" in value and len(value) == 1:
            secret_keys.append(key)  # encrypted: the plan has no key to decrypt it, and needs none
            continue
        config[key] = value if isinstance(value, str) else json.dumps(value)
    return config, secret_keys


def _load(path: Path) -> Any:
    try:
        return yaml.load(path.read_text(), Loader=_StrictLoader)  # noqa: S506 (a SafeLoader subclass)
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None) or getattr(error, "context_mark", None)
        where = f"{path.name}:{mark.line + 1}" if mark else path.name
        problem = getattr(error, "problem", None) or getattr(error, "context", None) or "invalid YAML"
        raise StageConfigError([(where, str(problem))]) from None
