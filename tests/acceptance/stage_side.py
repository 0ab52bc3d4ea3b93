"""A stage's whole Infisical side through its real dynamic providers, driven as the Pulumi engine drives them.

The program runs under the mock engine. Cloudflare resources stay mocked; every Infisical resource it
registers is handed to its own (unpickled) dynamic provider, in registration order, which is dependency
order. On a stack that is new, that is ``check`` then ``create``. On a stack that already holds the
resource, it is ``check`` (with the previous inputs as olds) then ``diff`` against the stored outputs,
and ``update`` only when the diff says so; what a run did is kept in `StageRun.changed`. `StageSide` adds
the other engine operations over the recorded state: refresh (``read``), a diff against the same inputs,
and destroy (``delete`` in reverse order).
"""

from __future__ import annotations

import base64
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import dill  # type: ignore[import-untyped]
from pulumi.dynamic import ResourceProvider

from plan.engine import DYNAMIC_PREFIX, PROVIDER_KEY, PlanMocks, ProgramRun, mocks
from tests.conftest import raw_config, run_stage

Key = tuple[str, str]


@dataclass
class Applied:
    type: str
    name: str
    provider: ResourceProvider
    id: str
    inputs: dict[str, Any]
    """What ``check`` returned (plus ``__provider``): what the engine stores as the resource's inputs."""
    state: dict[str, Any]
    """Outputs plus ``__provider``: what the engine stores and hands back to read, diff and delete."""

    @property
    def kind(self) -> str:
        return self.type.rsplit(":", 1)[-1]

    @property
    def key(self) -> Key:
        return self.type, self.name


class StageRun(PlanMocks):
    """Mocks for one ``pulumi up``: Infisical resources go through their providers, the rest is mocked."""

    def __init__(self, stack: str, existing: Mapping[Key, Applied] | None = None) -> None:
        super().__init__(stack)
        self.existing = existing or {}
        self.applied: list[Applied] = []
        self.changed: list[str] = []
        """``create <name>`` / ``update <name> (<properties>)`` for every call that changed Infisical."""

    def new_resource(self, args: mocks.MockResourceArgs) -> tuple[str | None, dict[str, Any]]:
        if not args.typ.startswith(DYNAMIC_PREFIX):
            return super().new_resource(args)
        serialized = args.inputs[PROVIDER_KEY]
        # Unpickled as Pulumi's dynamic provider host does (its own helper resets the runtime, so not reused).
        provider: ResourceProvider = dill.loads(base64.b64decode(serialized))  # noqa: S301 (our own pickle)
        before = self.existing.get((args.typ, args.name))
        checked = provider.check(before.inputs if before else {}, dict(args.inputs))
        assert not checked.failures, [(f.property, f.reason) for f in checked.failures]
        news = {**checked.inputs, PROVIDER_KEY: serialized}
        if before is None:
            created = provider.create(news)
            id_, outs = created.id, dict(created.outs or {})
            self.changed.append(f"create {args.name}")
        else:
            id_, outs = before.id, {k: v for k, v in before.state.items() if k != PROVIDER_KEY}
            diff = provider.diff(before.id, before.state, news)
            if diff.changes:
                assert not diff.replaces, f"{args.name} would be replaced: {diff.replaces}"
                outs = dict(provider.update(before.id, before.state, news).outs or {})
                self.changed.append(f"update {args.name}")
        self.applied.append(Applied(args.typ, args.name, provider, id_, news, {**outs, PROVIDER_KEY: serialized}))
        return id_, outs


@dataclass
class StageSide:
    """One stack of one stage: its recorded state, and the engine operations over it."""

    stage: str
    raw: dict[str, Any]
    environment: dict[str, str]
    state: dict[Key, Applied] = field(default_factory=dict)
    order: list[Key] = field(default_factory=list)

    def up(self) -> tuple[StageRun, ProgramRun]:
        """``pulumi up``: the program once, every Infisical resource checked and created or diffed."""
        resources = StageRun(self.stage, self.state)
        run = run_stage(self.stage, self.raw, environment=self.environment, resource_mocks=resources)
        self.state = {a.key: a for a in resources.applied}
        self.order = [a.key for a in resources.applied]
        return resources, run

    @property
    def applied(self) -> list[Applied]:
        return [self.state[key] for key in self.order]

    def refresh(self) -> list[str]:
        """``pulumi refresh``: every object read back; returns the names that no longer exist."""
        gone = []
        for applied in self.applied:
            read = applied.provider.read(applied.id, applied.state)
            if not read.id:
                gone.append(applied.name)
                continue
            assert read.id == applied.id, applied.name
            applied.state = {**(read.outs or {}), PROVIDER_KEY: applied.state[PROVIDER_KEY]}
        return gone

    def diff(self) -> list[str]:
        """``pulumi preview`` with the same inputs: the names whose diff shows a change."""
        return [a.name for a in self.applied if a.provider.diff(a.id, a.state, a.inputs).changes]

    def destroy(self, *, before_each: Callable[[Applied], None] | None = None) -> None:
        """``pulumi destroy``: every resource deleted, dependents first."""
        for applied in reversed(self.applied):
            if before_each is not None:
                before_each(applied)
            applied.provider.delete(applied.id, applied.state)

    def adopted(self) -> list[Applied]:
        return [a for a in self.applied if a.state.get("adopted") is True]


def project_side(project_id: str, stages: list[str]) -> StageSide:
    """The project stack's Infisical side: the project adopted by id, no members, and each of ``stages``' sync
    token (and the pr stages' one) minted, Cloudflare mocked, and written into that stage's Infisical
    environment, as the project stack does it."""
    raw = raw_config("project")
    raw["project"] = {"projectId": project_id, "stages": stages}
    raw["access"] = {}
    return StageSide("project", raw, {"CLOUDFLARE_API_TOKEN": "the-minting-token"})


def project_up(project_id: str, stages: list[str]) -> ProgramRun:
    """``pulumi up -s project`` of :func:`project_side`, against the server the environment points at."""
    _, run = project_side(project_id, stages).up()
    return run
