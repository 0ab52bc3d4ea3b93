"""The root component: one stage of the app, isolated from every other stage.

Everything is parented here and every Cloudflare resource goes through this stage's own provider
instance, so nothing (token, id or name) reaches across stages.
"""

from __future__ import annotations

from dataclasses import dataclass
from graphlib import TopologicalSorter
from pathlib import Path
from typing import Any

import pulumi
import pulumi_cloudflare as cf

from components import bindings as binding_translation
from components.config import StageConfig
from components.config.checks import service_graph
from components.config.load import PROJECT_ROOT
from components.infisical_stage import GeneratedValue, InfisicalStage, InfisicalStageArgs, SyncedWorker
from components.secret_inventory import stage_inventory
from components.secrets import SYNC_TOKEN_ENV, DeployEnvironment, WorkerSecrets, describe_owners, worker_secrets
from components.storage import Storage, StorageArgs
from components.worker import QueueConsumerTarget, Worker, WorkerArgs
from components.wrangler import ConsumedQueue

TYPE = "stageplatform:index:Stage"


@dataclass(frozen=True)
class StageArgs:
    config: StageConfig
    environment: DeployEnvironment
    project_root: Path = PROJECT_ROOT


class Stage(pulumi.ComponentResource):
    config: StageConfig
    provider: cf.Provider
    storage: Storage
    workers: dict[str, Worker]
    secrets: dict[str, WorkerSecrets]
    infisical: InfisicalStage | None
    """The stage's Infisical side; None when the config has no `infisical` section."""
    outputs: dict[str, Any]
    """The stack outputs (ids, names, URLs, wrangler configs; never a secret value)."""

    def __init__(self, name: str, args: StageArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__(TYPE, name, None, opts)
        self.config = config = args.config
        self.provider = cf.Provider(
            "cloudflare",
            cf.ProviderArgs(api_token=args.environment.cloudflare_api_token()),
            pulumi.ResourceOptions(parent=self),
        )
        scoped = pulumi.ResourceOptions(parent=self, providers={"cloudflare": self.provider})
        self.storage = Storage(
            "storage",
            StorageArgs(
                naming=config.naming,
                account_id=config.account_id,
                d1=config.d1,
                r2=config.r2,
                kv=config.kv,
                queues=config.queues,
                protect=config.is_prod,
            ),
            scoped,
        )
        self.workers = {}
        self.secrets = {}
        for worker_name in _service_order(config):
            self.secrets[worker_name] = worker_secrets(
                worker_name, config.workers[worker_name], config.stage, args.environment, self
            )
            self.workers[worker_name] = self._worker(worker_name, args, scoped)

        self.outputs = self._stack_outputs(config)
        self.infisical = self._infisical(config, args.environment) if config.infisical is not None else None
        if self.infisical is not None:
            self.outputs["infisical"] = self.infisical.outputs
        self.register_outputs({"workers": {k: w.script_name for k, w in self.workers.items()}})

    def _worker(self, worker_name: str, args: StageArgs, opts: pulumi.ResourceOptions) -> Worker:
        config = args.config
        worker = config.workers[worker_name]
        scripts = {key: w.script for key, w in self.workers.items()}
        translated = [
            binding_translation.translate(binding_name, binding, self.storage, config, scripts)
            for binding_name, binding in sorted(worker.bindings.items())
        ]
        translated += [binding_translation.plain_text(name, value) for name, value in sorted(worker.vars.items())]
        consumer = None
        if worker.consumes is not None:
            queue_key = worker.consumes.queue
            queue = self.storage.queues[queue_key]
            dead_letter = self.storage.dead_letter_queues.get(queue_key)
            consumer = QueueConsumerTarget(
                ConsumedQueue(worker.consumes, queue.queue_name, dead_letter.queue_name if dead_letter else None),
                queue,
                dead_letter,
            )
        return Worker(
            worker_name,
            WorkerArgs(
                account_id=config.account_id,
                zone_id=config.zone.id,
                script_name=config.naming.physical(worker_name),
                main=worker.main,
                project_root=args.project_root,
                compatibility_date=worker.compatibility_date or config.compatibility_date,
                compatibility_flags=worker.compatibility_flags,
                bindings=translated,
                secrets=self.secrets[worker_name],
                domains=worker.domains,
                routes=worker.routes,
                crons=worker.crons,
                consumer=consumer,
                observability=worker.observability,
            ),
            opts,
        )

    def _infisical(self, config: StageConfig, environment: DeployEnvironment) -> InfisicalStage:
        assert config.infisical is not None
        synced = [
            SyncedWorker(
                name=name,
                script=self.workers[name].script,
                folder=worker.synced_secrets_folder(name),
                pulumi_binds_secrets=bool(self.secrets[name].bindings),
            )
            for name, worker in sorted(config.workers.items())
            if worker.synced_secret_names()
        ]
        return InfisicalStage(
            "infisical",
            InfisicalStageArgs(
                naming=config.naming,
                config=config.infisical,
                environment_slug=config.infisical_environment_slug,
                manage_environment=config.manages_infisical_environment,
                account_id=config.account_id,
                connection_token=environment.secret(SYNC_TOKEN_ENV) if synced else None,
                synced_workers=synced,
                generated=[
                    GeneratedValue(worker=name, name=binding.name, value=binding.value)
                    for name, worker_secrets_ in sorted(self.secrets.items())
                    for binding in worker_secrets_.generated
                ],
                protect=config.is_prod,
            ),
            pulumi.ResourceOptions(parent=self),
        )

    def _stack_outputs(self, config: StageConfig) -> dict[str, Any]:
        storage = self.storage
        return {
            "app": config.app,
            "stage": config.stage,
            "accountId": config.account_id,
            "workers": {
                key: {"scriptName": worker.script_name, "urls": worker.urls} for key, worker in self.workers.items()
            },
            "d1Databases": {key: {"id": db.uuid, "name": db.name} for key, db in storage.d1.items()},
            "r2Buckets": {key: {"name": bucket.name} for key, bucket in storage.r2.items()},
            "kvNamespaces": {key: {"id": kv.id, "title": kv.title} for key, kv in storage.kv.items()},
            "queues": {
                key: {
                    "id": queue.queue_id,
                    "name": queue.queue_name,
                    **(
                        {"deadLetterQueue": {"id": dlq.queue_id, "name": dlq.queue_name}}
                        if (dlq := storage.dead_letter_queues.get(key))
                        else {}
                    ),
                }
                for key, queue in storage.queues.items()
            },
            "wranglerConfigs": {key: worker.wrangler_config for key, worker in self.workers.items()},
            "secretOwners": {
                key: describe_owners(key, worker, config.stage, config.infisical_environment_slug)
                for key, worker in sorted(config.workers.items())
                if worker.secrets
            },
            "secretInventory": stage_inventory(config),
        }


def _service_order(config: StageConfig) -> list[str]:
    """Workers ordered so a service binding's target script exists first (config refuses cycles)."""
    return list(TopologicalSorter(service_graph(config.workers)).static_order())
