"""Where secret values come from when bin/dev starts: the Infisical CLI as people use it, or a machine identity.

* CLI: ``infisical export --format=json`` once per folder, its output captured through a pipe by this process
  (never ``infisical run``, which would put every secret of the folder into a child's environment). Only the
  declared keys are kept; a folder's other secrets are dropped here and reach nothing.
* Machine identity: this project's own client (``components.infisical``) with the ``INFISICAL_*``
  credentials of the environment, reading exactly the declared keys (``GET /api/v4/secrets/{name}``).

Either way a folder that cannot be read is not an error here: it comes back with the reason (no CLI, no
credentials, Infisical unreachable, access refused, ...), so that bin/dev names every secret it lacks and why.
Values stay in this process's memory until they are handed on over a pipe (``devstage.launch``).
"""

from __future__ import annotations

import json
import shutil
import subprocess
from collections.abc import Mapping
from pathlib import Path

from components.config import StageConfig
from components.infisical import (
    InfisicalAuthenticationError,
    InfisicalClient,
    InfisicalError,
    InfisicalNotFoundError,
    InfisicalTransportError,
)
from components.infisical.auth import CREDENTIAL_HELP, TOKEN_VAR, credentials_from_env
from components.infisical.client import HTTP_TIMEOUT_VAR, MAX_RETRIES_VAR, env_number
from devstage.secrets import Reading
from plan.inventory_cli import PROJECT_ID_ENV

CLI = "infisical"
CLI_CONFIG = Path(".infisical") / "infisical-config.json"
"""Where the Infisical CLI keeps the logged-in user (``infisical login``), under the home folder."""
CLI_TIMEOUT = 120.0
LOCAL_RETRIES = 1
"""A developer waiting for a local start is better served by a quick, named failure than by minutes of backoff
(``INFISICAL_MAX_RETRIES`` still wins)."""
LOCAL_TIMEOUT = 10.0
NO_SOURCE = (
    "no way to read Infisical here: the Infisical CLI is not installed or not logged in (`infisical login`), "
    f"and no machine identity is set: {CREDENTIAL_HELP}; INFISICAL_HOST for self-hosted"
)


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


def source(choice: str, environ: Mapping[str, str]) -> str | None:
    """``cli`` or ``identity`` (``--secrets-from``, or the first that can work here), None when neither can."""
    if choice != "auto":
        return choice
    if cli_logged_in(environ):
        return "cli"
    if identity_configured(environ):
        return "identity"
    return None


def project_id_of(config: StageConfig, environ: Mapping[str, str]) -> str | None:
    """The stage's Infisical project: its config's, else ``INFISICAL_PROJECT_ID`` (a stage that takes it from the
    project stack's outputs, which a local run cannot read)."""
    return (config.infisical.project_id if config.infisical else None) or environ.get(PROJECT_ID_ENV)


def read(config: StageConfig, folders: Mapping[str, list[str]], choice: str, environ: Mapping[str, str]) -> Reading:
    """The values of ``folders`` (folder → keys), or per folder the reason they could not be read."""
    if not folders:
        return Reading()
    project_id = project_id_of(config, environ)
    if config.infisical is None:
        why = f"stage {config.stage!r} has no `infisical` section, so no Infisical project to read from"
    elif project_id is None:
        why = f"stage {config.stage!r} takes its Infisical project id from the project stack: set {PROJECT_ID_ENV}"
    elif (chosen := source(choice, environ)) is None:
        why = NO_SOURCE
    elif chosen == "cli":
        return read_with_cli(project_id, config.infisical_environment_slug, folders, environ)
    else:
        return read_with_identity(project_id, config.infisical_environment_slug, folders, environ)
    return Reading(failures=dict.fromkeys(folders, why))


def export_command(cli: str, project_id: str, environment: str, folder: str) -> list[str]:
    """One folder's secrets as JSON on stdout (Infisical/cli packages/cmd/export.go: a list of objects with
    ``key``, ``value``, ``type`` and ``secretPath``); ``--silent`` keeps tips and update notices out."""
    return [
        cli, "export", f"--projectId={project_id}", f"--env={environment}", f"--path={folder}", "--format=json",
        "--silent",
    ]  # fmt: skip


def read_with_cli(
    project_id: str, environment: str, folders: Mapping[str, list[str]], environ: Mapping[str, str]
) -> Reading:
    """``infisical export`` per folder, read from its stdout pipe. The CLI gets the developer's environment (its
    login may live in the system keyring); what it prints goes nowhere but this process."""
    reading = Reading()
    cli = shutil.which(CLI, path=environ.get("PATH"))
    for folder, keys in folders.items():
        if cli is None:
            reading.failures[folder] = "the Infisical CLI (`infisical`) is not on PATH"
            continue
        command = export_command(cli, project_id, environment, folder)
        try:
            done = subprocess.run(  # noqa: S603 (the Infisical CLI on PATH, fixed arguments)
                command, env=dict(environ), capture_output=True, stdin=subprocess.DEVNULL, timeout=CLI_TIMEOUT,
                check=False,
            )  # fmt: skip
        except (OSError, subprocess.TimeoutExpired) as error:
            reading.failures[folder] = f"`infisical export` could not run: {type(error).__name__}"
            continue
        try:
            entries = json.loads(done.stdout) if done.returncode == 0 else None
        except ValueError:
            entries = None
        if not isinstance(entries, list):
            said = done.stderr.decode(errors="replace").strip().splitlines()
            reading.failures[folder] = f"`infisical export` exited {done.returncode}" + (
                f": {said[-1][:200]}" if said else ""
            )
            continue
        reading.values.update(_declared(folder, keys, entries))
    return reading


def _declared(folder: str, keys: list[str], entries: list[object]) -> dict[tuple[str, str], str]:
    """The declared keys of one folder's export; the folder's own secret wins over an imported one."""
    found: dict[tuple[str, str], str] = {}
    for entry in entries:
        if not isinstance(entry, dict) or entry.get("key") not in keys or not isinstance(entry.get("value"), str):
            continue
        own = entry.get("secretPath") in (None, folder)
        if own or (folder, entry["key"]) not in found:
            found[(folder, entry["key"])] = entry["value"]
    return found


def read_with_identity(
    project_id: str, environment: str, folders: Mapping[str, list[str]], environ: Mapping[str, str]
) -> Reading:
    """Each declared key, read with the environment's machine identity; absent keys are left out. A failure
    that is the same for every folder (unreachable, credentials refused) ends the reading there."""
    reading = Reading()
    try:
        client = InfisicalClient(
            environ=environ,
            max_retries=int(env_number(MAX_RETRIES_VAR, LOCAL_RETRIES, environ)),
            timeout=env_number(HTTP_TIMEOUT_VAR, LOCAL_TIMEOUT, environ),
        )
    except InfisicalError as error:
        return Reading(failures=dict.fromkeys(folders, f"the machine identity cannot be used: {error}"))
    order = list(folders)
    with client:
        for position, folder in enumerate(order):
            try:
                reading.values.update(_read_folder(client, project_id, environment, folder, folders[folder]))
            except (InfisicalTransportError, InfisicalAuthenticationError) as error:
                why = f"Infisical at {client.host} cannot be used: {client.scrub(str(error))}"
                reading.failures.update(dict.fromkeys(order[position:], why))
                break
            except InfisicalError as error:
                reading.failures[folder] = f"Infisical at {client.host} refused: {client.scrub(str(error))}"
    return reading


def _read_folder(
    client: InfisicalClient, project_id: str, environment: str, folder: str, keys: list[str]
) -> dict[tuple[str, str], str]:
    found: dict[tuple[str, str], str] = {}
    params = {
        "projectId": project_id,
        "environment": environment,
        "secretPath": folder,
        "viewSecretValue": "true",
        "expandSecretReferences": "true",
    }
    for key in keys:
        try:
            data = client.get("/api/v4/secrets/{secretName}", path={"secretName": key}, params=params)
        except InfisicalNotFoundError:
            continue
        value = (data or {}).get("secret", {}).get("secretValue")
        if isinstance(value, str):
            client.remember_secret(value)
            found[(folder, key)] = value
    return found
