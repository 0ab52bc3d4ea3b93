"""The models of one stage's config: storage, Hyperdrive and Vectorize, secrets and workers.

Every field mirrors a key of ``Pulumi.<stage>.yaml`` (camelCase there, snake_case here). Unknown keys
are refused so a typo never silently does nothing. What needs more than one field to check lives in
:mod:`components.config.checks`; the Infisical side is :mod:`components.config.infisical_config`, the
whole stage :class:`components.config.stage_config.StageConfig`. Bindings are
:mod:`components.config.bindings`; what a worker exports (Durable Objects, Workflows, assets)
:mod:`components.config.exports`.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BeforeValidator, Field, field_validator

from components.config.bindings import Binding, union_tags
from components.config.exports import AssetsConfig, DurableObjectsConfig, WorkflowConfig
from components.config.fields import (
    D1_LOCATIONS,
    BindingName,
    CronExpression,
    FolderPath,
    HexId,
    Hostname,
    IsoDate,
    LiveName,
    Model,
    ResourceKey,
    RotateEvery,
    Uuid,
)

INJECTED_SECRETS_FOLDER = "/cloudflare"
"""Where ``inject`` secrets live: ``infisical run --path=/cloudflare`` hands them to the deploy."""

GENERATED_SECRETS_FOLDER = "/generated"
"""Where generated secrets are written (per worker) so people see them; no sync ever reads it."""

DRIFT_SECRETS_FOLDER = "/drift"
"""Where the scheduled drift check's read-only Cloudflare token lives (docs/drift.md)."""


class Zone(Model):
    """The Cloudflare zone that every hostname of the stage lies in."""

    name: Hostname
    id: HexId = Field(description="Zone id; custom domains always carry it explicitly (no zone inference).")

    def contains(self, hostname: str) -> bool:
        return hostname == self.name or hostname.endswith("." + self.name)


# --- storage ---------------------------------------------------------------------------------------


def _as_list(value: Any) -> Any:
    return [value] if isinstance(value, str) else value


class StorageConfig(Model):
    """What every stateful resource's config shares: a rename that keeps its state and its name."""

    renamed_from: Annotated[list[ResourceKey], BeforeValidator(_as_list)] = Field(
        default_factory=list,
        description="The key this resource had before a rename (or every earlier key, oldest first): its state "
        "follows (aliases) and it keeps the physical name of the oldest, so Cloudflare sees no change. Keep it as "
        "long as the resource lives: the name depends on it.",
    )

    def physical_key(self, key: str) -> str:
        """The key the resource's physical name is made from: the oldest one it had."""
        return self.renamed_from[0] if self.renamed_from else key


class D1DatabaseConfig(StorageConfig):
    location_hint: D1_LOCATIONS | None = Field(None, description="Where the primary lives (ignored with jurisdiction).")
    jurisdiction: Literal["eu", "fedramp"] | None = None
    read_replication: Literal["auto", "disabled"] | None = None
    migrations_dir: str = Field("migrations", description="Written into the wrangler config for `d1 migrations`.")
    adopt: Uuid | None = Field(None, description="Import the live database with this uuid instead of creating one.")


class R2BucketConfig(StorageConfig):
    location: D1_LOCATIONS | None = Field(None, description="Only honoured when the bucket is first created.")
    jurisdiction: Literal["default", "eu", "fedramp"] | None = None
    storage_class: Literal["Standard", "InfrequentAccess"] | None = None
    adopt: LiveName | None = Field(
        None,
        description="Import the live bucket of this name, {app}-{stage}-<key>, instead of creating one.",
    )


class KvNamespaceConfig(StorageConfig):
    """A Workers KV namespace; nothing to tune, the title comes from the naming rule."""

    adopt: HexId | None = Field(None, description="Import the live namespace with this id instead of creating one.")
    name: str | None = Field(
        None,
        description="With adopt: the live namespace's title (default {app}-{stage}-<key>); an import must match it.",
    )


class QueueConfig(StorageConfig):
    dead_letter: bool = Field(True, description="Create `<name>-dlq` and route failed messages to it.")
    delivery_delay_seconds: int | None = Field(None, ge=0, le=43200)
    message_retention_seconds: int | None = Field(None, ge=60, le=1209600)
    adopt: HexId | None = Field(
        None, description="Import the live queue with this id instead of creating one (its dead-letter queue is new)."
    )


class VectorizeIndexConfig(Model):
    """A Vectorize index named ``{app}-{stage}-<key>``. pulumi-cloudflare 6.x has no Vectorize resource, so the
    index is made once per stage with the command the ``vectorizeIndexes`` output gives."""

    dimensions: int = Field(ge=1, le=1536)
    metric: Literal["cosine", "euclidean", "dot-product"]


# --- secrets ---------------------------------------------------------------------------------------


class SecretMetadata(Model):
    """What the secrets inventory says about a secret besides its owner kind (no effect on resources,
    except ``rotateEvery`` on a generated secret, which drives its rotation)."""

    owned_by: str | None = Field(
        None,
        min_length=1,
        max_length=80,
        description="The team or person answerable for this secret (the owner kind is `owner`).",
    )
    rotate_every: RotateEvery | None = None
    description: str | None = Field(None, min_length=1, max_length=200, description="What the secret is for.")


class InjectedSecret(SecretMetadata):
    """Read from the deploy process's environment (``infisical run -- pulumi up``), bound as secret_text."""

    owner: Literal["inject"]
    side_effects: bool = Field(
        False,
        description="The real value causes side effects (sends email, charges cards). Outside prod the "
        "worker gets the sandbox value instead.",
    )
    sandbox: Literal["empty", "env"] = Field(
        "empty",
        description="Outside prod, for side-effecting secrets: bind an empty value, or read `<NAME>_SANDBOX` "
        "from the environment.",
    )


class GeneratedSecret(SecretMetadata):
    """A random value made by pulumi-random, kept only as a Pulumi secret; rotated on the first `pulumi up`
    after each `rotateEvery` period, or now by bumping `rotation`."""

    owner: Literal["generated"]
    length: int = Field(48, ge=32, le=256, description="At least 32 characters.")
    special: bool = Field(False, description="Include punctuation (off: URL- and header-safe).")
    rotation: int = Field(0, ge=0, description="Bump to rotate the value on the next `pulumi up`.")
    keep_previous: bool = Field(
        False,
        description="Also bind `<NAME>_PREVIOUS` with the last period's value (needs `rotateEvery` to be a period).",
    )


class SyncedSecret(SecretMetadata):
    """Pushed to the worker by Infisical's Cloudflare Workers sync; the program never sees the value."""

    owner: Literal["sync"]


SecretConfig = Annotated[InjectedSecret | GeneratedSecret | SyncedSecret, Field(discriminator="owner")]
"""A worker secret as configured: one of its three owners."""
SECRET_OWNERS = union_tags(SecretConfig, "owner")


class OriginPassword(SecretMetadata):
    """A Hyperdrive origin's password: a secret with an owner, never a value in config.

    ``inject``: ``infisical run`` puts ``HYPERDRIVE_<KEY>_PASSWORD`` from ``/cloudflare`` into the deploy's
    environment. ``sync``: the deploy reads ``HYPERDRIVE_<KEY>_PASSWORD`` from the Infisical folder ``folder`` of
    the stage's environment itself (Infisical has no Hyperdrive sync destination, so a change reaches Hyperdrive
    with the next ``pulumi up``).
    """

    owner: Literal["inject", "sync"]
    folder: FolderPath | None = Field(None, description="owner sync: the Infisical folder (default /hyperdrive).")


class HyperdriveOrigin(Model):
    scheme: Literal["postgres", "postgresql", "mysql"]
    host: Hostname = Field(description="A publicly reachable hostname of the database.")
    port: int | None = Field(None, ge=1, le=65535, description="Default 5432 (Postgres) or 3306 (MySQL).")
    database: str = Field(pattern=r"^[A-Za-z0-9_$-]{1,63}$")
    user: str = Field(pattern=r"^[A-Za-z0-9_.@-]{1,63}$")


class HyperdriveCaching(Model):
    disabled: bool | None = None
    max_age: int | None = Field(None, ge=0, le=3600, description="Seconds a cached query result is served.")
    stale_while_revalidate: int | None = Field(None, ge=0, le=3600)


class HyperdriveConfig(Model):
    """A Hyperdrive config named ``{app}-{stage}-<key>``: pooled (and cached) access to one origin database."""

    origin: HyperdriveOrigin
    password: OriginPassword
    caching: HyperdriveCaching | None = None
    origin_connection_limit: int | None = Field(None, ge=5, le=100)

    @field_validator("password", mode="before")
    @classmethod
    def _never_a_value(cls, value: object) -> object:
        if isinstance(value, str):
            raise ValueError(
                "the origin password is a secret: give it an owner ({owner: inject} or {owner: sync}) and keep "
                "the value in Infisical, never in this file"
            )
        return value


# --- workers ---------------------------------------------------------------------------------------


class QueueConsumerConfig(Model):
    queue: ResourceKey
    batch_size: int = Field(10, ge=1, le=100)
    max_retries: int = Field(3, ge=0, le=100)
    max_wait_time_ms: int = Field(5000, ge=0, le=60000)
    retry_delay_seconds: int | None = Field(None, ge=0, le=43200)
    max_concurrency: int | None = Field(None, ge=1, le=250)


class WorkerConfig(Model):
    main: str = Field(
        pattern=r"^[A-Za-z0-9_./-]+\.(mjs|js)$",
        description="Path (from the project root) of the built ES module that is uploaded as the worker.",
    )
    compatibility_date: IsoDate | None = Field(None, description="Defaults to the stage's compatibilityDate.")
    compatibility_flags: list[str] = Field(default_factory=list)
    bindings: dict[BindingName, Binding] = Field(default_factory=dict)
    vars: dict[BindingName, str] = Field(default_factory=dict, description="Plain-text vars; never secrets.")
    public_vars: list[BindingName] = Field(
        default_factory=list,
        description="Vars whose names look secret but whose values are public (a publishable key).",
    )
    secrets: dict[BindingName, SecretConfig] = Field(default_factory=dict)
    secrets_folder: FolderPath | None = Field(
        None, description="Infisical folder the synced secrets come from; defaults to /cloudflare/<worker>."
    )
    domains: list[Hostname] = Field(default_factory=list, description="Custom domains (Cloudflare makes DNS+TLS).")
    routes: list[str] = Field(default_factory=list, description="Route patterns such as api.example.com/v1/*.")
    crons: list[CronExpression] = Field(default_factory=list)
    consumes: QueueConsumerConfig | None = None
    durable_objects: DurableObjectsConfig | None = Field(
        None, description="The Durable Object classes this worker exports, declared by tagged migrations."
    )
    workflows: dict[ResourceKey, WorkflowConfig] = Field(
        default_factory=dict, description="Workflows run by classes this worker exports, named {app}-{stage}-<key>."
    )
    assets: AssetsConfig | None = None
    observability: bool = Field(True, description="Workers Logs on.")
    adopt: LiveName | None = Field(
        None,
        description="Import the live script of this name, {app}-{stage}-<key>, instead of uploading over it.",
    )
    adopt_domains: dict[Hostname, HexId] = Field(
        default_factory=dict, description="Custom domains of `domains` to import: hostname → the live domain id."
    )
    adopt_routes: dict[str, HexId] = Field(
        default_factory=dict, description="Routes of `routes` to import: pattern → the live route id."
    )
    renamed_from: ResourceKey | None = Field(
        None,
        description="The key this worker had before a rename: its state follows (aliases) instead of a delete and "
        "a create. Drop it once every stage has deployed the rename.",
    )

    def synced_secrets_folder(self, worker_name: str) -> str:
        """The Infisical folder this worker's synced secrets come from."""
        return self.secrets_folder or f"{INJECTED_SECRETS_FOLDER}/{worker_name}"

    def synced_secret_names(self) -> list[str]:
        return [name for name, secret in self.secrets.items() if isinstance(secret, SyncedSecret)]
