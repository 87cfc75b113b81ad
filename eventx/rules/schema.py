"""The rule file format, described once as data.

The same description drives the loader's validator (:mod:`eventx.rules.validate`) and the
JSON Schema exported for editors (:func:`rule_file_json_schema`), so the two cannot drift
apart. Patterns are JSON-Schema regexes (searched, not anchored) and are used verbatim
by the validator too.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Union

# --- the building blocks ---------------------------------------------------------------------


@dataclass(frozen=True)
class Text:
    """A string scalar. ``any_scalar`` also takes numbers, booleans and dates as their literal text."""

    title: str
    description: str = ""
    pattern: str | None = None
    pattern_hint: str = ""  # says in words what ``pattern`` demands, for error messages
    enum: tuple[str, ...] = ()
    any_scalar: bool = False
    what: str = "a string"  # how messages name the expected kind


@dataclass(frozen=True)
class Integer:
    title: str
    description: str = ""
    what: str = "an integer"


@dataclass(frozen=True)
class Boolean:
    title: str
    description: str = ""
    what: str = "a boolean (true/false)"


@dataclass(frozen=True)
class ListOf:
    items: Spec
    title: str
    description: str = ""
    item_label: str = ""  # how messages name one item; default "an item of '<key>'"
    what: str = "a list"


@dataclass(frozen=True)
class Field:
    spec: Spec
    required: bool = False
    default: Any = None
    hint: str = ""  # appended to the "missing required key" message


@dataclass(frozen=True)
class Record:
    """A mapping with a fixed set of keys; any other key is an error."""

    noun: str  # "rule", "example": names the mapping in messages
    fields: dict[str, Field]
    title: str
    description: str = ""
    require_any: tuple[str, ...] = ()  # at least one of these keys must be present
    what: str = "a mapping"


@dataclass(frozen=True)
class MapOf:
    """A mapping from user-chosen names (matching ``keys``) to values of one kind."""

    keys: Text
    values: Spec
    title: str
    description: str = ""
    key_noun: str = "name"  # names a key in messages: "lexicon name"
    value_noun: str = "value"  # names a value in messages: "lexicon 'force'"
    what: str = "a mapping"


@dataclass(frozen=True)
class OneOf:
    """One of several shapes, told apart by YAML node kind (scalar, list, mapping)."""

    options: tuple[Spec, ...]
    title: str
    description: str = ""

    @property
    def what(self) -> str:
        kinds = [option.what for option in self.options]
        return ", ".join(kinds[:-1]) + " or " + kinds[-1]


Spec = Union[Text, Integer, Boolean, ListOf, Record, MapOf, OneOf]

# --- the rule file format --------------------------------------------------------------------

ID_PATTERN = r"^[a-z][a-z0-9_.-]*$"
ID_HINT = "use lowercase letters, digits, '_', '.' and '-', starting with a letter"
NAME_PATTERN = r"^[a-z_][a-z0-9_]*$"
NAME_HINT = "use lowercase letters, digits and '_', not starting with a digit"
NOT_BLANK = r"\S"
LABEL_PATTERN = r"^[A-Z][A-Za-z0-9_]*$"
LEXICON_NAME_PATTERN = r"^([a-z_][a-z0-9_]*|[A-Z][A-Za-z0-9_]*)$"
LEXICON_NAME_HINT = ("use lowercase letters, digits and '_', not starting with a digit, or a "
                     "CapitalisedName (a lexicon used like a mention label)")
LABEL_HINT = "use a CapitalisedName: a capital letter, then letters, digits and '_'"
MODALITIES = ("asserted", "negated", "possible", "hypothetical")
NORMALISERS = ("number", "date", "lexicon", "none")
CASES = ("insensitive", "sensitive")
#: What an argument role is: how it is normalised, counted by ``eventx stats`` and compared when
#: mentions are merged (see docs/writing-rules.md, "Event types").
ROLE_KINDS = ("actor", "party", "force", "place", "topic", "quantity", "date", "label", "other")

ENTRY_HELP = "A phrase, or 'phrase => NORM' to give the value it normalises to."
ENTRY = Text(title="Entry", description=ENTRY_HELP, pattern=NOT_BLANK, any_scalar=True)
LEXICON_PATH = Text(title="Lexicon file", pattern=NOT_BLANK, what="a file path",
                    description="Path of a UTF-8 text file relative to this YAML file: one entry per "
                    "line, '#' starts a comment line. " + ENTRY_HELP)

LEXICON_RECORD = Record(
    noun="lexicon",
    title="Lexicon definition",
    description="A lexicon from a file and/or inline entries, with its case handling.",
    require_any=("file", "entries"),
    fields={
        "file": Field(LEXICON_PATH),
        "entries": Field(ListOf(title="Entries", description="Inline entries, after the file's.",
                                items=ENTRY),
                         default=()),
        "case": Field(Text(title="Case", description="Whether phrases match case-sensitively.", enum=CASES),
                      default="insensitive"),
    },
)

LEXICON = OneOf(
    title="Lexicon",
    description="A phrase list used as @name in patterns: a file path, an inline list, or a mapping.",
    options=(LEXICON_PATH, ListOf(title="Lexicon entries", description="Inline entries.", items=ENTRY),
             LEXICON_RECORD),
)

EXPECTED_EVENT = Record(
    noun="expected event",
    title="Expected event",
    description="An event the rules must extract from the example text.",
    fields={
        "type": Field(Text(title="Event type", description="The event type.", pattern=ID_PATTERN,
                           pattern_hint=ID_HINT), required=True),
        "args": Field(MapOf(
            title="Arguments",
            description="Expected argument texts by role; roles not listed are not checked.",
            keys=Text(title="Role", pattern=NAME_PATTERN, pattern_hint=NAME_HINT),
            values=Text(title="Argument text", description="The argument's text as it appears in the "
                        "example.", any_scalar=True),
            key_noun="role",
            value_noun="role",
        )),
        "modality": Field(Text(title="Modality", description="Expected modality; not checked when absent.",
                               enum=MODALITIES)),
    },
)

def _example(title: str, description: str, expected: Record, noun: str, expect_description: str) -> Record:
    """An inline test: a text and what the rule set must find in it (``noun``s: events or mentions)."""
    return Record(
        noun="example",
        title=title,
        description=description,
        fields={
            "text": Field(Text(title="Text", description="The example text.", pattern=NOT_BLANK,
                               any_scalar=True), required=True),
            "expect": Field(ListOf(
                title=f"Expected {noun}s",
                description=expect_description,
                items=expected,
                item_label=f"an expected {noun}",
            ), required=True, hint=f" (use 'expect: []' when no {noun} is expected)"),
            "todo": Field(Boolean(title="To do", description="A known miss: reported, but not a failure."),
                          default=False),
        },
    )


EXAMPLE = _example("Example", "A sentence with the events the rule set must extract from it.", EXPECTED_EVENT,
                   "event", "Every event expected in the text; [] when none is.")

RULE_ID = Field(Text(title="Rule id", description="Unique id of the rule across the rule set (event and "
                     "mention rules).", pattern=ID_PATTERN, pattern_hint=ID_HINT), required=True)


def _norms(noun: str) -> Field:
    """The ``norms`` mapping of a rule: a normaliser per role (event rules) or part (mention rules)."""
    return Field(MapOf(
        title="Normalisers",
        description=f"How to normalise each {noun}.",
        keys=Text(title=noun.capitalize(), pattern=NAME_PATTERN, pattern_hint=NAME_HINT),
        values=Text(title="Normaliser", description=f"The normaliser for this {noun}.", enum=NORMALISERS),
        key_noun=noun,
        value_noun=noun,
    ), default={})


UNLESS_PATTERN = Text(title="Unless pattern", description="A token pattern; where it matches, the rule "
                      "gives no event.", pattern=NOT_BLANK, what="a pattern")

RULE = Record(
    noun="rule",
    title="Rule",
    description="A token pattern that produces events of one type.",
    fields={
        "id": RULE_ID,
        "type": Field(Text(title="Event type", description="Type of the events the rule produces.",
                           pattern=ID_PATTERN, pattern_hint=ID_HINT), required=True),
        "priority": Field(Integer(title="Priority", description="Higher wins when matches of the same "
                                  "type overlap."), default=0),
        "description": Field(Text(title="Description", description="What the rule finds, for people.",
                                  any_scalar=True), default=""),
        "pattern": Field(Text(title="Pattern", description="Token pattern (see docs/writing-rules.md); "
                              "named captures become arguments.", pattern=NOT_BLANK), required=True),
        "unless": Field(OneOf(
            title="Unless",
            description="Token patterns (same language as pattern); the rule gives no event in a "
                        "sentence where one of them matches anywhere.",
            options=(UNLESS_PATTERN, ListOf(title="Unless patterns", items=UNLESS_PATTERN,
                                            item_label="an unless pattern")),
        ), default=()),
        "examples": Field(ListOf(title="Examples", description="Inline tests of the rule.", items=EXAMPLE,
                                 item_label="an example"), default=()),
        "modality": Field(Text(title="Fixed modality", description="Give every event this modality "
                               "instead of detecting it.", enum=MODALITIES)),
        "norms": _norms("role"),
    },
)

EXPECTED_MENTION = Record(
    noun="expected mention",
    title="Expected mention",
    description="A mention the rules must find in the example text.",
    fields={
        "label": Field(Text(title="Label", description="The mention's label.", pattern=LABEL_PATTERN,
                            pattern_hint=LABEL_HINT), required=True),
        "text": Field(Text(title="Mention text", description="The mention's text as it appears in the "
                           "example.", pattern=NOT_BLANK, any_scalar=True), required=True),
    },
)

MENTION_EXAMPLE = _example("Mention example", "A text with the mentions the rule set must find in it.",
                           EXPECTED_MENTION, "mention",
                           "Every longest mention of the rule's label expected in the text; [] when none is.")

MENTION_RULE = Record(
    noun="mention rule",
    title="Mention rule",
    description="A token pattern whose matches are labelled mentions, referenced as @Label by "
                "later patterns.",
    fields={
        "id": RULE_ID,
        "label": Field(Text(title="Label", description="The label of the mentions (@Label in patterns).",
                            pattern=LABEL_PATTERN, pattern_hint=LABEL_HINT), required=True),
        "priority": Field(Integer(title="Priority", description="Higher wins when two rules of one label "
                                  "find the same span (its parts and norm are kept)."), default=0),
        "description": Field(Text(title="Description", description="What the mentions are, for people.",
                                  any_scalar=True), default=""),
        "pattern": Field(Text(title="Pattern", description="Token pattern; named captures become the "
                              "mention's parts.", pattern=NOT_BLANK), required=True),
        "examples": Field(ListOf(title="Examples", description="Inline tests of the rule.",
                                 items=MENTION_EXAMPLE, item_label="an example"), default=()),
        "norms": _norms("part"),
    },
)

TYPE = Record(
    noun="event type",
    title="Event type",
    description="What the roles of one event type are, and whether its mentions in a document merge.",
    fields={
        "merge": Field(Boolean(title="Merge mentions", description="Fold later mentions of one event in a "
                               "document into the first one's record (default: one record per match)."),
                       default=False),
        "reported_actor": Field(Boolean(title="Reporter as actor", description="An event without an actor "
                                        "takes the named government, organisation or official that reports "
                                        "it (\"X says troops are to be sent\"), when the parties it names agree "
                                        "with the event's forces and parties (default: false)."),
                                default=False),
        "roles": Field(MapOf(
            title="Roles",
            description="The kind of each argument role: actor (who acts), party (who undergoes), force, "
                        "place, topic, quantity (number normaliser), date (date normaliser), label (a "
                        "closed-vocabulary norm), other.",
            keys=Text(title="Role", pattern=NAME_PATTERN, pattern_hint=NAME_HINT),
            values=Text(title="Role kind", description="The kind of the role.", enum=ROLE_KINDS),
            key_noun="role",
            value_noun="role",
        ), default={}),
        "ties": Field(ListOf(
            title="Ties",
            description="Roles whose agreement ties two mentions of one event (default: every role).",
            items=Text(title="Role", pattern=NAME_PATTERN, pattern_hint=NAME_HINT),
            item_label="a role",
        )),
        "generic": Field(ListOf(
            title="Generic force words",
            description="Head nouns (singular, lower case) that name no particular kind of force: two "
                        "mentions whose force arguments differ only in these still may merge.",
            items=Text(title="Word", pattern=NOT_BLANK),
            item_label="a word",
        ), default=()),
    },
)

RULE_FILE = Record(
    noun="rule file",
    title="eventx rule file",
    description="Lexicons, vars (macros), mention rules and rules for eventx; files may "
                "import others.",
    fields={
        "imports": Field(ListOf(
            title="Imports",
            description="Rule files to load too, relative to this file and inside the rule root.",
            items=Text(title="Import", description="Path of a rule file.", pattern=NOT_BLANK,
                       what="a file path"),
            item_label="an import",
        ), default=()),
        "lexicons": Field(MapOf(
            title="Lexicons",
            description="Phrase lists by name (@name in patterns, [lower=@name] for lists of single "
                        "words), seen by this file and the files that import it.",
            keys=Text(title="Lexicon name", pattern=LEXICON_NAME_PATTERN, pattern_hint=LEXICON_NAME_HINT),
            values=LEXICON,
            key_noun="lexicon name",
            value_noun="lexicon",
        ), default={}),
        "vars": Field(MapOf(
            title="Vars",
            description="Pattern fragments by name, used as ${name}; seen by this file and the files "
                        "that import it.",
            keys=Text(title="Var name", pattern=NAME_PATTERN, pattern_hint=NAME_HINT),
            values=Text(title="Var", description="A pattern fragment.", pattern=NOT_BLANK),
            key_noun="var name",
            value_noun="var",
        ), default={}),
        "mentions": Field(ListOf(title="Mention rules", description="Rules whose matches are labelled "
                                 "mentions (@Label), computed before event rules.", items=MENTION_RULE,
                                 item_label="a mention rule"), default=()),
        "rules": Field(ListOf(title="Rules", description="The rules of this file.", items=RULE,
                              item_label="a rule"), default=()),
        "types": Field(MapOf(
            title="Event types",
            description="Declarations of event types by name, global across all loaded files.",
            keys=Text(title="Event type", pattern=ID_PATTERN, pattern_hint=ID_HINT),
            values=TYPE,
            key_noun="event type",
            value_noun="event type",
        ), default={}),
    },
)

# --- JSON Schema export ----------------------------------------------------------------------

JSON_SCHEMA_DIALECT = "https://json-schema.org/draft/2020-12/schema"


def rule_file_json_schema() -> dict:
    """JSON Schema (draft 2020-12) of a rule file, e.g. for VS Code's YAML extension."""
    return {"$schema": JSON_SCHEMA_DIALECT, "$id": "https://eventx.dev/schema/rule-file.json",
            **to_json_schema(RULE_FILE)}


def to_json_schema(spec: Spec, default: Any = None) -> dict:
    """JSON Schema of one spec node."""
    out: dict[str, Any] = {"title": spec.title}
    if spec.description:
        out["description"] = spec.description
    if isinstance(spec, Text):
        out["type"] = ["string", "number", "boolean"] if spec.any_scalar else "string"
        if spec.pattern:
            out["pattern"] = spec.pattern
        if spec.enum:
            out["enum"] = list(spec.enum)
    elif isinstance(spec, Integer):
        out["type"] = "integer"
    elif isinstance(spec, Boolean):
        out["type"] = "boolean"
    elif isinstance(spec, ListOf):
        out.update(type="array", items=to_json_schema(spec.items))
    elif isinstance(spec, MapOf):
        out.update(type="object", propertyNames={"pattern": spec.keys.pattern},
                   additionalProperties=to_json_schema(spec.values))
    elif isinstance(spec, Record):
        out.update(
            type="object",
            properties={key: to_json_schema(f.spec, f.default) for key, f in spec.fields.items()},
            additionalProperties=False,
        )
        required = [key for key, f in spec.fields.items() if f.required]
        if required:
            out["required"] = required
        if spec.require_any:
            out["anyOf"] = [{"required": [key]} for key in spec.require_any]
    elif isinstance(spec, OneOf):
        out["oneOf"] = [to_json_schema(option) for option in spec.options]
    if default is not None and default != () and default != {}:
        out["default"] = default
    return out
