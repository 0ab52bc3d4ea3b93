"""One declaration per resource: its Args dataclass, from which everything else is derived.

Each resource module declares a frozen ``…Args`` dataclass whose fields are made with `prop` (an input)
or `output` (reported back by Infisical, never an input). `Schema.of` reads that dataclass once and gives
the provider its check (types, required, rules), defaults, diff (replace, computed, normal forms) and
secret handling, and gives the resource class its property bag and secret outputs. Nothing about a
property is written anywhere else. Validation reasons never quote the value (it might be a secret); they
say what is expected.
"""

from __future__ import annotations

import copy
import dataclasses
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import pulumi
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
_METADATA_KEY = "infisical"


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


def prop(
    *,
    required: bool = False,
    default: Any = None,
    secret: bool = False,
    replace: bool = False,
    computed: bool = False,
    validate: Validator | None = None,
    compare: Callable[[Any], Any] | None = None,
) -> Any:
    """An input property of an Args dataclass. ``required`` inputs have no dataclass default.

    ``default`` is what the provider fills in when the input is omitted (the dataclass default stays None,
    so the program never sends a default it did not choose).
    """
    spec = {
        "required": required,
        "default": default,
        "secret": secret,
        "replace": replace,
        "computed": computed,
        "validate": validate,
        "compare": compare,
    }
    if required:
        return dataclasses.field(metadata={_METADATA_KEY: spec})
    return dataclasses.field(default=None, metadata={_METADATA_KEY: spec})


def output(*, secret: bool = False) -> Any:
    """A property Infisical reports back; not a constructor argument of the Args dataclass."""
    return dataclasses.field(default=None, init=False, metadata={_METADATA_KEY: {"output": True, "secret": secret}})


_KINDS: dict[str, type] = {
    "str": str,
    "int": int,
    "bool": bool,
    "dict": dict,
    "Mapping": dict,
    "list": list,
    "Sequence": list,
}


def _kind(annotation: Any) -> type:
    """The JSON kind of an annotation such as ``pulumi.Input[int] | None``: its first named type.

    Declarations use postponed annotations (strings); evaluating ``pulumi.Input`` would need pulumi's
    private type variables, and the first name is all the kind needs.
    """
    text = annotation if isinstance(annotation, str) else getattr(annotation, "__name__", "")
    match = re.match(r"\w+", text.removeprefix("pulumi.Input["))
    kind = _KINDS.get(match.group() if match else "")
    if kind is None:
        raise TypeError(f"unsupported property annotation {text!r}")
    return kind


class Schema:
    def __init__(self, *fields: Field) -> None:
        self.fields: dict[str, Field] = {f.name: f for f in fields}

    @classmethod
    def of(cls, args_type: type) -> Schema:
        """The schema declared by an Args dataclass made of `prop` and `output` fields."""
        fields = []
        for declared in dataclasses.fields(args_type):
            spec = declared.metadata.get(_METADATA_KEY)
            if spec is None:
                raise TypeError(f"{args_type.__name__}.{declared.name} must be declared with prop() or output()")
            fields.append(Field(declared.name, _kind(declared.type), **spec))
        return cls(*fields)

    @property
    def inputs(self) -> list[Field]:
        return [f for f in self.fields.values() if not f.output]

    @property
    def secret_names(self) -> list[str]:
        return [f.name for f in self.fields.values() if f.secret]

    @property
    def replace_names(self) -> list[str]:
        return [f.name for f in self.inputs if f.replace]

    # -- for the resource class, at construction ----

    def props(self, args: Any) -> dict[str, Any]:
        """The property bag to register: every field (outputs as None), secret inputs wrapped as secrets.

        Wrapping at construction keeps a secret input encrypted in state from the very first deployment.
        """
        if not dataclasses.is_dataclass(args) or isinstance(args, type):
            raise TypeError(f"expected an Args dataclass instance, got {type(args).__name__}")
        bag: dict[str, Any] = {name: getattr(args, name) for name in self.fields}
        for name in self.secret_names:
            if bag[name] is not None:
                bag[name] = pulumi.Output.secret(bag[name])
        return bag

    def options(self, opts: pulumi.ResourceOptions | None) -> pulumi.ResourceOptions | None:
        """The caller's options, with the secret properties added to ``additional_secret_outputs``."""
        if not self.secret_names:
            return opts
        merged = pulumi.ResourceOptions.merge(opts, pulumi.ResourceOptions(additional_secret_outputs=self.secret_names))
        merged.additional_secret_outputs = list(dict.fromkeys(merged.additional_secret_outputs or []))
        return merged

    # -- for the provider ----

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
