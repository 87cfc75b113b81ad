"""Catalogue of rule-loading diagnostic codes (E1xx errors, W1xx load warnings).

Each constant is the code string; :data:`CATALOGUE` maps every code to a one-line
description for docs and ``eventx check --explain``-style listings. Tests assert on codes.
"""

from __future__ import annotations

CATALOGUE: dict[str, str] = {}


def _code(code: str, description: str) -> str:
    CATALOGUE[code] = description
    return code


YAML_SYNTAX = _code("E100", "the file is not well-formed YAML")
TAB_INDENT = _code("E101", "tab character where YAML needs spaces (indentation)")
DUPLICATE_KEY = _code("E102", "the same key appears twice in one mapping")
UNKNOWN_KEY = _code("E103", "a key the rule file format does not define (often a typo)")
MISSING_KEY = _code("E104", "a required key is missing")
WRONG_TYPE = _code("E105", "a value of the wrong type (string, integer, list, mapping ...)")
NULL_VALUE = _code("E106", "a key with no value (null)")
BAD_NAME = _code("E107", "an identifier (rule id, event type, lexicon/var/role name) with a bad format")
BAD_CHOICE = _code("E108", "a value outside its fixed set of choices (modality, norm, case)")
EMPTY_VALUE = _code("E109", "an empty pattern, var, phrase or path")
DUPLICATE_ID = _code("E110", "two rules share one id")
DUPLICATE_DEF = _code("E111", "a lexicon, mention label or var defined twice where one file sees both")
FILE_NOT_FOUND = _code("E112", "an import, lexicon file or rule path that does not exist or cannot be read")
OUTSIDE_ROOT = _code("E113", "an import or lexicon path leading outside the rule root")
NOT_UTF8 = _code("E114", "a rule or lexicon file that is not valid UTF-8")
BAD_ENTRY = _code("E115", "a malformed lexicon entry (e.g. 'phrase =>' without a norm)")
NO_RULE_FILES = _code("E116", "a rule directory without any *.yml/*.yaml file")
RECURSIVE_ALIAS = _code("E117", "a YAML alias that contains itself")
NAME_CLASH = _code("E118", "a name defined both as a lexicon and as a mention label where one file sees both")
LEXICON_TOO_LARGE = _code("E119", "a lexicon file over the size limit (5 MB)")
DUPLICATE_ENTRY = _code("W150", "a lexicon lists the same phrase twice (the later one is ignored)")
EMPTY_LEXICON = _code("W151", "a lexicon without any entry (it can never match)")
