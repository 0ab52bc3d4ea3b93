"""What a change does: compare a base plan with the head plan, resource by logical identity.

Both sides are plans as ``plan.model.build_plan`` makes them (already redacted: no secret value
reaches this module, so none can leave it). Resources are matched by logical identity (what a URN
encodes: the type and name of each ancestor and of the resource), following the head's
``aliases`` the way the engine does (a child inherits its parent's aliases), so a renamed worker key
shows as an update, not a delete plus a create. Whether a change replaces a resource, and what a
replacement or a delete costs, comes from ``components.replacements``; nothing here knows a
Cloudflare fact of its own.

The result says, per logical resource: create ``+``, update ``~`` (with the changed input paths),
replace ``+-`` (with the property that forces it), delete ``-``, adopt ``=`` (an import). Flags name
every change that destroys data or breaks traffic, and refusals name the stage config path of an
edit that must not be made (a create-only property changed on a live resource).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import asdict, dataclass, field
from typing import Any

from components.replacements import RULES, ResourceRules, replaced_by
from policy.names import short_type

CREATE, UPDATE, REPLACE, DELETE, ADOPT = "+", "~", "+-", "-", "="
OPS = (CREATE, UPDATE, REPLACE, DELETE, ADOPT)
OP_NAMES = {CREATE: "create", UPDATE: "update", REPLACE: "replace", DELETE: "delete", ADOPT: "adopt"}

SECRET_CHANGED = "[secret] changed"  # noqa: S105 (a marker, not a password)
PROTECTED = "this up will fail: the resource is protected"
_VALUE_WIDTH = 60


@dataclass(frozen=True)
class Flag:
    kind: str
    """``data`` (destroys data), ``traffic`` (breaks traffic), ``fails`` (the up would fail), ``note``."""
    message: str

    @property
    def destructive(self) -> bool:
        return self.kind in ("data", "traffic")


@dataclass
class Change:
    op: str
    label: str
    type: str
    parents: list[str]
    """Ancestor components, outermost first (for grouping like ``pulumi preview``)."""
    physical_name: str | None
    paths: list[str] = field(default_factory=list)
    """Changed input paths, each with ``before → after`` (a secret: ``[secret] changed``)."""
    reasons: list[str] = field(default_factory=list)
    flags: list[Flag] = field(default_factory=list)
    import_id: str | None = None

    @property
    def destructive(self) -> bool:
        return any(flag.destructive for flag in self.flags)


@dataclass(frozen=True)
class Refusal:
    path: str
    """The stage config path (``<project>:d1.main.locationHint``)."""
    message: str


@dataclass
class PlanDiff:
    project: str
    stack: str
    base: str
    changes: list[Change]
    refusals: list[Refusal]

    @property
    def destructive(self) -> list[Change]:
        return [change for change in self.changes if change.destructive]

    @property
    def is_prod(self) -> bool:
        return self.stack == "prod"

    def counts(self) -> dict[str, int]:
        return {OP_NAMES[op]: sum(1 for c in self.changes if c.op == op) for op in OPS}

    def to_dict(self) -> dict[str, Any]:
        return {
            "project": self.project,
            "stack": self.stack,
            "base": self.base,
            "counts": self.counts(),
            "destructive": [c.label for c in self.destructive],
            "changes": [
                {**asdict(c), "flags": [{**asdict(f), "destructive": f.destructive} for f in c.flags]}
                for c in self.changes
            ],
            "refusals": [asdict(r) for r in self.refusals],
        }


# --- identity --------------------------------------------------------------------------------------


Identity = tuple[tuple[str, str], ...]
"""A resource's logical identity: (type, name) of each ancestor component and of itself. It is what a
URN encodes, without the stack and project, and without depending on how an engine (or its mock)
spells the parent chain."""


def _identities(plan: dict[str, Any]) -> dict[Identity, dict[str, Any]]:
    by_label = {r["label"]: r for r in plan["resources"]}
    memo: dict[str, Identity] = {}

    def identity(resource: dict[str, Any]) -> Identity:
        label = resource["label"]
        if label not in memo:
            parent = by_label.get(resource.get("parent") or "")
            memo[label] = (*(identity(parent) if parent else ()), (resource["type"], resource["name"]))
        return memo[label]

    return {identity(r): r for r in plan["resources"]}


def _candidates(head: dict[Identity, dict[str, Any]]) -> dict[Identity, list[Identity]]:
    """Head identity → every identity it may have had: its own, then what its and its parents' aliases give.

    As the engine does it: each alias (name and type default to the resource's) is tried under the
    parent and under each of the parent's aliases, and under a parent's alias a child named after its
    parent swaps the parent's name for the alias's (``api-cron`` under ``api`` → ``old-cron``).
    """
    memo: dict[Identity, list[Identity]] = {}

    def of(identity: Identity) -> list[Identity]:
        if identity in memo:
            return memo[identity]
        resource = head[identity]
        parent = identity[:-1]
        parents = of(parent) if parent in head else [parent]
        found = [identity]
        for spec in [{}, *(resource.get("aliases") or [])]:
            if spec.get("urn"):
                continue  # whole-URN aliases are not used by this program
            name = spec.get("name") or resource["name"]
            type_ = spec.get("type") or resource["type"]
            for old_parent in [()] if spec.get("noParent") else parents:
                child_name = name
                if parent and old_parent != parent and name.startswith(parent[-1][1]):
                    child_name = old_parent[-1][1] + name[len(parent[-1][1]) :]
                candidate = (*old_parent, (type_, child_name))
                if candidate not in found:
                    found.append(candidate)
        memo[identity] = found
        return found

    return {identity: of(identity) for identity in head}


# --- input paths -----------------------------------------------------------------------------------


def _is_secret(value: Any) -> bool:
    return isinstance(value, str) and value.startswith("[secret")


def _show(value: Any) -> str:
    if value is None:
        return "(none)"
    text = json.dumps(value, sort_keys=True)
    return text if len(text) <= _VALUE_WIDTH else text[: _VALUE_WIDTH - 1] + "…"


def _keyed(items: list[Any]) -> dict[str, Any] | None:
    """Lists of named things (bindings) compare by name, so one new binding is one path, not a shift."""
    if items and all(isinstance(i, dict) and isinstance(i.get("name"), str) for i in items):
        keyed = {i["name"]: i for i in items}
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
                yield from changed_paths(old.get(key), new.get(key), f"{prefix}[{key}]")
            return
    if _is_secret(before) or _is_secret(after) or _contains_secret(before) or _contains_secret(after):
        yield prefix, SECRET_CHANGED
    else:
        yield prefix, f"{_show(before)} → {_show(after)}"


def _contains_secret(value: Any) -> bool:
    if isinstance(value, dict):
        return any(_contains_secret(v) for v in value.values())
    if isinstance(value, list):
        return any(_contains_secret(v) for v in value)
    return _is_secret(value)


def _top(path: str) -> str:
    return path.split(".", 1)[0].split("[", 1)[0]


# --- the diff --------------------------------------------------------------------------------------


def diff_plans(base: dict[str, Any], head: dict[str, Any], base_name: str = "base") -> PlanDiff:
    """Everything ``head`` would change relative to ``base`` (both redacted plans of one stack)."""
    old = _identities(base)
    new = _identities(head)
    matched: dict[Identity, Identity] = {}
    taken: set[Identity] = set()
    for urn, candidates in _candidates(new).items():
        found = next((c for c in candidates if c in old and c not in taken), None)
        if found is not None:
            matched[urn] = found
            taken.add(found)

    parents_of = _ancestry(head)
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

    base_parents = _ancestry(base)
    for urn, resource in old.items():
        if resource["custom"] and urn not in taken:
            rules = RULES.get(short_type(resource["type"]))
            change = _change(DELETE, resource, base_parents(resource))
            change.flags += _removal_flags(rules, resource, resource, DELETE)
            changes.append(change)

    _propagate_replacements(changes, new, parents_of)
    return PlanDiff(head["project"], head["stack"], base_name, changes, refusals)


def _change(op: str, resource: dict[str, Any], parents: list[str]) -> Change:
    return Change(op, resource["label"], resource["type"], parents, resource["physicalName"])


def _created(resource: dict[str, Any], parents: list[str]) -> Change:
    op = ADOPT if resource.get("importId") else CREATE
    change = _change(op, resource, parents)
    change.import_id = resource.get("importId")
    change.flags += _create_flags(RULES.get(short_type(resource["type"])), resource, op)
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
    paths = list(changed_paths(_inputs(before), _inputs(resource)))
    paths += [(p, SECRET_CHANGED) for p in owners.get(resource["label"], []) if p not in dict(paths)]
    ignored = set(resource.get("ignoreChanges") or [])
    effective = [(p, what) for p, what in paths if _top(p) not in ignored]
    replacing = replaced_by(kind, {_top(p) for p, _ in effective})
    refusals = _refusals(rules, project, resource, {_top(p) for p, _ in paths}, replacing) if rules else []
    if not effective:
        return None, refusals
    change = _change(REPLACE if replacing else UPDATE, resource, parents)
    change.paths = [f"{p}: {what}" for p, what in effective]
    if before["label"] != resource["label"]:
        change.reasons.append(f"renamed from {before['label']} (aliases keep its state)")
    if rules is not None:
        change.reasons += [f"{prop} forces replacement ({rules.source.split(' ', 1)[0]})" for prop in replacing]
        change.flags += _change_flags(rules, before, resource, change.op)
    return change, refusals


def _inputs(resource: dict[str, Any]) -> dict[str, Any]:
    return dict(resource.get("inputs") or {})


def _ancestry(plan: dict[str, Any]) -> Any:
    by_label = {r["label"]: r for r in plan["resources"]}

    def parents(resource: dict[str, Any]) -> list[str]:
        chain: list[str] = []
        current = resource.get("parent")
        while current and current in by_label:
            chain.append(current)
            current = by_label[current].get("parent")
        return list(reversed(chain))

    return parents


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


def _create_flags(rules: ResourceRules | None, resource: dict[str, Any], op: str) -> list[Flag]:
    """What to know before creating: a live twin would be overwritten or refused, so adopt it instead."""
    if rules is None or rules.find_id is None:
        return []
    if op == ADOPT:
        return [Flag("note", "imported, not created: the inputs must match the live resource or the import fails")]
    if rules.import_id is None:
        return [Flag("note", rules.find_id)]
    kind = short_type(resource["type"])
    live = {
        "WorkersScript": "a live worker of this name would be overwritten (an upload is a PUT)",
        "WorkersCustomDomain": "Cloudflare refuses a hostname that already has DNS records (100117)",
    }.get(kind, "if one is live already")
    return [Flag("note", f"{live}: adopt it instead (adopt: <id>); find the id with: {rules.find_id}")]


def _change_flags(rules: ResourceRules, before: dict[str, Any], after: dict[str, Any], op: str) -> list[Flag]:
    if op == REPLACE:
        flags = _removal_flags(rules, before, after, op)
        if rules.single_owner:
            if after.get("deleteBeforeReplace"):
                flags.append(Flag("note", "deleted before its replacement is created (delete_before_replace)"))
            else:
                flags.append(
                    Flag(
                        "fails",
                        f"this up will fail: Cloudflare refuses two owners of one {rules.single_owner}; the "
                        "replacement needs delete_before_replace",
                    )
                )
        return flags
    flags = []
    old_inputs, new_inputs = _inputs(before), _inputs(after)
    for prop in rules.moves_on:
        if old_inputs.get(prop) == new_inputs.get(prop):
            continue
        if prop == "schedules":
            gone = _crons(old_inputs) - _crons(new_inputs)
            if gone:
                flags.append(Flag("traffic", f"schedules removed, they stop firing: {', '.join(sorted(gone))}"))
        else:
            flags.append(
                Flag("traffic", f"{prop} moves from {_show(old_inputs.get(prop))}: {rules.serves} at the old value")
            )
    return flags


def _crons(inputs: dict[str, Any]) -> set[str]:
    return {str(s.get("cron")) for s in inputs.get("schedules") or [] if isinstance(s, dict)}


def _removal_flags(rules: ResourceRules | None, before: dict[str, Any], after: dict[str, Any], op: str) -> list[Flag]:
    flags = []
    if before.get("protect") or (op == REPLACE and after.get("protect")):
        flags.append(Flag("fails", PROTECTED))
    if rules is None:
        return flags
    retained = bool(before.get("retainOnDelete"))
    if rules.holds:
        if op == DELETE and retained:
            flags.append(Flag("note", "left in Cloudflare (retainOnDelete): only the stack forgets it"))
        elif op == DELETE:
            flags.append(Flag("data", f"deleted: destroys {rules.holds}"))
        else:
            kept = " (the old one is kept by retainOnDelete; the stage moves to the empty new one)" if retained else ""
            flags.append(Flag("data", f"replaced: the new one starts empty, {rules.holds} is lost{kept}"))
    if op == DELETE and rules.delete_is_noop:
        flags.append(Flag("traffic", f"removing it does not stop it: {rules.delete_is_noop}"))
    elif rules.serves:
        flags.append(Flag("traffic", f"{'deleted' if op == DELETE else 'replaced'}: {rules.serves}"))
    return flags


def _refusals(
    rules: ResourceRules, project: str, resource: dict[str, Any], changed: set[str], replacing: list[str]
) -> list[Refusal]:
    """Create-only properties edited on a live resource (unless it is replaced for another reason)."""
    if rules.config is None or set(replacing) - set(rules.immutable):
        return []
    section, prefix = rules.config
    key = resource["name"].removeprefix(prefix)
    return [
        Refusal(f"{project}:{section}.{key}.{config_field}", why)
        for prop, (config_field, why) in rules.immutable.items()
        if prop in changed
    ]


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
