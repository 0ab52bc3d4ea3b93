"""Hyperdrive origin passwords: where each one is kept, and the deploy's read of those Infisical keeps itself.

A Hyperdrive config needs its origin's password when it is created and whenever it changes, so the program
must hold the value, always as a Pulumi secret. Its owner says where the value comes from:

* ``inject``: ``HYPERDRIVE_<KEY>_PASSWORD`` from the deploy's environment, where ``infisical run
  --path=/cloudflare`` put it (read by :mod:`components.secrets.deploy_inputs` with the injected Worker secrets);
* ``sync``: ``HYPERDRIVE_<KEY>_PASSWORD`` in the folder ``password.folder`` (default ``/hyperdrive``) of the
  stage's Infisical environment, read here through Infisical's API (``GET /api/v4/secrets/{secretName}``) with
  the deploy's own Infisical identity (``INFISICAL_*``), and never put into any environment. Infisical has no
  Hyperdrive sync destination, so a rotated value reaches Hyperdrive with the next ``pulumi up``.
"""

from __future__ import annotations

from collections.abc import Mapping

import pulumi

from components.config import HyperdriveConfig, StageConfig

SYNCED_PASSWORDS_FOLDER = "/hyperdrive"


def origin_password_name(key: str) -> str:
    """The variable (``inject``) or Infisical key (``sync``) that holds the password of ``hyperdrive.<key>``."""
    return f"HYPERDRIVE_{key.upper().replace('-', '_')}_PASSWORD"


def synced_folder(settings: HyperdriveConfig) -> str:
    return settings.password.folder or SYNCED_PASSWORDS_FOLDER


def synced_passwords(config: StageConfig) -> dict[str, HyperdriveConfig]:
    """The Hyperdrive configs whose origin password the deploy reads from Infisical itself (``sync``), by key."""
    return {key: settings for key, settings in sorted(config.hyperdrive.items()) if settings.password.owner == "sync"}


def synced_password_folders(config: StageConfig) -> list[str]:
    """The folders those passwords are read from: the stage's deploy identity may read them too."""
    return sorted({synced_folder(settings) for settings in synced_passwords(config).values()})


def read_synced_passwords(config: StageConfig, environ: Mapping[str, str]) -> dict[str, str]:
    """Config key → password, for every ``sync`` password of the stage; raises ``pulumi.RunError`` naming each
    one that is missing (key and folder, never a value)."""
    wanted = synced_passwords(config)
    if not wanted:
        return {}
    # Imported here: the Infisical package is a third of the program's import time, and only stages with a
    # synced origin password read Infisical from the program.
    from components.infisical import InfisicalClient, InfisicalError, InfisicalNotFoundError  # noqa: PLC0415

    infisical = config.infisical
    assert infisical is not None, "the config checks refuse a synced password without the infisical section"
    assert infisical.project_id is not None, "the config checks refuse a synced password without a project id"
    environment = config.infisical_environment_slug
    found: dict[str, str] = {}
    missing: list[str] = []
    try:
        with InfisicalClient(environ=environ) as client:
            for key, settings in wanted.items():
                folder, name = synced_folder(settings), origin_password_name(key)
                params = {
                    "projectId": infisical.project_id,
                    "environment": environment,
                    "secretPath": folder,
                    "viewSecretValue": "true",
                    "expandSecretReferences": "true",
                }
                try:
                    data = client.get("/api/v4/secrets/{secretName}", path={"secretName": name}, params=params)
                except InfisicalNotFoundError:
                    missing.append(f"{folder}:{name} (hyperdrive.{key})")
                    continue
                value = (data or {}).get("secret", {}).get("secretValue")
                if isinstance(value, str) and value:
                    client.remember_secret(value)
                    found[key] = value
                else:
                    missing.append(f"{folder}:{name} (hyperdrive.{key})")
    except InfisicalError as error:
        raise pulumi.RunError(f"reading the Hyperdrive origin passwords from Infisical failed: {error}") from None
    if missing:
        raise pulumi.RunError(
            f"{len(missing)} Hyperdrive origin password(s) with owner 'sync' are not in Infisical environment "
            f"{environment!r}: {', '.join(missing)}. Set each with `infisical secrets set --env={environment} "
            "--path=<folder> <NAME>=<value>`"
        )
    return found
