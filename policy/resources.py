"""What a policy rule sees of one resource, whichever engine recorded it.

Two sources feed this view: the plan's recorded registrations (:func:`from_registration`) and the
pulumi-policy SDK (``policy/__main__.py``). Both hand over the properties as the program sent them, so a
secret is marked where it is (``bindings[3].text``), not on the whole list around it.

Custom resources are seen with their inputs; components with the outputs they registered (that is what
a stack validation receives), which is how the program tells the rules what config alone would know.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Final, Protocol

from policy.names import SECRET_SIG, SECRET_SIG_KEY, short_type


class _Unknown:
    """A value that is not known yet (``pulumi preview`` of a property computed from another resource)."""

    def __repr__(self) -> str:
        return "<unknown>"


UNKNOWN: Final = _Unknown()

PropPath = tuple[str | int, ...]


@dataclass(frozen=True)
class PolicyResource:
    """One resource as the rules see it."""

    urn: str
    type: str
    name: str
    props: Mapping[str, Any] = field(repr=False)
    """Inputs (components: registered outputs) with secrets unwrapped; unknowns are UNKNOWN."""
    protect: bool
    retain_on_delete: bool | None
    """None: the source cannot tell (pulumi-policy never receives this option)."""
    stack: str
    secret_paths: frozenset[PropPath] | None
    """Property paths whose value arrived as a secret; None: the source cannot tell which values are secret."""

    @property
    def kind(self) -> str | None:
        """``D1Database`` for ``cloudflare:index/d1Database:D1Database``; None for anything not Cloudflare."""
        return self.type.rsplit(":", 1)[-1] if self.type.startswith("cloudflare:") else None

    @property
    def label(self) -> str:
        return f"{short_type(self.type)}/{self.name}"

    def is_secret(self, *path: str | int) -> bool | None:
        """Whether the value at ``path`` is secret (inside a secret envelope); None if unknowable."""
        if self.secret_paths is None:
            return None
        return any(path[:depth] in self.secret_paths for depth in range(len(path) + 1))


class RecordedRegistration(Protocol):
    """The parts of ``plan.engine.Registration`` the adapter reads (kept structural: no plan import)."""

    @property
    def urn(self) -> str: ...
    @property
    def type(self) -> str: ...
    @property
    def name(self) -> str: ...
    @property
    def custom(self) -> bool: ...
    @property
    def wire_inputs(self) -> dict[str, Any]: ...
    @property
    def outputs(self) -> dict[str, Any]: ...
    @property
    def protect(self) -> bool: ...
    @property
    def retain_on_delete(self) -> bool: ...


def unwrap(value: Any, path: PropPath, secret_paths: set[PropPath]) -> Any:
    """``value`` with every secret envelope replaced by its content; envelope paths go to ``secret_paths``."""
    if isinstance(value, Mapping) and value.get(SECRET_SIG_KEY) == SECRET_SIG:
        secret_paths.add(path)
        return unwrap(value.get("value"), path, secret_paths)
    if isinstance(value, Mapping):
        return {key: unwrap(item, (*path, key), secret_paths) for key, item in value.items()}
    if isinstance(value, list):
        return [unwrap(item, (*path, index), secret_paths) for index, item in enumerate(value)]
    return value


def from_registration(registration: RecordedRegistration, stack: str) -> PolicyResource:
    """The rules' view of a registration recorded by ``plan.engine`` (engine-internal ``__`` keys dropped)."""
    secret_paths: set[PropPath] = set()
    sent = registration.wire_inputs if registration.custom else registration.outputs
    props = {key: unwrap(value, (key,), secret_paths) for key, value in sent.items() if not key.startswith("__")}
    return PolicyResource(
        urn=registration.urn,
        type=registration.type,
        name=registration.name,
        props=props,
        protect=registration.protect,
        retain_on_delete=registration.retain_on_delete,
        stack=stack,
        secret_paths=frozenset(secret_paths),
    )


def known_str(value: Any) -> str | None:
    """``value`` if it is a known string (not unknown during a preview, not another type)."""
    return value if isinstance(value, str) else None


def bindings_of(resource: PolicyResource) -> Iterator[tuple[int, Mapping[str, Any]]]:
    """(index, binding) for each binding of a Worker script."""
    bindings = resource.props.get("bindings")
    if isinstance(bindings, Sequence) and not isinstance(bindings, str):
        for index, binding in enumerate(bindings):
            if isinstance(binding, Mapping):
                yield index, binding
