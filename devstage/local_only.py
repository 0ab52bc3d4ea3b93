"""Bindings that ``wrangler dev`` cannot run on a laptop: left out of the local config, and named at start.

Which kinds those are is declared once, with each kind (``Bound.local`` in :mod:`components.config.bindings`):
Workers AI and Vectorize exist only on Cloudflare (wrangler 4 marks them "not supported" locally and would
reach for a remote session), and a local Hyperdrive needs a Postgres connection string with its password, a
secret that has no place in a config file. Each such binding is dropped from the worker's local config, so
the worker still starts and sees no such binding on ``env``; ``bin/dev`` says which, and why, before it starts.
"""

from __future__ import annotations

import copy
import textwrap
from dataclasses import dataclass
from typing import Any

from components.config.bindings import BOUND_KINDS
from components.rules.terminal import MAX_WIDTH


@dataclass(frozen=True)
class NotLocal:
    worker: str
    binding: str
    kind: str
    reason: str

    def notice(self) -> str:
        said = (
            f"bin/dev: worker {self.worker}: env.{self.binding} ({self.kind}) has no local emulation and is left out "
            f"({self.reason}); the worker starts without it"
        )
        return textwrap.fill(said, MAX_WIDTH, subsequent_indent="  ", break_on_hyphens=False)


def without_remote_only(worker: str, config: dict[str, Any]) -> tuple[dict[str, Any], list[NotLocal]]:
    """``config`` without the bindings wrangler cannot run locally, and what was left out."""
    local = copy.deepcopy(config)
    dropped: list[NotLocal] = []
    for kind in BOUND_KINDS.values():
        if kind.local is None:
            continue
        *parents, last = kind.section.split(".")
        holder: Any = local
        for parent in parents:
            holder = holder.get(parent) if isinstance(holder, dict) else None
        if not isinstance(holder, dict) or last not in holder:
            continue
        entries = [holder[last]] if kind.single else list(holder[last])
        dropped += [NotLocal(worker, entry[kind.name_key], kind.provider_type, kind.local) for entry in entries]
        del holder[last]
    return local, dropped
