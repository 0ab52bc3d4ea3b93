"""Worker bindings: each one is a script binding and its wrangler-config entry, made in one place.

The constructors take exactly the ids and names they bind, so the resource that owns them hands out its
own binding (as SST's Cloudflare components do): :class:`components.cloudflare.storage.Storage` for D1, R2, KV and
queues, the target worker's script for a service binding. They accept pulumi Inputs or plain strings, so
a local run of the stage can call the same constructors with local ids. Because both halves come from one
call, the wrangler config an app pipeline writes can never disagree with what Pulumi deployed.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Protocol

import pulumi
import pulumi_cloudflare as cf

from components.config import Binding, JsonBinding, QueueConsumerConfig, ServiceBinding


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


@dataclass(frozen=True)
class ConsumedQueue:
    """The queue a worker consumes: its id for the consumer, its name for wrangler, and where failures go."""

    settings: QueueConsumerConfig
    queue_id: pulumi.Input[str]
    queue_name: pulumi.Input[str]
    dead_letter_queue_name: pulumi.Input[str] | None


class BindingOwner(Protocol):
    """What owns the stage's stateful resources and hands out a binding to one of them."""

    def binding(self, name: str, binding: Binding) -> WorkerBinding: ...


def d1(
    name: str, database_id: pulumi.Input[str], database_name: pulumi.Input[str], migrations_dir: str
) -> WorkerBinding:
    return WorkerBinding(
        name,
        cf.WorkersScriptBindingArgs(name=name, type="d1", id=database_id),
        WranglerEntry(
            "d1_databases",
            {
                "binding": name,
                "database_name": database_name,
                "database_id": database_id,
                "migrations_dir": migrations_dir,
            },
        ),
    )


def r2(name: str, bucket_name: pulumi.Input[str], jurisdiction: str | None) -> WorkerBinding:
    """``jurisdiction`` is named only outside the default one."""
    return WorkerBinding(
        name,
        cf.WorkersScriptBindingArgs(name=name, type="r2_bucket", bucket_name=bucket_name, jurisdiction=jurisdiction),
        WranglerEntry("r2_buckets", _given(binding=name, bucket_name=bucket_name, jurisdiction=jurisdiction)),
    )


def kv(name: str, namespace_id: pulumi.Input[str]) -> WorkerBinding:
    return WorkerBinding(
        name,
        cf.WorkersScriptBindingArgs(name=name, type="kv_namespace", namespace_id=namespace_id),
        WranglerEntry("kv_namespaces", {"binding": name, "id": namespace_id}),
    )


def queue_producer(name: str, queue_name: pulumi.Input[str]) -> WorkerBinding:
    return WorkerBinding(
        name,
        cf.WorkersScriptBindingArgs(name=name, type="queue", queue_name=queue_name),
        WranglerEntry("queue_producers", {"binding": name, "queue": queue_name}),
    )


def service(name: str, script_name: pulumi.Input[str], entrypoint: str | None) -> WorkerBinding:
    return WorkerBinding(
        name,
        cf.WorkersScriptBindingArgs(name=name, type="service", service=script_name, entrypoint=entrypoint),
        WranglerEntry("services", _given(binding=name, service=script_name, entrypoint=entrypoint)),
    )


def json_value(name: str, value: Any) -> WorkerBinding:
    return WorkerBinding(
        name,
        cf.WorkersScriptBindingArgs(name=name, type="json", json=json.dumps(value, sort_keys=True)),
        WranglerEntry("vars", {name: value}),
    )


def plain_text(name: str, value: str) -> WorkerBinding:
    return WorkerBinding(
        name,
        cf.WorkersScriptBindingArgs(name=name, type="plain_text", text=value),
        WranglerEntry("vars", {name: value}),
    )


def _given(**entry: Any) -> dict[str, Any]:
    """A wrangler entry without the optional keys that are not set (wrangler reads absent, not null)."""
    return {key: value for key, value in entry.items() if value}


def translate(
    name: str, binding: Binding, storage: BindingOwner, script_names: Mapping[str, pulumi.Input[str]]
) -> WorkerBinding:
    """The binding for one declared binding: storage hands out its own; a service binds a script's name."""
    match binding:
        case ServiceBinding(worker=key, entrypoint=entrypoint):
            return service(name, script_names[key], entrypoint)
        case JsonBinding(value=value):
            return json_value(name, value)
    return storage.binding(name, binding)
