"""What a change does: compare a base plan with the head plan, resource by logical identity.

Both sides are plans as ``plan.model.build_plan`` makes them (already redacted: no secret value
reaches this module, so none can leave it). Resources are matched by logical identity (what a URN
encodes: the type and name of each ancestor and of the resource), following the head's
``aliases`` the way the engine does (a child inherits its parent's aliases), so a renamed key
shows as a rename, not a delete plus a create. Whether a change replaces a resource, and what a
replacement or a delete costs, comes from ``components.cloudflare.replacements`` and from the
options the program registered (``replaceOnChanges``, ``ignoreChanges``); nothing here knows a
Cloudflare fact of its own.

The result says, per logical resource: create ``+``, update ``~`` (with the changed input paths),
replace ``+-`` (with the property that forces it), delete ``-``, adopt ``=`` (an import). Flags name
every change that destroys data, breaks traffic or fails the up (:mod:`plan.diff.flags`, and
:mod:`plan.diff.traffic` for what changes cost together); refusals name the stage config path of an
edit that must not be made; :mod:`plan.diff.outputs` adds the stack outputs and the secrets to set first.
"""

from __future__ import annotations

from typing import Any

from components.cloudflare.replacements import ResourceRules, replaced_by, rules_for
from plan.diff.flags import change_flags, config_key, create_flags, refusals_of, removal_flags
from plan.diff.identity import Identity, ancestry, candidates, identities
from plan.diff.infisical_rules import infisical_replaced_by
from plan.diff.model import (
    ADOPT,
    CREATE,
    DELETE,
    REPLACE,
    SECRET_CHANGED,
    UPDATE,
    Change,
    Flag,
    Note,
    PlanDiff,
    Refusal,
)
from plan.diff.outputs import injected_secret_notes, output_changes, unfollowed_renames
from plan.diff.script_flags import script_flags
from plan.diff.traffic import cross_flags, partway
from plan.diff.values import changed_paths, inputs, top
from policy.names import short_type

AS_IMPORTED = "as imported → the program's value (the adopting up ignored it)"
REPLACED_BY_UPLOAD = "as imported → (none): the program's upload replaces it"


def _rules(resource: dict[str, Any]) -> ResourceRules | None:
    return rules_for(short_type(resource["type"]))


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
    notes: list[Note] = []
    for urn, resource in new.items():
        if not resource["custom"]:
            continue
        if urn not in matched:
            changes.append(_created(resource, parents_of(resource)))
            continue
        change, refused, noted = _compared(old[matched[urn]], resource, parents_of(resource), owners, head["project"])
        refusals += refused
        notes += noted
        if change is not None:
            changes.append(change)

    base_parents = ancestry(base)
    for urn, resource in old.items():
        if resource["custom"] and urn not in taken:
            change = _change(DELETE, resource, base_parents(resource))
            change.flags += removal_flags(_rules(resource), resource, resource, DELETE)
            change.flags += _script_flags(resource, resource, DELETE)
            changes.append(change)

    _propagate_replacements(changes, new, parents_of)
    pairs = {new[urn]["label"]: old[base_urn] for urn, base_urn in matched.items()}
    cross_flags(changes, head, pairs)
    refusals += unfollowed_renames(new, matched, head["project"], [c for c in changes if c.op == DELETE])
    notes += injected_secret_notes(base, head)
    outputs = output_changes(base, head, pairs)
    return PlanDiff(head["project"], head["stack"], base_name, changes, refusals, outputs, notes, partway(changes))


def _change(op: str, resource: dict[str, Any], parents: list[str]) -> Change:
    return Change(op, resource["label"], resource["type"], parents, resource["physicalName"])


def _created(resource: dict[str, Any], parents: list[str]) -> Change:
    op = ADOPT if resource.get("importId") else CREATE
    change = _change(op, resource, parents)
    change.import_id = resource.get("importId")
    change.flags += create_flags(_rules(resource), resource, op)
    return change


def _compared(
    before: dict[str, Any],
    resource: dict[str, Any],
    parents: list[str],
    owners: dict[str, list[str]],
    project: str,
) -> tuple[Change | None, list[Refusal], list[Note]]:
    """The change between two matched resources (None: nothing the engine would do)."""
    kind = short_type(resource["type"])
    rules = rules_for(kind)
    paths = list(changed_paths(inputs(before), inputs(resource)))
    paths += [(p, SECRET_CHANGED) for p in owners.get(resource["label"], []) if p not in dict(paths)]
    ignored = set(resource.get("ignoreChanges") or [])
    kept = dict(rules.kept_after_create) if rules else {}
    notes = [
        Note(resource["label"], f"{p}: {what} changes nothing: {kept[top(p)]}")
        for p, what in paths
        if top(p) in kept and top(p) not in ignored
    ]
    effective = [(p, what) for p, what in paths if top(p) not in ignored and top(p) not in kept]
    effective += _adoption_ended(rules, before, resource, {top(p) for p, _ in effective})
    notes += _adoption_kept(rules, before, resource)
    tops = {top(p) for p, _ in effective}
    own = dict(infisical_replaced_by(resource["type"], tops))
    replacing = sorted({*replaced_by(kind, tops, resource.get("replaceOnChanges")), *own})
    refusals = refusals_of(rules, project, resource, {top(p) for p, _ in paths}, replacing) if rules else []
    if not effective:
        return None, refusals, notes
    change = _change(REPLACE if replacing else UPDATE, resource, parents)
    change.paths = [f"{p}: {what}" for p, what in effective]
    if before["label"] != resource["label"]:
        change.reasons.append(f"renamed from {before['label']} (aliases keep its state)")
    change.reasons += [
        f"{prop} forces replacement ({own[prop]})" if prop in own else _why_replaced(rules, prop) for prop in replacing
    ]
    if rules is not None:
        change.flags += change_flags(rules, before, resource, change.op)
    change.flags += _script_flags(before, resource, change.op)
    return change, refusals, notes


def _why_replaced(rules: ResourceRules | None, prop: str) -> str:
    if rules is not None and prop in rules.replace_on:
        return f"{prop} forces replacement ({rules.root}{rules.replace_on[prop].split(':')[0]})"
    return f"{prop} forces replacement (replace_on_changes, components/cloudflare/replacements.py)"


def _adoption_ended(
    rules: ResourceRules | None, before: dict[str, Any], resource: dict[str, Any], changed: set[str]
) -> list[tuple[str, str]]:
    """``adopt`` removed after the adopting up: what that up ignored is now sent (a script's code and secrets)."""
    if rules is None or not before.get("importId") or resource.get("importId"):
        return []
    was_ignored = set(before.get("ignoreChanges") or []) - set(resource.get("ignoreChanges") or [])
    now = inputs(resource)
    return [
        (prop, AS_IMPORTED if prop in now else REPLACED_BY_UPLOAD)
        for prop in rules.not_read_back
        if prop in was_ignored and prop not in changed and prop not in rules.kept_after_create
    ]


def _adoption_kept(rules: ResourceRules | None, before: dict[str, Any], resource: dict[str, Any]) -> list[Note]:
    """``adopt`` still set on a resource the base adopted already: what the adopting up ignores is never sent."""
    if rules is None or not (before.get("importId") and resource.get("importId")):
        return []
    ignored = [
        prop
        for prop in rules.not_read_back
        if prop in (resource.get("ignoreChanges") or []) and prop not in rules.kept_after_create
    ]
    if not ignored:
        return []
    key = config_key(rules, resource) or resource["label"]
    return [
        Note(
            resource["label"],
            f"still adopted: once the adopting up has run, remove {key}.adopt; until then this stack never sends "
            f"{', '.join(ignored)}",
        )
    ]


def _script_flags(before: dict[str, Any], after: dict[str, Any], op: str) -> list[Flag]:
    """A Worker script's Durable Objects and static assets (``plan.diff.script_flags``)."""
    return script_flags(before, after, op) if short_type(after["type"]) == "WorkersScript" else []


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
