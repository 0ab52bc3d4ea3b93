"""The shared shape of every Infisical dynamic provider.

A provider instance is pickled by dill into Pulumi state (the ``__provider`` property), so it holds nothing:
no client, no token, no configuration. Every operation builds its client from the environment when it
runs. Subclasses declare a `Schema` and implement ``_create``/``_read``/``_update``/``_delete`` on plain
dictionaries; this base class turns the engine's property bags into those dictionaries and back, derives
``check`` and ``diff`` from the schema (``diff`` never calls Infisical), treats 404 on delete as done, and
offers `_create_or_recover` so a lost create response never leaves an untracked duplicate.

Adoption: a resource that declares the ``adopted`` output (and the ``adopt_existing`` input) takes over an
object that already exists under its natural key instead of failing, via `_create_or_adopt`. State then
records ``adopted: true``; the stack never modifies what Infisical owns of it (``adopted_keeps``) and
never deletes it, so an adopted environment survives ``pulumi destroy`` with the secrets people put in it.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from typing import Any, ClassVar, TypeVar

from pulumi.dynamic import (
    CheckFailure,
    CheckResult,
    CreateResult,
    DiffResult,
    ReadResult,
    ResourceProvider,
    UpdateResult,
)

from ._props import PROVIDER_KEY, contains_unknown, plain, unwrap
from ._schema import Schema
from .client import InfisicalClient
from .errors import (
    InfisicalAlreadyExistsError,
    InfisicalCreateFailedError,
    InfisicalCreateUncertainError,
    InfisicalNotFoundError,
    InfisicalRequestError,
)

_log = logging.getLogger(__name__)

T = TypeVar("T")
Outputs = dict[str, Any]

ADOPTED = "adopted"
"""Output: True when the stack found the object in Infisical and took it over, False when it created it."""
ADOPT_EXISTING = "adopt_existing"
"""Input: take over an object that already exists under the natural key instead of failing (default True)."""


class InfisicalProvider(ResourceProvider):
    """Base of the Infisical providers; see the module docstring for the contract."""

    # Nothing secret is ever captured, so the pickled provider need not be a Pulumi secret.
    serialize_as_secret_always = False

    kind: ClassVar[str] = "object"
    schema: ClassVar[Schema]
    # Inputs that name the object uniquely inside Infisical; equal keys on a replacement would collide.
    natural_key: ClassVar[tuple[str, ...]] = ()
    # Outputs that never change once the object exists.
    stable_outputs: ClassVar[tuple[str, ...]] = ()
    # Inputs only the provider reads (e.g. at delete time): changing only these needs no call to Infisical.
    local_only: ClassVar[frozenset[str]] = frozenset({ADOPT_EXISTING})
    # Inputs that stay as Infisical has them once the object is adopted (never sent, never a diff).
    adopted_keeps: ClassVar[tuple[str, ...]] = ()

    # -- engine entry points ----

    def check(self, _olds: dict[str, Any], news: dict[str, Any]) -> CheckResult:
        incoming = {key: value for key, value in news.items() if key != PROVIDER_KEY}
        inputs = self.schema.with_defaults({key: unwrap(value) for key, value in incoming.items()})
        failures = self.schema.validate(inputs)
        if not failures:
            failures = self._validate(inputs)
        return CheckResult(self.schema.rewrap(inputs, incoming), failures)

    def diff(self, _id: str, olds: dict[str, Any], news: dict[str, Any]) -> DiffResult:
        old = plain(olds)
        new = self.schema.with_defaults(plain(news))
        changed = self._changes(old, new)
        replaces = self._replacements(old, new, changed)
        stables = None if replaces else [*self.schema.replace_names, *self.stable_outputs]
        return DiffResult(
            changes=bool(changed),
            replaces=replaces,
            stables=stables,
            delete_before_replace=bool(replaces) and self._would_collide(old, new),
        )

    def create(self, props: dict[str, Any]) -> CreateResult:
        inputs = self.schema.with_defaults(plain(props))
        with self._client() as client:
            id_, outs = self._create(client, inputs)
        return CreateResult(id_, self.schema.outputs(self._carry_local(outs, inputs)))

    def read(self, id_: str, props: dict[str, Any]) -> ReadResult:
        current = plain(props)
        with self._client() as client:
            found = self._read(client, id_, current)
        if found is None:
            return ReadResult(None, {})
        found_id, outs = found
        outs = self._carry_local(outs, current)
        return ReadResult(found_id, self.schema.outputs(outs), self.schema.rewrap(self.schema.input_view(outs), {}))

    def update(self, id_: str, olds: dict[str, Any], news: dict[str, Any]) -> UpdateResult:
        old = plain(olds)
        new = self.schema.with_defaults(plain(news))
        changed = self._changes(old, new)
        if (changed and set(changed) <= self.local_only) or old.get(ADOPTED) is True:
            # Nothing Infisical holds changes (an adopted object's own properties are never sent).
            kept = {name: old[name] for name in self.adopted_keeps if old.get(ADOPTED) is True and name in old}
            return UpdateResult(self.schema.outputs({**old, **new, **kept}))
        with self._client() as client:
            outs = self._update(client, id_, old, new)
        return UpdateResult(self.schema.outputs(self._carry_local(outs, old)))

    def delete(self, id_: str, props: dict[str, Any]) -> None:
        current = plain(props)
        if current.get(ADOPTED) is True:
            _log.info("Infisical %s %s was adopted, not created, by this stack: left in place", self.kind, id_)
            return
        with self._client() as client:
            try:
                self._delete(client, id_, current)
            except InfisicalNotFoundError:
                _log.info("Infisical %s was already deleted", self.kind)

    # -- for subclasses ----

    def _client(self) -> InfisicalClient:
        """A fresh client from the environment: credentials are read now, never stored in the provider."""
        return InfisicalClient()

    def _validate(self, inputs: Mapping[str, Any]) -> list[CheckFailure]:
        """Rules across properties; single-property rules live in the schema."""
        return []

    def _changes(self, old: Mapping[str, Any], new: Mapping[str, Any]) -> list[str]:
        changed = self.schema.changes(old, new)
        if old.get(ADOPTED) is True:
            changed = [name for name in changed if name not in self.adopted_keeps]
        return changed

    def _replacements(self, old: Mapping[str, Any], new: Mapping[str, Any], changed: list[str]) -> list[str]:
        replace = set(self.schema.replace_names)
        if old.get(ADOPTED) is True:
            # Another natural key means another existing object: track that one instead.
            replace |= set(self.natural_key)
        return [name for name in changed if name in replace]

    def _would_collide(self, old: Mapping[str, Any], new: Mapping[str, Any]) -> bool:
        if not self.natural_key:
            return False
        for name in self.natural_key:
            field = self.schema.fields[name]
            value = new.get(name)
            if value is None or contains_unknown(value) or field.normal(value) != field.normal(old.get(name)):
                return False
        return True

    def _carry_local(self, outs: Outputs, known: Mapping[str, Any]) -> Outputs:
        """Outputs plus what only the state knows: local-only inputs, and ``adopted`` for resources with it."""
        carried = {name: known[name] for name in self.local_only if name in known and name not in outs}
        if ADOPTED in self.schema.fields and ADOPTED not in outs:
            carried[ADOPTED] = bool(known.get(ADOPTED, False))
        return {**outs, **carried}

    def _create(self, client: InfisicalClient, inputs: dict[str, Any]) -> tuple[str, Outputs]:
        raise NotImplementedError

    def _read(self, client: InfisicalClient, id_: str, props: dict[str, Any]) -> tuple[str, Outputs] | None:
        raise NotImplementedError

    def _update(self, client: InfisicalClient, id_: str, old: dict[str, Any], new: dict[str, Any]) -> Outputs:
        raise NotImplementedError

    def _delete(self, client: InfisicalClient, id_: str, props: dict[str, Any]) -> None:
        raise NotImplementedError

    def _create_or_recover(
        self,
        client: InfisicalClient,
        key: str,
        create: Callable[[], T],
        find: Callable[[], T | None] | None,
        explain: Callable[[InfisicalRequestError], str | None] | None = None,
    ) -> T:
        """Create once; if the outcome is unknown, look the object up by its natural key before retrying.

        ``find`` returns the object only when it is certainly the one this create asked for. Without a
        natural key (``find`` is None) an uncertain outcome is reported instead of risking a duplicate.
        When every attempt failed and every read back found nothing, nothing was created: that is
        `InfisicalCreateFailedError`, with ``explain``'s reading of the last failure when it has one.
        """
        uncertain: InfisicalRequestError | None = None
        for _ in range(client.max_attempts):
            try:
                return create()
            except InfisicalAlreadyExistsError:
                # After an uncertain attempt, "already exists" most likely means that attempt landed.
                found = find() if uncertain is not None and find is not None else None
                if found is None:
                    raise
                return found
            except InfisicalRequestError as error:
                if not error.may_have_succeeded:
                    raise
                if find is None:
                    raise InfisicalCreateUncertainError(self.kind, key, error) from None
                uncertain = error
                found = find()
                if found is not None:
                    _log.info("recovered Infisical %s %s after an uncertain create", self.kind, key)
                    return found
                _log.info("Infisical %s %s was not created; sending the create again", self.kind, key)
        assert uncertain is not None
        raise InfisicalCreateFailedError(self.kind, key, uncertain, explain(uncertain) if explain else None)

    def _create_or_adopt(
        self,
        client: InfisicalClient,
        inputs: Mapping[str, Any],
        key: str,
        *,
        create: Callable[[], T],
        find: Callable[[], T | None],
        existing: Callable[[], T | None],
    ) -> tuple[T, bool]:
        """`_create_or_recover`, then, when the object already existed before this create, adopt it.

        ``find`` finds the object only when it is certainly the one this create made; ``existing`` finds
        whatever object holds the natural key. Returns the object and whether it was adopted.
        """
        if inputs.get(ADOPT_EXISTING) is not False:
            found = existing()
            if found is not None:
                _log.info("adopting the existing Infisical %s %s", self.kind, key)
                return found, True
        try:
            return self._create_or_recover(client, key, create, find), False
        except InfisicalAlreadyExistsError:
            found = existing() if inputs.get(ADOPT_EXISTING) is not False else None
            if found is None:
                raise
            _log.info("adopting the existing Infisical %s %s", self.kind, key)
            return found, True


def found_or_none(call: Callable[[], T]) -> T | None:
    """The result of a lookup, or None when Infisical answers 404."""
    try:
        return call()
    except InfisicalNotFoundError:
        return None
