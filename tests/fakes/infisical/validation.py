"""Just enough of zod to answer like Infisical: 422 ``ValidationFailure`` with an issue array.

Unknown keys are stripped (zod's default), missing required keys are ``invalid_type``/``Required``, and
rule failures are ``custom`` issues with a message. The message never repeats the rejected value, as zod's
own messages do not. A rule may transform the value first (zod's ``.trim()``, ``.toLowerCase()``); the
handler then sees, and stores, the transformed value.
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
SLUGIFIED = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
UUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$", re.IGNORECASE)
MISSING: Any = object()


@dataclass(frozen=True)
class Rule:
    kind: str
    required: bool = True
    default: Any = MISSING
    check: Check | None = None
    nullable: bool = False
    fields: Mapping[str, Rule] = field(default_factory=dict)
    transform: Callable[[Any], Any] | None = None


def opt(
    kind: str,
    default: Any = MISSING,
    check: Check | None = None,
    nullable: bool = False,
    transform: Callable[[Any], Any] | None = None,
) -> Rule:
    return Rule(kind, required=False, default=default, check=check, nullable=nullable, transform=transform)


def req(kind: str, check: Check | None = None, transform: Callable[[Any], Any] | None = None) -> Rule:
    return Rule(kind, check=check, transform=transform)


def trim(value: Any) -> Any:
    """zod's ``.trim()``."""
    return value.strip()


def slug_schema(
    max_len: int = 32, field_name: str = "Slug", *, required: bool = True, also: Check | None = None
) -> Rule:
    """``slugSchema`` (backend/src/server/lib/schemas.ts): lower-cased and trimmed, then 1..max characters
    and ``slugify(v) === v``, so only lowercase letters, digits and single inner hyphens pass (no ``_``)."""

    def check(value: Any) -> str | None:
        if not value:
            return f"{field_name} field must be at least 1 character"
        if len(value) > max_len:
            return f"{field_name} field must be at most {max_len} characters"
        if not SLUGIFIED.fullmatch(value):
            return f"{field_name} field can only contain lowercase letters, numbers, and hyphens"
        return also(value) if also else None

    def lower_trim(value: Any) -> Any:
        return value.lower().strip()

    return Rule("string", required=required, check=check, transform=lower_trim)


def uuid_param(name: str, value: str) -> None:
    """422 as zod's ``z.string().uuid()`` on a route parameter answers a value that is not a uuid."""
    if not UUID.fullmatch(value):
        raise ApiError(
            422,
            [{"code": "invalid_string", "validation": "uuid", "path": [name], "message": "Invalid uuid"}],
            "ValidationFailure",
        )


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
        if rule.transform is not None:
            value = rule.transform(value)
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
