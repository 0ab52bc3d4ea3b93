"""What one Worker is made of, as the ``Worker`` component deploys it and its wrangler config describes it.

Declared apart from both, so the script and the config are built from the one set of arguments.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import pulumi_cloudflare as cf

from components.cloudflare.bindings import ConsumedQueue, StaticAssets, WorkerBinding
from components.config import DurableObjectsConfig
from components.secrets.owners import WorkerSecrets


@dataclass(frozen=True)
class DeclaredWorkflow:
    """A Workflow this worker declares: its physical name and the class of this worker that runs it."""

    workflow_name: str
    class_name: str


@dataclass(frozen=True)
class WorkerArgs:
    account_id: str
    zone_id: str
    script_name: str
    main: str
    """Built ES module, relative to the project root (uploaded as the script's main module)."""
    project_root: Path
    compatibility_date: str
    compatibility_flags: Sequence[str]
    bindings: Sequence[WorkerBinding]
    secrets: WorkerSecrets
    domains: Sequence[str]
    routes: Sequence[str]
    crons: Sequence[str]
    consumer: ConsumedQueue | None
    observability: bool
    """Workers Logs on."""
    public_vars: Sequence[str] = ()
    """Plain vars whose names look secret but whose values are public (the policy pack's allow-list)."""
    adopt: bool = False
    """Import the live script named ``script_name`` instead of uploading over it."""
    adopt_domains: Mapping[str, str] = field(default_factory=dict)
    """Hostname → live custom domain id, for the domains to import."""
    adopt_routes: Mapping[str, str] = field(default_factory=dict)
    """Route pattern → live route id, for the routes to import."""
    assets: StaticAssets | None = None
    durable_objects: DurableObjectsConfig | None = None
    """The Durable Object classes this worker exports, as the config declares them (the wrangler config's
    ``migrations``)."""
    migrations: cf.WorkersScriptMigrationsArgs | None = None
    """What this upload migrates: the steps after the live script's tag (``components.cloudflare.durable_objects``)."""
    workflows: Mapping[str, DeclaredWorkflow] = field(default_factory=dict)
    """Config key → a Workflow this worker declares."""
