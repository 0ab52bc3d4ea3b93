"""What one Worker is made of, as the ``Worker`` component deploys it and its wrangler config describes it.

Declared apart from both, so the script and the config are built from the one set of arguments.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from components.cloudflare.bindings import ConsumedQueue, WorkerBinding
from components.secrets.owners import WorkerSecrets


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
