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
    yield from _adoptions(config)


def _adoptions(config: StageConfig) -> Iterator[Problem]:
    for key, db in config.d1.items():
        if db.adopt is not None and db.location_hint is not None:
            yield (
                ("d1", key, "locationHint"),
                "an import never reads the location hint back (the provider leaves it unset), so with a hint the "
                "import plans a replacement that loses every row; remove locationHint from the adopted database",
            )
    # An import must match what is live, and every physical name carries its stage: what is adopted by name
    # (a bucket, a script) must already have the name the stage gives it.
    for section, key, adopt in [
        *(("r2", key, bucket.adopt) for key, bucket in config.r2.items()),
        *(("workers", key, worker.adopt) for key, worker in config.workers.items()),
    ]:
        expected = config.naming.physical(key)
        if adopt is not None and adopt != expected:
            yield (
                (section, key, "adopt"),
                f"the adopted {'bucket' if section == 'r2' else 'script'} must be named {expected!r} (the stage's name "
                f"for {key!r}; an import cannot rename it); adopt the live one under the key it is named after",
            )
    for worker_name, worker in config.workers.items():
        for field, listed, adopted in (
            ("adoptDomains", worker.domains, worker.adopt_domains),
            ("adoptRoutes", worker.routes, worker.adopt_routes),
        ):
            for item in adopted:
                if item not in listed:
                    list_name = "domains" if field == "adoptDomains" else "routes"
                    yield (
                        ("workers", worker_name, field, item),
                        f"{item!r} is not in this worker's {list_name}; only a declared one can be adopted",
                    )


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
