"""One Worker of a stage: the script with its bindings, and everything that points at the script.

Domains, routes, the cron trigger, the queue consumer and the Workflows it declares all take the script's
``script_name`` *output*, not the literal name, so the engine creates them after the script exists and a
renamed script takes them along. The script also carries the worker's static assets (the provider uploads the
folder) and the Durable Object migrations this upload applies.
"""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

import pulumi
import pulumi_cloudflare as cf

from components.cloudflare.adoption import adopted_id
from components.cloudflare.bindings import ConsumedQueue
from components.cloudflare.replacements import lifecycle
from components.cloudflare.replacements import renamed as aliased
from components.cloudflare.worker_args import WorkerArgs
from components.cloudflare.wrangler import published_config
from components.rules.naming import WORKER_TYPE
from components.secrets.owners import INHERIT_BINDING_TYPE

TYPE = WORKER_TYPE
MODULE_CONTENT_TYPE = "application/javascript+module"


def renamed(old_key: str | None) -> pulumi.ResourceOptions:
    """Options for a worker renamed from ``old_key``: its state follows the rename.

    Only the component needs the alias: the engine gives each child an alias under the old parent, and a
    child whose name starts with the parent's (``api-domain-…``, ``api-cron``) swaps that prefix too, so
    the script, domains, routes, cron trigger and consumer all keep their state.
    """
    return aliased(old_key)


class Worker(pulumi.ComponentResource):
    script: cf.WorkersScript
    script_name: pulumi.Output[str]
    workflows: dict[str, cf.Workflow]
    """The Workflows this worker declares, by config key."""
    urls: list[str]
    wrangler_config: dict[str, Any]
    """The worker's wrangler config (values are Inputs): the stack exports it as it is, unwrapped once."""
    outputs: dict[str, Any]
    """What the stack exports of this worker (under ``workers``): its script name and URLs."""

    def __init__(self, name: str, args: WorkerArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__(TYPE, name, None, opts)
        child = pulumi.ResourceOptions(parent=self)
        module = args.project_root / args.main

        bindings = [b.script_binding for b in args.bindings]
        bindings += [
            cf.WorkersScriptBindingArgs(name=s.name, type="secret_text", text=pulumi.Output.secret(s.value))
            for s in args.secrets.bindings
        ]
        bindings += [cf.WorkersScriptBindingArgs(name=n, type=INHERIT_BINDING_TYPE) for n in args.secrets.inherited]
        if args.assets is not None and args.assets.binding is not None:
            bindings.append(args.assets.binding)
        self.script = cf.WorkersScript(
            name,
            cf.WorkersScriptArgs(
                account_id=args.account_id,
                script_name=args.script_name,
                main_module=Path(args.main).name,
                content_file=args.main,
                content_sha256=hashlib.sha256(module.read_bytes()).hexdigest(),
                content_type=MODULE_CONTENT_TYPE,
                compatibility_date=args.compatibility_date,
                compatibility_flags=list(args.compatibility_flags),
                bindings=bindings,
                assets=args.assets.script_assets if args.assets is not None else None,
                migrations=args.migrations,
                observability=cf.WorkersScriptObservabilityArgs(enabled=args.observability),
            ),
            pulumi.ResourceOptions.merge(
                child,
                lifecycle(
                    "WorkersScript",
                    adopted_id("WorkersScript", args.account_id, args.script_name if args.adopt else None),
                ),
            ),
        )
        self.script_name = self.script.script_name

        for hostname in args.domains:
            cf.WorkersCustomDomain(
                f"{name}-domain-{hostname}",
                cf.WorkersCustomDomainArgs(
                    account_id=args.account_id,
                    hostname=hostname,
                    service=self.script_name,
                    zone_id=args.zone_id,
                ),
                pulumi.ResourceOptions.merge(
                    child,
                    lifecycle(
                        "WorkersCustomDomain",
                        adopted_id("WorkersCustomDomain", args.account_id, args.adopt_domains.get(hostname)),
                    ),
                ),
            )
        for pattern in args.routes:
            cf.WorkersRoute(
                f"{name}-route-{pattern}",
                cf.WorkersRouteArgs(zone_id=args.zone_id, pattern=pattern, script=self.script_name),
                pulumi.ResourceOptions.merge(
                    child,
                    lifecycle("WorkersRoute", adopted_id("WorkersRoute", args.zone_id, args.adopt_routes.get(pattern))),
                ),
            )
        # Always registered, with an empty list when the worker has no crons: deleting a cron trigger does
        # nothing at Cloudflare (the schedules keep firing), so removing `crons` must update it to [] instead.
        cf.WorkersCronTrigger(
            f"{name}-cron",
            cf.WorkersCronTriggerArgs(
                account_id=args.account_id,
                script_name=self.script_name,
                schedules=[cf.WorkersCronTriggerScheduleArgs(cron=cron) for cron in args.crons],
            ),
            pulumi.ResourceOptions.merge(child, lifecycle("WorkersCronTrigger")),
        )
        if args.consumer is not None:
            self._consume(name, args.account_id, args.consumer, child)
        self.workflows = {
            key: cf.Workflow(
                f"{name}-workflow-{key}",
                cf.WorkflowArgs(
                    account_id=args.account_id,
                    workflow_name=workflow.workflow_name,
                    class_name=workflow.class_name,
                    script_name=self.script_name,
                ),
                child,
            )
            for key, workflow in sorted(args.workflows.items())
        }

        self.urls = [f"https://{hostname}" for hostname in args.domains] + [f"https://{p}" for p in args.routes]
        self.wrangler_config = published_config(args)
        self.outputs = {"scriptName": self.script_name, "urls": self.urls}
        # The policy pack reads the allow-list and the side-effecting secrets from here (policy/settings.py).
        self.register_outputs(
            {
                **self.outputs,
                "publicVars": sorted(args.public_vars),
                "sideEffectSecrets": dict(args.secrets.side_effects),
            }
        )

    def _consume(self, name: str, account_id: str, consumed: ConsumedQueue, opts: pulumi.ResourceOptions) -> None:
        settings = consumed.settings
        cf.QueueConsumer(
            f"{name}-consumer",
            cf.QueueConsumerInitArgs(
                account_id=account_id,
                queue_id=consumed.queue_id,
                type="worker",
                script_name=self.script_name,
                dead_letter_queue=consumed.dead_letter_queue_name,
                settings=cf.QueueConsumerSettingsArgs(
                    batch_size=settings.batch_size,
                    max_retries=settings.max_retries,
                    max_wait_time_ms=settings.max_wait_time_ms,
                    retry_delay=settings.retry_delay_seconds,
                    max_concurrency=settings.max_concurrency,
                ),
            ),
            pulumi.ResourceOptions.merge(opts, lifecycle("QueueConsumer")),
        )
