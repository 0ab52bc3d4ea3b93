"""The root component: one stage of the app, isolated from every other stage.

Everything is parented here and every Cloudflare resource goes through this stage's own provider
instance, so nothing (token, id or name) reaches across stages.
"""

from __future__ import annotations

from dataclasses import dataclass
from graphlib import TopologicalSorter
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pulumi
import pulumi_cloudflare as cf

from components.cloudflare import bindings
from components.cloudflare.bindings import BindingTargets, WorkflowTarget
from components.cloudflare.durable_objects import live_migration_tags, upload_migrations
from components.cloudflare.hyperdrive import Hyperdrive, HyperdriveArgs
from components.cloudflare.storage import Storage, StorageArgs
from components.cloudflare.worker import Worker, renamed
from components.cloudflare.worker_args import DeclaredWorkflow, WorkerArgs
from components.config import StageConfig
from components.config.binding_checks import declared_workflows
from components.config.checks import service_graph
from components.rules.naming import STAGE_LAYOUT, STAGE_TYPE
from components.rules.stage_layout import PROJECT_ROOT
from components.secrets.deploy_inputs import SYNC_TOKEN_ENV, DeployInputs
from components.secrets.inventory import hyperdrive_inventory, secret_outputs
from components.secrets.origin_passwords import synced_password_folders
from components.secrets.owners import WorkerSecrets, worker_secrets

if TYPE_CHECKING:
    from components.infisical_side.infisical_stage import InfisicalStage

TYPE = STAGE_TYPE
PIPELINE_OUTPUTS = (
    "app",
    "stage",
    "accountId",
    "workers",
    "d1Databases",
    "r2Buckets",
    "kvNamespaces",
    "queues",
    "wranglerConfigs",
)
"""The stack outputs app pipelines read (docs/config.md, "Outputs reference"): renaming or removing one of their
keys breaks a pipeline, and the diff says so."""


@dataclass(frozen=True)
class StageArgs:
    config: StageConfig
    deploy_inputs: DeployInputs
    """The deploy's secret values and date, read once by the program (the only values the stage sees)."""
    project_root: Path = PROJECT_ROOT


class Stage(pulumi.ComponentResource):
    config: StageConfig
    provider: cf.Provider
    storage: Storage
    hyperdrive: Hyperdrive | None
    """The stage's Hyperdrive configs (None: it declares none)."""
    workers: dict[str, Worker]
    outputs: dict[str, Any]
    """The stack outputs (ids, names, URLs, wrangler configs; never a secret value)."""

    def __init__(self, name: str, args: StageArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__(TYPE, name, None, opts)
        self.config = config = args.config
        self.provider = cf.Provider(
            "cloudflare",
            cf.ProviderArgs(api_token=args.deploy_inputs.cloudflare_api_token),
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
        self.hyperdrive = None
        if config.hyperdrive:
            self.hyperdrive = Hyperdrive(
                "hyperdrive",
                HyperdriveArgs(
                    naming=config.naming,
                    account_id=config.account_id,
                    configs=config.hyperdrive,
                    passwords=args.deploy_inputs.hyperdrive_passwords,
                ),
                scoped,
            )
        # One read of the live scripts' Durable Object migration tags, when some worker has classes.
        self._live_tags = (
            live_migration_tags(config.account_id, pulumi.InvokeOptions(parent=self, provider=self.provider))
            if any(worker.durable_objects for worker in config.workers.values())
            else {}
        )
        self.workers = {}
        secrets: dict[str, WorkerSecrets] = {}
        for worker_name in TopologicalSorter(service_graph(config.workers)).static_order():
            secrets[worker_name] = worker_secrets(
                worker_name,
                config.workers[worker_name],
                config.stage,
                injected=args.deploy_inputs.injected,
                today=args.deploy_inputs.today,
                parent=self,
            )
            self.workers[worker_name] = self._worker(worker_name, secrets[worker_name], args, scoped)

        self.outputs = {
            "app": config.app,
            "stage": config.stage,
            "accountId": config.account_id,
            "workers": {key: worker.outputs for key, worker in self.workers.items()},
            **self.storage.outputs,
            "hyperdriveConfigs": {
                key: {**(self.hyperdrive.outputs[key] if self.hyperdrive else {}), **facts}
                for key, facts in hyperdrive_inventory(config).items()
            },
            "vectorizeIndexes": _vectorize_indexes(config),
            "wranglerConfigs": {key: worker.wrangler_config for key, worker in self.workers.items()},
            **secret_outputs(config),
        }
        self.infisical: InfisicalStage | None = None
        """The stage's Infisical side; None when the config has no `infisical` section."""
        if config.infisical is not None:
            self.infisical = self._infisical(config, secrets, args.deploy_inputs)
            self.outputs["infisical"] = self.infisical.outputs
        # The policy pack reads the app and the stage's layout among the stages from here (policy/settings.py).
        self.register_outputs({"app": config.app, STAGE_LAYOUT: config.layout_values()})

    def _worker(
        self, worker_name: str, secrets: WorkerSecrets, args: StageArgs, opts: pulumi.ResourceOptions
    ) -> Worker:
        config = args.config
        worker = config.workers[worker_name]
        script_name = config.naming.physical(worker_name)
        translated = [
            bindings.translate(binding_name, binding, self._targets(worker_name, config))
            for binding_name, binding in sorted(worker.bindings.items())
        ]
        translated += [bindings.plain_text(name, value) for name, value in sorted(worker.vars.items())]
        migrations = None
        if worker.durable_objects is not None:
            at = f"{pulumi.get_project()}:workers.{worker_name}.durableObjects"
            migrations = upload_migrations(at, worker.durable_objects, self._live_tags.get(script_name))
        return Worker(
            worker_name,
            WorkerArgs(
                account_id=config.account_id,
                zone_id=config.zone.id,
                script_name=script_name,
                main=worker.main,
                project_root=args.project_root,
                compatibility_date=worker.compatibility_date or config.compatibility_date,
                compatibility_flags=worker.compatibility_flags,
                bindings=translated,
                secrets=secrets,
                domains=worker.domains,
                routes=worker.routes,
                crons=worker.crons,
                consumer=self.storage.consumed(worker.consumes) if worker.consumes else None,
                observability=worker.observability,
                public_vars=worker.public_vars,
                adopt=worker.adopt is not None,
                adopt_domains=worker.adopt_domains,
                adopt_routes=worker.adopt_routes,
                assets=bindings.static_assets(worker.assets) if worker.assets is not None else None,
                durable_objects=worker.durable_objects,
                migrations=migrations,
                workflows={
                    key: DeclaredWorkflow(config.naming.physical(key), workflow.class_name)
                    for key, workflow in worker.workflows.items()
                },
            ),
            pulumi.ResourceOptions.merge(opts, renamed(worker.renamed_from)),
        )

    def _targets(self, worker_name: str, config: StageConfig) -> BindingTargets:
        """What the bindings of ``worker_name`` may point at: the workers made before it (its graph's order)
        and their Workflows (by the resource's name output, so the binding waits for the Workflow), its own
        Workflows by name (they are made after its script)."""
        workflows = {}
        for key, declaring in declared_workflows(config.workers).items():
            made = self.workers.get(declaring)
            name = made.workflows[key].workflow_name if made is not None else config.naming.physical(key)
            workflows[key] = WorkflowTarget(declaring, name, config.workers[declaring].workflows[key].class_name)
        return BindingTargets(
            worker=worker_name,
            naming=config.naming,
            storage=self.storage,
            hyperdrive=self.hyperdrive,
            scripts={key: w.script_name for key, w in self.workers.items()},
            workflows=workflows,
        )

    def _sync_token(self, deploy_inputs: DeployInputs) -> pulumi.Output[str]:
        """The token Infisical's Workers syncs write with, from the stage's own deploy folder: the project stack
        minted it (or a person put it there). A stage never mints a Cloudflare token."""
        return deploy_inputs.secret(SYNC_TOKEN_ENV)

    def _infisical(
        self, config: StageConfig, secrets: dict[str, WorkerSecrets], deploy_inputs: DeployInputs
    ) -> InfisicalStage:
        # Imported here: the Infisical package is a third of the program's import time, and only stages with
        # an `infisical` section need it.
        from components.infisical_side.infisical_stage import InfisicalStage, InfisicalStageArgs, StageWorker  # noqa: PLC0415

        assert config.infisical is not None
        syncs = any(worker_secrets_.synced for worker_secrets_ in secrets.values())
        return InfisicalStage(
            "infisical",
            InfisicalStageArgs(
                naming=config.naming,
                config=config.infisical,
                environment_slug=config.infisical_environment_slug,
                manage_environment=config.manages_infisical_environment,
                account_id=config.account_id,
                connection_token=self._sync_token(deploy_inputs) if syncs else None,
                workers={name: StageWorker(self.workers[name].script, secrets[name]) for name in sorted(secrets)},
                protect=config.is_prod,
                keep_connection_token=SYNC_TOKEN_ENV in deploy_inputs.withheld,
                deploy_reads=synced_password_folders(config),
            ),
            pulumi.ResourceOptions(parent=self),
        )


def _vectorize_indexes(config: StageConfig) -> dict[str, Any]:
    """Each Vectorize index of the stage with the command that makes it (pulumi-cloudflare 6.x cannot)."""
    indexes = {}
    for key, index in sorted(config.vectorize.items()):
        name = config.naming.physical(key)
        create = f"npx wrangler vectorize create {name} --dimensions={index.dimensions} --metric={index.metric}"
        indexes[key] = {"name": name, "dimensions": index.dimensions, "metric": index.metric, "create": create}
    return indexes
