"""Which Infisical secret each declared Worker secret is read from locally, and what is missing and why.

The owners are the deploy's (``components.secrets.owners``): an injected secret comes from the stage
environment's deploy folder, a synced one from the worker's own folder, a generated one from where Pulumi
keeps its read-only copy. Side-effecting secrets read their sandbox value (or are bound empty) exactly as
in any non-prod deploy, so a local run never sends real mail or charges a card.
"""

from __future__ import annotations

import shlex
import textwrap
from collections.abc import Sequence
from dataclasses import dataclass, field

from components.config import GeneratedSecret, InjectedSecret, StageConfig, SyncedSecret
from components.config.models import GENERATED_SECRETS_FOLDER, INJECTED_SECRETS_FOLDER
from components.rules.terminal import MAX_WIDTH
from components.secrets.owners import injected_variable

LOCAL_STAGE_RULES = "dev"
"""Local runs follow non-prod rules whatever stage they copy: a laptop never gets prod's live side effects."""
NOT_SET = "not set in Infisical"


@dataclass(frozen=True)
class SecretRead:
    worker: str
    name: str
    """The binding name on ``env``."""
    owner: str
    folder: str | None
    """Infisical folder read; None when the secret is bound empty (a sandbox without a value)."""
    key: str | None
    """Infisical key read (``<NAME>_SANDBOX`` for a sandboxed secret)."""


@dataclass(frozen=True)
class Reading:
    """What a source found: values by (folder, key), and why a folder could not be read at all."""

    values: dict[tuple[str, str], str] = field(default_factory=dict)
    failures: dict[str, str] = field(default_factory=dict)
    """Folder → the reason nothing of it could be read (no CLI, no credentials, unreachable, refused, ...)."""


@dataclass(frozen=True)
class Missing:
    read: SecretRead
    reason: str


def secret_reads(config: StageConfig, workers: Sequence[str]) -> list[SecretRead]:
    reads: list[SecretRead] = []
    for worker_name in workers:
        worker = config.workers[worker_name]
        for name, secret in sorted(worker.secrets.items()):
            match secret:
                case InjectedSecret():
                    key = injected_variable(name, secret, LOCAL_STAGE_RULES)
                    folder = INJECTED_SECRETS_FOLDER if key else None
                    reads.append(SecretRead(worker_name, name, "inject", folder, key))
                case SyncedSecret():
                    reads.append(SecretRead(worker_name, name, "sync", worker.synced_secrets_folder(worker_name), name))
                case GeneratedSecret():
                    folder = f"{GENERATED_SECRETS_FOLDER}/{worker_name}"
                    reads.append(SecretRead(worker_name, name, "generated", folder, name))
    return reads


def wanted(reads: Sequence[SecretRead]) -> dict[str, list[str]]:
    """Folder → the keys read from it, sorted (the reads that need Infisical at all)."""
    keys: dict[str, set[str]] = {}
    for read in reads:
        if read.folder and read.key:
            keys.setdefault(read.folder, set()).add(read.key)
    return {folder: sorted(keys[folder]) for folder in sorted(keys)}


def resolve(reads: Sequence[SecretRead], reading: Reading) -> tuple[dict[str, dict[str, str]], list[Missing]]:
    """Each worker's values by binding name, and every read that found nothing, with the reason."""
    values: dict[str, dict[str, str]] = {}
    missing: list[Missing] = []
    for read in reads:
        bound = values.setdefault(read.worker, {})
        if read.folder is None or read.key is None:
            bound[read.name] = ""  # a sandbox without a value: bound empty, as in every non-prod deploy
        elif (value := reading.values.get((read.folder, read.key))) is not None:
            bound[read.name] = value
        else:
            missing.append(Missing(read, reading.failures.get(read.folder, NOT_SET)))
    return values, missing


def missing_message(stage: str, environment: str, project: str | None, missing: Sequence[Missing]) -> str:
    """Names, folders and reasons only, never a value; with the commands that add what people set by hand."""
    lines = [f"bin/dev: {len(missing)} secret(s) of stage {stage!r} could not be read from Infisical:"]
    for item in missing:
        read = item.read
        lines.append(f"  - {read.name} (worker {read.worker}, {read.owner}): {read.folder} {read.key}")
    lines.append("Why:")
    for reason in dict.fromkeys(item.reason for item in missing):
        folders = ", ".join(sorted({str(item.read.folder) for item in missing if item.reason == reason}))
        lines += textwrap.wrap(f"{folders}: {reason}", MAX_WIDTH, initial_indent="  ", subsequent_indent="    ")
    project_flag = shlex.quote(project) if project else '"$INFISICAL_PROJECT_ID"'
    by_folder: dict[str, list[str]] = {}
    for item in missing:
        folder, key = item.read.folder, item.read.key
        if item.read.owner != "generated" and folder and key and key not in by_folder.get(folder, []):
            by_folder.setdefault(folder, []).append(key)
    if by_folder:
        lines.append("Add each value (export it in this shell first; it is never printed):")
        for folder, keys in by_folder.items():
            lines.append(
                f"  infisical secrets set --projectId {project_flag} --env {shlex.quote(environment)} "
                f"--path {shlex.quote(folder)} \\"
            )
            lines += [f'    {key}="${key}"' + (" \\" if key != keys[-1] else "") for key in keys]
    if any(item.read.owner == "generated" for item in missing):
        lines.append(f"Generated secrets are made by Pulumi, never set by hand: run `pulumi up -s {stage}` once.")
    return "\n".join(lines)
