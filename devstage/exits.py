"""``bin/dev``'s exit codes, declared once: the steps return them and ``--help`` lists them from here."""

from __future__ import annotations

from enum import IntEnum


class Exit(IntEnum):
    OK = 0
    FAILED = 1
    USAGE = 2
    MISSING_SECRETS = 3
    PLAINTEXT_FILE = 4


MEANING = {
    Exit.OK: "the stage ran until stopped (Ctrl-C), or --config-only wrote the configs",
    Exit.FAILED: "wrangler failed: a D1 migration, or the local runtime did not start or stopped with an error",
    Exit.USAGE: "bad usage: an unknown option, stage or worker, an invalid stage config, Node.js or wrangler missing",
    Exit.MISSING_SECRETS: "secrets could not be read: each is named with why and the command that adds it",
    Exit.PLAINTEXT_FILE: "refused: a .env or .dev.vars file with values where wrangler or bin/dev reads files",
}


def exit_code_lines() -> list[str]:
    """One line per exit code, as ``--help`` and docs/local-dev.md show them."""
    return [f"{code.value}  {MEANING[code]}" for code in Exit]
