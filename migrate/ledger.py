"""What a database has applied, what its migrations folder holds, and what is left to do.

wrangler keeps its own ledger, the ``d1_migrations`` table, with names only: an applied migration whose
file was edited later looks applied and is silently skipped. So ``bin/migrate`` keeps the SHA-256 of each
file it applies in a table of its own, ``d1_migration_hashes``, **in the same database**:

* a Time Travel restore rolls the hashes back together with the schema they describe, so the two never
  disagree (a file or a CI artifact would still claim a migration the restored database no longer has);
* every runner (CI, a laptop) sees the same record, with no storage or credentials besides the database.

A hash is written just before its migration runs and counts only once wrangler's ledger names the
migration, so a failed apply leaves nothing that claims it ran. A migration applied before hashes were kept
gets the hash of its file the first time ``bin/migrate`` sees it (said so in the output).

A stage's *ledger file* (``<stage>.ledger.json``) is the same record read back after a run: per database key,
each applied migration and its hash. prod reads staging's ledger file to refuse what staging has not run.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from migrate.outputs import Database

WRANGLER_TABLE = "d1_migrations"
"""wrangler's ledger (``DEFAULT_MIGRATION_TABLE``; the published configs set no ``migrations_table``)."""
WRANGLER_TABLE_DDL = f"""CREATE TABLE IF NOT EXISTS {WRANGLER_TABLE}(
		id         INTEGER PRIMARY KEY AUTOINCREMENT,
		name       TEXT UNIQUE,
		applied_at TIMESTAMP DEFAULT CURRENT_TIMESTAMP NOT NULL
);"""
"""wrangler's own statement (``initMigrationsTable``, src/d1/migrations/helpers.ts in wrangler 4.86.0), which
``d1 migrations apply`` runs first anyway: running it before the first read lets one request read both."""
HASH_TABLE = "d1_migration_hashes"
HASH_TABLE_DDL = (
    f"CREATE TABLE IF NOT EXISTS {HASH_TABLE} (name TEXT PRIMARY KEY, sha256 TEXT NOT NULL, "
    "recorded_at TEXT NOT NULL DEFAULT CURRENT_TIMESTAMP);"
)
# Statements are built from the table names above and, for values, `_literal` (file names and hashes).
READ_APPLIED = f"SELECT name FROM {WRANGLER_TABLE} ORDER BY id;"  # noqa: S608
READ_HASHES = f"SELECT name, sha256 FROM {HASH_TABLE};"  # noqa: S608
EXISTING_TABLES = (
    f"SELECT name FROM sqlite_master WHERE type = 'table' AND name IN ('{WRANGLER_TABLE}', '{HASH_TABLE}');"  # noqa: S608
)
_NUMBER = re.compile(r"^(\d+)")


class LedgerError(Exception):
    """A ledger file cannot be read (the message names the file and what is wrong)."""


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def migration_files(folder: Path) -> dict[str, str]:
    """Each ``*.sql`` file of ``folder`` and its hash, in the order wrangler applies them.

    wrangler takes every name ending in ``.sql``, sorted, then orders them by the number before the first
    ``_`` (``getMigrationNames`` and the apply handler, src/d1/migrations/).
    """
    if not folder.is_dir():
        return {}
    names = sorted(entry.name for entry in folder.iterdir() if entry.name.endswith(".sql") and entry.is_file())
    names.sort(key=lambda name: int(m.group(1)) if (m := _NUMBER.match(name)) else 0)
    return {name: sha256(folder / name) for name in names}


@dataclass(frozen=True)
class State:
    """What one database has applied (wrangler's ledger, in order) and the hashes recorded for it."""

    applied: list[str] = field(default_factory=list)
    hashes: dict[str, str] = field(default_factory=dict)

    @classmethod
    def from_rows(cls, applied: Sequence[Mapping[str, Any]], hashes: Sequence[Mapping[str, Any]]) -> State:
        return cls([str(row["name"]) for row in applied], {str(row["name"]): str(row["sha256"]) for row in hashes})

    def recorded(self) -> dict[str, str | None]:
        """Each applied migration and its recorded hash (None: applied before hashes were kept)."""
        return {name: self.hashes.get(name) for name in self.applied}


@dataclass(frozen=True)
class Plan:
    """What a run does to one database, and what stops it."""

    database: Database
    files: dict[str, str]
    pending: list[str]
    """To apply, in wrangler's order."""
    edited: list[str]
    """Applied, and the file no longer has the content recorded when it was applied."""
    unrecorded: list[str]
    """Applied before hashes were kept: the file's hash is recorded now."""
    missing: list[str]
    """Applied, but the file is gone from the migrations folder."""
    not_rehearsed: list[str] = field(default_factory=list)
    """prod: pending, but not applied on staging with the same content (each with the reason)."""


def plan(database: Database, files: dict[str, str], state: State, rehearsed: Mapping[str, str | None] | None) -> Plan:
    """The plan for ``database``; ``rehearsed`` is staging's applied record for prod (None: no gate)."""
    applied = set(state.applied)
    edited = [name for name in state.applied if name in files and state.hashes.get(name, files[name]) != files[name]]
    unrecorded = [name for name in state.applied if name in files and name not in state.hashes]
    if rehearsed is not None:
        # A migration applied before hashes were kept must still match what staging ran.
        edited += [name for name in unrecorded if rehearsed.get(name) not in (None, files[name])]
        unrecorded = [name for name in unrecorded if name not in edited]
    pending = [name for name in files if name not in applied]
    not_rehearsed = []
    if rehearsed is not None:
        for name in pending:
            if name not in rehearsed:
                not_rehearsed.append(f"{name} (not applied on staging)")
            elif rehearsed[name] is None:
                not_rehearsed.append(f"{name} (staging has no content hash for it: run bin/migrate staging)")
            elif rehearsed[name] != files[name]:
                not_rehearsed.append(f"{name} (staging applied other content)")
    missing = [name for name in state.applied if name not in files]
    return Plan(database, files, pending, edited, unrecorded, missing, not_rehearsed)


def record_hashes(hashes: Mapping[str, str]) -> str:
    """The statement that records ``hashes`` (an earlier record of a never-applied name is replaced)."""
    rows = ", ".join(f"({_literal(name)}, {_literal(digest)})" for name, digest in hashes.items())
    return (
        f"INSERT INTO {HASH_TABLE} (name, sha256) VALUES {rows} "  # noqa: S608
        "ON CONFLICT(name) DO UPDATE SET sha256 = excluded.sha256, recorded_at = CURRENT_TIMESTAMP;"
    )


def _literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def ledger_path(records: Path, stage: str) -> Path:
    return records / f"{stage}.ledger.json"


def write_ledger(path: Path, stage: str, states: Mapping[Database, State]) -> None:
    """Save what each database of ``stage`` has applied, by database key (names and hashes, no data)."""
    databases = {
        db.key: {"name": db.name, "applied": state.recorded()}
        for db, state in sorted(states.items(), key=lambda item: item[0].key)
    }
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps({"stage": stage, "databases": databases}, indent=2) + "\n")


def read_ledger(path: Path, stage: str) -> dict[str, dict[str, str | None]]:
    """``stage``'s ledger file: database key → applied migration → hash."""
    try:
        data = json.loads(path.read_text())
    except FileNotFoundError:
        raise LedgerError(f"{path} does not exist") from None
    except (OSError, ValueError) as error:
        raise LedgerError(f"{path} is not a readable ledger file ({error.__class__.__name__})") from None
    if not isinstance(data, dict) or data.get("stage") != stage or not isinstance(data.get("databases"), dict):
        raise LedgerError(f"{path} is not a ledger file of stage {stage!r}")
    ledger: dict[str, dict[str, str | None]] = {}
    for key, entry in data["databases"].items():
        applied = entry.get("applied") if isinstance(entry, dict) else None
        if not isinstance(applied, dict):
            raise LedgerError(f"{path}: databases.{key}.applied is not an object")
        ledger[key] = {str(name): digest if isinstance(digest, str) else None for name, digest in applied.items()}
    return ledger
