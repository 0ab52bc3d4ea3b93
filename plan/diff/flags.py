"""What one change costs: the flags (data, traffic, fails, note) and the refused edits, from the replacement table.

Changes that cost something only together (a binding moved to a new database, a hostname handed from one worker
to another) are :mod:`plan.diff.traffic`'s.
"""

from __future__ import annotations

from typing import Any

from components.cloudflare.replacements import ResourceRules
from plan.diff.model import ADOPT, DELETE, PROTECTED, REPLACE, Flag, Refusal
from plan.diff.values import inputs, show

DEAD_LETTER_SUFFIX = "-dlq"
"""A queue's dead-letter queue is named after it (``components.rules.naming.Naming.dead_letter_queue``)."""


def config_key(rules: ResourceRules, resource: dict[str, Any]) -> str | None:
    """The stage config entry a resource is declared by (``d1.main``, ``workers.api``), if any."""
    parent = str(resource.get("parent") or "")
    if parent.startswith("Worker/"):
        return f"workers.{parent.split('/', 1)[1]}"
    if rules.config is None:
        return None
    section, prefix = rules.config
    return f"{section}.{resource['name'].removeprefix(prefix)}"


def _adopt_path(rules: ResourceRules, resource: dict[str, Any]) -> str | None:
    """The config key that adopts a live twin of ``resource`` (``workers.api.adoptDomains.<hostname>``)."""
    key = config_key(rules, resource)
    if rules.adopt_key is None or key is None or resource["name"].endswith(DEAD_LETTER_SUFFIX):
        return None
    placeholder = rules.adopt_key.split(".", 1)[-1]
    value = str(resource.get("physicalName") or placeholder)
    return f"{key}.{rules.adopt_key.replace(placeholder, value) if '.' in rules.adopt_key else rules.adopt_key}"


def create_flags(rules: ResourceRules | None, resource: dict[str, Any], op: str) -> list[Flag]:
    """What to know before creating: a live twin would be overwritten or refused, so adopt it instead."""
    if rules is None:
        return []
    if op == ADOPT:
        return [Flag("note", _adopting(rules))]
    note = _live_twin(rules, resource)
    return [Flag("note", note)] if note else []


def _adopting(rules: ResourceRules) -> str:
    if not rules.not_read_back:
        return "imported, not created: the inputs must match the live resource or the import fails"
    ignored = ", ".join(sorted(set(rules.write_once) | set(rules.not_read_back)))
    return (
        f"imported, not created: the other inputs must match the live resource; the import ignores what the "
        f"provider cannot read back ({ignored}): once it has run, remove adopt and the next up sends the "
        "program's values"
    )


def _live_twin(rules: ResourceRules, resource: dict[str, Any]) -> str | None:
    """What a create does when a live one of the same name exists, and how to adopt it instead."""
    if rules.import_id is None:
        return rules.find_id
    live = rules.create_note or "if one is live already, the create fails"
    path = _adopt_path(rules, resource)
    if path is not None:
        return f"{live}: adopt it instead ({path}: <id>); find the id with: {rules.find_id}"
    if rules.find_id is None:
        return live if rules.create_note else None
    return f"{live}; it cannot be adopted: delete a live one first (find it with: {rules.find_id})"


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


def _serves_nothing(rules: ResourceRules, resource: dict[str, Any]) -> bool:
    """A cron trigger without schedules fires nothing: removing or replacing it stops nothing."""
    return "schedules" in rules.moves_on and not _crons(inputs(resource))


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
    if _serves_nothing(rules, before):
        return flags
    if op == DELETE and rules.delete_is_noop:
        flags.append(Flag("traffic", f"removing it does not stop it: {rules.delete_is_noop}"))
    elif rules.serves:
        flags.append(Flag("traffic", f"{'deleted' if op == DELETE else 'replaced'}: {rules.serves}"))
    if op == REPLACE and rules.replace_note:
        flags.append(Flag("note", rules.replace_note))
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
