"""Adopting a live app: the import id of each adopted resource, and the live name it keeps.

An adopted resource is registered with Pulumi's ``import_`` option: the first ``pulumi up`` reads it
into state instead of creating it, and fails (changing nothing) if the program's inputs differ from
what is live. So an adopted resource keeps its live name: the bucket or script name given as its
``adopt`` id, or the ``name`` configured next to it, instead of ``{app}-{stage}-<key>``.

Import id formats come from ``components.cloudflare.replacements`` (the SDK's documented ``pulumi import`` ids).
"""

from __future__ import annotations

import pulumi

from components.cloudflare.replacements import RULES


def import_id(short_type: str, *parts: str) -> str:
    """The import id of one resource: ``parts`` fill the type's ``<a>/<b>`` format, in order."""
    template = RULES[short_type].import_id
    if template is None:
        raise ValueError(f"{short_type} cannot be imported")
    if len(parts) != template.count("/") + 1:
        raise ValueError(f"{short_type} import ids look like {template}, got {len(parts)} parts")
    return "/".join(parts)


def adopted(short_type: str, *parts: str | None) -> pulumi.ResourceOptions:
    """``import_`` for an adopted resource; nothing when it is not adopted (its adopt id, a part, is None)."""
    if any(part is None for part in parts):
        return pulumi.ResourceOptions()
    return pulumi.ResourceOptions(import_=import_id(short_type, *(str(part) for part in parts)))
