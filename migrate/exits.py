"""The exit codes of ``bin/migrate``: one place for the CLI, its ``--help`` and the deploy workflow.

Standard library only: ``--help`` is built from this module before anything heavy is imported.
"""

from __future__ import annotations

EXIT_OK = 0
EXIT_USAGE = 2
"""Bad arguments; stack outputs that are unreadable, of another stage or without ``wranglerConfigs``; no Node.js
or wrangler."""
EXIT_NO_RECOVERY_POINT = 3
"""prod only: no Time Travel bookmark could be recorded and saved, so nothing ran."""
EXIT_NOT_REHEARSED = 4
"""prod only: a migration to apply is not applied on staging, or staging applied other content."""
EXIT_EDITED = 5
"""A migration file differs from the content recorded when it was applied."""
EXIT_APPLY_FAILED = 6
"""wrangler could not read the ledger or apply a migration (D1 rolled that migration back)."""

DESCRIPTIONS = {
    EXIT_OK: "migrated (or nothing to do); with --dry-run: the plan was listed and would run",
    EXIT_USAGE: "bad arguments; stack outputs unreadable, of another stage or without wranglerConfigs; no Node.js "
    "or wrangler",
    EXIT_NO_RECOVERY_POINT: "prod: no recovery point (bookmark not recorded or not saved); nothing ran",
    EXIT_NOT_REHEARSED: "prod: a migration to apply is not applied on staging with the same content",
    EXIT_EDITED: "a migration file was edited after it was applied",
    EXIT_APPLY_FAILED: "wrangler failed to read the ledger or to apply a migration (that migration rolled back)",
}
