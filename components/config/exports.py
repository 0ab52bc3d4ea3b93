"""What a worker exports and serves besides its handlers: Durable Object classes, Workflows, static assets.

Durable Object classes are declared by their migrations, as wrangler declares them: an append-only list of
tagged steps that create, rename and delete classes. The classes a worker exports are what the steps leave.
Cloudflare records the last tag it applied and takes only the steps after it, so a step once deployed is
never edited or removed (the diff refuses it) and a class is removed by a step of its own.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from pydantic import Field

from components.config.fields import AssetRule, BindingName, ClassName, Loc, Model, ProjectPath


class RenamedClass(Model):
    from_: ClassName = Field(alias="from")
    to: ClassName


class DurableObjectMigration(Model):
    """One tagged step. A renamed class keeps its objects under the new name; a deleted one loses them all."""

    tag: str = Field(pattern=r"^[A-Za-z0-9_.-]{1,64}$", description="A unique tag such as v1.")
    new_sqlite_classes: list[ClassName] = Field(default_factory=list, description="New classes, SQLite storage.")
    new_classes: list[ClassName] = Field(default_factory=list, description="New classes, key-value storage.")
    renamed_classes: list[RenamedClass] = Field(default_factory=list)
    deleted_classes: list[ClassName] = Field(default_factory=list)


class DurableObjectsConfig(Model):
    migrations: list[DurableObjectMigration] = Field(min_length=1)

    def classes(self) -> list[str]:
        """The classes the migrations leave, in the order they were created (problems aside: see :func:`replay`)."""
        return replay(self.migrations).classes


class WorkflowConfig(Model):
    """A Workflow named ``{app}-{stage}-<key>``, run by a class this worker exports."""

    class_name: ClassName


class AssetsConfig(Model):
    """Static files the worker serves, uploaded from ``directory`` with every deploy."""

    directory: ProjectPath
    binding: BindingName | None = Field(None, description="Also bind the assets on env (a Fetcher) under this name.")
    html_handling: Literal["auto-trailing-slash", "force-trailing-slash", "drop-trailing-slash", "none"] | None = None
    not_found_handling: Literal["single-page-application", "404-page", "none"] | None = None
    run_worker_first: bool | list[AssetRule] | None = Field(
        None,
        description="true: every request runs the worker first; or path rules such as /api/* and !/api/docs/*.",
    )


@dataclass
class Replayed:
    """What a list of migrations leaves: the classes, each step's problems (by location), and what it removed."""

    classes: list[str] = field(default_factory=list)
    problems: list[tuple[Loc, str]] = field(default_factory=list)
    deleted: list[str] = field(default_factory=list)
    renamed: dict[str, str] = field(default_factory=dict)
    """Old name → new name."""


def replay(migrations: list[DurableObjectMigration]) -> Replayed:
    """Apply the steps in order, as Cloudflare applies them, naming every step that could not apply."""
    done = Replayed()
    tags: set[str] = set()
    for index, step in enumerate(migrations):
        at: Loc = ("migrations", index)
        if step.tag in tags:
            done.problems.append(((*at, "tag"), f"tag {step.tag!r} is used twice; every step has its own tag"))
        tags.add(step.tag)
        if not (step.new_sqlite_classes or step.new_classes or step.renamed_classes or step.deleted_classes):
            done.problems.append((at, "this step changes no class; give it newSqliteClasses, renamedClasses, ..."))
        _create(done, at, step)
        _rename(done, at, step)
        _delete(done, at, step)
    return done


def _create(done: Replayed, at: Loc, step: DurableObjectMigration) -> None:
    for key, created in (("newSqliteClasses", step.new_sqlite_classes), ("newClasses", step.new_classes)):
        for position, name in enumerate(created):
            if name in done.classes:
                done.problems.append(((*at, key, position), f"class {name!r} exists already"))
            else:
                done.classes.append(name)


def _rename(done: Replayed, at: Loc, step: DurableObjectMigration) -> None:
    for position, rename in enumerate(step.renamed_classes):
        if rename.from_ not in done.classes:
            done.problems.append(((*at, "renamedClasses", position, "from"), _missing(rename.from_, done)))
        elif rename.to in done.classes:
            done.problems.append(((*at, "renamedClasses", position, "to"), f"class {rename.to!r} exists already"))
        else:
            done.classes[done.classes.index(rename.from_)] = rename.to
            done.renamed[rename.from_] = rename.to


def _delete(done: Replayed, at: Loc, step: DurableObjectMigration) -> None:
    for position, name in enumerate(step.deleted_classes):
        if name not in done.classes:
            done.problems.append(((*at, "deletedClasses", position), _missing(name, done)))
        else:
            done.classes.remove(name)
            done.deleted.append(name)


def _missing(name: str, done: Replayed) -> str:
    known = ", ".join(done.classes) or "none"
    return f"class {name!r} does not exist at this step (classes then: {known})"
