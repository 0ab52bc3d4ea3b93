"""What a change to a Worker script costs beyond its own replacement: its Durable Objects and its static assets.

A script's Durable Object classes are what its migration steps leave (``migrations.steps``: the plan reads no
live tag, so every step is in it, see ``plan/engine.py``). Their objects live only as long as the class: a
``deletedClasses`` step destroys them, a rename moves them to the new name and can never be undone, and a
script that is deleted or replaced (a new name is a new script) leaves the objects behind with the old one.
Cloudflare keeps the last tag it applied and takes only the steps after it, so a step that was deployed is
never edited or removed; a change that does so, or drops a class without a step, cannot deploy.
"""

from __future__ import annotations

from typing import Any

from pydantic import ValidationError

from components.config.exports import DurableObjectMigration, Replayed, replay
from plan.diff.model import DELETE, REPLACE, Flag
from plan.diff.values import inputs

_STEP_KEYS = {
    "newSqliteClasses": "new_sqlite_classes",
    "newClasses": "new_classes",
    "renamedClasses": "renamed_classes",
    "deletedClasses": "deleted_classes",
}


def script_flags(before: dict[str, Any], after: dict[str, Any], op: str) -> list[Flag]:
    """The flags of one WorkersScript change (``after`` is ``before`` for a delete)."""
    old_inputs, new_inputs = inputs(before), inputs(after)
    old_steps, new_steps = _steps(old_inputs), _steps(new_inputs)
    old = replay(old_steps)
    if op in (DELETE, REPLACE):
        flags = []
        if old.classes:
            what = "deleted" if op == DELETE else "replaced by a new script"
            flags.append(
                Flag(
                    "data",
                    f"{what}: the Durable Object classes {_names(old.classes)} and every object in them go with "
                    "the old script",
                )
            )
        return flags + _assets(old_inputs, new_inputs if op == REPLACE else {})
    return _classes(old, old_steps, new_steps) + _assets(old_inputs, new_inputs)


def _classes(
    old: Replayed, old_steps: list[DurableObjectMigration], new_steps: list[DurableObjectMigration]
) -> list[Flag]:
    new = replay(new_steps)
    flags = []
    if [_content(step) for step in new_steps[: len(old_steps)]] != [_content(step) for step in old_steps]:
        flags.append(
            Flag(
                "fails",
                "this up will fail: a Durable Object migration step that was deployed is changed or removed; "
                "steps are append-only, so add a new step instead",
            )
        )
    for name in old.classes:
        if name in new.classes:
            continue
        if name in new.renamed:
            flags.append(
                Flag(
                    "data",
                    f"Durable Object class {name!r} is renamed to {new.renamed[name]!r}: its objects move there and "
                    f"{name!r} is gone, with no way back; code and bindings still using {name!r} lose them",
                )
            )
        elif name in new.deleted:
            flags.append(Flag("data", f"Durable Object class {name!r} is deleted: every object in it is destroyed"))
        else:
            flags.append(
                Flag(
                    "data",
                    f"Durable Object class {name!r} is no longer declared: its objects would be lost (Cloudflare "
                    "refuses the upload until a deletedClasses step deletes it)",
                )
            )
    return flags


def _content(step: DurableObjectMigration) -> dict[str, Any]:
    """What a step does, without its tag (an upload carries only the last tag)."""
    return step.model_dump(exclude={"tag"})


def _assets(old_inputs: dict[str, Any], new_inputs: dict[str, Any]) -> list[Flag]:
    if old_inputs.get("assets") and not new_inputs.get("assets"):
        return [Flag("traffic", "the worker stops serving its static assets (assets removed)")]
    return []


def _steps(script_inputs: dict[str, Any]) -> list[DurableObjectMigration]:
    """The migration steps a script's inputs carry, as config models; none when they are not steps (a base
    plan saved by another version of the program)."""
    migrations = script_inputs.get("migrations")
    if not isinstance(migrations, dict):
        return []
    steps = migrations.get("steps")
    if not isinstance(steps, list) or not steps or not all(isinstance(step, dict) for step in steps):
        return []
    models = []
    try:
        for tag, step in zip(_tags(migrations, len(steps)), steps, strict=True):
            fields = {field: step.get(key) or [] for key, field in _STEP_KEYS.items()}
            renamed = [r for r in fields["renamed_classes"] if isinstance(r, dict)]
            fields["renamed_classes"] = [{"from": r.get("from"), "to": r.get("to")} for r in renamed]
            models.append(DurableObjectMigration.model_validate({"tag": tag, **fields}))
    except ValidationError:
        return []
    return models


def _tags(migrations: dict[str, Any], count: int) -> list[str]:
    """The steps' tags: an upload names only the last one (``newTag``), so the others are named by position."""
    tags = [f"step-{index + 1}" for index in range(count)]
    tags[-1] = str(migrations.get("newTag") or tags[-1])
    return tags


def _names(classes: list[str]) -> str:
    return ", ".join(repr(name) for name in classes)
