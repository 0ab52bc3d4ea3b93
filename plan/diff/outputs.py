"""What a change does outside its resources: the stack outputs pipelines read, the secrets to set before the up,
and the renames that follow nothing.

Outputs are compared key by key: a worker renamed from ``api`` to ``gateway`` moves ``workers.api`` and
``wranglerConfigs.api`` to new keys, and a pipeline reading the old key breaks, so the diff says so. The
inventory output (``secretInventory``) says where each injected secret is read from: a new one must be in
Infisical before the up, or the up stops before it changes anything.
"""

from __future__ import annotations

from typing import Any

from components.cloudflare.replacements import rules_for
from components.config.models import INJECTED_SECRETS_FOLDER
from components.rules.naming import WORKER_TYPE
from components.stage import PIPELINE_OUTPUTS
from plan.diff.flags import DEAD_LETTER_SUFFIX
from plan.diff.identity import Identity
from plan.diff.model import Change, Note, OutputChange, Refusal
from plan.diff.values import changed_paths
from policy.names import short_type

SCRIPT_TYPE = "cloudflare:index/workersScript:WorkersScript"
SHOWN_VALUE_CHANGES = 4
"""Changed values shown per output key (the rest are counted)."""
BEFORE_THE_UP = "before the up"


def output_changes(base: dict[str, Any], head: dict[str, Any], pairs: dict[str, dict[str, Any]]) -> list[OutputChange]:
    """Output keys added, removed or renamed, and the changed values of the outputs pipelines read."""
    old, new = base.get("outputs") or {}, head.get("outputs") or {}
    renames = {before["name"]: label.split("/", 1)[1] for label, before in pairs.items()}
    found: list[OutputChange] = []
    for name in sorted(set(old) | set(new)):
        read = name in PIPELINE_OUTPUTS
        if name not in new:
            found.append(OutputChange(name, "removed", f"pipelines that read {name} break" if read else None))
        elif name not in old:
            found.append(OutputChange(name, "added"))
        elif isinstance(old[name], dict) and isinstance(new[name], dict):
            found += _keys(name, old[name], new[name], renames, read)
        elif read and old[name] != new[name]:
            found += _values(name, old[name], new[name])
    return found


def _keys(
    name: str, old: dict[str, Any], new: dict[str, Any], renames: dict[str, str], read: bool
) -> list[OutputChange]:
    removed, added = set(old) - set(new), set(new) - set(old)
    moved = {gone: came for gone in sorted(removed) for came in sorted(added) if _renamed(gone, came, renames)}
    found = []
    for key in sorted(removed):
        path = f"{name}.{key}"
        if key in moved:
            warning = f"pipelines that read {path} break: it is {name}.{moved[key]} now" if read else None
            found.append(OutputChange(path, f"renamed to {name}.{moved[key]}", warning))
        else:
            found.append(
                OutputChange(path, "removed", f"pipelines that read {path} break: it is gone" if read else None)
            )
    found += [OutputChange(f"{name}.{key}", "added") for key in sorted(added - set(moved.values()))]
    if read:
        kept = {key: key for key in sorted(set(old) & set(new))} | moved
        for was, key in kept.items():
            found += _values(f"{name}.{key}", old[was], new[key])
    return found


def _renamed(gone: str, came: str, renames: dict[str, str]) -> bool:
    """Whether a resource named after ``gone`` followed a rename to one named after ``came`` (``d1-main`` →
    ``d1-primary``: the ``d1Databases`` key ``main`` is now ``primary``)."""
    return any(
        old.endswith(gone) and new.endswith(came) and old[: -len(gone)] == new[: -len(came)]
        for old, new in renames.items()
        if old != new
    )


def _values(path: str, old: Any, new: Any) -> list[OutputChange]:
    changed = list(changed_paths(old, new))
    shown = [OutputChange(f"{path}.{leaf}" if leaf else path, what) for leaf, what in changed[:SHOWN_VALUE_CHANGES]]
    if len(changed) > SHOWN_VALUE_CHANGES:
        shown.append(OutputChange(path, f"and {len(changed) - SHOWN_VALUE_CHANGES} more changed values"))
    return shown


def injected_secret_notes(base: dict[str, Any], head: dict[str, Any]) -> list[Note]:
    """Each new deploy-time (``inject``) secret: the up reads it from the environment ``infisical run`` gives
    it, so it must be in its Infisical folder first."""
    known = _injected(base)
    notes = []
    for variable, (worker, name, place) in sorted(_injected(head).items()):
        if variable in known:
            continue
        if place:
            where = f"Infisical environment {place['environment']!r}, folder {place['folder']}"
        else:
            where = f"the deploy's environment (infisical run --path={INJECTED_SECRETS_FOLDER})"
        notes.append(
            Note(
                BEFORE_THE_UP,
                f"set {variable} in {where}: the new inject secret {name} of worker {worker} is read from there, and "
                "the up stops before any change without it",
            )
        )
    return notes


def _injected(plan: dict[str, Any]) -> dict[str, tuple[str, str, dict[str, str] | None]]:
    inventory = (plan.get("outputs") or {}).get("secretInventory")
    found: dict[str, tuple[str, str, dict[str, str] | None]] = {}
    for worker, facts in (inventory if isinstance(inventory, dict) else {}).items():
        for name, secret in ((facts or {}).get("secrets") or {}).items():
            if secret.get("owner") == "inject" and secret.get("variable"):
                found.setdefault(secret["variable"], (worker, name, secret.get("infisical")))
    return found


def unfollowed_renames(
    head: dict[Identity, dict[str, Any]], matched: dict[Identity, Identity], project: str, deleted: list[Change]
) -> list[Refusal]:
    """A ``renamedFrom`` that names no key the base has while a resource of its type goes: the rename follows
    nothing, so the new one is created (empty) and the old one deleted. (On a stage that never had the old
    key, such as a new one, the ``renamedFrom`` kept for the name is harmless: nothing is deleted.)"""
    refusals = []
    gone = {change.type: change.label for change in deleted}
    for identity, resource in head.items():
        aliases = [alias.get("name") for alias in resource.get("aliases") or [] if alias.get("name")]
        if not aliases or identity in matched or resource["name"].endswith(DEAD_LETTER_SUFFIX):
            continue
        follows = SCRIPT_TYPE if resource["type"] == WORKER_TYPE else resource["type"]  # a worker: its script
        if follows not in gone:
            continue
        if resource["type"] == WORKER_TYPE:
            section, prefix = "workers", ""
        else:
            rules = rules_for(short_type(resource["type"]))
            if rules is None or rules.config is None:
                continue
            section, prefix = rules.config
        key = resource["name"].removeprefix(prefix)
        names = ", ".join(repr(alias.removeprefix(prefix)) for alias in aliases)
        refusals.append(
            Refusal(
                f"{project}:{section}.{key}.renamedFrom",
                f"{names} names no {section} key the base has: nothing would follow the rename, {key!r} would be "
                f"created anew and {gone[follows]} deleted. "
                "Name the key the resource has where it is deployed",
            )
        )
    return refusals
