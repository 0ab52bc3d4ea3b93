"""Refuse plaintext secret files (``.dev.vars``, ``.env``) next to a worker.

wrangler reads such files by default, and any process in the project (an editor plugin, a coding agent, a
build step) can read them too, and they end up in commits. ``bin/dev`` gives wrangler the secrets through
its process environment only, so a file with values is never needed: it is refused, with what to do
instead. Empty files and ones holding only comments are fine, as are ``*.example`` templates.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from pathlib import Path

PLAINTEXT_NAMES = (".dev.vars", ".env")
_ASSIGNMENT = re.compile(r"^\s*(export\s+)?[A-Za-z_][A-Za-z0-9_.-]*\s*=\s*\S")


def is_plaintext_secret_file(path: Path) -> bool:
    name = path.name
    if name.endswith(".example") or not path.is_file():
        return False
    if not any(name == base or name.startswith(base + ".") for base in PLAINTEXT_NAMES):
        return False
    try:
        lines = path.read_text(errors="replace").splitlines()
    except OSError:
        return False
    return any(_ASSIGNMENT.match(line) for line in lines)


def plaintext_secret_files(folders: Iterable[Path]) -> list[Path]:
    found: set[Path] = set()
    for folder in folders:
        if folder.is_dir():
            found.update(path for path in folder.iterdir() if is_plaintext_secret_file(path))
    return sorted(found)


def refusal(files: Iterable[Path], root: Path, stage: str, environment: str) -> str:
    listed = "\n".join(f"  - {_relative(path, root)}" for path in files)
    return (
        f"error: refusing to start: these files hold values in plain text:\n{listed}\n"
        "Any process in the project can read them, and they leak into commits. bin/dev never needs them: it "
        "reads each secret from Infisical into the wrangler process environment only. Put each value in "
        f"Infisical (`infisical secrets set --env={environment} --path=<folder> NAME=<value>`; `bin/dev` names "
        "the folder of every missing secret), then delete the files."
    )


def _relative(path: Path, root: Path) -> str:
    try:
        return str(path.relative_to(root))
    except ValueError:
        return str(path)
