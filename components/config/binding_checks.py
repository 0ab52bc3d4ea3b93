"""Cross-field checks of the bindings beyond storage: Durable Objects, Workflows, static assets, Hyperdrive,
Vectorize and the kinds a worker binds once.

Like :mod:`components.config.checks`, they read the checked model and yield every problem as (location, what
to do): a Durable Object binding names a class its worker's migrations leave, the migrations apply in order,
a Workflow is declared once in the stage, an assets folder exists, and a Hyperdrive ``sync`` password has an
Infisical project to come from.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from components.config.bindings import (
    DurableObjectBinding,
    HyperdriveBinding,
    ServiceBinding,
    VectorizeBinding,
    WorkflowBinding,
)
from components.config.exports import Replayed, replay
from components.config.fields import Loc
from components.config.models import WorkerConfig
from components.rules.naming import MAX_PHYSICAL_NAME

if TYPE_CHECKING:
    from components.config.stage_config import StageConfig

Problem = tuple[Loc, str]


def declared_workflows(workers: Mapping[str, WorkerConfig]) -> dict[str, str]:
    """Workflow key → the worker that declares it (the first, if a key is declared twice)."""
    declared: dict[str, str] = {}
    for name, worker in sorted(workers.items()):
        for key in worker.workflows:
            declared.setdefault(key, name)
    return declared


def bound_workers(name: str, worker: WorkerConfig, workers: Mapping[str, WorkerConfig]) -> set[str]:
    """The other workers this one binds (services, their Durable Objects, their Workflows): they deploy first."""
    workflows = declared_workflows(workers)
    targets: set[str | None] = set()
    for binding in worker.bindings.values():
        match binding:
            case ServiceBinding(worker=target) | DurableObjectBinding(worker=target):
                targets.add(target)
            case WorkflowBinding(workflow=key):
                targets.add(workflows.get(key))
    return {target for target in targets if target is not None and target != name and target in workers}


def problems(config: StageConfig, project_root: Path | None) -> Iterator[Problem]:
    exported: dict[str, Replayed] = {}
    for name, worker in config.workers.items():
        if worker.durable_objects is not None:
            exported[name] = replayed = replay(worker.durable_objects.migrations)
            yield from (((*("workers", name, "durableObjects"), *loc), why) for loc, why in replayed.problems)
    yield from _workflows(config, exported)
    for name, worker in config.workers.items():
        at: Loc = ("workers", name)
        yield from _targets(config, at, name, worker, exported)
        yield from _once(at, worker)
        yield from _assets(at, worker, project_root)
    yield from _hyperdrive(config)
    yield from _physical_names(config)


def _targets(
    config: StageConfig, at: Loc, worker_name: str, worker: WorkerConfig, exported: Mapping[str, Replayed]
) -> Iterator[Problem]:
    workflows = declared_workflows(config.workers)
    for binding_name, binding in worker.bindings.items():
        loc: Loc = (*at, "bindings", binding_name, binding.type)
        match binding:
            case HyperdriveBinding(config=key) if key not in config.hyperdrive:
                yield (*loc, "config"), _undeclared("Hyperdrive config", key, "hyperdrive", config.hyperdrive)
            case VectorizeBinding(index=key) if key not in config.vectorize:
                yield (*loc, "index"), _undeclared("Vectorize index", key, "vectorize", config.vectorize)
            case WorkflowBinding(workflow=key) if key not in workflows:
                known = ", ".join(sorted(workflows)) or "none"
                yield (*loc, "workflow"), f"workflow {key!r} is not declared under any worker's 'workflows' ({known})"
            case DurableObjectBinding(class_name=class_name, worker=target):
                owner = target or worker_name
                if owner not in config.workers:
                    yield (*loc, "worker"), _undeclared("worker", owner, "workers", config.workers)
                elif owner not in exported:
                    yield (
                        (*loc, "className"),
                        f"worker {owner!r} exports no Durable Object class: declare its classes under "
                        f"workers.{owner}.durableObjects.migrations",
                    )
                elif class_name not in exported[owner].classes:
                    classes = ", ".join(exported[owner].classes) or "none"
                    yield (
                        (*loc, "className"),
                        f"{class_name!r} is not a Durable Object class of worker {owner!r} after its migrations "
                        f"(classes: {classes})",
                    )


def _workflows(config: StageConfig, exported: Mapping[str, Replayed]) -> Iterator[Problem]:
    seen: dict[str, str] = {}
    for name, worker in sorted(config.workers.items()):
        classes = exported[name].classes if name in exported else []
        for key, workflow in worker.workflows.items():
            at: Loc = ("workers", name, "workflows", key)
            if key in seen:
                yield at, f"workflow {key!r} is declared by worker {seen[key]!r} too; a workflow name is stage-wide"
            seen.setdefault(key, name)
            if workflow.class_name in classes:
                yield (*at, "className"), f"{workflow.class_name!r} is a Durable Object class of this worker"


def _once(at: Loc, worker: WorkerConfig) -> Iterator[Problem]:
    """Workers AI, Browser Rendering, Images and version metadata are one object each in a worker's config."""
    first: dict[str, str] = {}
    for binding_name, binding in worker.bindings.items():
        bound = getattr(binding, "BOUND", None)
        if bound is None or not bound.single:
            continue
        if binding.type in first:
            yield (
                (*at, "bindings", binding_name),
                f"{first[binding.type]!r} binds {binding.type!r} already; a worker binds it once",
            )
        first.setdefault(binding.type, binding_name)


def _assets(at: Loc, worker: WorkerConfig, project_root: Path | None) -> Iterator[Problem]:
    assets = worker.assets
    if assets is None:
        return
    if project_root is not None and not (project_root / assets.directory).is_dir():
        yield (*at, "assets", "directory"), f"the folder {assets.directory!r} does not exist; build the assets first"
    if assets.binding is not None:
        for section in ("bindings", "vars", "secrets"):
            if assets.binding in getattr(worker, section):
                yield (*at, "assets", "binding"), f"{assets.binding!r} is also defined under '{section}'"
    rules = assets.run_worker_first
    if isinstance(rules, list) and not any(not rule.startswith("!") for rule in rules):
        yield (*at, "assets", "runWorkerFirst"), "give at least one rule that is not a negation (such as /api/*)"


def _hyperdrive(config: StageConfig) -> Iterator[Problem]:
    for key, settings in config.hyperdrive.items():
        at: Loc = ("hyperdrive", key)
        password = settings.password
        if password.owner == "inject" and password.folder is not None:
            yield (*at, "password", "folder"), "set only with owner 'sync' (inject reads /cloudflare)"
        if password.owner == "sync" and (config.infisical is None or config.infisical.project_id is None):
            yield (
                (*at, "password", "owner"),
                "owner 'sync' reads the password from Infisical: the stage needs 'infisical.projectId'",
            )


def _physical_names(config: StageConfig) -> Iterator[Problem]:
    workflows = [(("workers", w, "workflows", key), key) for w, c in config.workers.items() for key in c.workflows]
    named = [
        *((("hyperdrive", key), key) for key in config.hyperdrive),
        *((("vectorize", key), key) for key in config.vectorize),
        *workflows,
    ]
    for at, key in named:
        physical = config.naming.physical(key)
        if len(physical) > MAX_PHYSICAL_NAME:
            yield (
                at,
                f"the physical name {physical!r} is {len(physical)} characters; Cloudflare allows {MAX_PHYSICAL_NAME}",
            )


def _undeclared(kind: str, key: str, section: str, declared: Mapping[str, Any]) -> str:
    known = ", ".join(sorted(declared)) or "none"
    return f"{kind} {key!r} is not declared under '{section}' (declared: {known})"
