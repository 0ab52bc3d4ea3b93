"""Pulumi hands structured config (objects, lists) to programs as JSON text.

One decoder for the program's loader and the tests, on the standard library only.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any


def decode(value: Any) -> Any:
    """A config value as the program means it: JSON text for objects and lists, anything else as is."""
    if isinstance(value, str) and value[:1] in ("{", "["):
        try:
            return json.loads(value)
        except json.JSONDecodeError:
            return value
    return value


def namespace_values(config: Mapping[str, Any], namespace: str) -> dict[str, Any]:
    """The keys of one namespace (``<namespace>:<key>``), without the prefix, decoded."""
    prefix = f"{namespace}:"
    return {key[len(prefix) :]: decode(value) for key, value in config.items() if key.startswith(prefix)}
