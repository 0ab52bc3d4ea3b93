"""Worker bindings as the stage config declares them: one model per kind, and how each kind is bound.

Each model is the one declaration of its kind. Its fields are the config keys (``workers.<w>.bindings.<NAME>``),
and its ``BOUND`` says what the kind becomes: the ``WorkersScript`` binding type (pulumi-cloudflare 6.x,
``WorkersScriptBindingArgs``) and its fields, the wrangler config section and its keys, and whether wrangler
runs it locally. :mod:`components.cloudflare.bindings` builds the script binding and the wrangler entry from
that declaration and the values of whatever owns the target (a database, a script, a Hyperdrive config, the
stage's naming), so the config model, the deployed binding and the wrangler config never disagree.
"""

from __future__ import annotations

import typing
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Annotated, Any, ClassVar, Literal

from pydantic import Field

from components.config.fields import ClassName, EmailAddress, Model, ResourceKey
from components.rules.naming import Naming


@dataclass(frozen=True)
class Bound:
    """How one kind of binding is bound, declared once per kind.

    ``provider`` and ``wrangler`` map a field of the script binding (snake_case, as ``WorkersScriptBindingArgs``
    takes it) or a key of the wrangler entry to the name of a value the binding's owner supplies. An absent or
    empty value is left out of both (wrangler reads absent, not null).
    """

    provider_type: str
    """``WorkersScriptBindingArgs.type``."""
    section: str
    """The wrangler config section; dotted for a nested list (``durable_objects.bindings``, ``queues.producers``)."""
    provider: Mapping[str, str] = field(default_factory=dict)
    wrangler: Mapping[str, str] = field(default_factory=dict)
    name_key: str = "binding"
    """The wrangler key that holds the binding's name (``name`` for some sections)."""
    single: bool = False
    """The section is one object (``ai``, ``browser``), not a list: a worker binds the kind once."""
    local: str | None = None
    """Why ``wrangler dev`` cannot run this kind on a laptop (None: it emulates it). ``bin/dev`` leaves such a
    binding out of the local config and says so at start."""


# --- bindings to the stage's storage (components/cloudflare/storage.py hands out the values) -------------------


class D1Binding(Model):
    type: Literal["d1"]
    database: ResourceKey
    BOUND: ClassVar[Bound] = Bound(
        "d1",
        "d1_databases",
        provider={"id": "id"},
        wrangler={"database_name": "name", "database_id": "id", "migrations_dir": "migrations_dir"},
    )


class R2Binding(Model):
    type: Literal["r2"]
    bucket: ResourceKey
    BOUND: ClassVar[Bound] = Bound(
        "r2_bucket",
        "r2_buckets",
        provider={"bucket_name": "name", "jurisdiction": "jurisdiction"},
        wrangler={"bucket_name": "name", "jurisdiction": "jurisdiction"},
    )


class KvBinding(Model):
    type: Literal["kv"]
    namespace: ResourceKey
    BOUND: ClassVar[Bound] = Bound(
        "kv_namespace", "kv_namespaces", provider={"namespace_id": "id"}, wrangler={"id": "id"}
    )


class QueueBinding(Model):
    """A queue producer binding."""

    type: Literal["queue"]
    queue: ResourceKey
    BOUND: ClassVar[Bound] = Bound(
        "queue", "queues.producers", provider={"queue_name": "name"}, wrangler={"queue": "name"}
    )


class HyperdriveBinding(Model):
    """A Hyperdrive config of the stage (``hyperdrive.<key>``): pooled, cached access to a Postgres or MySQL origin."""

    type: Literal["hyperdrive"]
    config: ResourceKey
    BOUND: ClassVar[Bound] = Bound(
        "hyperdrive",
        "hyperdrive",
        provider={"id": "id"},
        wrangler={"id": "id"},
        local="a local one needs a connection string with its password; use a local database in code",
    )


class VectorizeBinding(Model):
    """A Vectorize index of the stage (``vectorize.<key>``)."""

    type: Literal["vectorize"]
    index: ResourceKey
    BOUND: ClassVar[Bound] = Bound(
        "vectorize",
        "vectorize",
        provider={"index_name": "index_name"},
        wrangler={"index_name": "index_name"},
        local="Vectorize runs only on Cloudflare",
    )


# --- bindings to workers of the stage (the target worker's script hands out the values) ----------------------


class ServiceBinding(Model):
    """Call another worker of the same stage (never another stage's)."""

    type: Literal["service"]
    worker: ResourceKey
    entrypoint: str | None = None
    BOUND: ClassVar[Bound] = Bound(
        "service",
        "services",
        provider={"service": "script_name", "entrypoint": "entrypoint"},
        wrangler={"service": "script_name", "entrypoint": "entrypoint"},
    )


class DurableObjectBinding(Model):
    """A Durable Object namespace: a class that this worker, or ``worker``, exports and declares in its
    ``durableObjects.migrations``."""

    type: Literal["durable_object"]
    class_name: ClassName
    worker: ResourceKey | None = Field(None, description="The worker that exports the class (default: this one).")
    BOUND: ClassVar[Bound] = Bound(
        "durable_object_namespace",
        "durable_objects.bindings",
        provider={"class_name": "class_name", "script_name": "script_name"},
        wrangler={"class_name": "class_name", "script_name": "script_name"},
        name_key="name",
    )


class WorkflowBinding(Model):
    """A Workflow, declared by the worker that exports its class (``workers.<w>.workflows.<key>``)."""

    type: Literal["workflow"]
    workflow: ResourceKey
    BOUND: ClassVar[Bound] = Bound(
        "workflow",
        "workflows",
        provider={"workflow_name": "workflow_name", "class_name": "class_name", "script_name": "script_name"},
        wrangler={"name": "workflow_name", "class_name": "class_name", "script_name": "script_name"},
    )


# --- bindings whose values come from the config itself ------------------------------------------------------


class AiBinding(Model):
    """Workers AI."""

    type: Literal["ai"]
    BOUND: ClassVar[Bound] = Bound("ai", "ai", single=True, local="Workers AI runs only on Cloudflare")

    def bound_values(self, name: str, naming: Naming) -> dict[str, Any]:
        return {}


class AnalyticsEngineBinding(Model):
    """An Analytics Engine dataset, named ``{app}_{stage}_<dataset>`` (Cloudflare creates it on the first write)."""

    type: Literal["analytics_engine"]
    dataset: ResourceKey
    BOUND: ClassVar[Bound] = Bound(
        "analytics_engine",
        "analytics_engine_datasets",
        provider={"dataset": "dataset"},
        wrangler={"dataset": "dataset"},
    )

    def bound_values(self, name: str, naming: Naming) -> dict[str, Any]:
        return {"dataset": naming.dataset(self.dataset)}


class RateLimitBinding(Model):
    """A rate limiter; bindings with one ``namespace`` share their counters, and each stage has its own."""

    type: Literal["ratelimit"]
    limit: int = Field(ge=1, description="Requests allowed per period, per key.")
    period: Literal[10, 60] = Field(description="Seconds: 10 or 60.")
    namespace: ResourceKey | None = Field(None, description="Counters shared by name (default: the binding's name).")
    BOUND: ClassVar[Bound] = Bound(
        "ratelimit",
        "ratelimits",
        provider={"namespace_id": "namespace_id", "simple": "simple"},
        wrangler={"namespace_id": "namespace_id", "simple": "simple"},
        name_key="name",
    )

    def bound_values(self, name: str, naming: Naming) -> dict[str, Any]:
        namespace = self.namespace or name.lower().replace("_", "-")
        return {
            "namespace_id": naming.ratelimit_namespace_id(namespace),
            "simple": {"limit": self.limit, "period": self.period},
        }


class VersionMetadataBinding(Model):
    """The id, tag and timestamp of the version that serves the request."""

    type: Literal["version_metadata"]
    BOUND: ClassVar[Bound] = Bound("version_metadata", "version_metadata", single=True)

    def bound_values(self, name: str, naming: Naming) -> dict[str, Any]:
        return {}


class BrowserBinding(Model):
    """Browser Rendering."""

    type: Literal["browser"]
    BOUND: ClassVar[Bound] = Bound("browser", "browser", single=True)

    def bound_values(self, name: str, naming: Naming) -> dict[str, Any]:
        return {}


class ImagesBinding(Model):
    """Cloudflare Images (transformations)."""

    type: Literal["images"]
    BOUND: ClassVar[Bound] = Bound("images", "images", single=True)

    def bound_values(self, name: str, naming: Naming) -> dict[str, Any]:
        return {}


_EMAIL_KEYS = ("destination_address", "allowed_destination_addresses", "allowed_sender_addresses")


class SendEmailBinding(Model):
    """Send email through Email Routing, to verified addresses only."""

    type: Literal["send_email"]
    destination_address: EmailAddress | None = None
    allowed_destination_addresses: list[EmailAddress] = Field(default_factory=list)
    allowed_sender_addresses: list[EmailAddress] = Field(default_factory=list)
    BOUND: ClassVar[Bound] = Bound(
        "send_email",
        "send_email",
        provider={key: key for key in _EMAIL_KEYS},
        wrangler={key: key for key in _EMAIL_KEYS},
        name_key="name",
    )

    def bound_values(self, name: str, naming: Naming) -> dict[str, Any]:
        return {key: getattr(self, key) for key in _EMAIL_KEYS}


class JsonBinding(Model):
    type: Literal["json"]
    value: Any = Field(description="Any JSON value; plain config, never a secret.")


def union_tags(union: Any, tag: str) -> tuple[str, ...]:
    """The tag values of a discriminated union of models (``("d1", "r2", ...)`` for ``Binding``)."""
    members = typing.get_args(typing.get_args(union)[0])
    return tuple(typing.get_args(member.model_fields[tag].annotation)[0] for member in members)


Binding = Annotated[
    D1Binding
    | R2Binding
    | KvBinding
    | QueueBinding
    | HyperdriveBinding
    | VectorizeBinding
    | ServiceBinding
    | DurableObjectBinding
    | WorkflowBinding
    | AiBinding
    | AnalyticsEngineBinding
    | RateLimitBinding
    | VersionMetadataBinding
    | BrowserBinding
    | ImagesBinding
    | SendEmailBinding
    | JsonBinding,
    Field(discriminator="type"),
]
BINDING_TYPES = union_tags(Binding, "type")
BINDING_MODELS = typing.get_args(typing.get_args(Binding)[0])
BOUND_KINDS: dict[str, Bound] = {m.BOUND.provider_type: m.BOUND for m in BINDING_MODELS if hasattr(m, "BOUND")}
"""Every declared kind, by its provider binding type."""
