"""A ready-to-write wrangler config per worker, built from what the program deployed.

App pipelines run ``pulumi stack output --json wranglerConfigs`` and then ``wrangler d1 migrations
apply --remote`` or ``wrangler deploy``; ids come from the real resources, so a replaced D1 database
can never leave a pipeline on a stale id (field notes §2.13). Secret values never enter it: only the
names of secrets, under ``secrets.required``, which wrangler checks at deploy time.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import pulumi

from components.bindings import WorkerBinding
from components.config import QueueConsumerConfig

WRANGLER_SCHEMA = "node_modules/wrangler/config-schema.json"


@dataclass(frozen=True)
class ConsumedQueue:
    config: QueueConsumerConfig
    queue_name: pulumi.Input[str]
    dead_letter_queue_name: pulumi.Input[str] | None


@dataclass(frozen=True)
class WranglerSource:
    account_id: str
    script_name: pulumi.Input[str]
    main: str
    compatibility_date: str
    compatibility_flags: Sequence[str]
    bindings: Sequence[WorkerBinding]
    secret_names: Sequence[str]
    consumed: ConsumedQueue | None
    domains: Sequence[str]
    routes: Sequence[str]
    zone_id: str
    crons: Sequence[str]
    observability: bool


def wrangler_config(source: WranglerSource) -> pulumi.Output[dict[str, Any]]:
    config: dict[str, Any] = {
        "$schema": WRANGLER_SCHEMA,
        "name": source.script_name,
        "main": source.main,
        "account_id": source.account_id,
        "compatibility_date": source.compatibility_date,
        "compatibility_flags": list(source.compatibility_flags),
        "workers_dev": False,
    }
    sections: dict[str, list[Any]] = {}
    plain_vars: dict[str, Any] = {}
    for binding in source.bindings:
        if binding.wrangler.section == "vars":
            plain_vars.update(binding.wrangler.value)
        else:
            sections.setdefault(binding.wrangler.section, []).append(dict(binding.wrangler.value))
    for section in ("d1_databases", "kv_namespaces", "r2_buckets", "services"):
        if section in sections:
            config[section] = sections[section]
    queues: dict[str, Any] = {}
    if "queue_producers" in sections:
        queues["producers"] = sections["queue_producers"]
    if source.consumed is not None:
        queues["consumers"] = [_consumer(source.consumed)]
    if queues:
        config["queues"] = queues
    if plain_vars:
        config["vars"] = plain_vars
    if source.secret_names:
        config["secrets"] = {"required": sorted(source.secret_names)}
    routes = [{"pattern": host, "custom_domain": True} for host in source.domains]
    routes += [{"pattern": pattern, "zone_id": source.zone_id} for pattern in source.routes]
    if routes:
        config["routes"] = routes
    if source.crons:
        config["triggers"] = {"crons": list(source.crons)}
    config["observability"] = {"enabled": source.observability}
    return pulumi.Output.from_input(config)


def _consumer(consumed: ConsumedQueue) -> dict[str, Any]:
    settings = consumed.config
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
