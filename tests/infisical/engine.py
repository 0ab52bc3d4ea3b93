"""Drive a dynamic provider exactly as the Pulumi engine does, without the engine.

The engine hands providers property bags, not Python arguments: the pickled provider under ``__provider``,
secrets in Pulumi's envelope, numbers as floats, ``check``'s result as the inputs of ``create``/``diff``/
``update``, and previous *outputs* (plus ``__provider``) as the olds. `Engine` reproduces that so tests call
``provider.create(props)`` etc. with realistic bags.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from pulumi.dynamic import DiffResult, ReadResult, ResourceProvider
from pulumi.dynamic.dynamic import serialize_provider
from pulumi.runtime import rpc

from components.infisical import ProjectEnvironmentProvider, ProjectProvider


def engine_value(value: Any) -> Any:
    """A value as it comes out of protobuf: ints become floats, nested containers converted too."""
    if isinstance(value, bool) or value is None:
        return value
    if isinstance(value, int):
        return float(value)
    if isinstance(value, Mapping) and not rpc.is_rpc_secret(value):
        return {k: engine_value(v) for k, v in value.items()}
    if isinstance(value, list):
        return [engine_value(v) for v in value]
    return value


def plain(props: Mapping[str, Any]) -> dict[str, Any]:
    """Outputs with secret envelopes removed and ``__provider`` dropped, for assertions."""
    return {k: rpc.unwrap_rpc_secret(v) for k, v in props.items() if k != "__provider"}


class CheckFailed(AssertionError):
    pass


@dataclass
class Engine:
    provider: ResourceProvider
    secrets: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        self.serialized = serialize_provider(self.provider)

    def bag(self, props: Mapping[str, Any], *, secret: Iterable[str] | None = None) -> dict[str, Any]:
        secret_names = set(self.secrets if secret is None else secret)
        bag = {}
        for key, given in props.items():
            if given is None:
                continue  # the engine never sends None: the key is simply absent
            value = engine_value(given)
            bag[key] = rpc.wrap_rpc_secret(value) if key in secret_names else value
        bag["__provider"] = self.serialized
        return bag

    def state(self, outs: Mapping[str, Any]) -> dict[str, Any]:
        """Outputs as stored by the engine and handed back as ``olds``/``props``."""
        return {**{k: engine_value(v) for k, v in outs.items()}, "__provider": self.serialized}

    def check(self, news: Mapping[str, Any], olds: Mapping[str, Any] | None = None) -> dict[str, Any]:
        result = self.provider.check(self.state(olds or {}), self.bag(news))
        if result.failures:
            raise CheckFailed([(f.property, f.reason) for f in result.failures])
        # The engine adds __provider back to check's inputs before passing them on.
        return {**result.inputs, "__provider": self.serialized}

    def failures(self, news: Mapping[str, Any]) -> dict[str, str]:
        result = self.provider.check({}, self.bag(news))
        return {f.property: f.reason for f in result.failures}

    def create(self, inputs: Mapping[str, Any]) -> tuple[str, dict[str, Any]]:
        result = self.provider.create(self.check(inputs))
        return result.id, dict(result.outs or {})

    def read(self, id_: str, outs: Mapping[str, Any]) -> ReadResult:
        return self.provider.read(id_, self.state(outs))

    def diff(self, id_: str, outs: Mapping[str, Any], news: Mapping[str, Any]) -> DiffResult:
        return self.provider.diff(id_, self.state(outs), self.check(news))

    def update(self, id_: str, outs: Mapping[str, Any], news: Mapping[str, Any]) -> dict[str, Any]:
        result = self.provider.update(id_, self.state(outs), self.check(news))
        return dict(result.outs or {})

    def delete(self, id_: str, outs: Mapping[str, Any]) -> None:
        self.provider.delete(id_, self.state(outs))


def seed_project(name: str = "Seed") -> str:
    project_id, _ = Engine(ProjectProvider()).create({"name": name})
    return project_id


def seed_environment(project_id: str, slug: str) -> str:
    Engine(ProjectEnvironmentProvider()).create({"project_id": project_id, "name": slug.title(), "slug": slug})
    return slug
