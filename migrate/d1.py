"""One remote D1 database, reached through the project's pinned wrangler with the caller's Cloudflare token.

Each database gets a minimal wrangler config (its name, id and account, and the absolute migrations
folder) in a private working folder, so wrangler's own commands do the work: ``d1 time-travel info`` for a
bookmark, ``d1 execute --remote`` for the ledger reads and the hash records, ``d1 migrations apply --remote``
for the migrations. wrangler gets an allowlist of the caller's environment, as in bin/dev
(``devstage.wrangler.PASSED``), plus the Cloudflare token and API base it needs: bin/migrate runs inside
``infisical run --path=/cloudflare``, whose other values (the state passphrase and bucket token, the sync token,
the injected Worker secrets) never reach wrangler. Metrics, error reports and the update check are off, and it
is non-interactive (it never prompts: stdin is the null device).
"""

from __future__ import annotations

import json
import re
import subprocess
import textwrap
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from devstage.wrangler import OFFLINE, command, passed
from migrate.outputs import Database

_ANSI = re.compile(r"\x1b\[[0-9;]*m")
_BOOKMARK = re.compile(r"^[0-9a-f]+(-[0-9a-f]+)*$")
_NOISE = ("Logs were written", "If you think this is a bug", "open an issue at")
TIMEOUT = 300.0


class WranglerError(Exception):
    """A wrangler command failed; the message is wrangler's own error, without colours or log hints."""


REMOTE = frozenset({"CLOUDFLARE_API_TOKEN", "CLOUDFLARE_API_BASE_URL", "CI"})
"""What a remote wrangler command takes from the caller beyond the allowlist: the account's token, the API's base
URL (when set: a stand-in in tests) and ``CI`` (so wrangler behaves as in any CI job)."""


def environment(inherited: Mapping[str, str], log_dir: Path, account_id: str) -> dict[str, str]:
    """wrangler's environment: the allowlisted part of ``inherited`` and :data:`REMOTE`, nothing else."""
    env = passed(inherited, REMOTE)
    env.update(OFFLINE)
    env.update(NO_COLOR="1", FORCE_COLOR="0", WRANGLER_LOG_PATH=str(log_dir), CLOUDFLARE_ACCOUNT_ID=account_id)
    return env


class RemoteD1:
    def __init__(self, database: Database, workdir: Path, inherited: Mapping[str, str]) -> None:
        self.database = database
        self.folder = workdir / database.name
        self.folder.mkdir(parents=True, exist_ok=True)
        self.config = self.folder / "wrangler.json"
        self.config.write_text(
            json.dumps(
                {
                    "name": f"{database.name}-migrations",
                    "account_id": database.account_id,
                    "compatibility_date": "2025-06-01",
                    "d1_databases": [
                        {
                            "binding": "DB",
                            "database_name": database.name,
                            "database_id": database.id,
                            "migrations_dir": str(database.migrations_dir),
                        }
                    ],
                },
                indent=2,
            )
        )
        self.env = environment(inherited, self.folder / "logs", database.account_id)

    def _run(self, *args: str) -> str:
        try:
            done = subprocess.run(  # noqa: S603 (the project's own wrangler, fixed arguments)
                command(*args, "-c", str(self.config)),
                cwd=self.folder,
                env=self.env,
                capture_output=True,
                text=True,
                check=False,
                stdin=subprocess.DEVNULL,
                timeout=TIMEOUT,
            )
        except subprocess.TimeoutExpired:
            raise WranglerError(f"`wrangler {' '.join(args[:3])}` did not finish in {TIMEOUT:.0f}s") from None
        if done.returncode != 0:
            raise WranglerError(_reason(done.stdout + "\n" + done.stderr))
        return done.stdout

    def bookmark(self) -> str:
        """The database's current Time Travel bookmark (``wrangler d1 time-travel info --json``)."""
        answer = _json(self._run("d1", "time-travel", "info", self.database.name, "--json"))
        bookmark = answer.get("bookmark") if isinstance(answer, dict) else None
        if not isinstance(bookmark, str) or not _BOOKMARK.match(bookmark):
            raise WranglerError("wrangler d1 time-travel info answered without a bookmark")
        return bookmark

    def execute(self, sql: str) -> list[list[dict[str, Any]]]:
        """Run ``sql`` (one request: D1 runs its statements in one transaction); each statement's rows."""
        answer = _json(self._run("d1", "execute", self.database.name, "--remote", "--json", "--command", sql))
        if not isinstance(answer, list) or not all(isinstance(r, dict) and r.get("success") for r in answer):
            raise WranglerError("wrangler d1 execute answered without a result for every statement")
        return [list(result.get("results") or []) for result in answer]

    def apply(self) -> str:
        """``wrangler d1 migrations apply --remote``: each pending migration in one request with its ledger row."""
        return self._run("d1", "migrations", "apply", self.database.name, "--remote")


def _json(text: str) -> Any:
    start = min((i for i in (text.find("["), text.find("{")) if i >= 0), default=-1)
    try:
        return json.loads(text[start:]) if start >= 0 else None
    except ValueError:
        return None


def _reason(output: str) -> str:
    """wrangler's error, wrapped to 120 columns: the ``{"error": {text, notes}}`` of a ``--json`` command, else
    its ``[ERROR]`` lines."""
    wrapped = [textwrap.fill(line, 120, subsequent_indent="    ") for line in _unwrapped(output).splitlines()]
    return "\n".join(wrapped)


def _unwrapped(output: str) -> str:
    answer = _json(output)
    error = answer.get("error") if isinstance(answer, dict) else None
    if isinstance(error, dict) and isinstance(error.get("text"), str):
        notes = [note.get("text") for note in error.get("notes") or [] if isinstance(note, dict)]
        return "\n".join([error["text"], *(f"  {note}" for note in notes if isinstance(note, str))])
    lines = [_ANSI.sub("", line).strip() for line in output.splitlines()]
    kept = [line for line in lines if line and not any(noise in line for noise in _NOISE)]
    errors = [i for i, line in enumerate(kept) if "[ERROR]" in line]
    shown = kept[errors[0] :] if errors else kept[-6:]
    return "\n".join(line.replace("✘ [ERROR] ", "") for line in shown[:8]) or "wrangler failed without a message"
