"""The D1 databases of the stand-in Cloudflare account: real SQLite, bookmarks, and the order of every call.

Each database is an in-memory SQLite database. A query runs its statements in one transaction and answers one
result per statement: D1 runs a batch of statements as one SQL transaction, and a failing statement rolls the
whole batch back (developers.cloudflare.com/d1/worker-api/d1-database, ``batch()``). Every committed write moves
the database to a new version; a Time Travel bookmark names a version, and a restore brings the database back to
it while older bookmarks stay valid, answering the new ``bookmark`` and the ``previous_bookmark``
(developers.cloudflare.com/d1/reference/time-travel). The stand-in keeps a copy of the database for every
bookmark it handed out, so a restore to that bookmark really brings the data back. The endpoints and the
response shapes are the ones wrangler 4.86.0 calls and parses (``node_modules/wrangler/wrangler-dist/cli.js``,
cited in ``server.py``).

The call log records each request in order (method, path, and for a query whether it changed the database),
which is what the tests read to prove that a bookmark was recorded before the first statement.
"""

from __future__ import annotations

import hashlib
import re
import sqlite3
import threading
import time
from dataclasses import dataclass, field
from typing import Any

_COMMENTS = re.compile(r"--[^\n]*|/\*.*?\*/", re.DOTALL)


class QueryError(Exception):
    """SQLite refused a statement: the whole request was rolled back."""


@dataclass
class Call:
    method: str
    path: str
    wrote: bool | None = None
    """For a query: whether it changed the database (None for other calls)."""


def statements(sql: str) -> list[str]:
    """``sql`` split into statements the way SQLite ends them (``;`` inside strings or triggers kept)."""
    found: list[str] = []
    buffer = ""
    for part in sql.split(";"):
        buffer += part + ";"
        if sqlite3.complete_statement(buffer):
            if _COMMENTS.sub("", buffer).strip(" \t\r\n;"):
                found.append(buffer)
            buffer = ""
    if _COMMENTS.sub("", buffer).strip(" \t\r\n;"):
        found.append(buffer)
    return found


@dataclass
class Database:
    uuid: str
    name: str
    account: str
    connection: sqlite3.Connection = field(repr=False)
    version: int = 1
    snapshots: dict[str, bytes] = field(default_factory=dict, repr=False)
    created_at: str = field(default_factory=lambda: time.strftime("%Y-%m-%dT%H:%M:%S.000Z", time.gmtime()))

    @property
    def bookmark(self) -> str:
        """The bookmark of the current version (D1's shape: four dash-separated hex groups)."""
        digest = hashlib.sha256(f"{self.uuid}:{self.version}".encode()).hexdigest()[:32]
        return f"{self.version:08x}-00000000-00000000-{digest}"

    def info(self) -> dict[str, Any]:
        return {
            "uuid": self.uuid,
            "name": self.name,
            "version": "production",
            "created_at": self.created_at,
            "num_tables": len(self.tables()),
            "file_size": self.size(),
        }

    def size(self) -> int:
        """The database's size in bytes (an empty database has none to serialize)."""
        page_count = self.connection.execute("PRAGMA page_count").fetchone()[0]
        return int(page_count) * int(self.connection.execute("PRAGMA page_size").fetchone()[0])

    def tables(self) -> list[str]:
        rows = self.connection.execute("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")
        return [row[0] for row in rows if not row[0].startswith("sqlite_")]

    def rows(self, sql: str) -> list[dict[str, Any]]:
        """Read rows directly (for assertions); never logged as a call."""
        cursor = self.connection.execute(sql)
        names = [column[0] for column in cursor.description or []]
        return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]

    def query(self, sql: str) -> tuple[list[dict[str, Any]], bool]:
        """Run every statement of ``sql`` in one transaction; the results and whether anything changed."""
        conn = self.connection
        before = (conn.total_changes, conn.execute("PRAGMA schema_version").fetchone()[0])
        results: list[dict[str, Any]] = []
        conn.execute("BEGIN")
        try:
            for statement in statements(sql):
                started = time.perf_counter()
                cursor = conn.execute(statement)
                names = [column[0] for column in cursor.description or []]
                rows = [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]
                results.append(
                    {
                        "results": rows,
                        "success": True,
                        "meta": {
                            "duration": (time.perf_counter() - started) * 1000,
                            "changes": max(cursor.rowcount, 0),
                            "last_row_id": cursor.lastrowid or 0,
                            "rows_read": len(rows),
                            "rows_written": max(cursor.rowcount, 0),
                        },
                    }
                )
            conn.execute("COMMIT")
        except sqlite3.Error as error:
            conn.execute("ROLLBACK")
            raise QueryError(f"{error}: SQLITE_ERROR") from None
        wrote = (conn.total_changes, conn.execute("PRAGMA schema_version").fetchone()[0]) != before
        if wrote:
            self.version += 1
        size = self.size()
        for result in results:
            result["meta"].update(changed_db=wrote, size_after=size)
        return results, wrote

    def mark(self) -> str:
        """Hand out the current bookmark, keeping a copy of the database it names."""
        bookmark = self.bookmark
        self.snapshots[bookmark] = self.connection.serialize()
        return bookmark

    def restore(self, bookmark: str) -> str:
        """Bring the database back to ``bookmark``; returns the bookmark of the state it replaced."""
        previous = self.mark()
        self.connection.deserialize(self.snapshots[bookmark])
        self.version += 1
        return previous


class Account:
    """The stand-in's account: databases by id, the accepted API token, switches and the call log."""

    def __init__(self, account_id: str, token: str) -> None:
        self.account_id = account_id
        self.token = token
        self.lock = threading.RLock()
        self.databases: dict[str, Database] = {}
        self.calls: list[Call] = []
        self.time_travel_available = True
        """False: the bookmark endpoint answers an error, as for a database Time Travel cannot serve."""

    def add_database(self, uuid: str, name: str) -> Database:
        conn = sqlite3.connect(":memory:", isolation_level=None, check_same_thread=False)
        conn.execute("PRAGMA user_version = 0")  # a database file from the start, so it can be serialized
        conn.execute("VACUUM")
        with self.lock:
            database = Database(uuid, name, self.account_id, conn)
            self.databases[uuid] = database
            return database

    def database(self, name: str) -> Database:
        """A database by name (for test assertions)."""
        with self.lock:
            return next(db for db in self.databases.values() if db.name == name)

    def record(self, call: Call) -> None:
        with self.lock:
            self.calls.append(call)

    def log(self) -> list[Call]:
        with self.lock:
            return list(self.calls)

    def clear_log(self) -> None:
        with self.lock:
            self.calls.clear()
