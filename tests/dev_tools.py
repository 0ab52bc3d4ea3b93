"""Helpers of the bin/dev tests, Infisical side: canaries, the stage's secrets on the local server, a stub
Infisical CLI, and copies of the project to change freely."""

from __future__ import annotations

import json
import shutil
import sys
import uuid
from collections.abc import Mapping
from pathlib import Path

from components.config import StageConfig
from components.infisical import InfisicalClient
from components.infisical.auth import Credentials
from components.rules.stage_layout import PROJECT_ROOT
from devstage.secrets import secret_reads, wanted
from tests.fakes.infisical import FakeInfisical

STUB_STORE_VAR = "STUB_INFISICAL_STORE"
STUB_LOG_VAR = "STUB_INFISICAL_LOG"

STUB_CLI = '''#!{python}
"""Stub of the Infisical CLI, `export` only, as the real one prints it: `infisical export --projectId=I --env=E
--path=P --format=json [--silent]` writes the folder's secrets to stdout as a JSON list of objects with `key`,
`value`, `type` and `secretPath` (Infisical/cli packages/cmd/export.go, formatAsJson of
models.SingleEnvironmentVariable), and fails with exit 1 for a folder that does not exist. The "server" is the
JSON file named by ${store}: {{project: {{environment: {{folder: {{key: value}}}}}}}}. Each call's flags (never a
value) are appended to the file named by ${log}."""
import json, os, sys
args = sys.argv[1:]
if not args or args[0] != "export":
    sys.exit("stub infisical: only `export` is supported")
flags = dict(arg[2:].split("=", 1) if "=" in arg else (arg[2:], "true") for arg in args[1:])
with open(os.environ["{log}"], "a") as log:
    log.write(json.dumps(flags) + "\\n")
if flags.get("format") != "json":
    sys.exit("stub infisical: only --format=json is supported")
with open(os.environ["{store}"]) as store:
    environments = json.load(store).get(flags["projectId"], {{}})
folder = environments.get(flags["env"], {{}}).get(flags["path"])
if folder is None:
    sys.exit(f"error: Unable to fetch secrets: folder {{flags['path']}} not found")
entries = [{{"key": k, "value": v, "type": "shared", "secretPath": flags["path"]}} for k, v in sorted(folder.items())]
print(json.dumps(entries))
'''


def canary(label: str) -> str:
    return f"canary-{label.lower()}-{uuid.uuid4().hex}"


def stage_canaries(config: StageConfig) -> dict[tuple[str, str], str]:
    """A canary value for every (folder, key) the stage's workers read from Infisical."""
    return {(folder, key): canary(key) for folder, keys in wanted(secret_reads(config, list(config.workers))).items()
            for key in keys}  # fmt: skip


def write_stub_cli(directory: Path) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / "infisical"
    path.write_text(STUB_CLI.format(python=sys.executable, store=STUB_STORE_VAR, log=STUB_LOG_VAR))
    path.chmod(0o755)
    return path


def stub_store(path: Path, config: StageConfig, values: Mapping[tuple[str, str], str]) -> Path:
    """Write the stub CLI's view of Infisical to ``path`` (outside every folder a test scans for canaries)."""
    assert config.infisical is not None and config.infisical.project_id is not None
    folders: dict[str, dict[str, str]] = {}
    for (folder, key), value in values.items():
        folders.setdefault(folder, {})[key] = value
    path.write_text(json.dumps({config.infisical.project_id: {config.infisical_environment_slug: folders}}))
    return path


def logged_in_home(home: Path) -> Path:
    """A home folder where the Infisical CLI counts as logged in (``infisical login`` writes this file)."""
    (home / ".infisical").mkdir(parents=True, exist_ok=True)
    (home / ".infisical" / "infisical-config.json").write_text(json.dumps({"loggedInUserEmail": "dev@acme"}))
    return home


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


COPIED_TREES = ("bin", "components", "devstage", "migrations", "plan", "policy", "workers")
LINKED_TREES = (".venv", "node_modules")
"""Installed once per checkout: a copy shares them (their install stamps match, so bin/dev installs nothing)."""


def app_copy(directory: Path) -> Path:
    """The stage files and workers (node_modules and migrations linked), for ``main(root=...)`` to change freely."""
    directory.mkdir(parents=True, exist_ok=True)
    for name in ("Pulumi.yaml", "Pulumi.dev.yaml", "Pulumi.staging.yaml", "Pulumi.prod.yaml"):
        shutil.copy(PROJECT_ROOT / name, directory / name)
    shutil.copytree(PROJECT_ROOT / "workers", directory / "workers")
    for name in ("node_modules", "migrations"):
        (directory / name).symlink_to(PROJECT_ROOT / name, target_is_directory=True)
    return directory


def project_copy(directory: Path) -> Path:
    """A runnable copy of the project (its code, stage files and bin/), sharing this checkout's installs."""
    directory.mkdir(parents=True, exist_ok=True)
    for path in PROJECT_ROOT.iterdir():
        if path.is_file() and (path.suffix in (".yaml", ".py", ".json", ".txt", ".toml") or path.name == "README.md"):
            shutil.copy(path, directory / path.name)
    ignore = shutil.ignore_patterns("__pycache__", ".wrangler")
    for name in COPIED_TREES:
        shutil.copytree(PROJECT_ROOT / name, directory / name, ignore=ignore, symlinks=True)
    for name in LINKED_TREES:
        (directory / name).symlink_to(PROJECT_ROOT / name, target_is_directory=True)
    return directory
