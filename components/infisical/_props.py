"""Property bags exactly as the Pulumi engine hands them to a dynamic provider.

The engine's bags are not plain inputs: they carry the pickled provider under ``__provider``, secret values
may arrive wrapped in Pulumi's secret envelope (``{"4dabf…": "1b47…", "value": …}``), numbers arrive as
floats (protobuf has no integers), absent values are missing keys rather than None, and during a preview
``check``/``diff`` see `pulumi.output.Unknown` for values that are not computed yet. Providers pass every
bag through these helpers before looking at it.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pulumi.output import Unknown
from pulumi.runtime import rpc

PROVIDER_KEY = "__provider"


def is_unknown(value: Any) -> bool:
    return isinstance(value, Unknown) or (isinstance(value, str) and value == rpc.UNKNOWN)


def contains_unknown(value: Any) -> bool:
    if is_unknown(value):
        return True
    if isinstance(value, Mapping):
        return any(contains_unknown(item) for item in value.values())
    if isinstance(value, (list, tuple)):
        return any(contains_unknown(item) for item in value)
    return False


def is_secret(value: Any) -> bool:
    return rpc.is_rpc_secret(value)


def unwrap(value: Any) -> Any:
    """The value with every secret envelope removed, at any depth."""
    value = rpc.unwrap_rpc_secret(value)
    if isinstance(value, Mapping):
        return {key: unwrap(item) for key, item in value.items()}
    if isinstance(value, list):
        return [unwrap(item) for item in value]
    return value


def wrap_secret(value: Any) -> Any:
    """Mark an output as secret on the wire, so secretness survives even a refresh or an import."""
    return value if value is None or is_unknown(value) else rpc.wrap_rpc_secret(value)


def plain(props: Mapping[str, Any] | None) -> dict[str, Any]:
    """The user-visible properties: no ``__provider``, no secret envelopes, no None values."""
    return {key: unwrap(value) for key, value in (props or {}).items() if key != PROVIDER_KEY and value is not None}
