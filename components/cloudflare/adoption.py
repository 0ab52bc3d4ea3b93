"""Adopting a live app: the import id of each adopted resource, and the live name it keeps.

An adopted resource is registered with Pulumi's ``import_`` option: the first ``pulumi up`` reads it into state
instead of creating it, and fails (changing nothing) if an input it does not ignore differs from what the
provider read (pulumi ``pkg/resource/deploy/step.go``, ``ImportStep.Apply``). So an adopted resource keeps its
live name (the bucket or script name given as its ``adopt`` id, or the ``name`` configured next to it), and the
adopting up ignores what the provider cannot read back (``components.cloudflare.replacements.ignored_at_import``):
a script's code, its upload metadata and its secret bindings. Once that up has run, ``adopt`` is removed and the
next up sends the program's values (a script: its code, bindings and secrets).

Import id formats come from ``components.cloudflare.replacements`` (the SDK's documented ``pulumi import`` ids).
"""

from __future__ import annotations

from components.cloudflare.replacements import RULES


def import_id(short_type: str, *parts: str) -> str:
    """The import id of one resource: ``parts`` fill the type's ``<a>/<b>`` format, in order."""
    template = RULES[short_type].import_id
    if template is None:
        raise ValueError(f"{short_type} cannot be imported")
    if len(parts) != template.count("/") + 1:
        raise ValueError(f"{short_type} import ids look like {template}, got {len(parts)} parts")
    return "/".join(parts)


def adopted_id(short_type: str, *parts: str | None) -> str | None:
    """The import id of an adopted resource; None when it is not adopted (its adopt id, a part, is None)."""
    if any(part is None for part in parts):
        return None
    return import_id(short_type, *(str(part) for part in parts))
