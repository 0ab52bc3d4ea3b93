"""What a change costs: the flags (data, traffic, fails, note) and the refused edits, from the replacement table."""

from __future__ import annotations

from typing import Any

from components.cloudflare.replacements import ResourceRules
from plan.diff.model import ADOPT, DELETE, PROTECTED, REPLACE, Flag, Refusal
from plan.diff.values import inputs, show
from policy.names import short_type


def create_flags(rules: ResourceRules | None, resource: dict[str, Any], op: str) -> list[Flag]:
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


def change_flags(rules: ResourceRules, before: dict[str, Any], after: dict[str, Any], op: str) -> list[Flag]:
    if op == REPLACE:
        flags = removal_flags(rules, before, after, op)
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
    old_inputs, new_inputs = inputs(before), inputs(after)
    for prop in rules.moves_on:
        if old_inputs.get(prop) == new_inputs.get(prop):
            continue
        if prop == "schedules":
            gone = _crons(old_inputs) - _crons(new_inputs)
            if gone:
                flags.append(Flag("traffic", f"schedules removed, they stop firing: {', '.join(sorted(gone))}"))
        else:
            flags.append(
                Flag("traffic", f"{prop} moves from {show(old_inputs.get(prop))}: {rules.serves} at the old value")
            )
    return flags


def _crons(inputs: dict[str, Any]) -> set[str]:
    return {str(s.get("cron")) for s in inputs.get("schedules") or [] if isinstance(s, dict)}


def removal_flags(rules: ResourceRules | None, before: dict[str, Any], after: dict[str, Any], op: str) -> list[Flag]:
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


def refusals_of(
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
