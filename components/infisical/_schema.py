"""Declarative description of a resource's properties, from which check and diff are derived.

Each provider lists its properties once: type, default, whether a change means a new Infisical object,
whether the server fills it in when omitted, how to compare it. Validation reasons never quote the value
(it might be a secret); they say what is expected.
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from pulumi.dynamic import CheckFailure

from ._props import contains_unknown, is_secret, is_unknown, wrap_secret

Validator = Callable[[Any], str | None]

_TYPE_NAMES: dict[type, str] = {
    str: "a string",
    int: "an integer",
    bool: "a boolean",
    dict: "a map",
    list: "a list",
}


@dataclass(frozen=True)
class Field:
    """One property of a dynamic resource.

    ``replace``: a change needs a new Infisical object. ``computed``: Infisical chooses the value when the
    input is omitted, so omitting it is not a change. ``output``: never an input, only reported back.
    ``compare`` maps a value to the form Infisical stores, so diffs ignore differences Infisical erases.
    """

    name: str
    kind: type = str
    required: bool = False
    default: Any = None
    secret: bool = False
    replace: bool = False
    computed: bool = False
    output: bool = False
    validate: Validator | None = None
    compare: Callable[[Any], Any] | None = None

    def normal(self, value: Any) -> Any:
        if self.compare is None:
            return value
        return self.compare(value)

    def type_error(self, value: Any) -> str | None:
        if self.kind is int:
            ok = isinstance(value, int) and not isinstance(value, bool)
        else:
            ok = isinstance(value, self.kind)
        return None if ok else f"must be {_TYPE_NAMES.get(self.kind, self.kind.__name__)}"


class Schema:
    def __init__(self, *fields: Field) -> None:
        self.fields: dict[str, Field] = {f.name: f for f in fields}

    @property
    def inputs(self) -> list[Field]:
        return [f for f in self.fields.values() if not f.output]

    @property
    def secret_names(self) -> list[str]:
        return [f.name for f in self.fields.values() if f.secret]

    @property
    def replace_names(self) -> list[str]:
        return [f.name for f in self.inputs if f.replace]

    def with_defaults(self, props: Mapping[str, Any]) -> dict[str, Any]:
        """Inputs with defaults filled in and whole floats turned back into ints; outputs dropped."""
        result: dict[str, Any] = {}
        for f in self.inputs:
            value = props.get(f.name)
            if value is None and f.default is not None:
                value = copy.deepcopy(f.default)
            if f.kind is int and isinstance(value, float) and value.is_integer():
                value = int(value)
            if value is not None:
                result[f.name] = value
        return result

    def validate(self, inputs: Mapping[str, Any]) -> list[CheckFailure]:
        failures: list[CheckFailure] = []
        for f in self.inputs:
            value = inputs.get(f.name)
            if contains_unknown(value):
                continue
            if value is None:
                if f.required:
                    failures.append(CheckFailure(f.name, "is required"))
                continue
            reason = f.type_error(value)
            if reason is None and f.validate is not None:
                reason = f.validate(value)
            if reason is not None:
                failures.append(CheckFailure(f.name, reason))
        return failures

    def rewrap(self, inputs: Mapping[str, Any], original: Mapping[str, Any]) -> dict[str, Any]:
        """Inputs to hand back to the engine: a value that arrived as a secret leaves as a secret."""
        result = dict(inputs)
        for name, value in result.items():
            if is_secret(original.get(name)) or (name in self.secret_names and not is_unknown(value)):
                result[name] = wrap_secret(value)
        return result

    def outputs(self, values: Mapping[str, Any]) -> dict[str, Any]:
        """Outputs for the engine: known properties only, secret ones wrapped as secrets."""
        result: dict[str, Any] = {}
        for name, f in self.fields.items():
            if name in values and values[name] is not None:
                result[name] = wrap_secret(values[name]) if f.secret else values[name]
        return result

    def input_view(self, values: Mapping[str, Any]) -> dict[str, Any]:
        """The subset of ``values`` that are inputs (what `pulumi import` should see as the program's)."""
        return {f.name: values[f.name] for f in self.inputs if values.get(f.name) is not None}

    def changes(self, olds: Mapping[str, Any], news: Mapping[str, Any]) -> list[str]:
        """Input names whose new value differs from the old one, in Infisical's normal form."""
        changed: list[str] = []
        for f in self.inputs:
            new, old = news.get(f.name), olds.get(f.name)
            if contains_unknown(new):
                changed.append(f.name)
            elif new is None and (f.computed or old is None):
                continue
            elif f.normal(new) != f.normal(old):
                changed.append(f.name)
        return changed
