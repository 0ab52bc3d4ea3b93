"""Config checks for changes that must not break a live stage: renames and adoption.

A rename keeps its state only if the old key is named exactly once and is not still in use; an
adopted resource is imported, so nothing may be configured that the import would have to replace.
Whether an old key is one the stack really had is known only against the deployed plan:
``bin/plan --against`` refuses a ``renamedFrom`` that matches nothing there (``plan.diff.outputs.unfollowed_renames``).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from components.config.fields import Loc

if TYPE_CHECKING:
    from components.config.stage_config import StageConfig

Problem = tuple[Loc, str]


STORAGE_SECTIONS = ("d1", "r2", "kv", "queues")
"""The config sections of stateful resources: a renamed key keeps its physical name (``renamedFrom``)."""


def problems(config: StageConfig) -> Iterator[Problem]:
    yield from _renames(config)
    yield from _storage_renames(config)
    yield from _adoptions(config)


def _storage_renames(config: StageConfig) -> Iterator[Problem]:
    for section in STORAGE_SECTIONS:
        entries = getattr(config, section)
        claimed: dict[str, str] = {}
        for key, entry in sorted(entries.items()):
            for index, old in enumerate(entry.renamed_from):
                at: Loc = (section, key, "renamedFrom", index)
                if old == key:
                    yield at, f"{key!r} cannot be renamed from its own key; remove it from renamedFrom"
                elif old in entries:
                    yield (
                        at,
                        f"{old!r} still exists in {section}; a rename moves its state here, so the old key must go",
                    )
                elif old in claimed:
                    yield at, f"{claimed[old]!r} already names {old!r} in renamedFrom; state can follow only one"
                else:
                    claimed[old] = key
            if entry.renamed_from and getattr(entry, "adopt", None) is not None:
                yield (
                    (section, key, "adopt"),
                    "adopt imports a resource the stack does not have, renamedFrom follows one it has: keep one",
                )


def _adoptions(config: StageConfig) -> Iterator[Problem]:
    for key, db in config.d1.items():
        if db.adopt is not None and db.location_hint is not None:
            yield (
                ("d1", key, "locationHint"),
                "an import never reads the location hint back (the provider leaves it unset) and the program never "
                "sends it after create, so the config would claim a location the database may not have; remove "
                "locationHint from the adopted database",
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
