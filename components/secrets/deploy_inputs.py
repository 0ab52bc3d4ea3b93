"""What a deploy takes from its process environment, read once by the program and handed down.

The program reads the deploy environment in one place (:meth:`DeployEnvironment.read`), before any resource
exists: a missing injected secret stops it there, naming every key. What it hands the ``Stage`` is a
:class:`DeployInputs`: every value already a Pulumi secret, and today's date for rotation. No component below
the program reads the environment again, so there is one way in for a secret value and it is always wrapped.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date

import pulumi

from components.config import INJECTED_SECRETS_FOLDER, InjectedSecret, StageConfig
from components.rules.rotation import ROTATION_DATE_ENV, RotationDateError, rotation_date
from components.secrets.origin_passwords import origin_password_name, read_synced_passwords
from components.secrets.owners import injected_variable

NOT_PROVIDED = "[secret: not provided]"
"""What the credential-free plan binds (as a secret) where a deploy would read a real value."""

CLOUDFLARE_TOKEN_ENV = "CLOUDFLARE_API_TOKEN"  # noqa: S105 (a variable name)
SYNC_TOKEN_ENV = "CLOUDFLARE_SYNC_API_TOKEN"  # noqa: S105 (a variable name)
"""The token Infisical's app connection uses to write Worker secrets. Injected from the stage's own Infisical
environment (folder ``/cloudflare``), so a staging deploy never even holds prod's token. The project stack
mints it and writes it there (components/infisical_side/stage_tokens.py); with
``infisical.syncToken.source: manual`` a person does."""

READ_ONLY_BY_UP = (SYNC_TOKEN_ENV,)
"""Variables only ``pulumi up`` needs. A preview (the PR preview, the scheduled drift check) may go without them:
the connection then keeps the token its state has, so no read-only identity ever needs a token that can write
Worker scripts."""


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
class DeployInputs:
    """Everything the stage takes from the deploy process, each value already a Pulumi secret."""

    cloudflare_api_token: pulumi.Output[str]
    injected: Mapping[str, pulumi.Output[str]]
    """Variable name → value, for every variable :func:`required_variables` names."""
    today: date
    """The UTC date that places generated secrets and the sync token on their rotation grid."""
    withheld: frozenset[str] = frozenset()
    """Variables of :data:`READ_ONLY_BY_UP` that this preview went without (their values are markers)."""
    hyperdrive_passwords: Mapping[str, pulumi.Output[str]] = field(default_factory=dict)
    """Hyperdrive config key → its origin password (``components.secrets.origin_passwords``)."""

    def secret(self, variable: str) -> pulumi.Output[str]:
        """An injected value; only variables the program read (so checked) exist here."""
        return self.injected[variable]


@dataclass(frozen=True)
class DeployEnvironment:
    """Where injected values come from: the deploy process's environment (or a test's)."""

    variables: Mapping[str, str] = field(default_factory=lambda: dict(os.environ))
    allow_missing: bool = False
    """The credential-free plan shows the stage without any secret at hand."""

    def read(self, config: StageConfig) -> DeployInputs:
        """Every value the stage needs, wrapped as secrets; :class:`MissingSecretsError` names what is missing."""
        required = required_variables(config)
        missing = {variable: users for variable, users in required.items() if not self.variables.get(variable)}
        withheld = frozenset(missing) & set(READ_ONLY_BY_UP) if pulumi.runtime.is_dry_run() else frozenset()
        missing = {variable: users for variable, users in missing.items() if variable not in withheld}
        if missing and not self.allow_missing:
            raise MissingSecretsError(config.stage, config.infisical_environment_slug, missing)
        injected = {variable: self._secret(variable) for variable in required}
        synced = {} if self.allow_missing else read_synced_passwords(config, self.variables)
        passwords = {
            key: injected[origin_password_name(key)]
            if settings.password.owner == "inject"
            else pulumi.Output.secret(synced.get(key) or NOT_PROVIDED)
            for key, settings in sorted(config.hyperdrive.items())
        }
        return DeployInputs(
            cloudflare_api_token=self._cloudflare_api_token(),
            injected=injected,
            today=self._today(),
            withheld=withheld,
            hyperdrive_passwords=passwords,
        )

    def read_for_project(self) -> DeployInputs:
        """What the project stack takes: the Cloudflare token that mints the stages' sync tokens, and today."""
        return DeployInputs(cloudflare_api_token=self._cloudflare_api_token(), injected={}, today=self._today())

    def _secret(self, variable: str) -> pulumi.Output[str]:
        """The variable's value, a Pulumi secret from the moment it is read."""
        return pulumi.Output.secret(self.variables.get(variable) or NOT_PROVIDED)

    def _today(self) -> date:
        try:
            return rotation_date(self.variables)
        except RotationDateError as error:
            raise pulumi.RunError(f"{ROTATION_DATE_ENV}: {error}") from None

    def _cloudflare_api_token(self) -> pulumi.Output[str]:
        """``CLOUDFLARE_API_TOKEN``, else the ``cloudflare:apiToken`` secret config."""
        if self.variables.get(CLOUDFLARE_TOKEN_ENV):
            return self._secret(CLOUDFLARE_TOKEN_ENV)
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
    for key, settings in sorted(config.hyperdrive.items()):
        if settings.password.owner == "inject":
            required.setdefault(origin_password_name(key), []).append(f"hyperdrive {key}")
    if config.infisical is not None and any(worker.synced_secret_names() for worker in config.workers.values()):
        written_by = "set by hand" if config.infisical.sync_token.source == "manual" else "minted by the project stack"
        required[SYNC_TOKEN_ENV] = [f"the Infisical Cloudflare connection; {written_by}"]
    return required


def minted_variables(config: StageConfig) -> list[str]:
    """The variables of :func:`required_variables` that the project stack writes into the deploy folder."""
    minted = config.infisical is not None and config.infisical.sync_token.source == "managed"
    return [SYNC_TOKEN_ENV] if minted and SYNC_TOKEN_ENV in required_variables(config) else []
