"""The ``secretInventory`` stack output: what each Worker secret is, who answers for it, where it lives.

Auditors and ``bin/plan --inventory`` read this output instead of a second description of the stage:
it is made by the program from the same config and the same owner rules (``components.secrets.owners``) the
resources are made from. It holds names, owner kinds, places and cadences, never a value. Plain vars
are listed too, with the reason each one is public. Each Hyperdrive config's origin password is described in
the ``hyperdriveConfigs`` output, with the workers that bind the config (:func:`hyperdrive_inventory`).
"""

from __future__ import annotations

from typing import Any

from components.config import (
    GeneratedSecret,
    HyperdriveBinding,
    InjectedSecret,
    StageConfig,
    SyncedSecret,
    WorkerConfig,
)
from components.config.models import GENERATED_SECRETS_FOLDER, INJECTED_SECRETS_FOLDER
from components.rules.rotation import PREVIOUS_SUFFIX
from components.rules.secret_names import public_name_reason
from components.secrets.origin_passwords import origin_password_name, synced_folder
from components.secrets.owners import describe_owners, injected_variable


def secret_outputs(config: StageConfig) -> dict[str, Any]:
    """The stack outputs about secrets: ``secretOwners`` (who owns each, in words) and ``secretInventory``."""
    return {
        "secretOwners": {
            key: describe_owners(key, worker, config.stage, config.infisical_environment_slug)
            for key, worker in sorted(config.workers.items())
            if worker.secrets
        },
        "secretInventory": stage_inventory(config),
    }


def stage_inventory(config: StageConfig) -> dict[str, Any]:
    """``{<worker>: {"secrets": {NAME: facts}, "vars": {NAME: why it is public}}}`` for the stage."""
    return {
        name: {
            "secrets": _secrets(name, worker, config),
            "vars": {var: _why_public(var, worker) for var in sorted(worker.vars)},
        }
        for name, worker in sorted(config.workers.items())
    }


def _secrets(worker_name: str, worker: WorkerConfig, config: StageConfig) -> dict[str, dict[str, Any]]:
    environment = config.infisical_environment_slug if config.infisical is not None else None
    facts: dict[str, dict[str, Any]] = {}
    for name, secret in sorted(worker.secrets.items()):
        entry: dict[str, Any] = {
            "owner": secret.owner,
            "ownedBy": secret.owned_by,
            "rotateEvery": secret.rotate_every,
            "description": secret.description,
        }
        match secret:
            case InjectedSecret():
                entry |= {
                    "variable": injected_variable(name, secret, config.stage),
                    "sideEffects": secret.side_effects,
                    "sandbox": secret.sandbox if secret.side_effects and not config.is_prod else None,
                    "infisical": _place(environment, INJECTED_SECRETS_FOLDER),
                }
            case GeneratedSecret():
                entry |= {
                    "length": secret.length,
                    "rotation": secret.rotation,
                    "previous": f"{name}{PREVIOUS_SUFFIX}" if secret.keep_previous else None,
                    "infisical": _place(environment, f"{GENERATED_SECRETS_FOLDER}/{worker_name}"),
                }
            case SyncedSecret():
                entry |= {"infisical": _place(environment, worker.synced_secrets_folder(worker_name))}
        facts[name] = entry
    return facts


def hyperdrive_inventory(config: StageConfig) -> dict[str, dict[str, Any]]:
    """``{<config key>: {"password": facts, "boundBy": [worker, ...]}}``: names and places, never the value."""
    environment = config.infisical_environment_slug if config.infisical is not None else None
    inventory = {}
    for key, settings in sorted(config.hyperdrive.items()):
        password = settings.password
        synced = password.owner == "sync"
        facts = {
            "name": origin_password_name(key),
            "owner": password.owner,
            "ownedBy": password.owned_by,
            "rotateEvery": password.rotate_every,
            "description": password.description,
            "variable": None if synced else origin_password_name(key),
            "infisical": _place(environment, synced_folder(settings) if synced else INJECTED_SECRETS_FOLDER),
        }
        bound_by = [
            name
            for name, worker in sorted(config.workers.items())
            if any(isinstance(b, HyperdriveBinding) and b.config == key for b in worker.bindings.values())
        ]
        inventory[key] = {"password": facts, "boundBy": bound_by}
    return inventory


def _place(environment: str | None, folder: str) -> dict[str, str] | None:
    return {"environment": environment, "folder": folder} if environment is not None else None


def _why_public(name: str, worker: WorkerConfig) -> str:
    if reason := public_name_reason(name):
        return reason
    if name in worker.public_vars:
        return "listed in publicVars: the name looks secret, the value is public"
    return "plain config: neither its name nor its value looks secret"
