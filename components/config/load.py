"""Turn the stack's Pulumi config into a checked :class:`StageConfig`, or say every way it is wrong.

Problems are reported as ``<namespace>:<path>: <what to do>`` — the same path syntax
``pulumi config set --path`` takes — through :class:`StageConfigError`, a ``pulumi.RunError``, which
the Pulumi CLI prints without a traceback. Messages name keys and paths, never config values.
"""

from __future__ import annotations

import types
import typing
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pulumi
import pulumi.runtime.config as runtime_config
from pydantic import BaseModel, ValidationError
from pydantic.fields import FieldInfo

from components.config import checks, fields
from components.config.bindings import BINDING_TYPES
from components.config.fields import Loc
from components.config.models import SECRET_OWNERS
from components.config.stage_config import StageConfig
from components.rules.naming import is_valid_stage
from components.rules.stack_values import namespace_values
from components.rules.stage_layout import PROJECT_ROOT


class StageConfigError(pulumi.RunError):
    """The stage's config is invalid. ``problems`` holds (config path, message) pairs."""

    def __init__(self, problems: list[tuple[str, str]]) -> None:
        self.problems = problems
        lines = "\n".join(f"  - {path}: {message}" for path, message in problems)
        noun = "problem" if len(problems) == 1 else "problems"
        super().__init__(f"the stage config has {len(problems)} {noun}:\n{lines}")


def project_config(project: str) -> dict[str, Any]:
    """Every ``<project>:<key>`` of the running stack, structured values decoded from their JSON form."""
    return namespace_values({**runtime_config.get_config_env(), **runtime_config.CONFIG.get()}, project)


def parse_stage_config(
    raw: Mapping[str, Any], *, stage: str, namespace: str, project_root: Path = PROJECT_ROOT
) -> StageConfig:
    """Validate ``raw`` (the namespace's keys, camelCase) for ``stage``; raise StageConfigError."""
    problems: list[tuple[str, str]] = []
    if not is_valid_stage(stage):
        problems.append(
            (
                "stack",
                f"the stack name {stage!r} is not a stage; name the stack dev, staging, prod or pr-<number> "
                "(e.g. `pulumi stack select staging`)",
            )
        )
    if "stage" in raw:
        problems.append((f"{namespace}:stage", "remove this key: the stage is the stack name"))
    data = {key: value for key, value in raw.items() if key != "stage"}
    data["stage"] = stage if is_valid_stage(stage) else "dev"
    try:
        config = StageConfig.model_validate(data)
    except ValidationError as error:
        problems.extend(describe_problems(error, namespace))
        raise StageConfigError(problems) from None
    # Cross-field checks read the checked model, so they run once every field is valid.
    problems.extend(
        (f"{namespace}:{config_path(loc)}", message) for loc, message in checks.problems(config, project_root)
    )
    if problems:
        raise StageConfigError(problems)
    return config


def load_stage_config() -> StageConfig:
    """The running stack's stage config (inside a Pulumi program, real or mocked)."""
    project = pulumi.get_project()
    return parse_stage_config(project_config(project), stage=pulumi.get_stack(), namespace=project)


def config_path(loc: Loc) -> str:
    """Render one pydantic location as a config path, dropping union tags that are not keys in YAML."""
    parts: list[str] = []
    for index, part in enumerate(loc):
        parent = loc[index - 2] if index >= 2 else None
        if parent in ("bindings", "secrets") and part in (*BINDING_TYPES, *SECRET_OWNERS):
            continue
        parts.append(f"[{part}]" if isinstance(part, int) else str(part))
    return ".".join(parts).replace(".[", "[")


def describe_problems(
    error: ValidationError, namespace: str, root: type[BaseModel] = StageConfig
) -> list[tuple[str, str]]:
    """(config path, message) for each error of validating ``root`` (the stage's, or another stack's model)."""
    described = []
    for detail in error.errors(include_url=False, include_input=False):
        loc = tuple(detail["loc"])
        path = f"{namespace}:{config_path(loc)}" if loc else f"{namespace}"
        described.append((path, _message(detail["type"], loc, detail["msg"], detail.get("ctx") or {}, root)))
    return described


def _message(kind: str, loc: tuple[Any, ...], fallback: str, context: dict[str, Any], root: type[BaseModel]) -> str:
    if kind == "extra_forbidden":
        allowed = _allowed_keys(root, loc[:-1])
        hint = f"; allowed keys here: {', '.join(allowed)}" if allowed else ""
        return f"unknown key {loc[-1]!r}{hint}"
    if kind == "missing":
        return "this key is required"
    if kind == "value_error":  # a validator's own message (a cron field out of range), without pydantic's prefix
        return fallback.removeprefix("Value error, ")
    if kind == "string_pattern_mismatch":
        described = _PATTERN_DESCRIPTIONS.get(str(context.get("pattern")))
        field = _field_at(root, loc)
        described = described or (field.description if field is not None else None)
        if described:
            return f"invalid value: expected {described[0].lower()}{described[1:].rstrip('.')}"
    return fallback


def _pattern_descriptions() -> dict[str, str]:
    """Pattern → description, from every constrained string type :mod:`components.config.fields` declares."""
    described = {}
    for alias in vars(fields).values():
        if typing.get_origin(alias) is not typing.Annotated:
            continue
        for info in typing.get_args(alias)[1:]:
            patterns = [getattr(m, "pattern", None) for m in getattr(info, "metadata", [])]
            for pattern in filter(None, patterns):
                described[str(pattern)] = str(info.description)
    return described


_PATTERN_DESCRIPTIONS = _pattern_descriptions()


def _allowed_keys(root: type[BaseModel], loc: tuple[Any, ...]) -> list[str]:
    model = _type_at(root, loc)
    if isinstance(model, type) and issubclass(model, BaseModel):
        return sorted(field.alias or name for name, field in model.model_fields.items() if name != "stage")
    return []


def _field_at(root: type[BaseModel], loc: tuple[Any, ...]) -> FieldInfo | None:
    owner = _type_at(root, loc[:-1])
    if isinstance(owner, type) and issubclass(owner, BaseModel):
        for name, field in owner.model_fields.items():
            if loc[-1] in (name, field.alias):
                return field
    # Annotated constraints on dict keys/values and list items carry the description too.
    return None


def _type_at(root: Any, loc: tuple[Any, ...]) -> Any:
    """Follow a pydantic error location through models, dicts, lists and tagged unions."""
    current = root
    for part in loc:
        current = _unwrap(current)
        if isinstance(current, type) and issubclass(current, BaseModel):
            match = [f for n, f in current.model_fields.items() if part in (n, f.alias)]
            if not match:
                return None
            current = match[0].annotation
            continue
        origin = typing.get_origin(current)
        args = typing.get_args(current)
        if origin is dict:
            current = args[1]
        elif origin is list:
            current = args[0]
        elif origin in (typing.Union, types.UnionType):
            current = next((a for a in args if _tag(a) == part), None)
        else:
            return None
    return _unwrap(current)


def _unwrap(annotation: Any) -> Any:
    while typing.get_origin(annotation) is typing.Annotated:
        annotation = typing.get_args(annotation)[0]
    args = [a for a in typing.get_args(annotation) if a is not type(None)]
    if typing.get_origin(annotation) in (typing.Union, types.UnionType) and len(args) == 1:
        return _unwrap(args[0])
    return annotation


def _tag(model: Any) -> Any:
    if isinstance(model, type) and issubclass(model, BaseModel):
        for key in ("type", "owner"):
            field = model.model_fields.get(key)
            if field is not None:
                return typing.get_args(field.annotation)[0]
    return None
