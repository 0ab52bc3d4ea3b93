"""Just enough of zod to answer like Infisical: 422 ``ValidationFailure`` with an issue array.

Unknown keys are stripped (zod's default), missing required keys are ``invalid_type``/``Required``, and
rule failures are ``custom`` issues with a message. The message never repeats the rejected value, as zod's
own messages do not.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from .errors import ApiError

Check = Callable[[Any], str | None]
_TYPES: dict[str, type | tuple[type, ...]] = {
    "string": str,
    "number": (int, float),
    "boolean": bool,
    "object": dict,
    "array": list,
}
SLUG = re.compile(r"^[a-z0-9]+(?:[_-][a-z0-9]+)*$")
MISSING: Any = object()


@dataclass(frozen=True)
class Rule:
    kind: str
    required: bool = True
    default: Any = MISSING
    check: Check | None = None
    nullable: bool = False
    fields: Mapping[str, Rule] = field(default_factory=dict)


def opt(kind: str, default: Any = MISSING, check: Check | None = None, nullable: bool = False) -> Rule:
    return Rule(kind, required=False, default=default, check=check, nullable=nullable)


def req(kind: str, check: Check | None = None) -> Rule:
    return Rule(kind, check=check)


def obj(fields: Mapping[str, Rule], required: bool = True) -> Rule:
    return Rule("object", required=required, fields=fields)


def _received(value: Any) -> str:
    for name, kinds in _TYPES.items():
        if isinstance(value, kinds) and not (name == "number" and isinstance(value, bool)):
            return name
    return "null" if value is None else type(value).__name__


def _validate(data: Any, rules: Mapping[str, Rule], path: list[Any], issues: list[dict[str, Any]]) -> dict[str, Any]:
    result: dict[str, Any] = {}
    source = data if isinstance(data, dict) else {}
    for name, rule in rules.items():
        where = [*path, name]
        value = source.get(name, MISSING)
        if value is MISSING or (value is None and not rule.nullable):
            if rule.required and value is MISSING:
                issues.append(
                    {
                        "code": "invalid_type",
                        "expected": rule.kind,
                        "received": "undefined",
                        "path": where,
                        "message": "Required",
                    }
                )
            elif rule.required:
                issues.append(
                    {
                        "code": "invalid_type",
                        "expected": rule.kind,
                        "received": "null",
                        "path": where,
                        "message": f"Expected {rule.kind}, received null",
                    }
                )
            elif rule.default is not MISSING:
                result[name] = rule.default() if callable(rule.default) else rule.default
            continue
        if value is None:
            result[name] = None
            continue
        kinds = _TYPES[rule.kind]
        if not isinstance(value, kinds) or (rule.kind == "number" and isinstance(value, bool)):
            issues.append(
                {
                    "code": "invalid_type",
                    "expected": rule.kind,
                    "received": _received(value),
                    "path": where,
                    "message": f"Expected {rule.kind}, received {_received(value)}",
                }
            )
            continue
        if rule.kind == "object" and rule.fields:
            value = _validate(value, rule.fields, where, issues)
        if rule.check is not None:
            message = rule.check(value)
            if message:
                issues.append({"code": "custom", "path": where, "message": message})
                continue
        result[name] = value
    return result


def validate(data: Any, rules: Mapping[str, Rule]) -> dict[str, Any]:
    issues: list[dict[str, Any]] = []
    if not isinstance(data, dict):
        raise ApiError(
            422,
            [
                {
                    "code": "invalid_type",
                    "expected": "object",
                    "received": _received(data),
                    "path": [],
                    "message": "Expected object",
                }
            ],
            "ValidationFailure",
        )
    result = _validate(data, rules, [], issues)
    if issues:
        raise ApiError(422, issues, "ValidationFailure")
    return result


def length(low: int, high: int) -> Check:
    def check(value: Any) -> str | None:
        if len(value) < low:
            return f"String must contain at least {low} character(s)"
        if len(value) > high:
            return f"String must contain at most {high} character(s)"
        return None

    return check


def slug(low: int = 1, high: int = 64) -> Check:
    def check(value: Any) -> str | None:
        return length(low, high)(value) or (None if SLUG.fullmatch(value) else "Invalid slug")

    return check


def one_of(*choices: str) -> Check:
    def check(value: Any) -> str | None:
        return None if value in choices else f"Invalid enum value. Expected {' | '.join(choices)}"

    return check


def pattern(regex: str, message: str) -> Check:
    compiled = re.compile(regex)

    def check(value: Any) -> str | None:
        return None if compiled.fullmatch(value) else message

    return check


def int_range(low: int, high: int) -> Check:
    def check(value: Any) -> str | None:
        if int(value) != value:
            return "Expected integer, received float"
        return None if low <= value <= high else f"Number must be between {low} and {high}"

    return check
