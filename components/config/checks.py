"""The cross-field checks of a stage config: what no single field can know on its own.

They run once the structure is valid (every key known, every value of the right type), and yield every
problem at once as (location, what to do): bindings and consumers name declared resources, hostnames lie
inside the zone and are the stage's own (:mod:`components.config.hostnames`), a binding name is defined
once, plain vars and JSON bindings do not look secret,
service bindings form no cycle, a kept previous value has a period and a free name, physical names
fit Cloudflare's limit, each synced worker has a folder of its own, the CI identity has an
organization to live in, and no non-prod identity can reach prod (:mod:`components.config.isolation`).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from graphlib import CycleError, TopologicalSorter
from pathlib import Path
from typing import TYPE_CHECKING, Any

from components.config import binding_checks, hostnames, isolation, safe_changes, state_checks
from components.config.bindings import JsonBinding
from components.config.fields import Loc
from components.config.models import (
    GENERATED_SECRETS_FOLDER,
    INJECTED_SECRETS_FOLDER,
    GeneratedSecret,
    InjectedSecret,
    WorkerConfig,
)
from components.rules.naming import MAX_PHYSICAL_NAME
from components.rules.rotation import PREVIOUS_SUFFIX, Period
from components.rules.secret_names import secret_looking_reason
from components.rules.secret_values import secret_json_values
from components.rules.stack_file import StackFileError
from components.rules.stage_layout import layouts_with, project_backend

if TYPE_CHECKING:
    from components.config.stage_config import StageConfig

Problem = tuple[Loc, str]

_SECTIONS = {"database": "d1", "bucket": "r2", "namespace": "kv", "queue": "queues", "worker": "workers"}
"""The config section that declares each kind of binding target."""


def problems(config: StageConfig, project_root: Path | None) -> Iterator[Problem]:
    """Every cross-field problem of ``config``; worker modules are looked up under ``project_root`` if given."""
    yield from _physical_names(config)
    consumers: dict[str, str] = {}
    for worker_name, worker in config.workers.items():
        at: Loc = ("workers", worker_name)
        if project_root is not None and not (project_root / worker.main).is_file():
            yield (
                (*at, "main"),
                f"the worker module {worker.main!r} does not exist; build the worker first or fix the path",
            )
        yield from _bindings(config, at, worker)
        yield from _name_clashes(at, worker)
        yield from _previous_values(at, worker)
        yield from _plain_vars(at, worker)
        yield from _consumer(config, at, worker, consumers)
        if worker.secrets_folder is not None and not worker.synced_secret_names():
            yield (*at, "secretsFolder"), "set only for workers with secrets whose owner is 'sync'"
        yield from _sync_folder(config, at, worker_name, worker)
    yield from binding_checks.problems(config, project_root)
    layouts, project = None, None
    if project_root is not None:
        try:  # every committed stage's file: the checks across stages cannot vouch for prod without them
            layouts = layouts_with(config.stage, config.layout_values(), project_root)
            project = project_backend(project_root)
        except StackFileError as error:
            yield (
                (("infisical",) if config.infisical else ("accountId",)),
                (f"the checks across stages read every committed stage file, and {error}"),
            )
    yield from hostnames.problems(config, layouts)
    yield from _service_cycle(config)
    yield from _ci_identity(config)
    yield from safe_changes.problems(config)
    yield from isolation.problems(config, layouts)
    yield from state_checks.problems(config, layouts, project)


def service_graph(workers: Mapping[str, WorkerConfig]) -> dict[str, set[str]]:
    """Worker → the workers it binds (services, Durable Objects, Workflows): the order their scripts are made in."""
    return {name: binding_checks.bound_workers(name, worker, workers) for name, worker in sorted(workers.items())}


def _physical_names(config: StageConfig) -> Iterator[Problem]:
    groups: dict[str, list[str]] = {
        "d1": list(config.d1),
        "r2": list(config.r2),
        "kv": list(config.kv),
        "workers": list(config.workers),
        "queues": [f"{q}-dlq" for q in config.queues] + list(config.queues),
    }
    for group, names in groups.items():
        for name in names:
            physical = config.naming.physical(name)
            if len(physical) > MAX_PHYSICAL_NAME:
                key = name.removesuffix("-dlq") if group == "queues" else name
                yield (
                    (group, key),
                    f"the physical name {physical!r} is {len(physical)} characters; Cloudflare allows "
                    f"{MAX_PHYSICAL_NAME}. Shorten the app or resource name",
                )


def _bindings(config: StageConfig, at: Loc, worker: WorkerConfig) -> Iterator[Problem]:
    declared: dict[str, tuple[str, Mapping[str, Any]]] = {
        "d1": ("database", config.d1),
        "r2": ("bucket", config.r2),
        "kv": ("namespace", config.kv),
        "queue": ("queue", config.queues),
        "service": ("worker", config.workers),
    }
    for binding_name, binding in worker.bindings.items():
        if binding.type not in declared:
            continue
        field, resources = declared[binding.type]
        target = getattr(binding, field)
        # Locations carry the union tag, as pydantic's own errors do; the loader's config_path drops it again.
        loc: Loc = (*at, "bindings", binding_name, binding.type, field)
        if target not in resources:
            yield loc, _undeclared(field, target, resources)
        elif binding.type == "service" and target == at[-1]:
            yield loc, "a worker cannot bind to itself"


def _consumer(config: StageConfig, at: Loc, worker: WorkerConfig, consumers: dict[str, str]) -> Iterator[Problem]:
    if worker.consumes is None:
        return
    queue = worker.consumes.queue
    if queue not in config.queues:
        yield (*at, "consumes", "queue"), _undeclared("queue", queue, config.queues)
    elif queue in consumers:
        yield (
            (*at, "consumes", "queue"),
            f"queue {queue!r} is already consumed by worker {consumers[queue]!r}; a queue has exactly one consumer "
            "worker",
        )
    else:
        consumers[queue] = str(at[-1])


def _sync_folder(config: StageConfig, at: Loc, worker_name: str, worker: WorkerConfig) -> Iterator[Problem]:
    if not worker.synced_secret_names():
        return
    if config.infisical is None:
        yield (*at, "secrets"), "secrets with owner 'sync' need the 'infisical' section (the sync lives there)"
        return
    folder = worker.synced_secrets_folder(worker_name)
    if folder == INJECTED_SECRETS_FOLDER:
        owner: str | None = "injected"
    elif folder == GENERATED_SECRETS_FOLDER or folder.startswith(GENERATED_SECRETS_FOLDER + "/"):
        owner = "generated"
    else:
        owner = None
    if owner:
        yield (
            (*at, "secretsFolder"),
            f"{folder!r} holds the {owner} secrets that Pulumi binds, and a sync pushes every secret of its "
            f"folder; give this worker a folder of its own, e.g. {INJECTED_SECRETS_FOLDER}/{worker_name}",
        )
    others = [
        name
        for name, other in config.workers.items()
        if name != worker_name and other.synced_secret_names() and other.synced_secrets_folder(name) == folder
    ]
    if others:
        yield (
            (*at, "secretsFolder"),
            f"worker {others[0]!r} syncs from {folder!r} too; each worker syncs only its own secrets, "
            "so give each its own folder",
        )


def _service_cycle(config: StageConfig) -> Iterator[Problem]:
    """Bindings between workers become dependencies between scripts, so a cycle could never deploy."""
    try:
        TopologicalSorter(service_graph(config.workers)).prepare()
    except CycleError as error:
        # graphlib lists each node before the one that depends on it; a binding points the other way.
        cycle = list(reversed(error.args[1]))[:-1]
        start = cycle.index(min(cycle))
        cycle = cycle[start:] + cycle[:start]
        yield (
            ("workers", cycle[0], "bindings"),
            "bindings between workers form a cycle (" + " -> ".join([*cycle, cycle[0]]) + "); one side must go",
        )


def _ci_identity(config: StageConfig) -> Iterator[Problem]:
    """The CI identity is an organization identity: it cannot be created without the organization's id."""
    infisical = config.infisical
    if infisical is None or infisical.ci_identity is None or not config.manages_infisical_environment:
        return
    if infisical.organization_id is None:
        yield (
            ("infisical", "organizationId"),
            "this key is required with 'ciIdentity': the CI identity is created in the Infisical organization; "
            "set the organization's id (uuid)",
        )


def _undeclared(kind: str, name: str, declared: Mapping[str, Any]) -> str:
    known = ", ".join(sorted(declared)) or "none"
    return f"{kind} {name!r} is not declared under '{_SECTIONS[kind]}' (declared: {known})"


def _name_clashes(at: Loc, worker: WorkerConfig) -> Iterator[Problem]:
    """A binding name is one variable on `env`; two sections may not both define it."""
    seen: dict[str, str] = {}
    for section in ("bindings", "vars", "secrets"):
        for name in getattr(worker, section):
            if name in seen:
                yield (*at, section, name), f"{name!r} is also defined under '{seen[name]}'; binding names are unique"
            else:
                seen[name] = section


def _previous_values(at: Loc, worker: WorkerConfig) -> Iterator[Problem]:
    """``keepPrevious`` binds one more name, and has a previous period only with a period."""
    for name, secret in worker.secrets.items():
        if not isinstance(secret, GeneratedSecret) or not secret.keep_previous:
            continue
        loc = (*at, "secrets", name, "generated", "keepPrevious")
        previous = f"{name}{PREVIOUS_SUFFIX}"
        if Period.parse(secret.rotate_every) is None:
            yield loc, "keepPrevious needs rotateEvery to be a period such as 30d (an event has no previous period)"
        elif any(previous in getattr(worker, section) for section in ("bindings", "vars", "secrets")):
            yield loc, f"keepPrevious binds {previous!r}, which this worker already defines; rename one"


def _plain_vars(at: Loc, worker: WorkerConfig) -> Iterator[Problem]:
    allowed = set(worker.public_vars)
    for name, value in worker.vars.items():
        reason = secret_looking_reason(name, value, public=name in allowed)
        if reason:
            fix = f"if the value really is public add {name!r} to 'publicVars'" if name not in allowed else ""
            yield (
                (*at, "vars", name),
                f"this plain var looks like a secret ({reason}). Declare it under 'secrets' with an owner "
                f"(inject, generated or sync)" + (f", or {fix}" if fix else ""),
            )
    for binding_name, binding in worker.bindings.items():
        if not isinstance(binding, JsonBinding):
            continue
        for path, reason in secret_json_values(binding.value):
            yield (
                (*at, "bindings", binding_name, "json", "value", *path),
                f"this JSON binding value looks like a secret ({reason}); JSON bindings are plain config, shown "
                "in every plan and written into the wrangler config: declare the secret under 'secrets'",
            )
    for index, name in enumerate(worker.public_vars):
        if name not in worker.vars:
            yield (*at, "publicVars", index), f"{name!r} is not a var of this worker"
    for name, secret in worker.secrets.items():
        if isinstance(secret, InjectedSecret) and secret.sandbox == "env" and not secret.side_effects:
            yield (*at, "secrets", name, "inject", "sandbox"), "sandbox only applies with sideEffects: true"
