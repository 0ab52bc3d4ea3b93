"""The stage's stateful resources: D1 databases, R2 buckets, KV namespaces and queues.

They are grouped in one component because they share one life-cycle rule: in prod they carry
``protect`` and ``retain_on_delete``, so neither a stray ``pulumi destroy`` nor a rename can drop data
(replacing a D1 database creates a new, empty one: every row is gone). A key renamed with ``renamedFrom``
keeps its state (aliases) and its physical name, so a rename changes nothing in Cloudflare.

Each resource also hands out what binds it (:meth:`Storage.binding_values`) and the
queue a consumer reads (:meth:`Storage.consumed`), so a worker never needs the stage's whole config.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import pulumi
import pulumi_cloudflare as cf

from components.cloudflare.adoption import adopted_id
from components.cloudflare.bindings import ConsumedQueue
from components.cloudflare.replacements import lifecycle, renamed
from components.config import (
    Binding,
    D1Binding,
    D1DatabaseConfig,
    KvBinding,
    KvNamespaceConfig,
    QueueBinding,
    QueueConfig,
    QueueConsumerConfig,
    R2Binding,
    R2BucketConfig,
)
from components.config.models import StorageConfig
from components.rules.naming import Naming

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
    outputs: dict[str, Any]
    """What the stack exports of the stage's storage: ids and names, by config key."""

    def __init__(self, name: str, args: StorageArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__(TYPE, name, None, opts)
        self._args = args
        keep = pulumi.ResourceOptions(parent=self, protect=args.protect, retain_on_delete=args.protect or None)
        account = args.account_id

        def options(kind: str, prefix: str, entry: StorageConfig, import_id: str | None) -> pulumi.ResourceOptions:
            """Prod's protection, the table's lifecycle, and the aliases of a renamed key (``renamedFrom``)."""
            return _merged(keep, lifecycle(kind, import_id), renamed(*(f"{prefix}{old}" for old in entry.renamed_from)))

        def physical(key: str, entry: StorageConfig) -> str:
            """``{app}-{stage}-<key>``, from the key the resource was first created under: a rename keeps it."""
            return args.naming.physical(entry.physical_key(key))

        self.d1 = {
            key: cf.D1Database(
                f"d1-{key}",
                cf.D1DatabaseArgs(
                    account_id=account,
                    name=physical(key, db),
                    primary_location_hint=db.location_hint,
                    jurisdiction=db.jurisdiction,
                    read_replication=(
                        cf.D1DatabaseReadReplicationArgs(mode=db.read_replication) if db.read_replication else None
                    ),
                ),
                options("D1Database", "d1-", db, adopted_id("D1Database", account, db.adopt)),
            )
            for key, db in sorted(args.d1.items())
        }
        self.r2 = {
            key: cf.R2Bucket(
                f"r2-{key}",
                cf.R2BucketArgs(
                    account_id=account,
                    name=physical(key, bucket),
                    location=bucket.location,
                    jurisdiction=bucket.jurisdiction,
                    storage_class=bucket.storage_class,
                ),
                options(
                    "R2Bucket",
                    "r2-",
                    bucket,
                    adopted_id("R2Bucket", account, bucket.adopt, bucket.jurisdiction or "default"),
                ),
            )
            for key, bucket in sorted(args.r2.items())
        }
        self.kv = {
            key: cf.WorkersKvNamespace(
                f"kv-{key}",
                cf.WorkersKvNamespaceArgs(account_id=account, title=physical(key, kv)),
                options("WorkersKvNamespace", "kv-", kv, adopted_id("WorkersKvNamespace", account, kv.adopt)),
            )
            for key, kv in sorted(args.kv.items())
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
                cf.QueueArgs(account_id=account, queue_name=physical(key, queue), settings=settings),
                options("Queue", "queue-", queue, adopted_id("Queue", account, queue.adopt)),
            )
            if queue.dead_letter:
                self.dead_letter_queues[key] = cf.Queue(
                    f"queue-{key}-dlq",
                    cf.QueueArgs(account_id=account, queue_name=args.naming.dead_letter_queue(queue.physical_key(key))),
                    _merged(
                        keep,
                        lifecycle("Queue"),
                        renamed(*(f"queue-{old}-dlq" for old in queue.renamed_from)),
                    ),
                )

        self.outputs = {
            "d1Databases": {key: {"id": db.uuid, "name": db.name} for key, db in self.d1.items()},
            "r2Buckets": {key: {"name": bucket.name} for key, bucket in self.r2.items()},
            "kvNamespaces": {key: {"id": kv.id, "title": kv.title} for key, kv in self.kv.items()},
            "queues": {key: self._queue_outputs(key) for key in self.queues},
        }
        self.register_outputs(self.outputs)

    def binding_values(self, binding: Binding) -> dict[str, Any]:
        """What binds one of these resources (its kind's ``BOUND`` says where each value goes)."""
        match binding:
            case D1Binding(database=key):
                db = self.d1[key]
                return {"id": db.uuid, "name": db.name, "migrations_dir": self._args.d1[key].migrations_dir}
            case R2Binding(bucket=key):
                jurisdiction = self._args.r2[key].jurisdiction
                return {"name": self.r2[key].name, "jurisdiction": None if jurisdiction == "default" else jurisdiction}
            case KvBinding(namespace=key):
                return {"id": self.kv[key].id}
            case QueueBinding(queue=key):
                return {"name": self.queues[key].queue_name}
        raise AssertionError(f"binding type {binding.type!r} is not a storage binding")  # translate() sends no other

    def consumed(self, settings: QueueConsumerConfig) -> ConsumedQueue:
        """The queue a consumer with ``settings`` reads, and the dead-letter queue its failures go to."""
        queue = self.queues[settings.queue]
        dead_letter = self.dead_letter_queues.get(settings.queue)
        return ConsumedQueue(
            settings, queue.queue_id, queue.queue_name, dead_letter.queue_name if dead_letter else None
        )

    def _queue_outputs(self, key: str) -> dict[str, Any]:
        queue = self.queues[key]
        outputs: dict[str, Any] = {"id": queue.queue_id, "name": queue.queue_name}
        if dlq := self.dead_letter_queues.get(key):
            outputs["deadLetterQueue"] = {"id": dlq.queue_id, "name": dlq.queue_name}
        return outputs


def _merged(*options: pulumi.ResourceOptions) -> pulumi.ResourceOptions:
    merged = pulumi.ResourceOptions()
    for option in options:
        merged = pulumi.ResourceOptions.merge(merged, option)
    return merged
