"""Read a ``Pulumi.<stack>.yaml`` file as the Pulumi CLI would, refusing what it cannot hand to a program.

One reader for every place that opens a stack file itself: the credential-free plan (``plan/stack_files.py``)
and the layout check, which reads the other stages' files (``components/rules/stage_layout.py``). Every
refusal is a :class:`StackFileError` naming the file and line, never a traceback:

* bytes that are not UTF-8 (the line of the first bad byte);
* a duplicate mapping key (a plain YAML load silently keeps the last one);
* aliases that expand to more than :data:`MAX_ALIAS_NODES` nodes: a "billion laughs" file is a few lines that
  expand to billions of values, and it stops here, while composing, instead of exhausting memory later;
* a document that is not a mapping, a ``config:`` that is not a mapping of ``<namespace>:<key>`` strings, or a
  value JSON cannot carry (``!!binary``, ``!!set``).

Timestamps stay the text they were written as (``2025-06-01``): the Pulumi CLI hands every config value to
the program as text or JSON, never as a date.

Pure: PyYAML and the standard library only, so the policy pack can import it.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import yaml

MAX_ALIAS_NODES = 10_000
"""How many nodes all the aliases of one file may expand to together; stack files use a handful, if any."""


class StackFileError(ValueError):
    """A stack file the program cannot be handed: ``where`` is ``<file>`` or ``<file>:<line>``."""

    def __init__(self, where: str, message: str) -> None:
        self.where = where
        self.message = message
        super().__init__(f"{where}: {message}")


class _Loader(yaml.SafeLoader):
    """SafeLoader that refuses duplicate keys, bounds what aliases expand to, and keeps timestamps as text."""

    def __init__(self, stream: str) -> None:
        super().__init__(stream)
        self.expanded = 0
        self.sizes: dict[int, int] = {}
        self.complete: set[int] = set()

    def compose_node(self, parent: yaml.Node | None, index: Any) -> yaml.Node | None:
        if not self.check_event(yaml.AliasEvent):
            node = super().compose_node(parent, index)
            self.complete.add(id(node))
            return node
        event = self.peek_event()
        target = self.anchors.get(event.anchor)
        if target is not None and id(target) not in self.complete:
            message = f"alias *{event.anchor} inside its own anchor: a value cannot contain itself"
            raise yaml.composer.ComposerError(None, None, message, event.start_mark)
        if target is not None:
            self.expanded += self._size(target)
            if self.expanded > MAX_ALIAS_NODES:
                raise yaml.composer.ComposerError(
                    None,
                    None,
                    f"aliases expand to more than {MAX_ALIAS_NODES} values (an alias bomb?); write the values out",
                    event.start_mark,
                )
        return super().compose_node(parent, index)

    def _size(self, node: yaml.Node) -> int:
        """The number of nodes ``node`` stands for once every alias inside it is expanded (memoised)."""
        known = self.sizes.get(id(node))
        if known is not None:
            return known
        if isinstance(node, yaml.MappingNode):
            size = 1 + sum(self._size(key) + self._size(value) for key, value in node.value)
        elif isinstance(node, yaml.SequenceNode):
            size = 1 + sum(self._size(item) for item in node.value)
        else:
            size = 1
        self.sizes[id(node)] = size
        return size


def _construct_mapping(loader: _Loader, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
    seen: set[Any] = set()
    for key_node, _ in node.value:
        key = loader.construct_object(key_node, deep=deep)
        if key in seen:
            raise yaml.constructor.ConstructorError(None, None, f"duplicate key {key!r}", key_node.start_mark)
        seen.add(key)
    return loader.construct_mapping(node, deep=deep)


def _construct_timestamp(loader: _Loader, node: yaml.ScalarNode) -> str:
    return str(loader.construct_scalar(node))


_Loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)
_Loader.add_constructor("tag:yaml.org,2002:timestamp", _construct_timestamp)


def read_yaml(path: Path) -> tuple[Any, yaml.Node | None]:
    """The file's one document and its node (for line numbers), or a located :class:`StackFileError`."""
    try:
        text = path.read_bytes().decode("utf-8")
    except UnicodeDecodeError as error:
        data = path.read_bytes()
        line = data[: error.start].count(b"\n") + 1
        raise StackFileError(f"{path.name}:{line}", f"not UTF-8 text (byte 0x{data[error.start]:02x})") from None
    except OSError as error:
        raise StackFileError(path.name, f"cannot be read ({error.strerror})") from None
    loader = _Loader(text)
    try:
        node = loader.get_single_node()
        return (loader.construct_document(node) if node is not None else None), node
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None) or getattr(error, "context_mark", None)
        where = f"{path.name}:{mark.line + 1}" if mark else path.name
        problem = getattr(error, "problem", None) or getattr(error, "context", None) or "invalid YAML"
        raise StackFileError(where, str(problem)) from None
    finally:
        loader.dispose()


def read_config(path: Path) -> dict[str, Any]:
    """The ``config:`` mapping of a stack file (``{}`` when it has none), checked as described above."""
    document, node = read_yaml(path)
    if document is None:
        return {}
    if not isinstance(document, dict):
        raise StackFileError(_at(path, node), f"a stack file is a mapping with a config: key, not {_kind(document)}")
    config = document.get("config")
    config_node = _value_node(node, "config")
    if config is None:
        return {}
    if not isinstance(config, dict):
        raise StackFileError(
            _at(path, config_node), f"config: must map <namespace>:<key> to values, not be {_kind(config)}"
        )
    for key, value in config.items():
        at = _at(path, _value_node(config_node, key))
        if not isinstance(key, str) or ":" not in key:
            raise StackFileError(at, f"config key {key!r} is not of the form <namespace>:<key>")
        try:
            json.dumps(value)
        except (TypeError, ValueError):
            raise StackFileError(at, f"{key}: a value JSON cannot carry (such as !!binary or !!set)") from None
    return config


def _kind(value: Any) -> str:
    return "a list" if isinstance(value, list) else f"a {type(value).__name__}"


def _at(path: Path, node: yaml.Node | None) -> str:
    return f"{path.name}:{node.start_mark.line + 1}" if node is not None else path.name


def _value_node(node: yaml.Node | None, key: Any) -> yaml.Node | None:
    if isinstance(node, yaml.MappingNode):
        for key_node, value_node in node.value:
            if isinstance(key_node, yaml.ScalarNode) and key_node.value == str(key):
                return value_node
    return None
