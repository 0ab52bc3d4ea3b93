"""Each stage's Cloudflare sync token, minted in one approval-gated place and handed over through Infisical.

Infisical's Workers syncs write with a Cloudflare token. Minting one takes ``Account API Tokens Write``,
and that group can mint a token with *any* permission in the account: a deploy token holding it reaches
prod's Workers and data whatever else it lacks. So no stage mints: the project stack (run by an admin with
prod's gate) mints every stage's token (`components.cloudflare.sync_token`) and writes it, as the Infisical
secret ``CLOUDFLARE_SYNC_API_TOKEN``, into the stage's own environment, folder ``/cloudflare``: the folder
the stage's deploy reads (``infisical run --path=/cloudflare``) and that only that stage's deploy identity
can read. The stage then passes it to its Infisical connection like any injected secret.

Which stages get one is read from their committed configs (`token_targets`): every long-lived stage of
``project.stages`` whose workers sync secrets and whose ``infisical.syncToken.source`` is ``managed``, in
that stage's account, on its ``rotateEvery`` period. ``pr-<number>`` stages mint nothing either: they share
one token in the ``preview`` environment, made from their committed template (``Pulumi.pr.template.yaml``:
its account, its period). The project stack owns ``preview``, so it also owns that environment's ``/cloudflare``
folder (adopted if it exists); the other stages' ``/cloudflare`` folders are theirs, made on day one.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

import pulumi
import pulumi_cloudflare as cf

from components.cloudflare.sync_token import SyncToken, SyncTokenArgs
from components.config import INJECTED_SECRETS_FOLDER, StageConfig
from components.infisical import Secret, SecretArgs, SecretFolder, SecretFolderArgs
from components.rules.naming import PREVIEW_ENVIRONMENT, Naming
from components.secrets.deploy_inputs import SYNC_TOKEN_ENV

TYPE = "stageplatform:index:StageTokens"


@dataclass(frozen=True)
class TokenTarget:
    """One Infisical environment that receives a minted sync token."""

    environment: str
    naming: Naming
    """``{app}-{environment}``: the token's physical name is ``{app}-{environment}-infisical-<date>``."""
    account_id: str
    rotate_every: str
    readers: tuple[str, ...]
    """The stages whose deploys read it (``pr-<number>`` for the preview environment)."""


def token_targets(stages: Mapping[str, StageConfig]) -> list[TokenTarget]:
    """The environments the project stack mints a sync token for, from the stages' committed configs (the pr
    stages' template under ``pr-<number>``: their one token goes to the ``preview`` environment)."""
    targets: list[TokenTarget] = []
    for stage, config in sorted(stages.items()):
        infisical = config.infisical
        syncs = any(worker.synced_secret_names() for worker in config.workers.values())
        if infisical is None or infisical.sync_token.source != "managed" or not syncs:
            continue
        environment = config.infisical_environment_slug
        args = (config.account_id, infisical.sync_token.rotate_every)
        targets.append(TokenTarget(environment, Naming(config.app, environment), *args, (stage,)))
    return targets


@dataclass(frozen=True)
class StageTokensArgs:
    targets: Sequence[TokenTarget]
    project_id: pulumi.Input[str]
    cloudflare_api_token: pulumi.Input[str]
    """Secret: the token that may mint tokens (``Account API Tokens Write`` on each stage's account)."""
    today: date


class StageTokens(pulumi.ComponentResource):
    outputs: dict[str, Any]

    def __init__(self, name: str, args: StageTokensArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__(TYPE, name, None, opts)
        provider = cf.Provider(
            "cloudflare",
            cf.ProviderArgs(api_token=pulumi.Output.secret(args.cloudflare_api_token)),
            pulumi.ResourceOptions(parent=self),
        )
        self.outputs = {}
        for target in args.targets:
            env = target.environment
            token = SyncToken(
                f"sync-token-{env}",
                SyncTokenArgs(
                    name=target.naming.physical("infisical"),
                    account_id=target.account_id,
                    rotate_every=target.rotate_every,
                    today=args.today,
                ),
                pulumi.ResourceOptions(parent=self, providers={"cloudflare": provider}),
            )
            folder: list[pulumi.Resource] = []
            if env == PREVIEW_ENVIRONMENT:  # the project stack owns preview, and so its deploy folder
                folder.append(
                    SecretFolder(
                        f"folder-{env}-cloudflare",
                        SecretFolderArgs(
                            project_id=args.project_id,
                            environment=env,
                            name=INJECTED_SECRETS_FOLDER.strip("/"),
                            parent_path="/",
                            adopt_existing=True,
                        ),
                        pulumi.ResourceOptions(parent=self, retain_on_delete=True),
                    )
                )
            Secret(
                f"handoff-{env}",
                SecretArgs(
                    project_id=args.project_id,
                    environment=env,
                    secret_path=INJECTED_SECRETS_FOLDER,
                    key=SYNC_TOKEN_ENV,
                    value=token.value,
                    comment=f"Cloudflare sync token of {', '.join(target.readers)}: minted by the project stack, "
                    f"rotated every {target.rotate_every} (managed by Pulumi)",
                ),
                pulumi.ResourceOptions(parent=self, depends_on=folder),
            )
            self.outputs[env] = {
                "accountId": target.account_id,
                "secret": f"{env}:{INJECTED_SECRETS_FOLDER}/{SYNC_TOKEN_ENV}",
                "expiresOn": token.expires_on,
                "readers": list(target.readers),
            }
        self.register_outputs(self.outputs)
