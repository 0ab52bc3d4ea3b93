"""Where secret values come from at run time: the Infisical CLI as people use it, or a machine identity.

* CLI: ``infisical run --env=<env> --path=<folder> --projectId=<id> -- …``, one link per folder, each
  followed by :mod:`devstage.relay`, which files that folder's keys under a slot of its own, so a key that
  exists in two folders can never shadow the one the stage config names.
* Machine identity: this project's own client (``components.infisical``) with the ``INFISICAL_*``
  credentials of the environment, reading exactly the declared keys (``GET /api/v4/secrets/{name}``), so
  no other secret of a folder ever reaches this process.

Either way values stay in process memory and environments; nothing is written to a file.
"""

from __future__ import annotations

import json
import os
import shutil
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path

from components.config import StageConfig
from components.infisical import InfisicalClient, InfisicalError, InfisicalNotFoundError
from components.infisical.auth import TOKEN_VAR, credentials_from_env
from devstage.secrets import SecretRead

CLI = "infisical"
CLI_CONFIG = Path(".infisical") / "infisical-config.json"
"""Where the Infisical CLI keeps the logged-in user (``infisical login``), under the home folder."""
SLOT_PREFIX = "DEVSTAGE_SLOT_"


def cli_logged_in(environ: Mapping[str, str]) -> bool:
    """The CLI is on PATH and can authenticate: a token in the environment or a logged-in user."""
    if shutil.which(CLI, path=environ.get("PATH")) is None:
        return False
    if environ.get(TOKEN_VAR):
        return True
    home = Path(environ.get("HOME") or Path.home())
    try:
        data = json.loads((home / CLI_CONFIG).read_text())
    except (OSError, ValueError):
        return False
    return isinstance(data, dict) and bool(data.get("loggedInUserEmail"))


def identity_configured(environ: Mapping[str, str]) -> bool:
    try:
        credentials_from_env(environ)
    except InfisicalError:
        return False
    return True


def slot_variable(folder_index: int, key: str) -> str:
    return f"{SLOT_PREFIX}{folder_index}_{key}"


def cli_command(config: StageConfig, reads: Sequence[SecretRead], inner: Sequence[str]) -> list[str]:
    """``infisical run`` once per folder, each handing its keys to a relay slot, then ``inner``."""
    assert config.infisical is not None  # secrets with folders exist only with an infisical section
    folder_list = sorted({read.folder for read in reads if read.folder})
    command: list[str] = []
    for index, folder in enumerate(folder_list):
        keys = sorted({read.key for read in reads if read.folder == folder and read.key})
        command += [
            CLI,
            "run",
            f"--env={config.infisical_environment_slug}",
            f"--path={folder}",
            f"--projectId={config.infisical.project_id}",
            "--",
            sys.executable,
            "-m",
            "devstage.relay",
            str(index),
            ",".join(keys),
            "--",
        ]
    return command + list(inner)


def cli_slot(folder_list: Sequence[str], reads: Sequence[SecretRead]) -> dict[tuple[str, str], str]:
    """(folder, key) → the relay slot variable that holds it in the innermost process."""
    index = {folder: position for position, folder in enumerate(folder_list)}
    return {
        (read.folder, read.key): slot_variable(index[read.folder], read.key)
        for read in reads
        if read.folder and read.key
    }


def read_with_identity(
    config: StageConfig, reads: Sequence[SecretRead], environ: Mapping[str, str]
) -> dict[tuple[str, str], str]:
    """Each declared key's value (absent keys are left out), read with the environment's machine identity."""
    assert config.infisical is not None
    found: dict[tuple[str, str], str] = {}
    with InfisicalClient(environ=environ) as client:
        for folder, key in sorted({(r.folder, r.key) for r in reads if r.folder and r.key}):
            params = {
                "projectId": config.infisical.project_id,
                "environment": config.infisical_environment_slug,
                "secretPath": folder,
                "viewSecretValue": "true",
                "expandSecretReferences": "true",
            }
            try:
                data = client.get("/api/v4/secrets/{secretName}", path={"secretName": key}, params=params)
            except InfisicalNotFoundError:
                continue
            value = (data or {}).get("secret", {}).get("secretValue")
            if isinstance(value, str):
                client.remember_secret(value)
                found[(folder, key)] = value
    return found


def python_path(root: Path) -> str:
    """PYTHONPATH for the relay and launcher processes, so they import this project from any folder."""
    existing = os.environ.get("PYTHONPATH")
    return f"{root}{os.pathsep}{existing}" if existing else str(root)
