"""Rule files: YAML loading with positions, validation against the declarative format, lexicons.

``load_rule_files(path)`` gives a :class:`RuleSet` for the pattern compiler; every problem
in the files is raised together as one :class:`eventx.errors.RuleError`.

The loader (and YAML, and the format's schema) is imported on first use: a pack read back from
the cache (:mod:`eventx.cache`) needs only the model classes.
"""

from typing import TYPE_CHECKING, Any

from eventx.rules.model import Example, Lexicon, LexiconEntry, Pos, Rule, RuleSet, SourceText

if TYPE_CHECKING:
    from eventx.rules.loader import load_rule_files
    from eventx.rules.schema import rule_file_json_schema

_LAZY = {"load_rule_files": "eventx.rules.loader", "rule_file_json_schema": "eventx.rules.schema"}

__all__ = [
    "Example",
    "Lexicon",
    "LexiconEntry",
    "Pos",
    "Rule",
    "RuleSet",
    "SourceText",
    "load_rule_files",
    "rule_file_json_schema",
]


def __getattr__(name: str) -> Any:
    if name not in _LAZY:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    import importlib

    value = getattr(importlib.import_module(_LAZY[name]), name)
    globals()[name] = value
    return value
