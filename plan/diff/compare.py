"""What a change does: compare a base plan with the head plan, resource by logical identity.

Both sides are plans as ``plan.model.build_plan`` makes them (already redacted: no secret value
reaches this module, so none can leave it). Resources are matched by logical identity (what a URN
encodes: the type and name of each ancestor and of the resource), following the head's
``aliases`` the way the engine does (a child inherits its parent's aliases), so a renamed worker key
shows as an update, not a delete plus a create. Whether a change replaces a resource, and what a
replacement or a delete costs, comes from ``components.cloudflare.replacements``; nothing here knows a
Cloudflare fact of its own.

The result says, per logical resource: create ``+``, update ``~`` (with the changed input paths),
replace ``+-`` (with the property that forces it), delete ``-``, adopt ``=`` (an import). Flags name
every change that destroys data or breaks traffic, and refusals name the stage config path of an
edit that must not be made (a create-only property changed on a live resource).
"""

from __future__ import annotations

from typing import Any

from components.cloudflare.replacements import RULES, replaced_by
from plan.diff.flags import change_flags, create_flags, refusals_of, removal_flags
from plan.diff.identity import Identity, ancestry, candidates, identities
from plan.diff.model import ADOPT, CREATE, DELETE, REPLACE, SECRET_CHANGED, UPDATE, Change, PlanDiff, Refusal
from plan.diff.values import changed_paths, inputs, top
from policy.names import short_type


def diff_plans(base: dict[str, Any], head: dict[str, Any], base_name: str = "base") -> PlanDiff:
    """Everything ``head`` would change relative to ``base`` (both redacted plans of one stack)."""
    old = identities(base)
    new = identities(head)
    matched: dict[Identity, Identity] = {}
    taken: set[Identity] = set()
    for urn, possible in candidates(new).items():
        found = next((c for c in possible if c in old and c not in taken), None)
        if found is not None:
            matched[urn] = found
            taken.add(found)

    parents_of = ancestry(head)
    owners = _secret_owner_changes(base, head)
    changes: list[Change] = []
    refusals: list[Refusal] = []
    for urn, resource in new.items():
        if not resource["custom"]:
            continue
        if urn not in matched:
            changes.append(_created(resource, parents_of(resource)))
            continue
        change, refused = _compared(old[matched[urn]], resource, parents_of(resource), owners, head["project"])
        refusals += refused
        if change is not None:
            changes.append(change)

    base_parents = ancestry(base)
    for urn, resource in old.items():
        if resource["custom"] and urn not in taken:
            rules = RULES.get(short_type(resource["type"]))
            change = _change(DELETE, resource, base_parents(resource))
            change.flags += removal_flags(rules, resource, resource, DELETE)
            changes.append(change)

    _propagate_replacements(changes, new, parents_of)
    return PlanDiff(head["project"], head["stack"], base_name, changes, refusals)


def _change(op: str, resource: dict[str, Any], parents: list[str]) -> Change:
    return Change(op, resource["label"], resource["type"], parents, resource["physicalName"])


def _created(resource: dict[str, Any], parents: list[str]) -> Change:
    op = ADOPT if resource.get("importId") else CREATE
    change = _change(op, resource, parents)
    change.import_id = resource.get("importId")
    change.flags += create_flags(RULES.get(short_type(resource["type"])), resource, op)
    return change


def _compared(
    before: dict[str, Any],
    resource: dict[str, Any],
    parents: list[str],
    owners: dict[str, list[str]],
    project: str,
) -> tuple[Change | None, list[Refusal]]:
    """The change between two matched resources (None: nothing the engine would do)."""
    kind = short_type(resource["type"])
    rules = RULES.get(kind)
    paths = list(changed_paths(inputs(before), inputs(resource)))
    paths += [(p, SECRET_CHANGED) for p in owners.get(resource["label"], []) if p not in dict(paths)]
    ignored = set(resource.get("ignoreChanges") or [])
    effective = [(p, what) for p, what in paths if top(p) not in ignored]
    replacing = replaced_by(kind, {top(p) for p, _ in effective})
    refusals = refusals_of(rules, project, resource, {top(p) for p, _ in paths}, replacing) if rules else []
    if not effective:
        return None, refusals
    change = _change(REPLACE if replacing else UPDATE, resource, parents)
    change.paths = [f"{p}: {what}" for p, what in effective]
    if before["label"] != resource["label"]:
        change.reasons.append(f"renamed from {before['label']} (aliases keep its state)")
    if rules is not None:
        change.reasons += [f"{prop} forces replacement ({rules.source.split(' ', 1)[0]})" for prop in replacing]
        change.flags += change_flags(rules, before, resource, change.op)
    return change, refusals


def _secret_owner_changes(base: dict[str, Any], head: dict[str, Any]) -> dict[str, list[str]]:
    """Script label → secret binding paths whose owner changed (a new owner is a new value).

    The plans never hold a secret value, so a changed value is known from its source: the
    ``secretOwners`` output says who owns each secret (generated with rotation n, injected from $X).
    """
    old = base.get("outputs", {}).get("secretOwners") or {}
    new = head.get("outputs", {}).get("secretOwners") or {}
    changed: dict[str, list[str]] = {}
    for worker, owners in new.items():
        previous = old.get(worker) or {}
        names = [name for name, owner in owners.items() if name in previous and previous[name] != owner]
        if names:
            changed[f"WorkersScript/{worker}"] = [f"bindings[{name}].text" for name in sorted(names)]
    return changed


def _propagate_replacements(changes: list[Change], head: dict[Identity, dict[str, Any]], parents_of: Any) -> None:
    """A replaced resource gets new ids: whatever reads them is updated too (once, not transitively)."""
    replaced = {c.label for c in changes if c.op == REPLACE}
    if not replaced:
        return
    listed = {c.label for c in changes}
    for resource in head.values():
        if not resource["custom"] or resource["label"] in listed:
            continue
        sources = sorted(replaced & set(resource.get("dependsOn") or []))
        if sources:
            change = Change(UPDATE, resource["label"], resource["type"], parents_of(resource), resource["physicalName"])
            change.paths = [f"(inputs from {source}, which is replaced)" for source in sources]
            changes.append(change)
