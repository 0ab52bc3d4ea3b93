"""What changes cost together: traffic moved onto something new, an owner handed over, an up that stops half way.

One change alone can look harmless: a script update whose ``bindings[DB].id`` changes, a new custom domain.
Together with the rest of the diff they can break prod: the binding now reads a database this up creates
(empty), the new domain's hostname still belongs to a domain this up deletes only at its end. The plans say
what each input names (``refs``, :func:`plan.model.references`), so these are found by label, not guessed.
"""

from __future__ import annotations

from typing import Any

from components.cloudflare.replacements import rules_for
from plan.diff.model import CREATE, DELETE, REPLACE, UPDATE, Change, Flag
from policy.names import short_type


def cross_flags(changes: list[Change], head: dict[str, Any], pairs: dict[str, dict[str, Any]]) -> None:
    """Flag, on the change that does it, every move of live traffic onto a resource this up creates or
    replaces, and every create that needs a name a resource deleted by the same up still owns."""
    by_label = {change.label: change for change in changes}
    resources = {resource["label"]: resource for resource in head["resources"]}
    for change in changes:
        if change.op not in (UPDATE, REPLACE):
            continue
        before = pairs.get(change.label) or {}
        for path, target in sorted((resources[change.label].get("refs") or {}).items()):
            moved_to = by_label.get(target)
            old = (before.get("refs") or {}).get(path)
            was = (pairs.get(target) or {}).get("label")
            if old and was and old != was:  # to another live resource: intended, maybe, but worth seeing
                change.flags.append(Flag("note", f"{path} moves from {old} to {target}, a live one"))
            if moved_to is None or moved_to.op not in (CREATE, REPLACE) or not _lands_on_new(moved_to):
                continue
            if not _existed(before, path):
                continue  # a new binding to a new resource: nothing served from it before
            if moved_to.op == CREATE and not (any(p.startswith(path) for p in change.paths) or old):
                continue
            change.flags.append(Flag("traffic", _moved(path, moved_to, old)))
    _handovers(changes)


def _existed(before: dict[str, Any], path: str) -> bool:
    """Whether the base already had the input (``bindings[DB]``, ``queueId``) that now names a new resource."""
    if path in (before.get("refs") or {}):
        return True
    values = before.get("inputs") or {}
    if path.startswith("bindings["):
        name = path.removeprefix("bindings[").removesuffix("]")
        return any(isinstance(b, dict) and b.get("name") == name for b in values.get("bindings") or [])
    return path in values


def _lands_on_new(target: Change) -> bool:
    """A created resource is new to the traffic; a replaced one only if it holds data (a replaced script is
    flagged on whatever it serves already)."""
    rules = rules_for(short_type(target.type))
    return target.op == CREATE or bool(rules and rules.holds)


def _moved(path: str, target: Change, old: str | None) -> str:
    kind = short_type(target.type)
    rules = rules_for(kind)
    if target.op == REPLACE:
        return f"{path} reads {target.label}, which this up replaces: the worker starts on the new, empty one"
    if kind == "WorkersScript":
        return (
            f"{path} moves to {target.label}, a worker this up creates: this traffic goes to a script that never served"
        )
    left = f"; left behind in {old}: {rules.holds}" if rules and rules.holds and old else ""
    return f"{path} moves to {target.label}, which this up creates empty{left}"


def _handovers(changes: list[Change]) -> None:
    """A create of a single-owner resource (a hostname, a route pattern, a queue's consumer) whose thing is
    still owned by a resource this up deletes: creates run first, deletes last, so Cloudflare refuses it."""
    deleted = {(c.type, c.physical_name): c for c in changes if c.op == DELETE}
    for change in changes:
        rules = rules_for(short_type(change.type))
        if change.op != CREATE or rules is None or rules.single_owner is None:
            continue
        owner = deleted.get((change.type, change.physical_name))
        if owner is not None:
            change.flags.append(
                Flag(
                    "fails",
                    f"this up will fail: {owner.label} still owns this {rules.single_owner.split(' (')[0]} when this "
                    "one is created (an up deletes last), and Cloudflare refuses a second owner",
                )
            )


def partway(changes: list[Change]) -> list[str]:
    """Why the up is known to fail after applying part of the change: each failing change, with what the
    engine applies before it (deletes run after every create, update and replace)."""
    found = []
    for change in changes:
        fails = [flag.message.removeprefix("this up will fail: ") for flag in change.flags if flag.kind == "fails"]
        if not fails:
            continue
        if change.op == DELETE:
            first = [c.label for c in changes if c.op != DELETE and not _fails(c)]
            if first:
                found.append(
                    f"{change.label} is deleted last and its delete fails ({fails[0]}), after {len(first)} other "
                    f"change(s) are applied: {', '.join(first)}"
                )
        elif any(c is not change and c.op != DELETE for c in changes):
            found.append(
                f"{change.label} fails ({fails[0]}); what does not wait for it may already be applied when the up stops"
            )
    return found


def _fails(change: Change) -> bool:
    return any(flag.kind == "fails" for flag in change.flags)
