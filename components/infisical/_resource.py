"""What every Infisical resource class does at construction: secret inputs and declared outputs.

Secret inputs are wrapped with `pulumi.Output.secret` so they are encrypted in state from the very first
deployment, and their names go into ``additional_secret_outputs`` (merged with the caller's options) so the
values the provider reports back are secret too.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from typing import Any

import pulumi


def resource_props(args: Any, *, secrets: Sequence[str] = (), outputs: Sequence[str] = ()) -> dict[str, Any]:
    """The property bag for a dynamic resource: the Args dataclass fields plus computed outputs as None."""
    if not dataclasses.is_dataclass(args) or isinstance(args, type):
        raise TypeError(f"expected an Args dataclass instance, got {type(args).__name__}")
    props: dict[str, Any] = {field.name: getattr(args, field.name) for field in dataclasses.fields(args)}
    for name in secrets:
        if props.get(name) is not None:
            props[name] = pulumi.Output.secret(props[name])
    for name in outputs:
        props.setdefault(name, None)
    return props


def secret_options(opts: pulumi.ResourceOptions | None, secrets: Sequence[str]) -> pulumi.ResourceOptions:
    """The caller's options with ``secrets`` added to ``additional_secret_outputs`` (no duplicates)."""
    merged = pulumi.ResourceOptions.merge(opts, pulumi.ResourceOptions(additional_secret_outputs=list(secrets)))
    merged.additional_secret_outputs = list(dict.fromkeys(merged.additional_secret_outputs or []))
    return merged
