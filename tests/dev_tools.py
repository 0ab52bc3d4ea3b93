"""Helpers of the bin/dev tests: seed a stage's secrets, a stub Infisical CLI, free ports, the canary scan."""

from __future__ import annotations

import json
import socket
import sys
from collections.abc import Iterable, Mapping
from pathlib import Path

from components.config import StageConfig
from components.infisical import InfisicalClient
from components.infisical.auth import Credentials
from components.rules.stage_layout import PROJECT_ROOT
from tests.fakes.infisical import FakeInfisical

STUB_STORE_VAR = "STUB_INFISICAL_STORE"
STUB_LOG_VAR = "STUB_INFISICAL_LOG"

STUB_CLI = '''#!{python}
"""Stub of the Infisical CLI: `infisical run --env=E --path=P --projectId=I -- <command>` puts every secret
of that folder into the command's environment, as the real CLI does, from the JSON in ${store}."""
import json, os, sys
args = sys.argv[1:]
if not args or args[0] != "run" or "--" not in args:
    sys.exit("stub infisical: only `run ... -- <command>` is supported")
split = args.index("--")
flags = dict(arg[2:].split("=", 1) for arg in args[1:split])
with open(os.environ["{log}"], "a") as log:
    log.write(json.dumps(flags) + "\\n")
store = json.loads(os.environ["{store}"])
folder = store.get(flags["projectId"], {{}}).get(flags["env"], {{}}).get(flags["path"], {{}})
command = args[split + 1:]
os.execvpe(command[0], command, {{**os.environ, **folder}})
'''


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def write_stub_cli(directory: Path) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / "infisical"
    path.write_text(STUB_CLI.format(python=sys.executable, store=STUB_STORE_VAR, log=STUB_LOG_VAR))
    path.chmod(0o755)
    return path


def stub_store(config: StageConfig, values: Mapping[tuple[str, str], str]) -> str:
    """The stub CLI's view of Infisical: ``{project: {environment: {folder: {key: value}}}}`` as JSON."""
    assert config.infisical is not None and config.infisical.project_id is not None
    folders: dict[str, dict[str, str]] = {}
    for (folder, key), value in values.items():
        folders.setdefault(folder, {})[key] = value
    return json.dumps({config.infisical.project_id: {config.infisical_environment_slug: folders}})


def seed_stage(fake: FakeInfisical, config: StageConfig, values: Mapping[tuple[str, str], str]) -> tuple[str, str]:
    """The stage's project (with its configured id), folders and ``values`` on the fake, through its API.

    Returns universal-auth credentials of a machine identity with the built-in ``viewer`` role.
    """
    assert config.infisical is not None and config.infisical.project_id is not None
    project_id, environment = config.infisical.project_id, config.infisical_environment_slug
    admin = InfisicalClient(fake.url, Credentials.static_token(fake.admin_token))
    with admin:
        created = admin.post("/api/v1/projects", json={"projectName": "acme"})["project"]["id"]
        with fake.store.lock:  # the stage config names the project by id: give the new project that id
            project = fake.store.projects.pop(created)
            fake.store.projects[project_id] = {**project, "id": project_id}
            for env in fake.store.environments.values():
                if env["projectId"] == created:
                    env["projectId"] = project_id
        for folder in sorted({folder for folder, _ in values}):
            parent, _, name = folder.rpartition("/")
            body = {"projectId": project_id, "environment": environment, "name": name, "path": parent or "/"}
            admin.post("/api/v2/folders", json=body)
        for (folder, key), value in sorted(values.items()):
            body = {"projectId": project_id, "environment": environment, "secretPath": folder, "secretValue": value}
            admin.post("/api/v4/secrets/{secretName}", path={"secretName": key}, json=body)
        identity = admin.post("/api/v1/identities", json={"name": "laptop", "organizationId": fake.org_id})
        identity_id = identity["identity"]["id"]
        admin.post(
            "/api/v2/workspace/{projectId}/identity-memberships/{identityId}",
            path={"projectId": project_id, "identityId": identity_id},
            json={"role": "viewer"},
        )
    return fake.add_universal_auth(identity_id)


SKIPPED_TREES = (".git", ".venv", "node_modules")


def files_holding(values: Iterable[str], roots: Iterable[Path]) -> list[str]:
    """Every file under ``roots`` that contains one of ``values`` (skipping VCS, venv and npm packages,
    but not wrangler's cache under ``node_modules/.cache``)."""
    needles = [value.encode() for value in values]
    found = []
    for root in roots:
        for path in root.rglob("*"):
            parts = path.relative_to(root).parts
            if parts and parts[0] in SKIPPED_TREES and not (len(parts) > 1 and parts[:2] == ("node_modules", ".cache")):
                continue
            if path.is_file() and not path.is_symlink():
                data = path.read_bytes()
                found += [f"{path}" for needle in needles if needle in data]
    return found


def app_copy(directory: Path) -> Path:
    """A copy of the project's stage files and workers (node_modules and migrations linked), to change freely."""
    import shutil

    directory.mkdir(parents=True, exist_ok=True)
    for name in ("Pulumi.yaml", "Pulumi.dev.yaml", "Pulumi.staging.yaml", "Pulumi.prod.yaml"):
        shutil.copy(PROJECT_ROOT / name, directory / name)
    shutil.copytree(PROJECT_ROOT / "workers", directory / "workers")
    for name in ("node_modules", "migrations"):
        (directory / name).symlink_to(PROJECT_ROOT / name, target_is_directory=True)
    return directory
