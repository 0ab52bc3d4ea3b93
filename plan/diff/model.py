"""The shape of a plan diff: what each change is, its flags, and the edits the diff refuses."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

CREATE, UPDATE, REPLACE, DELETE, ADOPT = "+", "~", "+-", "-", "="
OPS = (CREATE, UPDATE, REPLACE, DELETE, ADOPT)
OP_NAMES = {CREATE: "create", UPDATE: "update", REPLACE: "replace", DELETE: "delete", ADOPT: "adopt"}

SECRET_CHANGED = "[secret] changed"  # noqa: S105 (a marker, not a password)
DESTRUCTIVE_KINDS = ("data", "traffic", "fails")
PROTECTED = "this up will fail: the resource is protected"


@dataclass(frozen=True)
class Flag:
    kind: str
    """``data`` (destroys data), ``traffic`` (breaks traffic), ``fails`` (the up would fail), ``note``."""
    message: str

    @property
    def destructive(self) -> bool:
        """Destroys data, breaks traffic, or fails the up part-way (leaving the stage half changed)."""
        return self.kind in DESTRUCTIVE_KINDS


@dataclass
class Change:
    op: str
    label: str
    type: str
    parents: list[str]
    """Ancestor components, outermost first (for grouping like ``pulumi preview``)."""
    physical_name: str | None
    paths: list[str] = field(default_factory=list)
    """Changed input paths, each with ``before → after`` (a secret: ``[secret] changed``)."""
    reasons: list[str] = field(default_factory=list)
    flags: list[Flag] = field(default_factory=list)
    import_id: str | None = None

    @property
    def destructive(self) -> bool:
        return any(flag.destructive for flag in self.flags)


@dataclass(frozen=True)
class Refusal:
    path: str
    """The stage config path (``<project>:d1.main.locationHint``)."""
    message: str


@dataclass(frozen=True)
class OutputChange:
    """A stack output key added, removed, renamed or changed (pipelines read some of them)."""

    path: str
    """``workers.api``: the output and, for a map of keys, the key."""
    what: str
    warning: str | None = None
    """Set when a pipeline reading the key breaks."""


@dataclass(frozen=True)
class Note:
    """Something to know or do before the up that belongs to no single change (a secret to set first)."""

    subject: str
    message: str


@dataclass
class PlanDiff:
    project: str
    stack: str
    base: str
    changes: list[Change]
    refusals: list[Refusal]
    outputs: list[OutputChange] = field(default_factory=list)
    notes: list[Note] = field(default_factory=list)
    partway: list[str] = field(default_factory=list)
    """Why the up is known to fail after it has applied part of the change (empty: it is not)."""

    @property
    def destructive(self) -> list[Change]:
        return [change for change in self.changes if change.destructive]

    @property
    def is_prod(self) -> bool:
        return self.stack == "prod"

    def counts(self) -> dict[str, int]:
        return {OP_NAMES[op]: sum(1 for c in self.changes if c.op == op) for op in OPS}

    def to_dict(self) -> dict[str, Any]:
        return {
            "project": self.project,
            "stack": self.stack,
            "base": self.base,
            "counts": self.counts(),
            "destructive": [c.label for c in self.destructive],
            "changes": [
                {**asdict(c), "flags": [{**asdict(f), "destructive": f.destructive} for f in c.flags]}
                for c in self.changes
            ],
            "refusals": [asdict(r) for r in self.refusals],
            "outputs": [asdict(o) for o in self.outputs],
            "notes": [asdict(n) for n in self.notes],
            "partway": self.partway,
        }
