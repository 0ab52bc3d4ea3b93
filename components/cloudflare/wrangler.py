"""A ready-to-write wrangler config per worker, built from the same arguments the Worker deploys.

App pipelines run ``pulumi stack output --json wranglerConfigs`` and use a config for ``wrangler d1
migrations apply``, ``wrangler dev``, ``wrangler types`` and ``wrangler tail <scriptName>``; ids come from
the real resources, so a replaced D1 database can never leave a pipeline on a stale id. Secret values never
enter it: only the names of secrets, under ``secrets.required`` (read by wrangler 4.x releases from late
February 2026 on, experimental until May 2026; older ones warn about an unknown field and ignore it).

Pulumi is the one owner of each Worker script: it uploads the module, bindings, routes, domains, crons and
the queue consumer. So the published config (:func:`published_config`) has no ``name``: ``wrangler deploy``
(and ``versions upload``, ``secret put``, ``triggers deploy``) stops with "You need to provide a name"
before it uploads anything, instead of owning the script a second time. The script name is in the
``workers`` output.

:func:`wrangler_config` returns a plain dict of Inputs: with the deployed resources' outputs for the
stack output, or with literal (local) ids for a local run of the same worker.
"""

from __future__ import annotations

from typing import Any

import pulumi

from components.cloudflare.bindings import VARS, ConsumedQueue
from components.cloudflare.durable_objects import wrangler_migrations
from components.cloudflare.worker_args import WorkerArgs

WRANGLER_SCHEMA = "node_modules/wrangler/config-schema.json"


def wrangler_config(args: WorkerArgs, script_name: pulumi.Input[str] | None = None) -> dict[str, Any]:
    """The wrangler config of the worker ``args`` describe; ``script_name`` defaults to ``args.script_name``."""
    config: dict[str, Any] = {
        "$schema": WRANGLER_SCHEMA,
        "name": args.script_name if script_name is None else script_name,
        "main": args.main,
        "account_id": args.account_id,
        "compatibility_date": args.compatibility_date,
        "compatibility_flags": list(args.compatibility_flags),
        "workers_dev": False,
    }
    plain_vars: dict[str, Any] = {}
    for binding in args.bindings:
        entry = binding.wrangler
        if entry.section == VARS:
            plain_vars.update(entry.value)
        elif entry.single:
            config[entry.section] = dict(entry.value)
        else:
            *parents, last = entry.section.split(".")
            section = config
            for parent in parents:
                section = section.setdefault(parent, {})
            section.setdefault(last, []).append(dict(entry.value))
    if args.consumer is not None:
        config.setdefault("queues", {})["consumers"] = [_consumer(args.consumer)]
    if args.durable_objects is not None:
        config["migrations"] = wrangler_migrations(args.durable_objects)
    if args.assets is not None:
        config[args.assets.wrangler.section] = dict(args.assets.wrangler.value)
    if plain_vars:
        config["vars"] = plain_vars
    if args.secrets.names:
        config["secrets"] = {"required": sorted(args.secrets.names)}
    routes = [{"pattern": host, "custom_domain": True} for host in args.domains]
    routes += [{"pattern": pattern, "zone_id": args.zone_id} for pattern in args.routes]
    if routes:
        config["routes"] = routes
    if args.crons:
        config["triggers"] = {"crons": list(args.crons)}
    config["observability"] = {"enabled": args.observability}
    return config


def published_config(args: WorkerArgs) -> dict[str, Any]:
    """The stack output's config: :func:`wrangler_config` without ``name``, so it can never deploy."""
    return {key: value for key, value in wrangler_config(args).items() if key != "name"}


def _consumer(consumed: ConsumedQueue) -> dict[str, Any]:
    settings = consumed.settings
    consumer: dict[str, Any] = {
        "queue": consumed.queue_name,
        "max_batch_size": settings.batch_size,
        "max_batch_timeout": settings.max_wait_time_ms / 1000,
        "max_retries": settings.max_retries,
    }
    if consumed.dead_letter_queue_name is not None:
        consumer["dead_letter_queue"] = consumed.dead_letter_queue_name
    if settings.retry_delay_seconds is not None:
        consumer["retry_delay"] = settings.retry_delay_seconds
    if settings.max_concurrency is not None:
        consumer["max_concurrency"] = settings.max_concurrency
    return consumer
