"""Config checks for changes that must not break a live stage: renames and adoption.

A rename keeps its state only if the old key is named exactly once and is not still in use; an
adopted resource is imported, so nothing may be configured that the import would have to replace.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from components.config.fields import Loc

if TYPE_CHECKING:
    from components.config.stage_config import StageConfig

Problem = tuple[Loc, str]


def problems(config: StageConfig) -> Iterator[Problem]:
    yield from _renames(config)


def _renames(config: StageConfig) -> Iterator[Problem]:
    claimed: dict[str, str] = {}
    for name, worker in sorted(config.workers.items()):
        old = worker.renamed_from
        if old is None:
            continue
        at: Loc = ("workers", name, "renamedFrom")
        if old == name:
            yield at, "a worker cannot be renamed from its own key; remove renamedFrom"
        elif old in config.workers:
            yield at, f"worker {old!r} still exists; a rename moves its state here, so the old key must be gone"
        elif old in claimed:
            yield at, f"worker {claimed[old]!r} is already renamed from {old!r}; state can follow only one"
        else:
            claimed[old] = name
