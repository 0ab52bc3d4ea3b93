"""Refuse plaintext secret files (``.env``, ``.dev.vars`` and their variants) where wrangler or bin/dev reads files.

wrangler reads such files by default (``.dev.vars`` or ``.env*`` beside a config, ``.env*`` in its working
folder), any process of the user can read them (an editor plugin, a coding agent, a build step), and they end up
in commits. ``bin/dev`` hands wrangler the secrets in memory, so a file with values is never needed: it is
refused, with what to do instead. What counts as a value is what a dotenv parser would load: ``KEY=value``,
``export KEY=value`` and ``KEY: value`` lines, in any case of the file name, with or without a byte-order mark.
Empty files, comment-only files, empty assignments and ``*.example`` templates are fine.
"""

from __future__ import annotations

import codecs
import re
from collections.abc import Iterable
from pathlib import Path

PLAINTEXT_NAME = re.compile(r"^\.(env|dev\.vars)(\..+)?$", re.IGNORECASE)
"""``.env``, ``.dev.vars`` and every ``.env.<x>`` / ``.dev.vars.<x>`` variant, in any case."""
TEMPLATE_SUFFIX = ".example"
_ASSIGNMENT = re.compile(r"^\s*(?:export\s+)?[A-Za-z_][A-Za-z0-9_.-]*\s*[=:](?P<value>.*)$")
_EMPTY_VALUES = {"", '""', "''", "``"}


def _text(data: bytes) -> str:
    """The file's text as a dotenv parser would see it, whatever byte-order mark it starts with."""
    for bom, encoding in ((codecs.BOM_UTF32_LE, "utf-32"), (codecs.BOM_UTF32_BE, "utf-32")):
        if data.startswith(bom):
            return data.decode(encoding, errors="replace")
    for bom, encoding in ((codecs.BOM_UTF16_LE, "utf-16"), (codecs.BOM_UTF16_BE, "utf-16")):
        if data.startswith(bom):
            return data.decode(encoding, errors="replace")
    return data.decode("utf-8-sig", errors="replace").lstrip("\ufeff")


def holds_a_value(line: str) -> bool:
    match = _ASSIGNMENT.match(line)
    if match is None:
        return False
    value = match.group("value").strip()
    return value not in _EMPTY_VALUES and not value.startswith("#")


def is_plaintext_secret_file(path: Path) -> bool:
    name = path.name
    if not PLAINTEXT_NAME.match(name) or name.lower().endswith(TEMPLATE_SUFFIX) or not path.is_file():
        return False
    try:
        data = path.read_bytes()
    except OSError:
        return True  # unreadable here, but perhaps not to wrangler: refuse rather than guess
    return any(holds_a_value(line) for line in _text(data).splitlines())


def watched_folders(root: Path, worker_mains: Iterable[Path], stage_dir: Path) -> list[Path]:
    """Every folder a local run reads files from: the project root, each folder down to each worker's module,
    and the stage's own folder under ``.dev/`` with its configs, state (wrangler's working folder) and logs."""
    folders = {root, stage_dir, *(stage_dir / sub for sub in ("config", "state", "logs"))}
    for main in worker_mains:
        folder = main.parent
        while folder != root and root in folder.parents:
            folders.add(folder)
            folder = folder.parent
        folders.add(main.parent)
    return sorted(folders)


def plaintext_secret_files(folders: Iterable[Path]) -> list[Path]:
    found: set[Path] = set()
    for folder in folders:
        if folder.is_dir():
            found.update(path for path in folder.iterdir() if is_plaintext_secret_file(path))
    return sorted(found)


def refusal(files: Iterable[Path], root: Path, environment: str) -> str:
    listed = "\n".join(f"  - {_relative(path, root)}" for path in files)
    return (
        f"error: refusing to start: these files hold values in plain text:\n{listed}\n"
        "Any process of yours can read them, wrangler would load them, and they leak into commits. bin/dev never\n"
        "needs them: it reads each secret from Infisical and hands it to wrangler in memory. Put each value in\n"
        f"Infisical (`infisical secrets set --env={environment} --path=<folder> NAME=<value>`; bin/dev names the\n"
        "folder of every missing secret), then delete the files. A template without values may stay as *.example."
    )


def _relative(path: Path, root: Path) -> str:
    try:
        return str(path.relative_to(root))
    except ValueError:
        return str(path)
