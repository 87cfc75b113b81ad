"""Rule files: YAML loading with positions, validation against the declarative format, lexicons.

``load_rule_files(path)`` gives a :class:`RuleSet` for the pattern compiler; every problem
in the files is raised together as one :class:`eventx.errors.RuleError`.
"""

from eventx.rules.loader import load_rule_files
from eventx.rules.model import Example, Lexicon, LexiconEntry, Pos, Rule, RuleSet, SourceText
from eventx.rules.schema import rule_file_json_schema

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
