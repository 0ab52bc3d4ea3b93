"""The whole config of one stage, checked field by field and then across fields.

The model checks each field; the cross-field checks (:mod:`components.config.checks`) read the checked model, and
the loader runs both before any resource exists, so ``pulumi preview`` fails with every problem listed instead of
half a stack being planned.
"""

from __future__ import annotations

from typing import Any

from pydantic import Field

from components.config.fields import HexId, IsoDate, Model, ResourceKey
from components.config.infisical_config import InfisicalConfig
from components.config.models import (
    D1DatabaseConfig,
    HyperdriveConfig,
    KvNamespaceConfig,
    QueueConfig,
    R2BucketConfig,
    VectorizeIndexConfig,
    WorkerConfig,
    Zone,
)
from components.config.state_config import StateConfig
from components.rules.naming import STAGE_PATTERN, Naming, infisical_environment_slug, is_preview_stage


class StageConfig(Model):
    """Everything one stage of the app is made of."""

    app: str = Field(pattern=r"^[a-z][a-z0-9-]{0,18}[a-z0-9]$", description="App name, the first part of names.")
    stage: str = Field(pattern=STAGE_PATTERN, description="The stack name: dev, staging, prod or pr-<number>.")
    account_id: HexId
    zone: Zone
    compatibility_date: IsoDate = Field(description="Default compatibility date for every worker.")
    d1: dict[ResourceKey, D1DatabaseConfig] = Field(default_factory=dict)
    r2: dict[ResourceKey, R2BucketConfig] = Field(default_factory=dict)
    kv: dict[ResourceKey, KvNamespaceConfig] = Field(default_factory=dict)
    queues: dict[ResourceKey, QueueConfig] = Field(default_factory=dict)
    hyperdrive: dict[ResourceKey, HyperdriveConfig] = Field(default_factory=dict)
    vectorize: dict[ResourceKey, VectorizeIndexConfig] = Field(default_factory=dict)
    workers: dict[ResourceKey, WorkerConfig] = Field(min_length=1)
    infisical: InfisicalConfig | None = None
    state: StateConfig | None = Field(
        None, description="Where the stack keeps its Pulumi state; default: an R2 bucket of the stage's own."
    )
    acknowledge: list[str] = Field(
        default_factory=list,
        description="Prod only: named risks accepted instead of fixed (prod-shares-cloudflare-account, "
        "prod-readable-by-non-prod-identities); every plan shows each in red.",
    )

    @property
    def infisical_environment_slug(self) -> str:
        """The Infisical environment this stage reads and writes (not the deploy process's environment)."""
        configured = self.infisical.environment_slug if self.infisical else None
        return configured or infisical_environment_slug(self.stage)

    @property
    def manages_infisical_environment(self) -> bool:
        configured = self.infisical.manage_environment if self.infisical else None
        return configured if configured is not None else not self.is_preview

    @property
    def naming(self) -> Naming:
        return Naming(self.app, self.stage)

    @property
    def is_prod(self) -> bool:
        return self.stage == "prod"

    @property
    def is_preview(self) -> bool:
        return is_preview_stage(self.stage)

    def layout_values(self) -> dict[str, Any]:
        """What the stage's layout among the stages is read from (`components.rules.stage_layout.layout_of`):
        the config values it needs, camelCase as in YAML. The Stage registers them for the policy pack."""
        dumped = self.model_dump(by_alias=True, mode="json", exclude_none=True)
        return {
            "app": self.app,
            "accountId": self.account_id,
            "acknowledge": list(self.acknowledge),
            "infisical": dumped.get("infisical"),
            "state": dumped.get("state"),
            "workers": {
                name: {"domains": list(worker.domains), "routes": list(worker.routes)}
                for name, worker in sorted(self.workers.items())
            },
        }
