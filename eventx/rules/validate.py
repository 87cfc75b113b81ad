"""Check a composed YAML node tree against the declarative format in :mod:`eventx.rules.schema`.

The validator never stops at the first problem: it records a diagnostic, drops the bad
part and carries on, so one run reports everything. What passes comes back as a
:class:`Value` tree that still holds the YAML nodes, for positions.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Iterator, cast

import yaml
from yaml.constructor import SafeConstructor

from eventx.errors import Diagnostic, did_you_mean
from eventx import codes
from eventx.rules.schema import Boolean, Integer, ListOf, MapOf, OneOf, Record, Spec, Text
from eventx.rules.yamlpos import YamlSource

_TAG = "tag:yaml.org,2002:"
_KIND_NAMES = {"str": "string", "int": "integer", "float": "number", "bool": "boolean", "null": "null",
               "timestamp": "date", "binary": "binary data", "seq": "list", "map": "mapping",
               "set": "set", "omap": "ordered mapping", "pairs": "pairs"}
_NODE_KINDS = {Text: yaml.ScalarNode, Integer: yaml.ScalarNode, Boolean: yaml.ScalarNode,
               ListOf: yaml.SequenceNode, Record: yaml.MappingNode, MapOf: yaml.MappingNode}
_BOOLEANS: dict[str, bool] = SafeConstructor.bool_values


def _as_int(node: yaml.ScalarNode) -> int | None:
    """The integer an int-tagged scalar stands for (YAML 1.1 forms: 0x1f, 1_000 ...), else None."""
    if node.tag != _TAG + "int":
        return None
    try:
        number = yaml.safe_load(node.value)
    except yaml.YAMLError:
        return None
    return number if isinstance(number, int) and not isinstance(number, bool) else None


@dataclass(frozen=True, slots=True)
class Value:
    """A validated value: ``data`` is str, int, bool, list[Value] or dict[str, Value]."""

    data: Any
    node: yaml.Node
    key: yaml.Node | None = None  # the key node when this is a mapping value


def quoted_suggestion(name: str, candidates: Any) -> str:
    """``did_you_mean`` with the suggestion quoted like the name it corrects."""
    hint = did_you_mean(name, candidates)
    return hint.replace("(did you mean ", "(did you mean '").replace("?)", "'?)") if hint else ""


def kind_of(node: yaml.Node) -> str:
    """What a YAML node is, in words ('string', 'list', ...)."""
    if node.tag.startswith(_TAG):
        return _KIND_NAMES.get(node.tag[len(_TAG):], node.tag)
    return f"value tagged {node.tag}"


class Validator:
    """Validates the nodes of one file, appending diagnostics to ``sink``."""

    def __init__(self, source: YamlSource, sink: list[Diagnostic]):
        self.source = source
        self.sink = sink
        self._active: set[int] = set()  # nodes being checked: an alias cycle revisits one
        self._done: dict[tuple[int, int], Value | None] = {}  # aliases share nodes: check once

    def check(self, spec: Spec, node: yaml.Node, label: str, key: yaml.Node | None = None) -> Value | None:
        """Validate ``node`` against ``spec``; ``None`` when it is unusable (already reported)."""
        memo = (id(node), id(spec))
        if memo in self._done:
            return self._done[memo]
        if id(node) in self._active:
            self._error(node, codes.RECURSIVE_ALIAS, f"{label} contains itself through a YAML alias")
            return None
        self._active.add(id(node))
        try:
            value = self._check(spec, node, label, key)
        finally:
            self._active.discard(id(node))
        self._done[memo] = value
        return value

    def _check(self, spec: Spec, node: yaml.Node, label: str, key: yaml.Node | None) -> Value | None:
        if node.tag == _TAG + "null":
            hint = " (give it a value or remove the key)" if key is not None else ""
            self._error(node, codes.NULL_VALUE, f"{label} is null{hint}")
            return None
        if isinstance(spec, OneOf):
            for option in spec.options:
                if isinstance(node, _NODE_KINDS[type(option)]):
                    return self._check(option, node, label, key)
            return self._wrong_type(node, label, spec.what)
        if not isinstance(node, _NODE_KINDS[type(spec)]):
            return self._wrong_type(node, label, spec.what)
        if isinstance(spec, (Text, Integer, Boolean)):
            return self._scalar(spec, cast(yaml.ScalarNode, node), label, key)
        if isinstance(spec, ListOf):
            item_label = spec.item_label or f"an item of {label}"
            items = (self.check(spec.items, item, item_label) for item in node.value)
            return Value([item for item in items if item is not None], node, key)
        mapping = cast(yaml.MappingNode, node)
        if isinstance(spec, MapOf):
            return self._map_of(spec, mapping, label, key)
        return self._record(spec, mapping, key)

    def _scalar(self, spec: Text | Integer | Boolean, node: yaml.ScalarNode, label: str, key: yaml.Node | None) -> Value | None:
        if isinstance(spec, Text):
            return self._text(spec, node, label, key)
        if isinstance(spec, Integer):
            number = _as_int(node)
            return self._wrong_type(node, label, spec.what) if number is None else Value(number, node, key)
        flag = _BOOLEANS.get(node.value.lower()) if node.tag == _TAG + "bool" else None
        return self._wrong_type(node, label, spec.what) if flag is None else Value(flag, node, key)

    def _text(
        self, spec: Text, node: yaml.ScalarNode, label: str, key: yaml.Node | None, *, naming: bool = False
    ) -> Value | None:
        """A string (``naming``: a mapping key that names something, like a lexicon)."""
        if node.tag != _TAG + "str" and not (spec.any_scalar and node.tag.startswith(_TAG)):
            return self._wrong_type(node, label, spec.what)
        text = node.value
        if spec.enum and text not in spec.enum:
            hint = quoted_suggestion(text, spec.enum)
            self._error(node, codes.BAD_CHOICE,
                        f"{label} must be one of {', '.join(spec.enum)}, got '{text}'{hint}")
            return None
        if spec.pattern and not re.search(spec.pattern, text):
            if not text.strip():
                self._error(node, codes.EMPTY_VALUE, f"{label} is empty")
            else:
                what = label if naming else f"{label} value"
                self._error(node, codes.BAD_NAME, f"invalid {what} '{text}': {spec.pattern_hint}")
            return None
        return Value(text, node, key)

    def _map_of(self, spec: MapOf, node: yaml.MappingNode, label: str, key: yaml.Node | None) -> Value:
        out: dict[str, Value] = {}
        for key_node, value_node in self._pairs(node):
            name = self._text(spec.keys, key_node, spec.key_noun, None, naming=True)
            if name is None:
                continue
            value = self.check(spec.values, value_node, f"{spec.value_noun} '{name.data}'", key_node)
            if value is not None:
                out[name.data] = value
        return Value(out, node, key)

    def _record(self, spec: Record, node: yaml.MappingNode, key: yaml.Node | None) -> Value:
        out: dict[str, Value] = {}
        for key_node, value_node in self._pairs(node):
            name = key_node.value
            field = spec.fields.get(name)
            if field is None:
                hint = quoted_suggestion(name, spec.fields) or f" (allowed: {', '.join(spec.fields)})"
                self._error(key_node, codes.UNKNOWN_KEY, f"unknown key '{name}' in {spec.noun}{hint}")
                continue
            value = self.check(field.spec, value_node, f"'{name}'", key_node)
            if value is not None:
                out[name] = value
        present = {k.value for k, _ in node.value if isinstance(k, yaml.ScalarNode)}
        for name, field in spec.fields.items():
            if field.required and name not in present:
                message = f"missing required key '{name}' in {spec.noun}{field.hint}"
                self._error(node, codes.MISSING_KEY, message)
        if spec.require_any and not present.intersection(spec.require_any):
            keys = " or ".join(f"'{k}'" for k in spec.require_any)
            self._error(node, codes.MISSING_KEY, f"missing key {keys} in {spec.noun}")
        return Value(out, node, key)

    def _pairs(self, node: yaml.MappingNode) -> Iterator[tuple[yaml.ScalarNode, yaml.Node]]:
        """The key/value pairs of a mapping with scalar keys, reporting duplicates and odd keys."""
        first: dict[str, int] = {}  # key -> line
        for key_node, value_node in node.value:
            if not isinstance(key_node, yaml.ScalarNode):
                message = f"a key must be a plain name, got {kind_of(key_node)}"
                self._error(key_node, codes.WRONG_TYPE, message)
                continue
            if key_node.value in first:
                self._error(key_node, codes.DUPLICATE_KEY,
                            f"duplicate key '{key_node.value}' (first at line {first[key_node.value]})")
                continue
            first[key_node.value] = key_node.start_mark.line + 1
            yield key_node, value_node

    def _wrong_type(self, node: yaml.Node, label: str, expected: str) -> Value | None:
        """Report a value of the wrong kind; None (no value), for ``return self._wrong_type(...)``."""
        self._error(node, codes.WRONG_TYPE, f"{label} must be {expected}, got {kind_of(node)}")
        return None

    def _error(self, node: yaml.Node, code: str, message: str) -> None:
        self.sink.append(self.source.pos(node).diagnostic(code, message))
