"""One ``bin/migrate`` run: outputs → recovery point (prod) → ledger read → refusals → apply → ledger file.

For prod the bookmark comes first, before any statement reaches the database (the ledger reads included),
and is saved before anything else happens: no bookmark, no migration. Refusals (an edited migration, a
migration staging has not applied) are decided on the ledger as read, before any migration runs.
"""

from __future__ import annotations

import sys
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from components.rules.stage_layout import PROD
from devstage.wrangler import missing_tools
from migrate import exits, ledger, outputs
from migrate.d1 import RemoteD1, WranglerError
from migrate.ledger import LedgerError, Plan, State
from migrate.outputs import Database, OutputsError
from migrate.recovery import RecoveryPoint

REHEARSAL = "staging"
"""The stage every prod migration must have run on first, with the same content."""


@dataclass(frozen=True)
class Options:
    stage: str
    dry_run: bool
    outputs: str | None
    stack: str
    records: Path
    staging_ledger: Path | None
    """prod: staging's ledger file (None: the one in ``records``)."""
    summary: Path | None
    root: Path


def _error(message: str) -> None:
    print(f"error: {message}", file=sys.stderr)


def _summary(options: Options, text: str) -> None:
    if options.summary is not None:
        with options.summary.open("a") as handle:
            handle.write(text + "\n")


def run(options: Options, environ: Mapping[str, str]) -> int:
    try:
        databases = outputs.databases(outputs.load(options.outputs, options.stack), options.stage, options.root)
    except OutputsError as error:
        _error(str(error))
        return exits.EXIT_USAGE
    if reason := missing_tools():
        _error(reason)
        return exits.EXIT_USAGE
    if not databases:
        print(f"bin/migrate {options.stage}: no worker binds a D1 database: nothing to migrate")
        if not options.dry_run:
            ledger.write_ledger(ledger.ledger_path(options.records, options.stage), options.stage, {})
        return exits.EXIT_OK
    files = {db: ledger.migration_files(db.migrations_dir) for db in databases}
    rehearsed: dict[str, dict[str, str | None]] | None = None
    if options.stage == PROD and any(files.values()):
        try:
            staging = options.staging_ledger or ledger.ledger_path(options.records, REHEARSAL)
            rehearsed = ledger.read_ledger(staging, REHEARSAL)
        except LedgerError as error:
            _error(
                f"prod applies only migrations staging has applied, and staging's ledger is unreadable: {error}. "
                f"Run `bin/migrate {REHEARSAL}` first (it writes {ledger.ledger_path(options.records, REHEARSAL)}), "
                "or pass --staging-ledger FILE"
            )
            return exits.EXIT_NOT_REHEARSED
    with tempfile.TemporaryDirectory(prefix="bin-migrate-") as work:
        remotes = {db: RemoteD1(db, Path(work), environ) for db in databases}
        return _migrate(options, remotes, files, rehearsed)


def _migrate(
    options: Options,
    remotes: dict[Database, RemoteD1],
    files: dict[Database, dict[str, str]],
    rehearsed: Mapping[str, Mapping[str, str | None]] | None,
) -> int:
    recovery: RecoveryPoint | None = None
    if options.stage == PROD and not options.dry_run:
        recovery = _recovery_point(options, remotes)
        if recovery is None:
            return exits.EXIT_NO_RECOVERY_POINT
    try:
        states = {db: _read(remote, create=not options.dry_run) for db, remote in remotes.items()}
    except WranglerError as error:
        _error(f"reading the migrations ledger failed:\n{error}")
        return _finish(
            options, recovery, "failed before any migration ran (ledger unreadable)", exits.EXIT_APPLY_FAILED
        )
    plans = [
        ledger.plan(db, files[db], states[db], None if rehearsed is None else rehearsed.get(db.key, {}))
        for db in remotes
    ]
    for plan in plans:
        _show(plan, options)
    refusal = _refusal(plans)
    if options.dry_run:
        if recovery is None and options.stage == PROD and any(plan.pending for plan in plans):
            print("(a real run records a D1 Time Travel bookmark of every database first)")
        return refusal
    if refusal:
        return _finish(options, recovery, "nothing ran: refused", refusal)
    applied: list[str] = []
    for plan in plans:
        remote = remotes[plan.database]
        try:
            _apply(plan, remote)
            states[plan.database] = _read(remote, create=True)
        except WranglerError as error:
            _error(f"{plan.database.name}: migrating failed; D1 rolled the failing migration back:\n{error}")
            return _finish(options, recovery, "a migration failed", exits.EXIT_APPLY_FAILED)
        applied += [f"{plan.database.name}: {name}" for name in plan.pending]
    path = ledger.ledger_path(options.records, options.stage)
    ledger.write_ledger(path, options.stage, states)
    print(f"ledger (applied migrations, hashes): {path}")
    _summary(options, f"### D1 migrations ({options.stage})\n\n" + _listing(applied) + "\n")
    done = f"applied {len(applied)} migration(s)" if applied else "nothing to apply"
    return _finish(options, recovery, done, exits.EXIT_OK)


def _recovery_point(options: Options, remotes: dict[Database, RemoteD1]) -> RecoveryPoint | None:
    bookmarks = {}
    for db, remote in remotes.items():
        try:
            bookmarks[db] = remote.bookmark()
        except WranglerError as error:
            _error(
                f"no recovery point for {db.name}, so nothing was migrated.\n"
                f"A prod migration runs only after a D1 Time Travel bookmark is recorded. wrangler said:\n{error}"
            )
            return None
    recovery = RecoveryPoint(options.stage, bookmarks)
    try:
        path = recovery.save(options.records)
    except OSError as error:
        _error(f"the recovery point could not be saved in {options.records} ({error.strerror}): nothing was migrated")
        return None
    print("\n".join(recovery.lines("Recovery point (D1 Time Travel), recorded before any migration runs:")))
    print(f"  record: {path}")
    _summary(options, recovery.markdown())
    return recovery


def _read(remote: RemoteD1, *, create: bool) -> State:
    """The database's ledger; ``create`` makes both tables first (a write: only after the bookmark)."""
    if create:
        sql = (ledger.WRANGLER_TABLE_DDL, ledger.HASH_TABLE_DDL, ledger.READ_APPLIED, ledger.READ_HASHES)
        results = remote.execute(" ".join(sql))
        return State.from_rows(results[2], results[3])
    existing = {row["name"] for row in remote.execute(ledger.EXISTING_TABLES)[0]}
    if ledger.WRANGLER_TABLE not in existing:
        return State()
    reads = [ledger.READ_APPLIED] + ([ledger.READ_HASHES] if ledger.HASH_TABLE in existing else [])
    results = remote.execute(" ".join(reads))
    return State.from_rows(results[0], results[1] if len(results) > 1 else [])


def _apply(plan: Plan, remote: RemoteD1) -> None:
    record = {name: plan.files[name] for name in [*plan.unrecorded, *plan.pending]}
    if record:
        remote.execute(ledger.record_hashes(record))
    if plan.pending:
        remote.apply()
        print(f"{plan.database.name}: applied {', '.join(plan.pending)}")


def _refusal(plans: list[Plan]) -> int:
    edited = [f"{plan.database.name}: {name}" for plan in plans for name in plan.edited]
    if edited:
        _error(
            "migration files were edited after they were applied (wrangler would skip them silently):\n"
            + _listing(edited)
            + "\nRestore their applied content (git history) and put the change in a new migration file."
        )
        return exits.EXIT_EDITED
    unrehearsed = [f"{plan.database.name}: {name}" for plan in plans for name in plan.not_rehearsed]
    if unrehearsed:
        _error(
            f"prod applies only migrations {REHEARSAL} has applied with the same content:\n"
            + _listing(unrehearsed)
            + f"\nDeploy to {REHEARSAL} first (it runs `bin/migrate {REHEARSAL}`), then prod."
        )
        return exits.EXIT_NOT_REHEARSED
    return exits.EXIT_OK


def _show(plan: Plan, options: Options) -> None:
    folder = plan.database.migrations_dir
    shown = folder.relative_to(options.root) if folder.is_relative_to(options.root) else folder
    print(f"{plan.database.name} ({plan.database.key}), migrations in {shown}/:")
    done = [name for name in plan.files if name not in plan.pending]
    verb = "would apply" if options.dry_run else "to apply"
    print(f"  applied: {', '.join(done) or 'none'}")
    print(f"  {verb}: {', '.join(plan.pending) or 'nothing'}")
    for name in plan.unrecorded:
        print(f"  note: {name} was applied before bin/migrate kept hashes; its file's hash is recorded now")
    for name in plan.missing:
        print(f"  note: {name} is applied but its file is no longer in {shown}/")


def _listing(items: list[str]) -> str:
    return "\n".join(f"  - {item}" for item in items) if items else "  - nothing to apply"


def _finish(options: Options, recovery: RecoveryPoint | None, outcome: str, code: int) -> int:
    if recovery is not None:
        recovery.outcome = outcome
        recovery.save(options.records)
        print("\n".join(recovery.lines(f"Outcome: {outcome}. To undo what ran, restore the recovery point:")))
        _summary(options, f"**Outcome:** {outcome}. Restore commands above.\n")
    return code
