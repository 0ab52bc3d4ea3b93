"""The stage's Hyperdrive configs: pooled (and cached) access from Workers to an origin Postgres or MySQL database.

One ``HyperdriveConfig`` per ``hyperdrive.<key>``, named ``{app}-{stage}-<key>``, so every stage has its own and
a worker of one stage can never bind another's. The origin password reaches the resource only as a Pulumi
secret, handed over by the program (:mod:`components.secrets.deploy_inputs`): the provider never reads it back
(terraform-provider-cloudflare v5 ``internal/services/hyperdrive_config/schema.go``: ``origin.password`` is
``Sensitive``, "The API never returns this write-only value").
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import pulumi
import pulumi_cloudflare as cf

from components.config import Binding, HyperdriveBinding, HyperdriveConfig
from components.rules.naming import Naming

TYPE = "stageplatform:index:Hyperdrive"


@dataclass(frozen=True)
class HyperdriveArgs:
    naming: Naming
    account_id: str
    configs: Mapping[str, HyperdriveConfig]
    passwords: Mapping[str, pulumi.Input[str]]
    """Config key → the origin password, already a Pulumi secret."""


class Hyperdrive(pulumi.ComponentResource):
    configs: dict[str, cf.HyperdriveConfig]
    outputs: dict[str, Any]
    """What the stack exports: each config's id and name, by key (never the password)."""

    def __init__(self, name: str, args: HyperdriveArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__(TYPE, name, None, opts)
        child = pulumi.ResourceOptions(parent=self)
        self.configs = {}
        for key, settings in sorted(args.configs.items()):
            origin = settings.origin
            caching = settings.caching
            self.configs[key] = cf.HyperdriveConfig(
                f"hyperdrive-{key}",
                cf.HyperdriveConfigArgs(
                    account_id=args.account_id,
                    name=args.naming.physical(key),
                    origin=cf.HyperdriveConfigOriginArgs(
                        scheme=origin.scheme,
                        host=origin.host,
                        port=origin.port,
                        database=origin.database,
                        user=origin.user,
                        password=pulumi.Output.secret(args.passwords[key]),
                    ),
                    caching=cf.HyperdriveConfigCachingArgs(
                        disabled=caching.disabled,
                        max_age=caching.max_age,
                        stale_while_revalidate=caching.stale_while_revalidate,
                    )
                    if caching is not None
                    else None,
                    origin_connection_limit=settings.origin_connection_limit,
                ),
                child,
            )
        self.outputs = {key: {"id": config.id, "name": config.name} for key, config in self.configs.items()}
        self.register_outputs({"hyperdriveConfigs": self.outputs})

    def binding_values(self, binding: Binding) -> dict[str, Any]:
        """What binds a worker to one of these configs: its id."""
        assert isinstance(binding, HyperdriveBinding)  # translate() sends no other kind
        return {"id": self.configs[binding.config].id}
