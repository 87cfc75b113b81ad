"""The catalogue of every diagnostic code eventx reports, in one place.

=====  =========================================================================
E1xx   loading rule files: YAML, the rule file schema, imports, lexicon files
W15x   loading warnings (the pack still loads)
E2xx   compiling patterns
E3xx   running: input documents, event logs, golden files, time and size limits
W35x   running warnings (the document is kept)
W4xx   ``eventx check`` lint warnings
=====  =========================================================================

Each constant is the code string (what :class:`~eventx.errors.Diagnostic` and error records
carry); :data:`CATALOGUE` maps it to an :class:`Entry` with a one-line summary and the
message template, so :func:`message` renders ``E304`` as "matching took longer than 1 s".
``docs/errors.md`` has a section with an example for every code; a test keeps the two in step.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True, slots=True)
class Entry:
    code: str
    summary: str  # what the problem is, in general
    template: str  # the message, with {fields} filled in by the place that reports it


CATALOGUE: dict[str, Entry] = {}


def _code(code: str, summary: str, template: str = "") -> str:
    if code in CATALOGUE:
        raise ValueError(f"code {code} defined twice")
    CATALOGUE[code] = Entry(code, summary, template or summary)
    return code


def message(code: str, **fields: Any) -> str:
    """The message of ``code`` with its fields filled in."""
    return CATALOGUE[code].template.format(**fields)


def severity(code: str) -> str:
    return "warning" if code.startswith("W") else "error"


# --- E1xx: loading rule files -----------------------------------------------------------------

YAML_SYNTAX = _code("E100", "the file is not well-formed YAML", "YAML syntax error: {problem}")
TAB_INDENT = _code("E101", "tab character where YAML needs spaces (indentation)", "tab character in indentation (YAML indents with spaces)")
DUPLICATE_KEY = _code("E102", "the same key appears twice in one mapping", "duplicate key {key!r} (first at line {line})")
UNKNOWN_KEY = _code("E103", "a key the rule file format does not define (often a typo)", "unknown key {key!r} in {noun}{hint}")
MISSING_KEY = _code("E104", "a required key is missing", "missing required key {key!r} in {noun}{hint}")
WRONG_TYPE = _code("E105", "a value of the wrong type (string, integer, list, mapping ...)", "{key!r} must be {what}, got {got}")
NULL_VALUE = _code("E106", "a key with no value (null)", "{what} {name!r} is null (give it a value or remove the key)")
BAD_NAME = _code("E107", "an identifier (rule id, event type, lexicon/var/role name) with a bad format", "invalid {key!r} value {value!r}: {hint}")
BAD_CHOICE = _code("E108", "a value outside its fixed set of choices (modality, norm, case, role kind)", "{key!r} must be one of {choices}, got {got!r}{hint}")
EMPTY_VALUE = _code("E109", "an empty pattern, var, phrase or path", "{what} {name!r} is empty")
DUPLICATE_ID = _code("E110", "two rules share one id", "duplicate rule id {name!r} (first defined at {first})")
DUPLICATE_DEF = _code("E111", "a lexicon, mention label, var or event type defined twice where one file sees both", "duplicate {kind} {name!r} (first defined at {first})")
FILE_NOT_FOUND = _code("E112", "an import, lexicon file or rule path that does not exist or cannot be read", "{what} {path!r} not found")
OUTSIDE_ROOT = _code("E113", "an import or lexicon path leading outside the rule root", "{what} {path!r} is outside the rule root")
NOT_UTF8 = _code("E114", "a rule or lexicon file that is not valid UTF-8", "{what} is not valid UTF-8 (byte 0x{byte})")
BAD_ENTRY = _code("E115", "a malformed lexicon entry (e.g. 'phrase =>' without a norm)", "lexicon entry {entry!r} has no norm after '=>'")
NO_RULE_FILES = _code("E116", "a rule directory without any *.yml/*.yaml file", "no rule files (*.yml, *.yaml) found")
RECURSIVE_ALIAS = _code("E117", "a YAML alias that contains itself", "a {noun} contains itself through a YAML alias")
LEXICON_TOO_LARGE = _code("E119", "a lexicon file over the size limit (5 MB)", "lexicon file is {size:,.1f} MB, over the limit of {limit:g} MB")
NAME_CLASH = _code("E118", "a name defined both as a lexicon and as a mention label where one file sees both", "{name!r} is both a lexicon and a mention label")
DUPLICATE_ENTRY = _code("W150", "a lexicon lists the same phrase twice (the later one is ignored)", "duplicate entry {phrase!r} in lexicon {name!r} is ignored (first at line {line})")
EMPTY_LEXICON = _code("W151", "a lexicon without any entry (it can never match)", "lexicon {name!r} has no entries")

# --- E2xx: compiling patterns -----------------------------------------------------------------

PATTERN_SYNTAX = _code("E201", "a pattern that does not parse (an unexpected character or group syntax)", "unexpected {found}: a pattern is made of [constraints], @lexicons, ${{vars}} and (groups)")
UNBALANCED = _code("E202", "an unbalanced bracket, parenthesis, quote or regex slash", "unbalanced {what}: {problem}")
BAD_QUANTIFIER = _code("E203", "a quantifier with nothing to repeat, a bad bound, or on an anchor or lookaround", "{problem}")
EMPTY_GROUP = _code("E204", "a group with nothing in it", "empty group")
BAD_CONSTRAINT = _code("E205", "a token constraint that is not field=value (unknown field, missing value)", "{problem}")
BAD_REGEX = _code("E206", "a /regex/ value that the regex engine rejects", "bad regex /{source}/ for {field}: {problem}")
MATCHES_EMPTY = _code("E207", "a pattern that can match no token at all", "pattern can match the empty sequence of tokens")
NEVER_MATCHES = _code("E208", "a value with whitespace: a token never contains whitespace, so it never matches", "{field}={value!r} can never match: a token never contains whitespace")
# E209 is not assigned.
BAD_TRIGGER = _code("E210", "=trigger in the wrong place: on a quantified or optional item, or twice", "{problem}")
UNDEFINED_LEXICON = _code("E211", "a @lexicon reference to a lexicon that is not defined", "undefined lexicon @{name}{hint}")
UNDEFINED_VAR = _code("E212", "a ${var} reference to a var that is not defined", "undefined variable ${{{name}}}{hint}")
VAR_CYCLE = _code("E213", "vars that refer to each other in a cycle", "variable cycle: {cycle}")
NO_TRIGGER = _code("E214", "a pattern (or one alternative) with no trigger and no literal word to take as one", "no trigger: mark one token or lexicon with =trigger, or give a required token a literal word/lower/lemma constraint")
RESERVED_NAME = _code("E215", "a capture name starting with _eventx (reserved for the engine)", "capture name {name!r} is reserved (names starting with _eventx are the engine's)")
BAD_WORD_LIST = _code("E216", "a [field=@name] word list that is undefined, a mention label, or holds more than single words", "word list @{name} {problem}")
LABEL_CYCLE = _code("E217", "mention labels whose rules refer to each other in a cycle", "mention labels form a cycle: {cycle}")

# --- E3xx: running ----------------------------------------------------------------------------

UNREADABLE_INPUT = _code("E301", "an input file or directory that cannot be read, or is binary: skipped", "{source}: {problem}: skipped")
BAD_RECORD = _code("E302", "an input line or row that is not a document (bad JSON, wrong fields, no text): skipped", "{source}:{line}: {problem}: skipped")
DUPLICATE_DOCUMENT = _code("E303", "a document id already read earlier in the run: the later document is skipped", "duplicate document id (already read earlier in this run): skipped")
TIME_BUDGET = _code("E304", "a document whose extraction took longer than --time-budget: skipped", "extracting the document took longer than {seconds:g} s (--time-budget)")
SENTENCE_TOO_LONG = _code("E305", "a 'sentence' longer than the limit (not prose): that sentence is skipped, the rest of the document extracted", "sentence at characters {start}-{end} is {length:,} characters long (limit {limit:,}): sentence skipped, the rest of the document extracted")
EXTRACTION_FAILED = _code("E306", "an unexpected failure while extracting one document (a bug): skipped, the run goes on", "{exception}: {problem}")
BAD_EVENT_LOG = _code("E307", "an event log or golden file that holds something other than event records", "{where}: not an event record ({problem})")
BAD_INPUT = _code("E308", "an input, output or option that cannot be used at all (the command stops)", "{problem}")
DOCUMENT_KEPT = _code("W351", "a document kept with a problem: undecodable bytes replaced, a bad id, date, title or meta ignored", "{problem}")

# --- W4xx: lint (eventx check) ----------------------------------------------------------------

NO_POSITIVE = _code("W401", "a rule without a positive example (one that expects an event of its type)", "rule {rule!r} has no positive example")
NO_NEGATIVE = _code("W402", "a rule without a negative example (one that expects no event of its type)", "rule {rule!r} has no negative example")
SHADOWED = _code("W403", "a rule whose every match on the examples loses overlap resolution to another rule", "rule {rule!r} is shadowed by {other!r}")
UNUSED_LEXICON = _code("W404", "a lexicon that no rule uses (directly or through a var)", "lexicon @{name} is never used")
UNUSED_VAR = _code("W405", "a var that no rule uses", "var ${{{name}}} is never used")
NESTED_QUANTIFIER = _code("W406", "an unbounded quantifier around another unbounded or any-token one (catastrophic backtracking)", "nested unbounded quantifiers")
OTHER_RULE = _code("W407", "an example whose expected event is produced by another rule, not by the rule holding it", "the expected event comes from rule {other!r}")
TOKEN_DUPLICATE = _code("W408", "two lexicon entries that are the same once tokenised (the later one is ignored)", "{phrase!r} is the same as {first!r} once tokenised")
SLOW_EXAMPLE = _code("W409", "an example that takes longer than the time budget to match", "example took longer than {seconds:g} s")
UNUSED_LABEL = _code("W411", "a mention label that no pattern refers to", "mention label @{name} is never used")
SAME_NAME = _code("W412", "a name defined in two files that do not see each other: two different names, easily confused", "{name!r} is defined in two files that do not see each other")
NO_MENTION_EXAMPLE = _code("W413", "a mention rule without a positive example (one that expects a mention of its label)", "mention rule {rule!r} has no positive example")
BACKTRACKING_REGEX = _code("W414", "a field regex with a repeat around a repeat or an ambiguous alternation ((a+)+, (a|a)+): exponential on a long token", "field regex {regex!r} can backtrack exponentially")
UNINDEXED_TRIGGER = _code("W416", "a rule whose trigger has no word or lemma to look up (a field regex, a negated test, any token): the prefilter cannot skip the sentences without it", "rule {rule!r} has no trigger word to look up")
INLINE_LIST = _code("W415", "an inline word list of over 30 words ([lower=a|b|...] or a lexicon written as a YAML list): a lexicon file reads, diffs and is shared better", "inline word list of {count} words")
SENTENCE_GUARD = _code("W410", "a lookaround over the rest of the sentence ((?! []*? X) or (?<! X []*? )), run at every start tried: write it as an 'unless' pattern", "sentence-wide lookaround: write it as an 'unless' pattern")
