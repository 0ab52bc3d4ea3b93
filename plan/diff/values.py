"""Which inputs changed, path by path, with secrets only ever shown as changed."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

from plan.diff.model import SECRET_CHANGED

_VALUE_WIDTH = 60


def _is_secret(value: Any) -> bool:
    return isinstance(value, str) and value.startswith("[secret")


def show(value: Any) -> str:
    if value is None:
        return "(none)"
    text = json.dumps(value, sort_keys=True)
    return text if len(text) <= _VALUE_WIDTH else text[: _VALUE_WIDTH - 1] + "…"


_KEYS = ("name", "binding")
"""What names an item of a list: a script binding's ``name``, a wrangler config entry's ``binding``."""


def _keyed(items: list[Any]) -> dict[str, Any] | None:
    """Lists of named things (bindings) compare by name, so one new binding is one path, not a shift."""
    for key in _KEYS:
        if items and all(isinstance(i, dict) and isinstance(i.get(key), str) for i in items):
            keyed = {i[key]: i for i in items}
            return keyed if len(keyed) == len(items) else None
    return None


def changed_paths(before: Any, after: Any, prefix: str = "") -> Iterator[tuple[str, str]]:
    """(path, what changed) for every differing leaf; secrets only ever as ``[secret] changed``."""
    if before == after:
        return
    if isinstance(before, dict) and isinstance(after, dict):
        for key in sorted(set(before) | set(after)):
            yield from changed_paths(before.get(key), after.get(key), f"{prefix}.{key}" if prefix else key)
        return
    if isinstance(before, list) and isinstance(after, list):
        old, new = _keyed(before), _keyed(after)
        if old is not None and new is not None:
            for key in sorted(set(old) | set(new)):
                path = f"{prefix}[{key}]"
                if key not in old:
                    yield (
                        path,
                        f"added ({_kind(new[key])})" if _contains_secret(new[key]) else f"added: {show(new[key])}",
                    )
                elif key not in new:
                    yield path, f"removed ({_kind(old[key])})"
                else:
                    yield from changed_paths(old[key], new[key], path)
            return
    if _is_secret(before) or _is_secret(after) or _contains_secret(before) or _contains_secret(after):
        yield prefix, SECRET_CHANGED
    else:
        yield prefix, f"{show(before)} → {show(after)}"


def _kind(item: dict[str, Any]) -> str:
    """What a named item is, without its value: ``secret_text, value never shown``."""
    kind = item.get("type")
    secret = ", value never shown" if _contains_secret(item) else ""
    return f"{kind}{secret}" if kind else secret.removeprefix(", ")


def _contains_secret(value: Any) -> bool:
    if isinstance(value, dict):
        return any(_contains_secret(v) for v in value.values())
    if isinstance(value, list):
        return any(_contains_secret(v) for v in value)
    return _is_secret(value)


def top(path: str) -> str:
    return path.split(".", 1)[0].split("[", 1)[0]


def inputs(resource: dict[str, Any]) -> dict[str, Any]:
    return dict(resource.get("inputs") or {})
