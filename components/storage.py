"""The stage's stateful resources: D1 databases, R2 buckets, KV namespaces and queues.

They are grouped in one component because they share one life-cycle rule: in prod they carry
``protect`` and ``retain_on_delete``, so neither a stray ``pulumi destroy`` nor a rename can drop data
(a D1 replacement loses every row; field notes §2.13).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import pulumi
import pulumi_cloudflare as cf

from components.config import D1DatabaseConfig, KvNamespaceConfig, QueueConfig, R2BucketConfig
from components.naming import Naming

TYPE = "stageplatform:index:Storage"


@dataclass(frozen=True)
class StorageArgs:
    naming: Naming
    account_id: str
    d1: Mapping[str, D1DatabaseConfig]
    r2: Mapping[str, R2BucketConfig]
    kv: Mapping[str, KvNamespaceConfig]
    queues: Mapping[str, QueueConfig]
    protect: bool
    """Prod: protect and retain every stateful resource."""


class Storage(pulumi.ComponentResource):
    """Every stateful Cloudflare resource of one stage, named ``{app}-{stage}-{name}``."""

    d1: dict[str, cf.D1Database]
    r2: dict[str, cf.R2Bucket]
    kv: dict[str, cf.WorkersKvNamespace]
    queues: dict[str, cf.Queue]
    dead_letter_queues: dict[str, cf.Queue]

    def __init__(self, name: str, args: StorageArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__(TYPE, name, None, opts)
        keep = pulumi.ResourceOptions(parent=self, protect=args.protect, retain_on_delete=args.protect or None)
        physical = args.naming.physical

        self.d1 = {
            key: cf.D1Database(
                f"d1-{key}",
                cf.D1DatabaseArgs(
                    account_id=args.account_id,
                    name=physical(key),
                    primary_location_hint=db.location_hint,
                    jurisdiction=db.jurisdiction,
                    read_replication=(
                        cf.D1DatabaseReadReplicationArgs(mode=db.read_replication) if db.read_replication else None
                    ),
                ),
                keep,
            )
            for key, db in sorted(args.d1.items())
        }
        self.r2 = {
            key: cf.R2Bucket(
                f"r2-{key}",
                cf.R2BucketArgs(
                    account_id=args.account_id,
                    name=physical(key),
                    location=bucket.location,
                    jurisdiction=bucket.jurisdiction,
                    storage_class=bucket.storage_class,
                ),
                keep,
            )
            for key, bucket in sorted(args.r2.items())
        }
        self.kv = {
            key: cf.WorkersKvNamespace(
                f"kv-{key}", cf.WorkersKvNamespaceArgs(account_id=args.account_id, title=physical(key)), keep
            )
            for key in sorted(args.kv)
        }
        self.queues = {}
        self.dead_letter_queues = {}
        for key, queue in sorted(args.queues.items()):
            settings = cf.QueueSettingsArgs(
                delivery_delay=queue.delivery_delay_seconds,
                message_retention_period=queue.message_retention_seconds,
            )
            self.queues[key] = cf.Queue(
                f"queue-{key}",
                cf.QueueArgs(account_id=args.account_id, queue_name=physical(key), settings=settings),
                keep,
            )
            if queue.dead_letter:
                self.dead_letter_queues[key] = cf.Queue(
                    f"queue-{key}-dlq",
                    cf.QueueArgs(account_id=args.account_id, queue_name=args.naming.dead_letter_queue(key)),
                    keep,
                )

        self.register_outputs(
            {
                "d1": {key: db.uuid for key, db in self.d1.items()},
                "r2": {key: bucket.name for key, bucket in self.r2.items()},
                "kv": {key: kv.id for key, kv in self.kv.items()},
                "queues": {key: queue.queue_id for key, queue in self.queues.items()},
            }
        )
