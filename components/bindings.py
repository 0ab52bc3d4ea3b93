"""Binding translation: one config binding becomes a script binding and its wrangler-config entry.

Both halves come from the same place so the wrangler config an app pipeline writes can never
disagree with what Pulumi deployed (SST composes its wrangler config the same way).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import pulumi_cloudflare as cf

from components.config import (
    Binding,
    D1Binding,
    JsonBinding,
    KvBinding,
    QueueBinding,
    R2Binding,
    ServiceBinding,
    StageConfig,
)
from components.storage import Storage


@dataclass(frozen=True)
class WranglerEntry:
    """Where a binding goes in a wrangler config: a list section (``d1_databases``) or ``vars``."""

    section: str
    value: Mapping[str, Any]


@dataclass(frozen=True)
class WorkerBinding:
    name: str
    script_binding: cf.WorkersScriptBindingArgs
    wrangler: WranglerEntry


def translate(
    name: str,
    binding: Binding,
    storage: Storage,
    config: StageConfig,
    scripts: Mapping[str, cf.WorkersScript],
) -> WorkerBinding:
    """The script binding and wrangler entry for one declared binding (references were checked in config)."""
    match binding:
        case D1Binding(database=key):
            db = storage.d1[key]
            return WorkerBinding(
                name,
                cf.WorkersScriptBindingArgs(name=name, type="d1", id=db.uuid),
                WranglerEntry(
                    "d1_databases",
                    {
                        "binding": name,
                        "database_name": db.name,
                        "database_id": db.uuid,
                        "migrations_dir": config.d1[key].migrations_dir,
                    },
                ),
            )
        case R2Binding(bucket=key):
            bucket = storage.r2[key]
            # The binding names a jurisdiction only outside the default one.
            jurisdiction = config.r2[key].jurisdiction
            jurisdiction = None if jurisdiction == "default" else jurisdiction
            r2_entry: dict[str, Any] = {"binding": name, "bucket_name": bucket.name}
            if jurisdiction:
                r2_entry["jurisdiction"] = jurisdiction
            return WorkerBinding(
                name,
                cf.WorkersScriptBindingArgs(
                    name=name, type="r2_bucket", bucket_name=bucket.name, jurisdiction=jurisdiction
                ),
                WranglerEntry("r2_buckets", r2_entry),
            )
        case KvBinding(namespace=key):
            kv = storage.kv[key]
            return WorkerBinding(
                name,
                cf.WorkersScriptBindingArgs(name=name, type="kv_namespace", namespace_id=kv.id),
                WranglerEntry("kv_namespaces", {"binding": name, "id": kv.id}),
            )
        case QueueBinding(queue=key):
            queue = storage.queues[key]
            return WorkerBinding(
                name,
                cf.WorkersScriptBindingArgs(name=name, type="queue", queue_name=queue.queue_name),
                WranglerEntry("queue_producers", {"binding": name, "queue": queue.queue_name}),
            )
        case ServiceBinding(worker=key, entrypoint=entrypoint):
            script = scripts[key]
            entry: dict[str, Any] = {"binding": name, "service": script.script_name}
            if entrypoint:
                entry["entrypoint"] = entrypoint
            return WorkerBinding(
                name,
                cf.WorkersScriptBindingArgs(
                    name=name, type="service", service=script.script_name, entrypoint=entrypoint
                ),
                WranglerEntry("services", entry),
            )
        case JsonBinding(value=value):
            return WorkerBinding(
                name,
                cf.WorkersScriptBindingArgs(name=name, type="json", json=json.dumps(value, sort_keys=True)),
                WranglerEntry("vars", {name: value}),
            )
    raise AssertionError(f"unhandled binding type {binding.type!r}")  # the config model admits no other


def plain_text(name: str, value: str) -> WorkerBinding:
    return WorkerBinding(
        name,
        cf.WorkersScriptBindingArgs(name=name, type="plain_text", text=value),
        WranglerEntry("vars", {name: value}),
    )
