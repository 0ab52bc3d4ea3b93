"""Durable Object migrations: which tagged steps an upload carries, given the tag the live script has.

Cloudflare keeps the tag of the last migration it applied to a script and refuses an upload whose ``old_tag``
is not that tag ("Migration tag precondition failed"). The provider sends ``migrations`` exactly as given with
every create and update, and never reads them back (terraform-provider-cloudflare v5,
``internal/services/workers_script/resource.go``: ``data.Migrations = planMigrations`` in Create and Update,
``state.Migrations`` kept in Read). So, as wrangler does on deploy, the program reads the live tag first
(``getWorkersScripts``: ``migration_tag``, "The tag of the Durable Object migration that was most recently applied
for this Worker") and sends only the steps after it: ``old_tag`` = the live tag, ``new_tag`` = the last tag. A
script already at the last tag gets no migrations at all, and a live tag the config no longer lists stops the
program: the steps are append-only.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import pulumi
import pulumi_cloudflare as cf

from components.config import DurableObjectsConfig
from components.config.exports import DurableObjectMigration


def live_migration_tags(account_id: str, opts: pulumi.InvokeOptions) -> dict[str, str]:
    """Script name → the Durable Object migration tag Cloudflare last applied to it (scripts without one: absent)."""
    found = cf.get_workers_scripts(account_id=account_id, opts=opts)
    return {str(script.id): str(script.migration_tag) for script in found.results or [] if script.migration_tag}


class MigrationTagError(pulumi.RunError):
    """The live script carries a tag the config's migrations do not list."""


def upload_migrations(
    at: str, config: DurableObjectsConfig, live_tag: str | None
) -> cf.WorkersScriptMigrationsArgs | None:
    """The migrations one upload carries; ``at`` is the config path of the worker's ``durableObjects`` (messages)."""
    tags = [step.tag for step in config.migrations]
    if live_tag is None:
        pending, old_tag = list(config.migrations), None
    elif live_tag in tags:
        pending, old_tag = list(config.migrations[tags.index(live_tag) + 1 :]), live_tag
    else:
        raise MigrationTagError(
            f"{at}.migrations: the live script's last Durable Object migration is tagged {live_tag!r}, which this "
            f"list ({', '.join(tags)}) no longer has; migrations are append-only: put the deployed steps back"
        )
    if not pending:
        return None
    return cf.WorkersScriptMigrationsArgs(
        old_tag=old_tag, new_tag=pending[-1].tag, steps=[_step(step) for step in pending]
    )


def _step(step: DurableObjectMigration) -> cf.WorkersScriptMigrationsStepArgs:
    return cf.WorkersScriptMigrationsStepArgs(
        new_sqlite_classes=step.new_sqlite_classes or None,
        new_classes=step.new_classes or None,
        renamed_classes=[
            cf.WorkersScriptMigrationsStepRenamedClassArgs(from_=rename.from_, to=rename.to)
            for rename in step.renamed_classes
        ]
        or None,
        deleted_classes=step.deleted_classes or None,
    )


def wrangler_migrations(config: DurableObjectsConfig) -> list[dict[str, Any]]:
    """The whole tagged list, as wrangler's ``migrations`` section holds it (wrangler sends what is pending)."""
    entries = []
    for step in config.migrations:
        entry: dict[str, Any] = {"tag": step.tag}
        entry |= _nonempty(
            {
                "new_sqlite_classes": step.new_sqlite_classes,
                "new_classes": step.new_classes,
                "renamed_classes": [{"from": r.from_, "to": r.to} for r in step.renamed_classes],
                "deleted_classes": step.deleted_classes,
            }
        )
        entries.append(entry)
    return entries


def _nonempty(entry: Mapping[str, Sequence[Any]]) -> dict[str, list[Any]]:
    return {key: list(value) for key, value in entry.items() if value}
