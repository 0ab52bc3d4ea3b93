"""The recorded exchanges, and how an answer of the fake is held against the recorded one.

An answer matches when it has the same status, the same error name and message (ids, times and random
name parts written as the recording's placeholders), and the same keys all the way down, each value of
the same JSON kind (a string where the recording has a string, ``null`` where it has ``null``).
``reqId`` is the one key the recorder dropped from every error answer; it is not compared.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

CALLS = Path(__file__).with_name("calls.jsonl")
UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}", re.IGNORECASE)
DROPPED_BY_RECORDER = frozenset({"reqId"})


@dataclass(frozen=True)
class Exchange:
    index: int
    method: str
    path: str
    """With placeholders, e.g. ``/api/v1/projects/<uuid>``; a query string when the request had one."""
    request: Any
    status: int
    response: Any

    @property
    def ok(self) -> bool:
        return 200 <= self.status < 300

    @property
    def route(self) -> str:
        return self.path.split("?", 1)[0]

    def __str__(self) -> str:
        return f"{self.index:03d} {self.method} {self.path} -> {self.status}"


def load() -> list[Exchange]:
    lines = CALLS.read_text().splitlines()
    return [Exchange(index=i, **json.loads(line)) for i, line in enumerate(lines)]


def _kind(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, (int, float)):
        return "number"
    if isinstance(value, str):
        return "string"
    return "array" if isinstance(value, list) else "object"


def shape_differences(recorded: Any, actual: Any, where: str = "$") -> list[str]:
    """Where ``actual`` has other keys, other list lengths or other kinds of values than ``recorded``."""
    if _kind(recorded) != _kind(actual):
        return [f"{where}: {_kind(actual)} where the server answered {_kind(recorded)}"]
    if isinstance(recorded, Mapping):
        found = set(actual) - (DROPPED_BY_RECORDER if where == "$" else set())
        differences = [f"{where}: missing key {key!r}" for key in sorted(set(recorded) - found)]
        differences += [f"{where}: extra key {key!r}" for key in sorted(found - set(recorded))]
        for key in sorted(set(recorded) & found):
            differences += shape_differences(recorded[key], actual[key], f"{where}.{key}")
        return differences
    if isinstance(recorded, list):
        if len(recorded) != len(actual):
            return [f"{where}: {len(actual)} items where the server answered {len(recorded)}"]
        return [
            d
            for i, (r, a) in enumerate(zip(recorded, actual, strict=True))
            for d in shape_differences(r, a, f"{where}[{i}]")
        ]
    return []


def as_recorded(value: Any, names: Mapping[str, str]) -> Any:
    """``value`` written the way the recorder wrote it: uuids as ``<uuid>``, our random parts as ``<rand>``."""
    if isinstance(value, str):
        text = UUID.sub("<uuid>", value)
        for concrete, placeholder in names.items():
            text = text.replace(concrete, placeholder)
        return text
    if isinstance(value, list):
        return [as_recorded(item, names) for item in value]
    if isinstance(value, Mapping):
        return {key: as_recorded(item, names) for key, item in value.items()}
    return value


def differences(exchange: Exchange, status: int, body: Any, names: Mapping[str, str]) -> list[str]:
    """Everything in the fake's answer (``status``, ``body``) that is not what the server answered."""
    if status != exchange.status:
        detail = json.dumps(body)[:300] if body is not None else "no body"
        return [f"status {status} where the server answered {exchange.status} ({detail})"]
    if not exchange.ok and isinstance(exchange.response, Mapping):
        found = body if isinstance(body, Mapping) else {}
        problems = []
        for key in ("error", "message", "statusCode"):
            expected, actual = exchange.response.get(key), as_recorded(found.get(key), names)
            if actual != expected:
                problems.append(
                    f"{key} {json.dumps(actual)[:400]} where the server answered {json.dumps(expected)[:400]}"
                )
        return problems + shape_differences(exchange.response, body)
    return shape_differences(exchange.response, body)
