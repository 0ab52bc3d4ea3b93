"""The stage configuration: the only place where config is checked.

Every field mirrors a key of ``Pulumi.<stage>.yaml`` (camelCase there, snake_case here). Unknown keys
are refused so a typo never silently does nothing, and cross-field rules (bindings to declared
resources, hostnames inside the zone, one owner per secret) run here, before any resource exists, so
``pulumi preview`` fails with every problem listed instead of half a stack being planned.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, ValidationInfo, model_validator
from pydantic.alias_generators import to_camel
from pydantic_core import InitErrorDetails, PydanticCustomError

from components.config.secret_names import secret_looking_reason
from components.naming import (
    MAX_PHYSICAL_NAME,
    STAGE_PATTERN,
    Naming,
    infisical_environment,
    is_preview_stage,
    is_valid_stage,
)

Loc = tuple[str | int, ...]

ResourceKey = Annotated[
    str,
    Field(
        pattern=r"^[a-z][a-z0-9-]{0,30}[a-z0-9]$",
        description="Short resource name: lowercase letters, digits and dashes, 2-32 characters.",
    ),
]
BindingName = Annotated[
    str,
    Field(
        pattern=r"^[A-Z][A-Z0-9_]{0,63}$",
        description="A JavaScript binding name on `env`: UPPER_SNAKE_CASE.",
    ),
]
Hostname = Annotated[
    str,
    Field(
        pattern=r"^([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$",
        max_length=253,
        description="A lowercase DNS hostname such as api.example.com.",
    ),
]
HexId = Annotated[str, Field(pattern=r"^[0-9a-f]{32}$", description="A 32-character Cloudflare id.")]
IsoDate = Annotated[str, Field(pattern=r"^20[0-9]{2}-[01][0-9]-[0-3][0-9]$", description="A date written YYYY-MM-DD.")]
CronExpression = Annotated[
    str,
    Field(
        pattern=r"^\S+( \S+){4}$",
        description="A five-field cron expression, e.g. '*/30 * * * *' (Cloudflare cron triggers run in UTC).",
    ),
]
FolderPath = Annotated[
    str,
    Field(
        pattern=r"^/([A-Za-z0-9_-]+(/[A-Za-z0-9_-]+)*)?$",
        description="An Infisical folder path such as /cloudflare/api (letters, digits, '-' and '_').",
    ),
]

D1_LOCATIONS = Literal["wnam", "enam", "weur", "eeur", "apac", "oc"]


class Model(BaseModel):
    """Strict base: camelCase keys in YAML, unknown keys refused, values immutable once checked."""

    model_config = ConfigDict(
        extra="forbid",
        frozen=True,
        alias_generator=to_camel,
        populate_by_name=True,
    )


class Zone(Model):
    """The Cloudflare zone that every hostname of the stage lies in."""

    name: Hostname
    id: HexId = Field(description="Zone id; custom domains always carry it explicitly (no zone inference).")

    def contains(self, hostname: str) -> bool:
        return hostname == self.name or hostname.endswith("." + self.name)


# --- storage ---------------------------------------------------------------------------------------


class D1DatabaseConfig(Model):
    location_hint: D1_LOCATIONS | None = Field(None, description="Where the primary lives (ignored with jurisdiction).")
    jurisdiction: Literal["eu", "fedramp"] | None = None
    read_replication: Literal["auto", "disabled"] | None = None
    migrations_dir: str = Field("migrations", description="Written into the wrangler config for `d1 migrations`.")


class R2BucketConfig(Model):
    location: D1_LOCATIONS | None = Field(None, description="Only honoured when the bucket is first created.")
    jurisdiction: Literal["default", "eu", "fedramp"] | None = None
    storage_class: Literal["Standard", "InfrequentAccess"] | None = None


class KvNamespaceConfig(Model):
    """A Workers KV namespace; nothing to tune, the title comes from the naming rule."""


class QueueConfig(Model):
    dead_letter: bool = Field(True, description="Create `<name>-dlq` and route failed messages to it.")
    delivery_delay_seconds: int | None = Field(None, ge=0, le=43200)
    message_retention_seconds: int | None = Field(None, ge=60, le=1209600)


# --- bindings --------------------------------------------------------------------------------------


class D1Binding(Model):
    type: Literal["d1"]
    database: ResourceKey


class R2Binding(Model):
    type: Literal["r2"]
    bucket: ResourceKey


class KvBinding(Model):
    type: Literal["kv"]
    namespace: ResourceKey


class QueueBinding(Model):
    """A queue producer binding."""

    type: Literal["queue"]
    queue: ResourceKey


class ServiceBinding(Model):
    """Call another worker of the same stage (never another stage's)."""

    type: Literal["service"]
    worker: ResourceKey
    entrypoint: str | None = None


class JsonBinding(Model):
    type: Literal["json"]
    value: Any = Field(description="Any JSON value; plain config, never a secret.")


Binding = Annotated[
    D1Binding | R2Binding | KvBinding | QueueBinding | ServiceBinding | JsonBinding,
    Field(discriminator="type"),
]
BINDING_TYPES = ("d1", "r2", "kv", "queue", "service", "json")


# --- secrets ---------------------------------------------------------------------------------------


class InjectedSecret(Model):
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


class GeneratedSecret(Model):
    """A random value made by pulumi-random, kept only as a Pulumi secret, rotated by bumping `rotation`."""

    owner: Literal["generated"]
    length: int = Field(48, ge=32, le=256, description="At least 32 characters.")
    special: bool = Field(False, description="Include punctuation (off: URL- and header-safe).")
    rotation: int = Field(0, ge=0, description="Bump to rotate the value on the next `pulumi up`.")


class SyncedSecret(Model):
    """Pushed to the worker by Infisical's Cloudflare Workers sync; the program never sees the value."""

    owner: Literal["sync"]


Secret = Annotated[InjectedSecret | GeneratedSecret | SyncedSecret, Field(discriminator="owner")]
SECRET_OWNERS = ("inject", "generated", "sync")


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
    secrets: dict[BindingName, Secret] = Field(default_factory=dict)
    secrets_folder: FolderPath | None = Field(
        None, description="Infisical folder the synced secrets come from; defaults to /cloudflare/<worker>."
    )
    domains: list[Hostname] = Field(default_factory=list, description="Custom domains (Cloudflare makes DNS+TLS).")
    routes: list[str] = Field(default_factory=list, description="Route patterns such as api.example.com/v1/*.")
    crons: list[CronExpression] = Field(default_factory=list)
    consumes: QueueConsumerConfig | None = None
    observability: bool = Field(True, description="Workers Logs on.")

    def synced_secrets_folder(self, worker_name: str) -> str:
        """The Infisical folder this worker's synced secrets come from."""
        return self.secrets_folder or f"/cloudflare/{worker_name}"

    def synced_secret_names(self) -> list[str]:
        return [name for name, secret in self.secrets.items() if isinstance(secret, SyncedSecret)]


# --- infisical -------------------------------------------------------------------------------------

INJECTED_SECRETS_FOLDER = "/cloudflare"
"""Where ``inject`` secrets live: ``infisical run --path=/cloudflare`` hands them to the deploy."""

GENERATED_SECRETS_FOLDER = "/generated"
"""Where generated secrets are written (per worker) so people see them; no sync ever reads it."""


class GitHubOidcConfig(Model):
    """The CI machine identity of this stage, logged in with GitHub Actions' OIDC token."""

    repository: str = Field(pattern=r"^[A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+$", description="owner/repo on GitHub.")
    subjects: list[str] | None = Field(
        None,
        description="Allowed `sub` claims. Default per stage: staging deploys from the `staging` environment and "
        "previews pull requests; prod only from the protected `production` environment; dev from `dev`.",
    )
    audience: str | None = Field(None, description="Token audience; default https://github.com/<owner>.")
    role: str = Field("viewer", description="Project role: the least that can read the stage's environment.")

    def allowed_subjects(self, stage: str) -> list[str]:
        if self.subjects is not None:
            return self.subjects
        repo = f"repo:{self.repository}"
        return {
            "prod": [f"{repo}:environment:production"],
            "staging": [f"{repo}:environment:staging", f"{repo}:pull_request"],
        }.get(stage, [f"{repo}:environment:{stage}" if not is_preview_stage(stage) else f"{repo}:pull_request"])

    def allowed_audience(self) -> str:
        return self.audience or f"https://github.com/{self.repository.split('/')[0]}"


class InfisicalConfig(Model):
    """The stage's side of Infisical. The project itself is adopted, never created by a stage stack."""

    project_id: str = Field(pattern=r"^[0-9a-f-]{36}$", description="Id (uuid) of the existing Infisical project.")
    organization_id: str | None = Field(
        None, pattern=r"^[0-9a-f-]{36}$", description="Organization id (uuid); needed for the CI identity."
    )
    environment: str | None = Field(
        None,
        pattern=r"^[a-z0-9]+(-[a-z0-9]+)*$",
        description="Environment slug; default: the stage, or 'preview' for pr-<number> stages.",
    )
    manage_environment: bool | None = Field(
        None,
        description="Create the environment and own it (default); pr-<number> stages share 'preview', which "
        "they never own.",
    )
    folders: list[FolderPath] = Field(
        default_factory=lambda: [INJECTED_SECRETS_FOLDER, "/email", "/oauth"],
        description="Folders the stage's environment holds besides '/'.",
    )
    ci_identity: GitHubOidcConfig | None = None


# --- the stage -------------------------------------------------------------------------------------


class StageConfig(Model):
    """Everything one stage of the app is made of."""

    app: str = Field(pattern=r"^[a-z][a-z0-9-]{0,18}[a-z0-9]$", description="App name, the first part of names.")
    stage: str = Field(pattern=STAGE_PATTERN, description="The stack name: dev, staging, prod or pr-<number>.")
    account_id: HexId
    zone: Zone
    compatibility_date: IsoDate = Field(description="Default compatibility date for every worker.")
    d1: dict[ResourceKey, D1DatabaseConfig] = Field(default_factory=dict)
    r2: dict[ResourceKey, R2BucketConfig] = Field(default_factory=dict)
    kv: dict[ResourceKey, KvNamespaceConfig] = Field(default_factory=dict)
    queues: dict[ResourceKey, QueueConfig] = Field(default_factory=dict)
    workers: dict[ResourceKey, WorkerConfig] = Field(min_length=1)
    infisical: InfisicalConfig | None = None

    @property
    def infisical_environment(self) -> str:
        configured = self.infisical.environment if self.infisical else None
        return configured or infisical_environment(self.stage)

    @property
    def manages_infisical_environment(self) -> bool:
        configured = self.infisical.manage_environment if self.infisical else None
        return configured if configured is not None else not self.is_preview

    @property
    def naming(self) -> Naming:
        return Naming(self.app, self.stage)

    @property
    def is_prod(self) -> bool:
        return self.stage == "prod"

    @property
    def is_preview(self) -> bool:
        return is_preview_stage(self.stage)

    @model_validator(mode="after")
    def _check_references(self, info: ValidationInfo) -> StageConfig:
        root = (info.context or {}).get("project_root")
        problems = list(self._problems(Path(root) if root else None))
        if problems:
            raise ValidationError.from_exception_data(
                type(self).__name__,
                [
                    InitErrorDetails(type=PydanticCustomError("config", message), loc=loc, input=None)
                    for loc, message in problems
                ],
            )
        return self

    def _problems(self, project_root: Path | None) -> Iterator[tuple[Loc, str]]:
        yield from self._physical_name_problems()
        consumers: dict[str, str] = {}
        for worker_name, worker in self.workers.items():
            at: Loc = ("workers", worker_name)
            if project_root is not None and not (project_root / worker.main).is_file():
                yield (
                    (*at, "main"),
                    (f"the worker module {worker.main!r} does not exist; build the worker first or fix the path"),
                )
            yield from self._binding_problems(at, worker)
            yield from _name_clashes(at, worker)
            yield from _plain_var_problems(at, worker)
            yield from self._hostname_problems(at, worker)
            if worker.consumes is not None:
                queue = worker.consumes.queue
                if queue not in self.queues:
                    yield (*at, "consumes", "queue"), _undeclared("queue", queue, self.queues)
                elif queue in consumers:
                    yield (
                        (*at, "consumes", "queue"),
                        (
                            f"queue {queue!r} is already consumed by worker {consumers[queue]!r}; "
                            "a queue has exactly one consumer worker"
                        ),
                    )
                else:
                    consumers[queue] = worker_name
            if worker.secrets_folder is not None and not worker.synced_secret_names():
                yield (*at, "secretsFolder"), "set only for workers with secrets whose owner is 'sync'"
            yield from self._sync_problems(at, worker_name, worker)
        yield from self._service_cycles()

    def _physical_name_problems(self) -> Iterator[tuple[Loc, str]]:
        naming = self.naming
        groups: dict[str, list[str]] = {
            "d1": list(self.d1),
            "r2": list(self.r2),
            "kv": list(self.kv),
            "workers": list(self.workers),
            "queues": [f"{q}-dlq" for q in self.queues] + list(self.queues),
        }
        for group, names in groups.items():
            for name in names:
                physical = naming.physical(name)
                if len(physical) > MAX_PHYSICAL_NAME:
                    key = name.removesuffix("-dlq") if group == "queues" else name
                    yield (
                        (group, key),
                        (
                            f"the physical name {physical!r} is {len(physical)} characters; Cloudflare allows "
                            f"{MAX_PHYSICAL_NAME}. Shorten the app or resource name"
                        ),
                    )

    def _binding_problems(self, at: Loc, worker: WorkerConfig) -> Iterator[tuple[Loc, str]]:
        declared: dict[str, tuple[str, dict[str, Any]]] = {
            "d1": ("database", dict(self.d1)),
            "r2": ("bucket", dict(self.r2)),
            "kv": ("namespace", dict(self.kv)),
            "queue": ("queue", dict(self.queues)),
            "service": ("worker", dict(self.workers)),
        }
        for binding_name, binding in worker.bindings.items():
            if binding.type not in declared:
                continue
            field, resources = declared[binding.type]
            target = getattr(binding, field)
            # Locations carry the union tag, as pydantic's own errors do; config_paths drops it again.
            loc: Loc = (*at, "bindings", binding_name, binding.type, field)
            if target not in resources:
                yield loc, _undeclared(field, target, resources)
            elif binding.type == "service" and target == at[-1]:
                yield loc, "a worker cannot bind to itself"

    def _hostname_problems(self, at: Loc, worker: WorkerConfig) -> Iterator[tuple[Loc, str]]:
        for index, hostname in enumerate(worker.domains):
            if owner := self._other_stage_in(hostname):
                yield (
                    (*at, "domains", index),
                    (
                        f"hostname {hostname!r} names stage {owner!r}, not {self.stage!r}: stages never share a "
                        "hostname (a pr-<number> stack copied from staging needs its own domains, or none)"
                    ),
                )
            elif not self.zone.contains(hostname):
                yield (
                    (*at, "domains", index),
                    (
                        f"hostname {hostname!r} is not inside the zone {self.zone.name!r}; "
                        f"use a name ending in '.{self.zone.name}' or change zone.name"
                    ),
                )
        for index, pattern in enumerate(worker.routes):
            host = pattern.split("/", 1)[0].removeprefix("*.").removeprefix("*")
            if "/" not in pattern or not host:
                yield (
                    (*at, "routes", index),
                    "a route pattern is '<hostname>/<path>', e.g. api.example.com/v1/*",
                )
            elif owner := self._other_stage_in(host):
                yield (*at, "routes", index), f"route host {host!r} names stage {owner!r}, not {self.stage!r}"
            elif not self.zone.contains(host):
                yield (
                    (*at, "routes", index),
                    f"route host {host!r} is not inside the zone {self.zone.name!r}; routes are zone-scoped",
                )

    def _sync_problems(self, at: Loc, worker_name: str, worker: WorkerConfig) -> Iterator[tuple[Loc, str]]:
        if not worker.synced_secret_names():
            return
        if self.infisical is None:
            yield (*at, "secrets"), "secrets with owner 'sync' need the 'infisical' section (the sync lives there)"
            return
        folder = worker.synced_secrets_folder(worker_name)
        if folder == INJECTED_SECRETS_FOLDER:
            owner = "injected"
        elif folder == GENERATED_SECRETS_FOLDER or folder.startswith(GENERATED_SECRETS_FOLDER + "/"):
            owner = "generated"
        else:
            owner = None
        if owner:
            yield (
                (*at, "secretsFolder"),
                (
                    f"{folder!r} holds the {owner} secrets that Pulumi binds, and a sync pushes every secret of its "
                    f"folder; give this worker a folder of its own, e.g. /cloudflare/{worker_name}"
                ),
            )
        others = [
            name
            for name, other in self.workers.items()
            if name != worker_name and other.synced_secret_names() and other.synced_secrets_folder(name) == folder
        ]
        if others:
            yield (
                (*at, "secretsFolder"),
                (
                    f"worker {others[0]!r} syncs from {folder!r} too; each worker syncs only its own secrets, "
                    "so give each its own folder"
                ),
            )

    def _other_stage_in(self, hostname: str) -> str | None:
        """The other stage a hostname names as one of its labels (api.staging.example.com → staging)."""
        return next((label for label in hostname.split(".") if is_valid_stage(label) and label != self.stage), None)

    def _service_cycles(self) -> Iterator[tuple[Loc, str]]:
        """Service bindings become dependencies between scripts, so a cycle could never deploy."""
        edges = {
            name: sorted({b.worker for b in w.bindings.values() if isinstance(b, ServiceBinding)} & set(self.workers))
            for name, w in self.workers.items()
        }
        state: dict[str, int] = {}

        def visit(node: str, path: list[str]) -> list[str] | None:
            state[node] = 1
            for nxt in edges[node]:
                if state.get(nxt) == 1:
                    return [*path, node, nxt]
                if nxt not in state and (cycle := visit(nxt, [*path, node])):
                    return cycle
            state[node] = 2
            return None

        for start in sorted(edges):
            if start not in state and (cycle := visit(start, [])):
                yield (
                    ("workers", cycle[0], "bindings"),
                    ("service bindings form a cycle (" + " -> ".join(cycle) + "); one side must go"),
                )
                return


def _undeclared(kind: str, name: str, declared: dict[str, Any]) -> str:
    section = {"database": "d1", "bucket": "r2", "namespace": "kv", "queue": "queues", "worker": "workers"}[kind]
    known = ", ".join(sorted(declared)) or "none"
    return f"{kind} {name!r} is not declared under '{section}' (declared: {known})"


def _name_clashes(at: Loc, worker: WorkerConfig) -> Iterator[tuple[Loc, str]]:
    """A binding name is one variable on `env`; two sections may not both define it."""
    seen: dict[str, str] = {}
    for section in ("bindings", "vars", "secrets"):
        for name in getattr(worker, section):
            if name in seen:
                yield (
                    (*at, section, name),
                    f"{name!r} is also defined under '{seen[name]}'; binding names are unique",
                )
            else:
                seen[name] = section


def _plain_var_problems(at: Loc, worker: WorkerConfig) -> Iterator[tuple[Loc, str]]:
    allowed = set(worker.public_vars)
    for name, value in worker.vars.items():
        reason = secret_looking_reason(name, value)
        if reason and name not in allowed:
            yield (
                (*at, "vars", name),
                (
                    f"this plain var looks like a secret ({reason}). Declare it under 'secrets' with an owner "
                    f"(inject, generated or sync), or if the value really is public add {name!r} to 'publicVars'"
                ),
            )
    for index, name in enumerate(worker.public_vars):
        if name not in worker.vars:
            yield (*at, "publicVars", index), f"{name!r} is not a var of this worker"
    for name, secret in worker.secrets.items():
        if isinstance(secret, InjectedSecret) and secret.sandbox == "env" and not secret.side_effects:
            yield (*at, "secrets", name, "inject", "sandbox"), "sandbox only applies with sideEffects: true"


def config_paths(loc: Loc) -> str:
    """Render a pydantic location as a config path, dropping union tags that are not keys in YAML."""
    parts: list[str] = []
    for index, part in enumerate(loc):
        parent = loc[index - 2] if index >= 2 else None
        if parent in ("bindings", "secrets") and part in (*BINDING_TYPES, *SECRET_OWNERS):
            continue
        parts.append(f"[{part}]" if isinstance(part, int) else str(part))
    return ".".join(parts).replace(".[", "[")
