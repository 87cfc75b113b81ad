"""The loaded, validated rule set: what the pattern compiler and the test runner consume.

Everything carries a :class:`Pos` so that later stages (compile, lint, rule tests) can point
at the exact place in a rule file without going back to the YAML.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import Protocol, overload

from eventx.errors import Diagnostic


@dataclass(frozen=True, slots=True)
class Pos:
    """A place in a file; ``line``/``col`` are 1-based (0 = unknown), ``file`` is a display path."""

    file: str
    line: int
    col: int

    def diagnostic(self, code: str, message: str, *, severity: str = "error") -> Diagnostic:
        return Diagnostic(self.file, self.line, self.col, message, code, severity)

    def __str__(self) -> str:
        return f"{self.file}:{self.line}:{self.col}"

    def __reduce__(self) -> tuple:
        """Pickled as its constructor's arguments: read back ~3× faster than a frozen
        dataclass's generic state (a pack read back from the cache holds ~1,500)."""
        return Pos, (self.file, self.line, self.col)

    def seen_from(self, here: Pos) -> str:
        """This place named for a message about ``here``: just the line when in the same file."""
        return f"line {self.line}" if self.file == here.file else str(self)


class Places(Protocol):
    """(line, col) by character offset: a sequence, or the loader's on-demand table."""

    def __len__(self) -> int: ...

    def __getitem__(self, offset: int, /) -> tuple[int, int]: ...


@dataclass(frozen=True, slots=True)
class SourceText:
    """A YAML scalar's text plus where it came from, so an offset inside it maps back to a file place.

    ``places`` holds the (line, col) of every character of ``text`` plus one for the end, as
    computed by the loader for every scalar style (plain, quoted, ``|`` and ``>``); any
    indexable sequence (the loader's computes each place on demand). A
    SourceText built by hand (``SourceText("[]", Pos(...))``) leaves it empty and is taken
    to be laid out verbatim from ``pos`` on.
    """

    text: str
    pos: Pos
    style: str = ""  # YAML scalar style: "" plain, "'", '"', "|" or ">"
    places: Places = field(default=(), compare=False, repr=False)

    def __reduce__(self) -> tuple:
        """Pickled as its constructor's arguments (see Pos.__reduce__)."""
        return SourceText, (self.text, self.pos, self.style, self.places)

    def position(self, offset: int) -> Pos:
        """Return the file position of ``text[offset]`` (``len(text)`` = just after the end)."""
        offset = max(0, min(offset, len(self.text)))
        if self.places:
            line, col = self.places[offset]
            return Pos(self.pos.file, line, col)
        before = self.text[:offset]
        newlines = before.count("\n")
        if not newlines:
            return Pos(self.pos.file, self.pos.line, self.pos.col + offset)
        return Pos(self.pos.file, self.pos.line + newlines, offset - before.rfind("\n"))

    def __str__(self) -> str:
        return self.text


@dataclass(frozen=True, slots=True)
class LexiconEntry:
    """One phrase, with the normalised value it stands for (``phrase => NORM``) if any."""

    phrase: str
    norm: str | None
    pos: Pos


@dataclass(frozen=True, slots=True)
class Lexicon:
    """A named phrase list (``@name`` in patterns); ``source`` is the text file it was read from."""

    name: str
    entries: Sequence[LexiconEntry]  # a tuple, or _Entries when read back from the cache
    case_sensitive: bool
    pos: Pos
    source: str | None = None

    def __reduce__(self) -> tuple:
        """Pickled with its entries as columns: the shipped pack's 8,000 entries and their
        positions made two thirds of the time of reading a compiled pack back (the cache)."""
        entries = self.entries
        if isinstance(entries, _Entries) and entries._made is None:
            columns = entries._columns
        else:
            columns = tuple(zip(*((e.phrase, e.norm, e.pos.file, e.pos.line, e.pos.col) for e in entries))) or ((),) * 5
        return _lexicon, (self.name, columns, self.case_sensitive, self.pos, self.source)


def _lexicon(name: str, columns: tuple, case_sensitive: bool, pos: Pos, source: str | None) -> Lexicon:
    return Lexicon(name, _Entries(columns), case_sensitive, pos, source)


class _Entries(Sequence[LexiconEntry]):
    """A lexicon's entries read back from the cache, as columns (phrases, norms, files, lines,
    columns) until first used: matching uses the pack's lexicon index, so ``eventx explain``
    and ``run`` never use them, and making the shipped pack's 8,000 entries and positions was
    a fifth of reading the pack back. Equal to the tuple of the same entries."""

    __slots__ = ("_columns", "_made")

    def __init__(self, columns: tuple) -> None:
        self._columns = columns
        self._made: tuple[LexiconEntry, ...] | None = None

    def _all(self) -> tuple[LexiconEntry, ...]:
        if self._made is None:
            self._made = tuple(LexiconEntry(phrase, norm, Pos(file, line, col))
                               for phrase, norm, file, line, col in zip(*self._columns))
        return self._made

    @overload
    def __getitem__(self, index: int) -> LexiconEntry: ...
    @overload
    def __getitem__(self, index: slice) -> tuple[LexiconEntry, ...]: ...
    def __getitem__(self, index: int | slice) -> LexiconEntry | tuple[LexiconEntry, ...]:
        return self._all()[index]

    def __len__(self) -> int:
        return len(self._columns[0])

    def __iter__(self) -> Iterator[LexiconEntry]:
        return iter(self._all())

    def __eq__(self, other: object) -> bool:
        if isinstance(other, _Entries):
            other = other._all()
        return self._all() == other

    def __hash__(self) -> int:
        return hash(self._all())

    def __repr__(self) -> str:
        return repr(self._all())


@dataclass(frozen=True, slots=True)
class Example:
    """An inline rule test: ``expect`` lists the events expected in ``text`` (``()`` = none).

    Each expected event is a dict with ``type`` and, only when the file gives them, ``args``
    (role -> text) and ``modality``; absent keys mean "not checked".
    """

    text: str
    expect: tuple[dict, ...]
    todo: bool
    pos: Pos

    def __reduce__(self) -> tuple:
        """Pickled as its constructor's arguments (see Pos.__reduce__; the shipped pack has ~750)."""
        return Example, (self.text, self.expect, self.todo, self.pos)


@dataclass(frozen=True, slots=True)
class Rule:
    """One extraction rule; ``order`` is its index in the global load order (the last tie-break)."""

    id: str
    type: str
    priority: int
    description: str
    pattern: SourceText
    examples: tuple[Example, ...]
    pos: Pos
    file: str
    order: int
    modality: str | None = None
    norms: dict[str, str] = field(default_factory=dict)
    unless: tuple[SourceText, ...] = ()  # sentence-wide vetoes


@dataclass(frozen=True, slots=True)
class TypeDecl:
    """A ``types:`` entry: the kind of each role of one event type and its merge policy.

    ``ties`` ``None`` means every role ties two mentions. A type without a declaration is
    ``TypeDecl(name)``: no kinds, no merging.
    """

    name: str
    merge: bool = False
    roles: dict[str, str] = field(default_factory=dict)  # role -> kind (eventx.rules.schema.ROLE_KINDS)
    ties: frozenset[str] | None = None
    generic: frozenset[str] = frozenset()  # force heads that name no particular kind of force
    reported_actor: bool = False  # an actor-less event takes the named actor reporting it

    def kind(self, role: str) -> str:
        return self.roles.get(role, "other")

    @property
    def actor_role(self) -> str | None:
        """The type's one role of kind actor; None when it has none, or several (then which
        one an actor found elsewhere in the sentence fills cannot be told)."""
        roles = [role for role, kind in self.roles.items() if kind == "actor"]
        return roles[0] if len(roles) == 1 else None


@dataclass(frozen=True, slots=True)
class MentionExample:
    """An inline test of a mention rule: ``expect`` lists (label, text) of the mentions the
    pack must find in ``text`` (``()`` = none of the rule's label)."""

    text: str
    expect: tuple[tuple[str, str], ...]
    todo: bool
    pos: Pos


@dataclass(frozen=True, slots=True)
class MentionRule:
    """A rule whose matches are labelled mentions (``@Label`` in later patterns), not events.

    ``label`` is the label as written; ``key`` is its name in the rule set (the label itself
    unless another file, invisible from this one, defines a label of the same name).
    """

    id: str
    label: str
    key: str
    priority: int
    description: str
    pattern: SourceText
    examples: tuple[MentionExample, ...]
    pos: Pos
    file: str
    order: int
    norms: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Scope:
    """The names one rule file sees: its own and those of the files it imports, transitively.

    ``names`` maps each lexicon and label name (one namespace) to its key in the rule set,
    ``vars`` each var name; a key is the name itself unless two files that do not see each
    other define the same name, in which case each gets ``name@file``.
    """

    names: dict[str, str] = field(default_factory=dict)
    vars: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class RuleSet:
    """Every rule, lexicon and var loaded from a rule root; ``version`` hashes all their files.

    ``lexicons`` and ``vars`` are keyed by key (see :class:`Scope`); ``scopes`` gives, per rule
    file (display path), the names visible in it. A file without an entry sees every name by
    itself (rule sets built by hand).
    """

    rules: tuple[Rule, ...]
    lexicons: dict[str, Lexicon]
    vars: dict[str, SourceText]
    files: tuple[str, ...]
    root: str
    version: str
    warnings: tuple[Diagnostic, ...] = ()
    mention_rules: tuple[MentionRule, ...] = ()
    scopes: dict[str, Scope] = field(default_factory=dict)
    types: dict[str, TypeDecl] = field(default_factory=dict)  # the ``types:`` declarations

    def type_decl(self, name: str) -> TypeDecl:
        """The declaration of event type ``name`` (an empty one when the pack declares none)."""
        return self.types.get(name) or TypeDecl(name)
    sources: tuple[tuple[str, str], ...] = ()  # (real path, sha256) of every file read

    def scope(self, file: str) -> Scope:
        """The names visible in ``file``; every name as itself when the file has no scope."""
        found = self.scopes.get(file)
        if found is not None:
            return found
        names = {key: key for key in self.lexicons}
        names.update((rule.key, rule.key) for rule in self.mention_rules)
        return Scope(names, {key: key for key in self.vars})

    @property
    def labels(self) -> dict[str, tuple[MentionRule, ...]]:
        """Label key -> its mention rules, in load order."""
        found: dict[str, list[MentionRule]] = {}
        for rule in self.mention_rules:
            found.setdefault(rule.key, []).append(rule)
        return {key: tuple(rules) for key, rules in found.items()}
