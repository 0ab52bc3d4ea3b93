"""The recovery point of a prod migration: one D1 Time Travel bookmark per database, saved before any statement.

A bookmark names the database's state at the moment it was taken; ``wrangler d1 time-travel restore <db>
--bookmark=<b>`` brings the whole database back to it (Time Travel keeps 30 days on Workers Paid, 7 on
Free). The record is a JSON file in the records folder (the deploy uploads that folder as an artifact) and,
with ``--summary``, a Markdown table in the job summary. Both are written before the first migration runs
and again with the outcome, and the restore commands are printed before and after.
"""

from __future__ import annotations

import json
import os
import time
from dataclasses import dataclass, field
from pathlib import Path

from migrate.outputs import Database

RECORD_PREFIX = "d1-recovery-"
MAX_COLUMNS = 120


def restore_command(database: Database, bookmark: str) -> str:
    return f"wrangler d1 time-travel restore {database.name} --bookmark={bookmark}"


@dataclass
class RecoveryPoint:
    stage: str
    bookmarks: dict[Database, str]
    taken_at: str = field(default_factory=lambda: time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()))
    outcome: str = "recorded before any migration ran"

    def record_path(self, records: Path) -> Path:
        stamp = self.taken_at.replace("-", "").replace(":", "")
        return records / f"{RECORD_PREFIX}{self.stage}-{stamp}.json"

    def save(self, records: Path) -> Path:
        """Write the record (flushed to disk before returning, so it exists before any migration runs)."""
        records.mkdir(parents=True, exist_ok=True)
        path = self.record_path(records)
        body = {
            "stage": self.stage,
            "takenAt": self.taken_at,
            "commit": os.environ.get("GITHUB_SHA"),
            "outcome": self.outcome,
            "databases": [
                {
                    "key": db.key,
                    "name": db.name,
                    "id": db.id,
                    "accountId": db.account_id,
                    "bookmark": bookmark,
                    "restore": restore_command(db, bookmark),
                }
                for db, bookmark in self.bookmarks.items()
            ],
        }
        with path.open("w") as handle:
            handle.write(json.dumps(body, indent=2) + "\n")
            handle.flush()
            os.fsync(handle.fileno())
        return path

    def lines(self, heading: str) -> list[str]:
        """The bookmarks and restore commands as terminal lines of at most 120 columns.

        A command is printed whole on one line, unindented, so it can be copied as it is; only when a long
        database name would push it past 120 columns is it split with a shell line continuation.
        """
        shown = [heading]
        for db, bookmark in self.bookmarks.items():
            shown.append(f"  {db.name}: bookmark {bookmark}")
            command = restore_command(db, bookmark)
            if len(command) > MAX_COLUMNS:
                command = command.replace(" --bookmark=", " \\\n  --bookmark=")
            shown += command.splitlines()
        accounts = ", ".join(sorted({db.account_id for db in self.bookmarks}))
        shown.append(f"  (with CLOUDFLARE_API_TOKEN for the account, and CLOUDFLARE_ACCOUNT_ID={accounts})")
        return shown

    def markdown(self) -> str:
        rows = [
            f"| `{db.name}` | `{bookmark}` | `{restore_command(db, bookmark)}` |"
            for db, bookmark in self.bookmarks.items()
        ]
        return "\n".join(
            [
                f"### D1 recovery point ({self.stage}, {self.taken_at})",
                "",
                f"Time Travel bookmarks, {self.outcome}. To undo the migrations, restore:",
                "",
                "| database | bookmark | restore command |",
                "|---|---|---|",
                *rows,
                "",
            ]
        )
