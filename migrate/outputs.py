"""The stage's D1 databases, as the program's stack outputs name them (ids, names, migrations folders).

The outputs are what ``pulumi stack output --json`` prints for the stage's stack: a file, standard input,
or (when neither is given) the Pulumi CLI run here. Only ``stage``, ``wranglerConfigs`` and
``d1Databases`` are read. The databases come from the workers' ``d1_databases`` entries, which carry
exactly what wrangler needs (database name and id, ``migrations_dir``, the account); ``d1Databases`` maps
each name back to its key in the stage config, the name staging and prod share. A database no worker
binds is not in any wrangler config and is not migrated.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

_SAFE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*$")


class OutputsError(Exception):
    """The outputs cannot be read or do not describe the stage (the message says where)."""


@dataclass(frozen=True)
class Database:
    key: str
    """The database's key in the stage config (``d1``): the same for every stage."""
    name: str
    id: str
    account_id: str
    migrations_dir: Path


def load(source: str | None, stack: str) -> dict[str, Any]:
    """The outputs from ``source`` (a file, ``-`` for standard input) or from ``pulumi stack output``."""
    if source == "-":
        return _parse(sys.stdin.read(), "standard input")
    if source is not None:
        try:
            return _parse(Path(source).read_text(), source)
        except OSError as error:
            raise OutputsError(f"cannot read the stack outputs {source}: {error.strerror}") from None
    pulumi = shutil.which("pulumi")
    if pulumi is None:
        raise OutputsError(
            "the Pulumi CLI is not installed: pass --outputs FILE, the JSON of `pulumi stack output --json`"
        )
    done = subprocess.run(  # noqa: S603 (the Pulumi CLI, fixed arguments)
        [pulumi, "stack", "output", "--json", "--stack", stack],
        capture_output=True,
        text=True,
        check=False,
        stdin=subprocess.DEVNULL,
    )
    if done.returncode != 0:
        reason = (done.stderr.strip().splitlines() or ["no message"])[-1]
        raise OutputsError(f"`pulumi stack output --json --stack {stack}` failed: {reason}")
    return _parse(done.stdout, f"`pulumi stack output` of stack {stack}")


def _parse(text: str, where: str) -> dict[str, Any]:
    try:
        outputs = json.loads(text)
    except ValueError:
        raise OutputsError(f"{where} is not JSON (expected the output of `pulumi stack output --json`)") from None
    if not isinstance(outputs, dict):
        raise OutputsError(f"{where} is not a JSON object of stack outputs")
    return outputs


def databases(outputs: Mapping[str, Any], stage: str, root: Path) -> list[Database]:
    """The stage's D1 databases, in name order; migrations folders resolved against ``root``."""
    named = outputs.get("stage")
    if named != stage:
        shown = f"stage {named!r}" if isinstance(named, str) else "no stage"
        raise OutputsError(f"the stack outputs are of {shown}, not {stage!r}: pass the outputs of stack {stage!r}")
    configs = outputs.get("wranglerConfigs")
    if not isinstance(configs, dict):
        raise OutputsError("the stack outputs have no wranglerConfigs (is this the stage platform's stack?)")
    keys = {
        entry.get("name"): key
        for key, entry in (outputs.get("d1Databases") or {}).items()
        if isinstance(entry, dict) and isinstance(key, str)
    }
    found: dict[str, Database] = {}
    for worker, config in sorted(configs.items()):
        for index, entry in enumerate(config.get("d1_databases") or []):
            where = f"wranglerConfigs.{worker}.d1_databases[{index}]"
            database = _database(entry, config.get("account_id"), keys, root, where)
            known = found.setdefault(database.name, database)
            if known != database:
                raise OutputsError(f"{where}: database {database.name!r} differs from another worker's entry")
    return [found[name] for name in sorted(found)]


def _database(entry: Any, account: Any, keys: Mapping[Any, str], root: Path, where: str) -> Database:
    if not isinstance(entry, dict):
        raise OutputsError(f"{where} is not an object")
    values = {
        "database_name": entry.get("database_name"),
        "database_id": entry.get("database_id"),
        "account_id": account,
        "migrations_dir": entry.get("migrations_dir", "migrations"),
    }
    for field, value in values.items():
        if not isinstance(value, str) or not value or value == "[secret]":
            raise OutputsError(f"{where}: {field} is missing (a stack that was never deployed has no ids yet)")
    for field in ("database_name", "database_id", "account_id"):
        if not _SAFE.match(values[field]):
            raise OutputsError(f"{where}: {field} is not a valid Cloudflare name or id")
    name = values["database_name"]
    return Database(
        key=keys.get(name, name),
        name=name,
        id=values["database_id"],
        account_id=values["account_id"],
        migrations_dir=(root / values["migrations_dir"]).resolve(),
    )
