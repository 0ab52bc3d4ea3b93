"""Worker bindings: each one is a script binding and its wrangler-config entry, made in one place.

Every kind is declared once, by its config model (:mod:`components.config.bindings`, ``BOUND``): which
``WorkersScript`` binding type and fields it becomes, and which wrangler section and keys. :func:`bound` builds
both halves from that declaration and the values of whatever owns the target, so the resource that owns a
target hands out its values (as SST's Cloudflare components do): :class:`components.cloudflare.storage.Storage`
for D1, R2, KV and queues, :class:`components.cloudflare.hyperdrive.Hyperdrive` for its configs, a worker's
script for a service, its Durable Object classes and its Workflows, the stage's naming for the rest. Values
may be pulumi Inputs or plain strings, so a local run of the stage calls the same code with local ids.
Because both halves come from one call, the wrangler config an app pipeline writes can never disagree with
what Pulumi deployed.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Protocol

import pulumi
import pulumi_cloudflare as cf

from components.config import (
    AssetsConfig,
    Binding,
    D1Binding,
    DurableObjectBinding,
    HyperdriveBinding,
    JsonBinding,
    KvBinding,
    QueueBinding,
    QueueConsumerConfig,
    R2Binding,
    ServiceBinding,
    VectorizeBinding,
    WorkflowBinding,
)
from components.config.bindings import Bound
from components.rules.naming import Naming

VARS = "vars"
ASSETS_BINDING_TYPE = "assets"


@dataclass(frozen=True)
class WranglerEntry:
    """Where a binding goes in a wrangler config: a list section (dotted when nested, ``queues.producers``), a
    section that is one object (``single``: ``ai``, ``assets``), or ``vars``."""

    section: str
    value: Mapping[str, Any]
    single: bool = False


@dataclass(frozen=True)
class WorkerBinding:
    name: str
    script_binding: cf.WorkersScriptBindingArgs
    wrangler: WranglerEntry
    local: str | None = None
    """Why ``wrangler dev`` cannot run this binding on a laptop (None: it can)."""


@dataclass(frozen=True)
class ConsumedQueue:
    """The queue a worker consumes: its id for the consumer, its name for wrangler, and where failures go."""

    settings: QueueConsumerConfig
    queue_id: pulumi.Input[str]
    queue_name: pulumi.Input[str]
    dead_letter_queue_name: pulumi.Input[str] | None


class BindingOwner(Protocol):
    """What owns some of the stage's resources and hands out the values that bind one of them."""

    def binding_values(self, binding: Binding) -> Mapping[str, Any]: ...


@dataclass(frozen=True)
class WorkflowTarget:
    worker: str
    """The worker that declares the workflow and exports its class."""
    workflow_name: pulumi.Input[str]
    class_name: str


@dataclass(frozen=True)
class BindingTargets:
    """Everything the bindings of one worker may point at."""

    worker: str
    """The worker being bound: its own Durable Object classes and Workflows need no script name."""
    naming: Naming
    storage: BindingOwner
    hyperdrive: BindingOwner | None
    """None when the stage declares no Hyperdrive config (then the config checks admit no such binding)."""
    scripts: Mapping[str, pulumi.Input[str]]
    """Worker key → script name, for every worker made before this one."""
    workflows: Mapping[str, WorkflowTarget]


def bound(name: str, declared: Bound, values: Mapping[str, Any]) -> WorkerBinding:
    """The script binding and the wrangler entry of one binding, from its kind's declaration and its values."""
    provider = _given({field: values.get(source) for field, source in declared.provider.items()})
    wrangler = _given({key: values.get(source) for key, source in declared.wrangler.items()})
    return WorkerBinding(
        name,
        cf.WorkersScriptBindingArgs(name=name, type=declared.provider_type, **provider),
        WranglerEntry(declared.section, {declared.name_key: name, **wrangler}, declared.single),
        declared.local,
    )


def translate(name: str, binding: Binding, targets: BindingTargets) -> WorkerBinding:
    """The binding for one declared binding, with its values from what owns its target."""
    values: Mapping[str, Any]
    match binding:
        case JsonBinding(value=value):
            return json_value(name, value)
        case D1Binding() | R2Binding() | KvBinding() | QueueBinding():
            values = targets.storage.binding_values(binding)
        case HyperdriveBinding():
            assert targets.hyperdrive is not None
            values = targets.hyperdrive.binding_values(binding)
        case VectorizeBinding(index=key):
            values = {"index_name": targets.naming.physical(key)}
        case ServiceBinding(worker=key, entrypoint=entrypoint):
            values = {"script_name": targets.scripts[key], "entrypoint": entrypoint}
        case DurableObjectBinding(class_name=class_name, worker=key):
            values = {"class_name": class_name, "script_name": _other(targets, key)}
        case WorkflowBinding(workflow=key):
            workflow = targets.workflows[key]
            values = {
                "workflow_name": workflow.workflow_name,
                "class_name": workflow.class_name,
                "script_name": _other(targets, workflow.worker),
            }
        case _:
            values = binding.bound_values(name, targets.naming)
    return bound(name, binding.BOUND, values)


def _other(targets: BindingTargets, worker: str | None) -> pulumi.Input[str] | None:
    """Another worker's script name; None for the worker being bound (its own classes need none)."""
    return None if worker is None or worker == targets.worker else targets.scripts[worker]


def d1(
    name: str, database_id: pulumi.Input[str], database_name: pulumi.Input[str], migrations_dir: str
) -> WorkerBinding:
    return bound(name, D1Binding.BOUND, {"id": database_id, "name": database_name, "migrations_dir": migrations_dir})


def r2(name: str, bucket_name: pulumi.Input[str], jurisdiction: str | None) -> WorkerBinding:
    """``jurisdiction`` is named only outside the default one."""
    return bound(name, R2Binding.BOUND, {"name": bucket_name, "jurisdiction": jurisdiction})


def kv(name: str, namespace_id: pulumi.Input[str]) -> WorkerBinding:
    return bound(name, KvBinding.BOUND, {"id": namespace_id})


def queue_producer(name: str, queue_name: pulumi.Input[str]) -> WorkerBinding:
    return bound(name, QueueBinding.BOUND, {"name": queue_name})


def service(name: str, script_name: pulumi.Input[str], entrypoint: str | None) -> WorkerBinding:
    return bound(name, ServiceBinding.BOUND, {"script_name": script_name, "entrypoint": entrypoint})


def json_value(name: str, value: Any) -> WorkerBinding:
    return WorkerBinding(
        name,
        cf.WorkersScriptBindingArgs(name=name, type="json", json=json.dumps(value, sort_keys=True)),
        WranglerEntry(VARS, {name: value}),
    )


def plain_text(name: str, value: str) -> WorkerBinding:
    return WorkerBinding(
        name,
        cf.WorkersScriptBindingArgs(name=name, type="plain_text", text=value),
        WranglerEntry(VARS, {name: value}),
    )


@dataclass(frozen=True)
class StaticAssets:
    """A worker's static assets: the script's ``assets`` input, its binding if any, and the wrangler section."""

    script_assets: cf.WorkersScriptAssetsArgs
    binding: cf.WorkersScriptBindingArgs | None
    wrangler: WranglerEntry


def static_assets(assets: AssetsConfig) -> StaticAssets:
    """The provider uploads ``directory`` itself with every create and update (terraform-provider-cloudflare v5,
    ``internal/services/workers_script/assets.go``: ``handleAssets``), keyed by a manifest hash it computes."""
    options = _given(
        {
            "html_handling": assets.html_handling,
            "not_found_handling": assets.not_found_handling,
            "run_worker_first": assets.run_worker_first,
        }
    )
    return StaticAssets(
        cf.WorkersScriptAssetsArgs(
            directory=assets.directory, config=cf.WorkersScriptAssetsConfigArgs(**options) if options else None
        ),
        cf.WorkersScriptBindingArgs(name=assets.binding, type=ASSETS_BINDING_TYPE) if assets.binding else None,
        WranglerEntry(
            ASSETS_BINDING_TYPE, {"directory": assets.directory, **_given({"binding": assets.binding}), **options}, True
        ),
    )


def _given(entry: Mapping[str, Any]) -> dict[str, Any]:
    """The entries that are set (wrangler and the provider read absent, not null). ``False`` is a setting."""
    return {key: value for key, value in entry.items() if value is False or value}
