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

Missing injected values stop the program before any resource is registered. The credential-free plan
instead binds :data:`NOT_PROVIDED` (still a secret) so a newcomer sees the whole stage.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date

import pulumi

from components.config import (
    INJECTED_SECRETS_FOLDER,
    GeneratedSecret,
    InjectedSecret,
    StageConfig,
    SyncedSecret,
    WorkerConfig,
)
from components.generated_secrets import generated_values
from components.rotation import ROTATION_DATE_ENV, RotationDateError, rotation_date

NOT_PROVIDED = "[secret: not provided]"
"""What the credential-free plan binds (as a secret) where a deploy would read a real value."""

INHERIT_BINDING_TYPE = "inherit"
"""Keeps one binding, by name, from the script's previous version. Without ``bindings_inherit: strict``
Cloudflare drops an inherit binding it cannot resolve (the first upload, before the sync ran) instead of
failing (Workers API, "Upload Version": ``bindings_inherit``)."""

CLOUDFLARE_TOKEN_ENV = "CLOUDFLARE_API_TOKEN"  # noqa: S105 (a variable name)
SYNC_TOKEN_ENV = "CLOUDFLARE_SYNC_API_TOKEN"  # noqa: S105 (a variable name)
"""With ``infisical.syncToken.source: manual``, the token Infisical's app connection uses to write Worker
secrets. Injected from the stage's own Infisical environment, so a staging deploy never even holds
prod's token. By default the stage creates that token itself (components/sync_token.py)."""


class MissingSecretsError(pulumi.RunError):
    """Injected secrets are missing from the deploy environment. Names keys, never values."""

    def __init__(self, stage: str, environment_slug: str, missing: Mapping[str, list[str]]) -> None:
        self.missing = dict(missing)
        lines = "\n".join(f"  - {key} ({', '.join(users)})" for key, users in sorted(missing.items()))
        super().__init__(
            f"{len(missing)} secret(s) that stage {stage!r} injects at deploy time are missing or empty in "
            f"the environment:\n{lines}\n"
            f"Add them to Infisical (environment {environment_slug!r}, folder {INJECTED_SECRETS_FOLDER}) and run "
            f"through the Infisical CLI:\n  infisical run --env={environment_slug} --path={INJECTED_SECRETS_FOLDER} "
            f"-- pulumi up -s {stage}"
        )


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


@dataclass(frozen=True)
class DeployEnvironment:
    """Where injected values come from: the deploy process's environment (or a test's)."""

    variables: Mapping[str, str] = field(default_factory=lambda: dict(os.environ))
    allow_missing: bool = False
    """The credential-free plan shows the stage without any secret at hand."""

    def check(self, config: StageConfig) -> None:
        """Raise :class:`MissingSecretsError` listing every missing variable (before any resource)."""
        if self.allow_missing:
            return
        missing = {
            variable: users
            for variable, users in required_variables(config).items()
            if not self.variables.get(variable)
        }
        if missing:
            raise MissingSecretsError(config.stage, config.infisical_environment_slug, missing)

    def secret(self, variable: str) -> pulumi.Output[str]:
        """The variable's value, a Pulumi secret from the moment it is read."""
        value = self.variables.get(variable) or (NOT_PROVIDED if self.allow_missing else None)
        if value is None:  # check() ran first; reaching this is a programming error, not user input
            raise pulumi.RunError(f"secret {variable!r} was not checked before use")
        return pulumi.Output.secret(value)

    def rotation_date(self) -> date:
        """Today (UTC) for generated secrets' rotation: ``ROTATION_DATE`` if set, else the clock's date."""
        try:
            return rotation_date(self.variables)
        except RotationDateError as error:
            raise pulumi.RunError(f"{ROTATION_DATE_ENV}: {error}") from None

    def cloudflare_api_token(self) -> pulumi.Output[str]:
        """The Cloudflare token: ``CLOUDFLARE_API_TOKEN``, else the ``cloudflare:apiToken`` secret config."""
        if self.variables.get(CLOUDFLARE_TOKEN_ENV):
            return self.secret(CLOUDFLARE_TOKEN_ENV)
        configured = pulumi.Config("cloudflare").get_secret("apiToken")
        if configured is not None:
            return pulumi.Output.secret(configured)
        if self.allow_missing:
            return pulumi.Output.secret(NOT_PROVIDED)
        raise pulumi.RunError(
            f"no Cloudflare API token: set {CLOUDFLARE_TOKEN_ENV} (e.g. from Infisical with `infisical run`) "
            "or `pulumi config set --secret cloudflare:apiToken`"
        )


def required_variables(config: StageConfig) -> dict[str, list[str]]:
    """Every variable a deploy of this stage reads, with who reads it (the Cloudflare token aside)."""
    required: dict[str, list[str]] = {}
    for worker_name, worker in sorted(config.workers.items()):
        for name, secret in sorted(worker.secrets.items()):
            if isinstance(secret, InjectedSecret) and (variable := injected_variable(name, secret, config.stage)):
                required.setdefault(variable, []).append(f"worker {worker_name}")
    manual = config.infisical is not None and config.infisical.sync_token.source == "manual"
    if manual and any(worker.synced_secret_names() for worker in config.workers.values()):
        required[SYNC_TOKEN_ENV] = ["the Infisical Cloudflare connection"]
    return required


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
    deploy_environment: DeployEnvironment,
    parent: pulumi.Resource,
) -> WorkerSecrets:
    """Resolve one worker's secrets by owner. Generated values are made as children of ``parent``."""
    bindings: list[SecretBinding] = []
    synced: list[str] = []
    side_effects: dict[str, str] = {}
    today = deploy_environment.rotation_date()
    for name, secret in sorted(worker.secrets.items()):
        match secret:
            case InjectedSecret():
                if secret.side_effects:
                    side_effects[name] = secret.sandbox
                variable = injected_variable(name, secret, stage)
                value = deploy_environment.secret(variable) if variable else pulumi.Output.secret("")
                bindings.append(SecretBinding(name, value))
            case GeneratedSecret():
                values = generated_values(worker_name, name, secret, today, parent, renamed_from=worker.renamed_from)
                bindings += [SecretBinding(bound, value, owner="generated") for bound, value in values.items()]
            case SyncedSecret():
                synced.append(name)
    folder = worker.synced_secrets_folder(worker_name) if synced else None
    return WorkerSecrets(bindings, synced, folder, side_effects)
