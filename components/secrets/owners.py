"""The one module that knows who owns each Worker secret, and hands out values only as Pulumi secrets.

Every secret has exactly one owner, because two owners wipe each other's values (a deploy that binds a
secret deletes what a sync wrote, and a sync overwrites what a deploy bound):

* ``inject``: read from the deploy process's environment, where ``infisical run`` put it, and wrapped
  in ``Output.secret`` at the moment it is read; bound as ``secret_text``.
* ``generated``: a pulumi-random ``RandomPassword``; the value only ever exists as a Pulumi secret.
* ``sync``: Infisical's Workers sync writes it; the program never sees it and must not wipe it, so each
  upload carries an ``inherit`` binding per synced name: exactly what the sync owns is kept from the
  previous version, and a secret this config retired is dropped (a type-wide ``keep_bindings`` would
  keep every old ``secret_text`` forever).

Injected values are read once, by the program (:mod:`components.secrets.deploy_inputs`), and handed here
already wrapped; this module never reads the environment.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date

import pulumi

from components.config import (
    GeneratedSecret,
    InjectedSecret,
    SyncedSecret,
    WorkerConfig,
)
from components.secrets.generated import generated_values

INHERIT_BINDING_TYPE = "inherit"
"""Keeps one binding, by name, from the script's previous version. Without ``bindings_inherit: strict``
Cloudflare drops an inherit binding it cannot resolve (the first upload, before the sync ran) instead of
failing (Workers API, "Upload Version": ``bindings_inherit``)."""


@dataclass(frozen=True)
class SecretBinding:
    name: str
    value: pulumi.Input[str]
    """Always an ``Output.secret`` when made here (the worker wraps again: it trusts no caller)."""
    owner: str = "inject"


@dataclass(frozen=True)
class WorkerSecrets:
    """What a worker's script binds as secrets, and which secret names Infisical syncs into it."""

    bindings: list[SecretBinding] = field(default_factory=list)
    synced: list[str] = field(default_factory=list)
    synced_folder: str | None = None
    """The Infisical folder the synced secrets come from (None: nothing is synced)."""
    side_effects: dict[str, str] = field(default_factory=dict)
    """Injected secrets with real-world effects → their sandbox outside prod (``empty`` or ``env``)."""

    @property
    def names(self) -> list[str]:
        """Every secret name the worker sees on ``env``, whoever owns it (for ``secrets.required``)."""
        return [binding.name for binding in self.bindings] + list(self.synced)

    @property
    def generated(self) -> list[SecretBinding]:
        return [binding for binding in self.bindings if binding.owner == "generated"]

    @property
    def inherited(self) -> list[str]:
        """The names an upload keeps from the previous version: what the sync owns, nothing else."""
        return sorted(self.synced)


def injected_variable(name: str, secret: InjectedSecret, stage: str) -> str | None:
    """The environment variable an injected secret is read from in ``stage`` (None: bound empty).

    Outside prod a side-effecting secret (an email or payment key) never reads the real variable: it
    reads ``<NAME>_SANDBOX`` or is bound empty, so staging cannot send real mail or charge real cards.
    """
    if not secret.side_effects or stage == "prod":
        return name
    return f"{name}_SANDBOX" if secret.sandbox == "env" else None


def describe_owners(worker_name: str, worker: WorkerConfig, stage: str, environment_slug: str) -> dict[str, str]:
    """Who owns each secret of a worker, in words (for the ``secretOwners`` output and the plan)."""
    owners: dict[str, str] = {}
    for name, secret in sorted(worker.secrets.items()):
        match secret:
            case InjectedSecret():
                variable = injected_variable(name, secret, stage)
                owners[name] = f"injected from ${variable} at deploy time" if variable else "bound empty (sandbox)"
            case GeneratedSecret():
                owners[name] = f"generated (length {secret.length}, rotation {secret.rotation})"
            case SyncedSecret():
                folder = worker.synced_secrets_folder(worker_name)
                owners[name] = f"synced from Infisical {environment_slug}:{folder}"
    return owners


def worker_secrets(
    worker_name: str,
    worker: WorkerConfig,
    stage: str,
    *,
    injected: Mapping[str, pulumi.Output[str]],
    today: date,
    parent: pulumi.Resource,
) -> WorkerSecrets:
    """Resolve one worker's secrets by owner: injected values from ``injected`` (by variable), generated values
    made as children of ``parent`` on ``today``'s rotation grid."""
    bindings: list[SecretBinding] = []
    synced: list[str] = []
    side_effects: dict[str, str] = {}
    for name, secret in sorted(worker.secrets.items()):
        match secret:
            case InjectedSecret():
                if secret.side_effects:
                    side_effects[name] = secret.sandbox
                variable = injected_variable(name, secret, stage)
                value = injected[variable] if variable else pulumi.Output.secret("")
                bindings.append(SecretBinding(name, value))
            case GeneratedSecret():
                values = generated_values(worker_name, name, secret, today, parent, renamed_from=worker.renamed_from)
                bindings += [SecretBinding(bound, value, owner="generated") for bound, value in values.items()]
            case SyncedSecret():
                synced.append(name)
    folder = worker.synced_secrets_folder(worker_name) if synced else None
    return WorkerSecrets(bindings, synced, folder, side_effects)
