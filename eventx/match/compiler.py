"""Compile parsed token patterns into ``regex`` patterns over an encoded token stream.

Encoding (one record per token, built only for sentences the prefilter selects): the token's
position character and the flag characters of the token atoms it passes, then ``\\n`` (see
:mod:`eventx.match.atoms`). A token constraint compiles to lookaheads for its atoms' flags
(``!``, ``&`` and ``|`` become negative lookahead, concatenation and alternation), ``@lexicon``
to "a phrase of the lexicon starts here", longest first (see :meth:`PatternCompiler._lexicon`).
``.*\\n`` consumes exactly one token, and every rule pattern starts with ``(?<![^\\n])`` so
that matches begin at token boundaries; regex match positions map back to token indices
through the record offsets.

The compiler also checks what the parser cannot (undefined lexicons and vars, var cycles,
patterns that match the empty sequence, trigger placement) and derives each rule's trigger
keys for the prefilter.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Callable, Protocol, overload

import regex
from regex import Pattern as RegexPattern  # a name that class attributes called ``regex`` do not shadow

from eventx import codes
from eventx.errors import Diagnostic, did_you_mean
from eventx.match.atoms import TokenAtoms
from eventx.regexstore import compile_regex, from_program, program_of
from eventx.match.ast import (
    LOOKAROUND,
    Alt,
    And,
    Anchor,
    Constraint,
    FieldEquals,
    FieldRegex,
    Group,
    IsNumber,
    LexiconRef,
    Node,
    Not,
    Or,
    PatternError,
    Repeat,
    Seq,
    TokenNode,
    VarRef,
    children,
)
from eventx.match.parser import parse_pattern
from eventx.rules.model import Scope
from eventx.text.lemma import normalise_spelling

TOKEN = r".*\n"  # one record (``.`` is anything but a newline; not possessive: lookbehind matches right to left)
# One whole record, in a sketch prefix (matched right to left: see PatternCompiler.sketch_prefix):
# taken at once, from its newline back to its start, where the test before it looks. Right to
# left, ``.*`` would give back a character at a time, the test run again at each (a pass over
# the record per character: ten times the cost); possessive, it can only stop at the start.
_WHOLE_RECORD = r".*+\n"
_STRAIGHTEN = str.maketrans({"\u2019": "'", "\u2018": "'", "\u201c": '"', "\u201d": '"'})

# A trigger key is (field, value) with field "lower" or "lemma"; None means "cannot prefilter".
TriggerKeys = frozenset[tuple[str, str]] | None


class SourceLike(Protocol):
    @property
    def text(self) -> str: ...

    def position(self, offset: int): ...


def normalise_value(field_name: str, value: str) -> str:
    """Put a literal pattern value in the form tokens carry in that field."""
    value = value.translate(_STRAIGHTEN)
    if field_name == "lower":
        return value.lower()
    if field_name == "lemma":
        return normalise_spelling(value.lower())
    return value


@dataclass(frozen=True, slots=True)
class CompiledPattern:
    """A rule's generated regex, compiled by the ``regex`` module on first use.

    Compiling is the costly part of loading a pack (the ``regex`` module parses in Python),
    and most rules never meet their trigger in a given input, so
    ``regex`` is built lazily: ``eventx explain`` or a small run pays only for the rules that
    can fire. ``compile_all()`` builds every one up front (before forking workers).
    """

    source: str  # the generated regex source (shown by `eventx explain`)
    trigger_keys: TriggerKeys
    arg_names: tuple[str, ...]
    # Most tokens a match can span before the token that carries a trigger key (None: no
    # bound). Lets the matcher try only start positions near trigger occurrences.
    trigger_reach: int | None = None
    # The pattern from its trigger token on (None when the trigger is nested): a match whose
    # trigger is at token p implies that this matches at p, a cheap test before trying the
    # starts up to trigger_reach tokens before p.
    suffix_source: str | None = None
    # Necessary conditions beyond the trigger: a sentence can hold a match only if, for each
    # set, one of its (field, value) keys is a key of one of its tokens (required literal
    # tokens, required lexicon references by their phrases' first words).
    requirements: tuple[frozenset[tuple[str, str]], ...] = ()
    # Flag characters one of which the record of a match's first token holds (None: any token
    # can start a match): starts whose record has none are not tried.
    first_flags: frozenset[str] | None = None
    lexicons: frozenset[int] = frozenset()  # ids of the lexicons (and labels) the pattern refers to
    labels: frozenset[int] = frozenset()  # ids of the mention labels among them
    # labels a match cannot do without (outside optional parts): no mention of one of them in
    # a sentence, no match there
    required_labels: frozenset[int] = frozenset()
    # captures whose body is one @Label reference: (capture name, label id); the mention's
    # parts become arguments too
    label_captures: tuple[tuple[str, int], ...] = ()
    # A necessary condition for a pattern with labels, checked before any mention is looked
    # for (see PatternCompiler.sketch): the pattern with each @Label as "a span of the label's
    # lengths whose first and last tokens can start and end one of its mentions", on the
    # stream without mentions. None: the pattern has no label.
    sketch_source: str | None = None
    sketch_first_flags: frozenset[str] | None = None
    sketch_suffix_source: str | None = None  # the sketch from the trigger on (as suffix_source)
    # The sketch's part before its trigger, matched right to left from where the trigger's
    # record starts (see PatternCompiler.sketch_prefix): a sketch match whose trigger is at
    # token p implies that this matches ending at p — one regex call per trigger occurrence,
    # instead of the whole sketch from each start in reach of it. None: nothing comes before
    # the trigger, or the trigger is nested where this cannot be told.
    sketch_prefix_source: str | None = None
    # Most tokens a match spans (None: unbounded, or no trigger_reach). With trigger_reach it
    # bounds where the tokens of a match whose trigger is at token p lie: from p - trigger_reach
    # to p + max_tokens - 1.
    max_tokens: int | None = None
    # The requirements the tokens of a match itself meet (not those of its lookarounds, nor
    # its labels', whose mentions may look past them), each with the offsets (low, high) from
    # the trigger token between which a token that meets it lies: a match whose trigger is at
    # token p has such a token among p + low .. p + high for each, or the sentence holds no
    # match (the prefilter's selected()). Set with max_tokens; a requirement met in two parts
    # of the pattern comes once for each.
    near_requirements: tuple[tuple[frozenset[tuple[str, str]], int, int], ...] = ()
    # the expanded tree (trigger placed) the sources were emitted from, kept only by a compiler
    # with ``keep_trees`` (``eventx serve`` compares a rule's versions token test by token test)
    tree: Node | None = field(default=None, compare=False, repr=False)
    _compiled: list = field(default_factory=list, compare=False, repr=False)
    _suffix: list = field(default_factory=list, compare=False, repr=False)
    _sketch: list = field(default_factory=list, compare=False, repr=False)
    _sketch_suffix: list = field(default_factory=list, compare=False, repr=False)
    _sketch_prefix: list = field(default_factory=list, compare=False, repr=False)

    @property
    def regex(self) -> RegexPattern[str]:
        return _built(self._compiled, self.source)

    @property
    def suffix(self) -> RegexPattern[str] | None:
        return _built(self._suffix, self.suffix_source)

    @property
    def sketch(self) -> RegexPattern[str] | None:
        return _built(self._sketch, self.sketch_source)

    @property
    def sketch_suffix(self) -> RegexPattern[str] | None:
        return _built(self._sketch_suffix, self.sketch_suffix_source)

    @property
    def sketch_prefix(self) -> RegexPattern[str] | None:
        return _built(self._sketch_prefix, self.sketch_prefix_source)


@overload
def _built(store: list, source: str) -> RegexPattern[str]: ...
@overload
def _built(store: list, source: str | None) -> RegexPattern[str] | None: ...
def _built(store: list, source: str | None) -> RegexPattern[str] | None:
    """The regex of ``source`` (None for None), built on first use and kept in ``store``."""
    if source is None:
        return None
    if not store:
        store.append(compile_regex(source))
    return store[0]


@dataclass(frozen=True, slots=True)
class CompiledMention:
    """A mention rule's regex and what finding its matches needs.

    A mention is every span the pattern matches exactly, whatever it would prefer: tried at
    the starts whose record holds one of ``first_flags`` and the ends whose last record holds
    one of ``last_flags`` (None: any), at most ``max_tokens`` apart, and no further than the
    longest match from that start (:attr:`longest`). The regex is matched with
    ``endpos`` at the candidate end; a pattern whose lookahead or ``$`` looks past its own end
    (``exact_end``) instead pins the end with a lookahead (see :meth:`ending_after`).
    """

    source: str
    part_names: tuple[str, ...]
    min_tokens: int
    max_tokens: int
    first_flags: frozenset[str] | None
    last_flags: frozenset[str] | None
    exact_end: bool
    lexicons: frozenset[int]
    labels: frozenset[int]
    tree: Node | None = field(default=None, compare=False, repr=False)  # see CompiledPattern.tree
    _compiled: dict[int | str | None, RegexPattern[str]] = field(default_factory=dict, compare=False, repr=False)
    _programs: dict[int, tuple] = field(default_factory=dict, compare=False, repr=False)  # see ending_after

    @property
    def regex(self) -> RegexPattern[str]:
        found = self._compiled.get(None)
        if found is None:
            found = self._compiled[None] = compile_regex(self.source)
        return found

    @property
    def first_finder(self) -> RegexPattern[str]:
        """Finds the characters of ``first_flags`` in a stream."""
        return self._finder("first", self.first_flags)

    @property
    def last_finder(self) -> RegexPattern[str]:
        """Finds the characters of ``last_flags`` in a stream."""
        return self._finder("last", self.last_flags)

    def _finder(self, key: str, flags: frozenset[str] | None) -> RegexPattern[str]:
        found = self._compiled.get(key)
        if found is None:
            chars = "".join(sorted(flags or ()))
            source = f"[{regex.escape(chars)}]" if chars else "(?!)"
            found = self._compiled[key] = compile_regex(source)
        return found

    @property
    def longest(self) -> RegexPattern[str]:
        """The pattern under POSIX (leftmost-longest) matching: from a start, its longest match."""
        found = self._compiled.get("longest")
        if found is None:
            found = self._compiled["longest"] = compile_regex(self.source, flags=regex.POSIX)
        return found

    def ending_after(self, count: int) -> RegexPattern[str]:
        """The pattern, forced to end exactly ``count`` tokens after where it starts (its
        lookaheads still see the rest of the sentence). The ``ENDINGS_KEPT`` lengths last asked
        for are kept built: each is a copy of the whole pattern (up to ~350 KB), and a long run
        meets most lengths. Of the others only the program is kept (a twentieth of that), to
        build one again with the C step alone (see :func:`eventx.regexstore.from_program`)."""
        found = self._compiled.pop(count, None)
        if found is not None:
            self._compiled[count] = found  # now the most recently used (dicts keep insertion order)
            return found
        kept = [key for key in self._compiled if isinstance(key, int)]
        if len(kept) >= ENDINGS_KEPT:
            del self._compiled[kept[0]]  # the least recently used
        body = self.source[len(_AT_TOKEN):]
        source = (
            rf"{_AT_TOKEN}(?=(?:{TOKEN}){{{count}}}(?:(?P<{_NEXT_GROUP}>.)|\Z))(?:{body})"
            rf"(?({_NEXT_GROUP})(?=(?P={_NEXT_GROUP}))|\Z)"
        )
        program = self._programs.get(count)
        found = from_program(source, program) if program is not None else None
        if found is None:
            found = compile_regex(source, keep=False)
            program = program_of(found)
            if program is not None:
                self._programs[count] = program
        self._compiled[count] = found
        return found


MAX_MENTION_TOKENS = 64  # a longer match of a mention rule is no mention (bounds every label)
ENDINGS_KEPT = 4  # per mention rule, exact-end regexes kept built (see CompiledMention.ending_after)
_AT_TOKEN = r"(?<![^\n])"
_NEXT_GROUP = "_eventx_next"


class PatternCompiler:
    """Compiles patterns of one rule set; collects diagnostics instead of stopping at the first."""

    def __init__(
        self,
        *,
        vars: dict[str, SourceLike],
        lexicon_ids: dict[str, int],
        lexicon_lengths: list[set[int]],
        lexicon_first_keys: list[set[str]],
        atoms: TokenAtoms,
        render_pos: Callable[[SourceLike, int], tuple[str, int, int]],
        scope_of: Callable[[str], Scope] | None = None,
        lexicon_words: Callable[[str], tuple[tuple[str, ...], str | None]] | None = None,
        labels: frozenset[int] = frozenset(),
    ):
        """``vars`` and ``lexicon_ids`` are keyed by key; ``scope_of(file)`` gives the names a
        rule file sees (default: every key as itself). ``lexicon_words(key)`` gives a lexicon's
        entries for use as a word list, and a problem with them (a multi-word phrase) if any.
        ``labels`` are the ids (among ``lexicon_ids``) that are mention labels."""
        self.vars = vars
        self.scope_of = scope_of
        self.lexicon_words = lexicon_words
        self.labels = labels
        self.lexicon_ids = lexicon_ids
        self.lexicon_lengths = lexicon_lengths
        self.lexicon_first_keys = lexicon_first_keys
        self.atoms = atoms
        self.render_pos = render_pos
        # var key -> its expanded tree, and the vars and lexicons that expansion used (all the
        # way down: a cached var still adds them to used_vars and used_lexicons)
        self._var_cache: dict[str, tuple[Node, frozenset[str], frozenset[str]]] = {}
        self._behind = False  # emitting what a lookbehind matches right to left
        self._captures_behind = False  # ... and that lookbehind (or one around it) captures
        self._cut = False  # emitting a sketch prefix (see sketch_prefix): no lookahead, no negation
        self._equals_cache: dict[tuple[str, tuple[str, ...]], str] = {}  # (field, values) -> atom flag
        self.used_vars: set[str] = set()
        self.used_lexicons: set[str] = set()
        # per label id, the key sets one key of each a sentence must hold for it to have a
        # mention there (set by the rule-set compiler, layer by layer; see label_requirements())
        self.label_requirements: dict[int, list[frozenset[tuple[str, str]]]] = {}
        # per label id, the flags (on the stream without mentions) one of which the first and the
        # last token of each of its mentions holds (None: any token); see set_label_edges()
        self._label_edges: dict[int, tuple[frozenset[str] | None, frozenset[str] | None]] = {}
        self._sketching = False  # emitting a sketch: @Label spans are approximated (see sketch())
        self.keep_trees = False  # compiled patterns keep their expanded trees (CompiledPattern.tree)
        # (node, emission mode) -> (node, its regex source or requirements), while the labels and
        # lexicon lengths no longer change (see remember_subtrees)
        self._subtrees: dict[tuple, tuple[Node, object]] | None = None

    # --- entry point --------------------------------------------------------------------

    def compile(self, source: SourceLike, diagnostics: list[Diagnostic]) -> CompiledPattern | None:
        tree = self._parse_expanded(source, diagnostics)
        if tree is None:
            return None
        empty = self._empty_problem(tree)
        problems = [empty] if empty is not None else []
        tree, keys = self._place_trigger(tree, problems)
        if problems:
            diagnostics.extend(self._diag(source, p) for p in problems)
            return None
        body = self._emit(tree)
        regex_source = r"(?<![^\n])" + body
        names = tuple(sorted(_capture_names(tree) - {"trigger"}))
        reach = self._trigger_reach(tree) if keys is not None else None
        suffix = self._suffix_source(tree) if reach is not None else None
        requirements = _ordered(self._requirements(tree))
        max_tokens = _max_tokens(tree, self.lexicon_lengths, self.lexicon_ids) if reach is not None else None
        near = self._around_trigger(tree) if max_tokens is not None else None
        near_requirements = tuple(dict.fromkeys(near[0])) if near is not None else ()
        first = self._first(tree)[0]
        lexicons = self._lexicons_in(tree)
        labels = lexicons & self.labels
        sketch, sketch_first, sketch_suffix = self.sketch(tree, reach is not None) if labels else (None, None, None)
        sketch_prefix = self.sketch_prefix(tree) if labels and reach else None
        return CompiledPattern(
            regex_source, keys, names, reach, suffix, requirements, first, lexicons,
            labels=labels,
            required_labels=self._required_labels(tree),
            label_captures=tuple(sorted(self._label_captures(tree).items())),
            max_tokens=max_tokens,
            near_requirements=near_requirements,
            sketch_source=sketch,
            sketch_first_flags=sketch_first,
            sketch_suffix_source=sketch_suffix,
            sketch_prefix_source=sketch_prefix,
            tree=tree if self.keep_trees else None,
        )

    def sketch(self, tree: Node, suffix: bool) -> tuple[str, frozenset[str] | None, str | None]:
        """(regex source, first flags, source from the trigger on if ``suffix``; see
        :meth:`_suffix_source`) of a pattern every match of ``tree`` also matches, from
        the same start, on the stream of a sentence *without* its mentions: each @Label is a run
        of the label's lengths whose first record holds one of the flags that can start one of
        its mentions and whose last record one of those that can end one (lexicon and token
        flags, through the labels below); a negative lookaround that refers to a label always
        holds; a possessive repeat is a greedy one (a wider body could otherwise give up a
        match). A sentence where no rule's sketch matches needs no mention search at all."""
        with self._sketch_mode():
            return (_AT_TOKEN + self._emit(tree), self._first(tree)[0],
                    self._suffix_source(tree) if suffix else None)

    def sketch_prefix(self, tree: Node) -> str | None:
        """Source of a regex, matched right to left (``(?r)``) from the start of the trigger's
        record with the stream cut there, that every match of the sketch whose trigger is at
        that record matches over its records before the trigger: the items before the trigger
        (through the groups and alternatives that hold it, as :meth:`_suffixes` finds it; on
        each path the run of them nearest the trigger within ``PREFIX_BUDGET`` characters),
        emitted as for a lookbehind, without what could fail for the cut alone:
        positive lookaheads (they may look past it) and negative lookarounds (dropping one
        only lets more through). None when no item comes before the trigger on some path to
        it, or when the whole is over the budget."""
        with self._sketch_mode():
            # right to left, as in a lookbehind (one that captures would give each lexicon
            # reference one alternative per phrase length, each with a flag of its own: flags
            # not yet made would be made now, and every later one move, the encoding with them)
            self._behind, self._cut = True, True
            try:
                prefixes = self._prefixes(tree, ())
            finally:
                self._behind, self._cut = False, False
        if not prefixes or "" in prefixes:
            return None
        body = prefixes[0] if len(prefixes) == 1 else "(?:" + "|".join(prefixes) + ")"
        return "(?r)" + _AT_TOKEN + body if len(body) <= PREFIX_BUDGET else None

    def _prefixes(self, node: Node, before: tuple[str, ...]) -> list[str] | None:
        """Regex sources of what comes before ``node``'s trigger (``before``, then the items
        before it inside ``node``), one per alternative holding it; None where
        :meth:`_suffixes` finds no suffix."""
        if isinstance(node, (TokenNode, LexiconRef)):
            return [_tail_within(before, PREFIX_BUDGET)] if node.trigger else None
        if isinstance(node, Group) and node.kind == "capture" and node.name == "trigger":
            return [_tail_within(before, PREFIX_BUDGET)] if self._capture_trigger(node.body)[1] == 0 else None
        if isinstance(node, Alt):
            found = [self._prefixes(b, before) for b in node.branches]
            return None if any(f is None for f in found) else [s for f in found for s in f]  # type: ignore[union-attr]
        if isinstance(node, Seq):
            for i, item in enumerate(node.items):
                if _collect_marks(item, required=True):
                    return self._prefixes(item, before + tuple(self._emit(x) for x in node.items[:i]))
            return None
        if isinstance(node, Group) and node.kind in ("group", "capture"):
            return self._prefixes(node.body, before)
        return None

    @contextmanager
    def _sketch_mode(self) -> Iterator[None]:
        """Emit and analyse patterns as sketches (@Label as a span of its edges) meanwhile."""
        self._sketching = True
        try:
            yield
        finally:
            self._sketching = False

    def _edges(self, label_id: int) -> tuple[frozenset[str] | None, frozenset[str] | None]:
        """(first, last) flags of a label's mentions; a label without rules has no mention."""
        return self._label_edges.get(label_id, (frozenset(), frozenset()))

    def learn_labels(self, other: PatternCompiler) -> None:
        """Take what ``other`` (a compiler of the same rule set) learnt of the mention labels
        while compiling their rules: what a sentence needs for each, and its first and last flags."""
        self.label_requirements = other.label_requirements
        self._label_edges = other._label_edges

    def remember_subtrees(self) -> None:
        """From now on, remember the regex source and requirements of each node: a var's
        expansion is one tree wherever it is used (``${counted_force}`` in 30 rules), so each is
        worked out once per compiler. Only once nothing they depend on changes any more: the
        labels' lengths, requirements and edges (set layer by layer while mention rules compile)."""
        self._subtrees = {}

    def label_interface(self) -> tuple:
        """What event patterns see of the mention labels besides their lengths: per label, what a
        sentence needs for one of its mentions and its first and last flags (two compilers of
        one rule set that agree on these and on the lengths emit the same event patterns)."""
        return (tuple(sorted((label, tuple(sets)) for label, sets in self.label_requirements.items())),
                tuple(sorted(self._label_edges.items(), key=lambda item: item[0])))

    def set_label_edges(self, label_id: int, trees: list[Node]) -> None:
        """Record the first and last flags of a label whose mention rules have ``trees`` (the
        labels they use must have theirs already: the rule-set compiler goes layer by layer)."""
        with self._sketch_mode():
            edges = []
            for last in (False, True):
                union: frozenset[str] | None = frozenset()
                for tree in trees:
                    flags = self._edge(tree, last=last)[0]
                    union = None if flags is None or union is None else union | flags
                edges.append(union)
        self._label_edges[label_id] = (edges[0], edges[1])

    def compile_guard(self, source: SourceLike, diagnostics: list[Diagnostic]) -> CompiledPattern | None:
        """Compile an ``unless`` pattern: searched anywhere in a sentence, no trigger, no arguments."""
        tree = self.parse_mention(source, diagnostics)
        if tree is None:
            return None
        lexicons = self._lexicons_in(tree)
        return CompiledPattern(r"(?<![^\n])" + self._emit(tree), None, (), lexicons=lexicons,
                               labels=lexicons & self.labels, tree=tree if self.keep_trees else None)

    def parse_mention(self, source: SourceLike, diagnostics: list[Diagnostic]) -> Node | None:
        """The expanded tree (names resolved) of a pattern that needs no trigger — a mention
        rule's or an ``unless`` pattern — or None after reporting why not."""
        tree = self._parse_expanded(source, diagnostics)
        if tree is None:
            return None
        empty = self._empty_problem(tree)
        if empty is not None:
            diagnostics.append(self._diag(source, empty))
            return None
        return tree

    def requirements_of_label(self, trees: list[Node]) -> list[frozenset[tuple[str, str]]]:
        """What a sentence needs for a label whose rules have ``trees`` to have a mention (as
        for an alternation of the rules' patterns; none if a rule has none)."""
        return _any_of([self._requirements(tree) for tree in trees])

    def labels_in(self, tree: Node) -> frozenset[int]:
        """Ids of the mention labels an expanded tree refers to."""
        return self._lexicons_in(tree) & self.labels

    def _bounds(self, node: Node) -> tuple[int, int | None]:
        return _token_bounds(node, self.lexicon_lengths, self.lexicon_ids)

    def mention_bounds(self, tree: Node) -> tuple[int, int]:
        """(fewest, most) tokens a mention of ``tree`` spans (most capped at MAX_MENTION_TOKENS)."""
        low, high = _token_bounds(tree, self.lexicon_lengths, self.lexicon_ids)
        return low, MAX_MENTION_TOKENS if high is None else min(high, MAX_MENTION_TOKENS)

    def compile_mention(self, tree: Node) -> CompiledMention:
        """Compile an expanded mention tree (every label it uses must have its lengths set)."""
        low, high = self.mention_bounds(tree)
        lexicons = self._lexicons_in(tree)
        bounds = self._bounds
        return CompiledMention(
            source=_AT_TOKEN + self._emit(tree),
            part_names=tuple(sorted(_capture_names(tree) - {"trigger"})),
            min_tokens=low,
            max_tokens=high,
            first_flags=self._first(tree)[0],
            last_flags=self._last(tree)[0],
            exact_end=_looks_past_end(tree, 0, bounds),
            lexicons=lexicons,
            labels=lexicons & self.labels,
            tree=tree if self.keep_trees else None,
        )

    def _parse_expanded(self, source: SourceLike, diagnostics: list[Diagnostic]) -> Node | None:
        """The pattern's tree with its vars expanded, or None after reporting why not."""
        errors_before = len(diagnostics)
        try:
            tree = parse_pattern(source.text)
        except PatternError as err:
            diagnostics.append(self._diag(source, err))
            return None
        expanded = self._expand(tree, source, diagnostics, ())
        if expanded is None or len(diagnostics) > errors_before:
            return None
        return expanded

    def _empty_problem(self, tree: Node) -> PatternError | None:
        if _min_tokens(tree, self.lexicon_lengths, self.lexicon_ids) == 0:
            return PatternError("pattern can match the empty sequence of tokens", 0, codes.MATCHES_EMPTY)
        return None

    def _diag(self, source: SourceLike, err: PatternError) -> Diagnostic:
        file, line, col = self.render_pos(source, err.offset)
        return Diagnostic(file, line, col, err.message, err.code)

    # --- pieces of patterns, for tools (``eventx explain`` near misses) ------------------

    def expand(self, node: Node, source: SourceLike, diagnostics: list[Diagnostic]) -> Node | None:
        """``node`` (parsed from ``source``) with every ${var} replaced by its tree."""
        return self._expand(node, source, diagnostics, ())

    def emit_regex(self, node: Node) -> RegexPattern[str]:
        """A regex for an expanded ``node`` alone, starting at a token boundary of the encoded
        stream; no trigger placement or empty-match checks, so any fragment of a rule compiles."""
        return compile_regex(r"(?<![^\n])" + self._emit(node))

    # --- macro expansion and name checks ------------------------------------------------

    def _expand(
        self, node: Node, source: SourceLike, diagnostics: list[Diagnostic], stack: tuple[str, ...]
    ) -> Node | None:
        """Replace ${vars} by their trees; check lexicon names. None if a var could not be used."""
        if isinstance(node, VarRef):
            return self._expand_var(node, source, diagnostics, stack)
        if isinstance(node, LexiconRef):
            names = self._scope(source).names
            key = names.get(node.name)
            if key is None or key not in self.lexicon_ids:
                hint = did_you_mean(node.name, names, "@{}")
                what = "label" if node.name[:1].isupper() else "lexicon"
                diagnostics.append(
                    self._diag(source, PatternError(f"undefined {what} @{node.name}{hint}", node.offset, codes.UNDEFINED_LEXICON))
                )
                return node
            self.used_lexicons.add(key)
            return dataclasses.replace(node, name=key) if key != node.name else node
        if isinstance(node, (Seq, Alt)):
            parts = node.items if isinstance(node, Seq) else node.branches
            expanded: list[Node] = []
            for part in parts:
                done = self._expand(part, source, diagnostics, stack)
                if done is None:
                    return None
                expanded.append(done)
            if isinstance(node, Seq):
                return dataclasses.replace(node, items=tuple(expanded))
            return dataclasses.replace(node, branches=tuple(expanded))
        if isinstance(node, Group) and node.kind == "capture" and (node.name or "").startswith("_eventx"):
            message = f"capture name {node.name!r} is reserved (names starting with _eventx are the engine's)"
            diagnostics.append(self._diag(source, PatternError(message, node.offset, codes.RESERVED_NAME)))
            return None
        if isinstance(node, (Group, Repeat)):
            body = self._expand(node.body, source, diagnostics, stack)
            return None if body is None else dataclasses.replace(node, body=body)
        if isinstance(node, TokenNode) and node.constraint is not None:
            constraint = self._expand_lists(node.constraint, source, diagnostics)
            _check_constraint(constraint, source, self, diagnostics)
            return dataclasses.replace(node, constraint=constraint) if constraint is not node.constraint else node
        return node

    def scope_for(self, source: SourceLike) -> Scope:
        """The names visible where ``source`` is written."""
        return self._scope(source)

    def _scope(self, source: SourceLike) -> Scope:
        if self.scope_of is None:
            return Scope({key: key for key in self.lexicon_ids}, {key: key for key in self.vars})
        return self.scope_of(source.position(0).file)

    def _expand_lists(self, c: Constraint, source: SourceLike, diagnostics: list[Diagnostic]) -> Constraint:
        """``c`` with the entries of each word list (``field=@name``) among its values."""
        if isinstance(c, FieldEquals) and c.lists:
            values = list(c.values)
            names = self._scope(source).names
            for name, offset in c.lists:
                key = names.get(name, "")
                if key not in self.lexicon_ids or self.lexicon_ids[key] in self.labels:
                    hint = did_you_mean(name, [n for n, k in names.items() if k in self.lexicon_ids
                                               and self.lexicon_ids[k] not in self.labels], "@{}")
                    problem = "is a mention label, not a word list" if key in self.lexicon_ids else "is undefined"
                    message = f"word list @{name} {problem}{hint}"
                    diagnostics.append(self._diag(source, PatternError(message, offset, codes.BAD_WORD_LIST)))
                    continue
                words, trouble = self.lexicon_words(key) if self.lexicon_words else ((), None)
                if trouble is not None:
                    diagnostics.append(self._diag(source, PatternError(f"word list @{name}: {trouble}", offset, codes.BAD_WORD_LIST)))
                    continue
                self.used_lexicons.add(key)
                values.extend(words)
            return FieldEquals(c.field, tuple(dict.fromkeys(values)), c.offset)
        if isinstance(c, Not):
            operand = self._expand_lists(c.operand, source, diagnostics)
            return c if operand is c.operand else Not(operand, c.offset)
        if isinstance(c, (And, Or)):
            operands = tuple(self._expand_lists(o, source, diagnostics) for o in c.operands)
            return c if operands == c.operands else dataclasses.replace(c, operands=operands)
        return c

    def _expand_var(
        self, node: VarRef, source: SourceLike, diagnostics: list[Diagnostic], stack: tuple[str, ...]
    ) -> Node | None:
        visible = self._scope(source).vars
        name = visible.get(node.name, "")
        if name not in self.vars:
            hint = did_you_mean(node.name, visible, "${{{}}}")
            diagnostics.append(
                self._diag(source, PatternError(f"undefined variable ${{{node.name}}}{hint}", node.offset, codes.UNDEFINED_VAR))
            )
            return None
        if name in stack:
            cycle = " -> ".join((*stack, name))
            diagnostics.append(
                self._diag(source, PatternError(f"variable cycle: {cycle}", node.offset, codes.VAR_CYCLE))
            )
            return None
        self.used_vars.add(name)
        expanded: Node | None
        cached = self._var_cache.get(name)
        if cached is not None:
            expanded, inner_vars, inner_lexicons = cached
            self.used_vars |= inner_vars
            self.used_lexicons |= inner_lexicons
        else:
            var_source = self.vars[name]
            try:
                tree = parse_pattern(var_source.text)
            except PatternError as err:
                diagnostics.append(self._diag(var_source, err))
                return None
            errors_before = len(diagnostics)
            outer_vars, outer_lexicons = self.used_vars, self.used_lexicons
            self.used_vars, self.used_lexicons = set(), set()  # what this var's expansion uses
            try:
                expanded = self._expand(tree, var_source, diagnostics, (*stack, name))
            finally:
                inner_vars, inner_lexicons = frozenset(self.used_vars), frozenset(self.used_lexicons)
                self.used_vars = outer_vars | inner_vars
                self.used_lexicons = outer_lexicons | inner_lexicons
            if expanded is not None and len(diagnostics) == errors_before:
                # a var means the same wherever it is used
                self._var_cache[name] = (expanded, inner_vars, inner_lexicons)
        if expanded is not None and node.trigger:
            if not isinstance(expanded, (TokenNode, LexiconRef)):
                message = f"${{{name}}}=trigger: the var must be one token constraint or one lexicon"
                diagnostics.append(self._diag(source, PatternError(message, node.offset, codes.BAD_TRIGGER)))
                return None
            expanded = dataclasses.replace(expanded, trigger=True)
        return expanded

    # --- trigger placement and prefilter keys ------------------------------------------

    def _place_trigger(self, tree: Node, problems: list[PatternError]) -> tuple[Node, TriggerKeys]:
        marks = _collect_marks(tree, required=True)
        bad = [offset for offset, required in marks if not required]
        if bad:
            problems.append(
                PatternError(
                    "the trigger must be a required token: outside quantifiers and lookaround, and in an "
                    "alternation every alternative marks its own",
                    bad[0],
                    codes.BAD_TRIGGER,
                )
            )
            return tree, None
        if len(marks) > 1:
            problems.append(PatternError("more than one trigger in the pattern", marks[1][0], codes.BAD_TRIGGER))
            return tree, None
        if not marks:
            branches = tree.branches if isinstance(tree, Alt) else (tree,)
            marked = []
            for branch in branches:
                branch, found = _mark_default_trigger(branch)
                if not found:
                    problems.append(
                        PatternError(
                            "no trigger: mark one token or lexicon with =trigger, or give a required token "
                            "a literal word/lower/lemma constraint",
                            getattr(branch, "offset", 0),
                            codes.NO_TRIGGER,
                        )
                    )
                    return tree, None
                marked.append(branch)
            tree = dataclasses.replace(tree, branches=tuple(marked)) if isinstance(tree, Alt) else marked[0]
        return tree, self._trigger_keys(tree)

    def _trigger_keys(self, node: Node) -> TriggerKeys:
        """Prefilter keys of the trigger(s) inside ``node``: one of them occurs in any match."""
        if isinstance(node, TokenNode):
            return _literal_keys(node.constraint) if node.constraint is not None else None
        if isinstance(node, LexiconRef):
            firsts = self.lexicon_first_keys[self.lexicon_ids[node.name]]
            return frozenset(_key("lower", k) for k in firsts) if firsts else None
        if isinstance(node, Group) and node.kind == "capture" and node.name == "trigger":
            return self._capture_trigger(node.body)[0]
        if isinstance(node, Alt):
            keys = [self._trigger_keys(b) for b in node.branches]
            return None if any(k is None for k in keys) else frozenset().union(*keys)  # type: ignore[arg-type]
        for child in _required_children(node):
            if _collect_marks(child, required=True):
                return self._trigger_keys(child)
        return None

    def _requirements(self, node: Node, span: bool = False) -> list[frozenset[tuple[str, str]]]:
        """Key sets one of whose keys a sentence must hold for ``node`` to match in it: one per
        required literal token or lexicon reference (through sequences, groups, captures,
        positive lookaround and repeats of at least one); an alternation gives sets that are
        each the union of one set of each branch (see :func:`_any_of`), when every branch has one.
        With ``span``, only those the matched tokens themselves meet: none from lookarounds or
        labels. The list is shared (remember_subtrees): not to be changed."""
        memo = self._subtrees
        if memo is None or isinstance(node, TokenNode):
            return self._requirements_of(node, span)
        key = (id(node), "span_requirements" if span else "requirements")
        found = memo.get(key)
        if found is None or found[0] is not node:
            found = memo[key] = (node, self._requirements_of(node, span))
        return found[1]  # type: ignore[return-value]

    def _requirements_of(self, node: Node, span: bool) -> list[frozenset[tuple[str, str]]]:
        if isinstance(node, TokenNode):
            keys = _literal_keys(node.constraint) if node.constraint is not None else None
            return [keys] if keys else []
        if isinstance(node, LexiconRef):
            lex_id = self.lexicon_ids[node.name]
            if lex_id in self.labels:
                return [] if span else list(self.label_requirements.get(lex_id, ()))
            firsts = self.lexicon_first_keys[lex_id]
            return [frozenset(_key("lower", k) for k in firsts)] if firsts else []
        if isinstance(node, Seq):
            return [keys for item in node.items for keys in self._requirements(item, span)]
        if isinstance(node, Group):
            outside = ("not_ahead", "not_behind", "ahead", "behind") if span else ("not_ahead", "not_behind")
            return self._requirements(node.body, span) if node.kind not in outside else []
        if isinstance(node, Repeat):
            return self._requirements(node.body, span) if node.min >= 1 else []
        if isinstance(node, Alt):
            return _any_of([self._requirements(b, span) for b in node.branches])
        return []

    def _around_trigger(
        self, node: Node
    ) -> tuple[list[tuple[frozenset[tuple[str, str]], int, int]], tuple[int, int], tuple[int, int]] | None:
        """For ``node`` holding the trigger mark, on the path of :meth:`_trigger_keys`: its span
        requirements (see :meth:`_requirements`), each with the offsets (low, high) from the
        trigger token between which the token that meets it lies, and the fewest and most tokens
        ``node`` consumes before and after the trigger token; None when one is unbounded.

        Through sequences and groups, a requirement of a part before or after the trigger lies
        within that part, whose place from the trigger the parts between bound. The parts of an
        alternation or a trigger capture that holds the mark are placed no nearer than the whole
        of it: a branch's words, or the capture's other tokens, may be the trigger token's."""
        if isinstance(node, Seq):
            at = next(i for i, item in enumerate(node.items) if _collect_marks(item, required=True))
            inner = self._around_trigger(node.items[at])
            if inner is None:
                return None
            near, (fewest_before, most_before), (fewest_after, most_after) = inner
            low, high = 1 + fewest_after, 1 + most_after  # where the next part starts
            for item in node.items[at + 1 :]:
                shortest, longest = self._bounds(item)
                if longest is None:
                    return None
                near += [(keys, low, high + longest - 1) for keys in self._requirements(item, span=True)]
                low, high = low + shortest, high + longest
            after = (low - 1, high - 1)
            low, high = -1 - most_before, -1 - fewest_before  # where the part before ends
            for item in reversed(node.items[:at]):
                shortest, longest = self._bounds(item)
                if longest is None:
                    return None
                near += [(keys, low - longest + 1, high) for keys in self._requirements(item, span=True)]
                low, high = low - longest, high - shortest
            return near, (-high - 1, -low - 1), after
        if isinstance(node, Group) and (node.kind == "group" or (node.kind == "capture" and node.name != "trigger")):
            return self._around_trigger(node.body)
        shortest, longest = self._bounds(node)
        if longest is None:
            return None
        if isinstance(node, (TokenNode, LexiconRef)):  # the trigger: its keys are its first token's
            return [(keys, 0, 0) for keys in self._requirements(node, span=True)], (0, 0), (0, longest - 1)
        reach = self._trigger_reach(node)  # an alternation or a trigger capture
        if reach is None:
            return None
        return [(keys, -reach, longest - 1) for keys in self._requirements(node, span=True)], (0, reach), (0, longest - 1)

    def _lexicons_in(self, node: Node) -> frozenset[int]:
        if isinstance(node, LexiconRef):
            return frozenset({self.lexicon_ids[node.name]})
        return frozenset().union(*(self._lexicons_in(c) for c in children(node)))

    def _first(self, node: Node) -> tuple[frozenset[str] | None, bool]:
        """(flags one of which the first token ``node`` consumes holds — None when any token
        can be first —, whether ``node`` can consume no token at all)."""
        return self._edge(node, last=False)

    def _last(self, node: Node) -> tuple[frozenset[str] | None, bool]:
        """Like :meth:`_first`, for the last token ``node`` consumes (a lexicon or label
        phrase's last token holds its end flag)."""
        return self._edge(node, last=True)

    def _edge(self, node: Node, *, last: bool) -> tuple[frozenset[str] | None, bool]:
        if isinstance(node, TokenNode):
            return (self._first_flags(node.constraint) if node.constraint is not None else None), False
        if isinstance(node, LexiconRef):
            lex_id = self.lexicon_ids[node.name]
            if self._sketching and lex_id in self.labels:
                first, final = self._edges(lex_id)
                return (final if last else first), False
            return frozenset({self.atoms.lexicon_end(lex_id) if last else self.atoms.lexicon(lex_id)}), False
        if isinstance(node, Anchor) or (isinstance(node, Group) and node.kind in LOOKAROUND):
            return frozenset(), True
        if isinstance(node, Group):
            return self._edge(node.body, last=last)
        if isinstance(node, Repeat):
            body_flags, nullable = self._edge(node.body, last=last)
            return body_flags, nullable or node.min == 0
        if isinstance(node, Alt):
            found = [self._edge(b, last=last) for b in node.branches]
            can_skip = any(nullable for _, nullable in found)
            union: frozenset[str] = frozenset()
            for branch_flags, _ in found:
                if branch_flags is None:
                    return None, can_skip
                union |= branch_flags
            return union, can_skip
        if isinstance(node, VarRef):  # pragma: no cover - vars are expanded before this runs
            raise TypeError(node)
        flags: frozenset[str] = frozenset()
        for item in reversed(node.items) if last else node.items:
            item_flags, nullable = self._edge(item, last=last)
            if item_flags is None:
                return None, False
            flags |= item_flags
            if not nullable:
                return flags, False
        return flags, True

    def _first_flags(self, c: Constraint) -> frozenset[str] | None:
        """Flags one of which a token satisfying ``c`` holds, or None."""
        flag = self._atom(c)
        if flag is not None:
            return frozenset({flag})
        if isinstance(c, Or):
            union: frozenset[str] = frozenset()
            for operand in c.operands:
                operand_flags = self._first_flags(operand)
                if operand_flags is None:
                    return None
                union |= operand_flags
            return union
        if isinstance(c, And):
            known = [p for p in (self._first_flags(o) for o in c.operands) if p is not None]
            return min(known, key=len) if known else None
        return None

    def _required_labels(self, node: Node) -> frozenset[int]:
        """Labels every match of ``node`` holds a mention of (through sequences, groups,
        positive lookaround and repeats of at least one; an alternation's common ones)."""
        if isinstance(node, LexiconRef):
            lex_id = self.lexicon_ids[node.name]
            return frozenset({lex_id}) if lex_id in self.labels else frozenset()
        if isinstance(node, Seq):
            return frozenset().union(*(self._required_labels(item) for item in node.items))
        if isinstance(node, Group):
            return self._required_labels(node.body) if node.kind not in ("not_ahead", "not_behind") else frozenset()
        if isinstance(node, Repeat):
            return self._required_labels(node.body) if node.min >= 1 else frozenset()
        if isinstance(node, Alt):
            return frozenset.intersection(*(self._required_labels(b) for b in node.branches))
        return frozenset()

    def _label_captures(self, node: Node) -> dict[str, int]:
        """Capture name -> label id, for captures whose body is one @Label reference."""
        found: dict[str, int] = {}
        if isinstance(node, Group) and node.kind == "capture" and node.name and node.name != "trigger":
            body = node.body
            while isinstance(body, Group) and body.kind == "group":
                body = body.body
            if isinstance(body, LexiconRef) and self.lexicon_ids[body.name] in self.labels:
                found[node.name] = self.lexicon_ids[body.name]
        for child in children(node):
            found.update(self._label_captures(child))
        return found

    def _trigger_reach(self, node: Node) -> int | None:
        """Most tokens a match spends before the trigger token that carries a key, following
        the path of :meth:`_trigger_keys`; None when a quantifier leaves it unbounded."""
        if isinstance(node, (TokenNode, LexiconRef)):
            return 0  # a lexicon's keys are the first tokens of its phrases
        if isinstance(node, Group) and node.kind == "capture" and node.name == "trigger":
            return self._capture_trigger(node.body)[1]
        if isinstance(node, Alt):
            reaches = [self._trigger_reach(b) for b in node.branches]
            return None if None in reaches else max(reaches)  # type: ignore[type-var]
        return self._reach_to(node, lambda c: bool(_collect_marks(c, required=True)), self._trigger_reach)

    def _suffix_source(self, tree: Node) -> str | None:
        """Regex of the pattern from its trigger token to its end (through the groups and
        alternatives that hold the trigger, on the path of :meth:`_trigger_keys`), or None
        when the trigger is not at its key token or sits in a quantifier or lookaround."""
        suffixes = self._suffixes(tree, ())
        if not suffixes:
            return None
        return r"(?<![^\n])" + (suffixes[0] if len(suffixes) == 1 else "(?:" + "|".join(suffixes) + ")")

    def _suffixes(self, node: Node, rest: tuple[str, ...]) -> list[str] | None:
        """Regex sources of ``node`` from its trigger on, each followed by ``rest`` (the sources of
        the items after it) — cut after ``SUFFIX_BUDGET`` characters: a prefix of what follows
        the trigger is as necessary as all of it, and keeps the check small to build."""
        if isinstance(node, (TokenNode, LexiconRef)):
            return [self._emit(node) + _prefix_within(rest, SUFFIX_BUDGET)] if node.trigger else None
        if isinstance(node, Group) and node.kind == "capture" and node.name == "trigger":
            if self._capture_trigger(node.body)[1] != 0:
                return None
            return [self._emit(node) + _prefix_within(rest, SUFFIX_BUDGET)]
        if isinstance(node, Alt):
            found = [self._suffixes(b, rest) for b in node.branches]
            return None if any(f is None for f in found) else [s for f in found for s in f]  # type: ignore[union-attr]
        if isinstance(node, Seq):
            for i, item in enumerate(node.items):
                if _collect_marks(item, required=True):
                    return self._suffixes(item, tuple(self._emit(x) for x in node.items[i + 1 :]) + rest)
            return None
        if isinstance(node, Group) and node.kind in ("group", "capture"):
            return self._suffixes(node.body, rest)  # a capture does not change what matches
        return None

    def _capture_trigger(self, node: Node) -> tuple[TriggerKeys, int | None]:
        """(keys, reach) of the first required literal token in the body of a ``(?<trigger> ...)``
        capture; through an alternation whose every branch has one, the union of the branches'
        keys (``(?<trigger> [lower=sanctions] | [lower=arms] [lemma=ban])``), so such a rule
        is still gated by its trigger words instead of being tried on every sentence."""
        if _is_literal_token(node):
            return _literal_keys(node.constraint), 0  # type: ignore[union-attr]
        if isinstance(node, Alt):
            found = [self._capture_trigger(b) for b in node.branches]
            if any(keys is None for keys, _ in found):
                return None, None
            reaches = [reach for _, reach in found]
            union = frozenset().union(*(keys for keys, _ in found))  # type: ignore[arg-type]
            return union, None if None in reaches else max(reaches)  # type: ignore[type-var]
        before: int | None = 0
        for child in _required_children(node):
            keys, reach = self._capture_trigger(child)
            if keys is not None:
                return keys, None if before is None or reach is None else before + reach
            longest = _max_tokens(child, self.lexicon_lengths, self.lexicon_ids)
            before = None if before is None or longest is None else before + longest
        return None, None

    def _reach_to(
        self, node: Node, holds: Callable[[Node], bool], inner: Callable[[Node], int | None]
    ) -> int | None:
        """Longest run of tokens before the first required child that ``holds`` the trigger,
        plus the reach ``inner`` finds inside that child."""
        before = 0
        for child in _required_children(node):
            if holds(child):
                reach = inner(child)
                return None if reach is None else before + reach
            longest = _max_tokens(child, self.lexicon_lengths, self.lexicon_ids)
            if longest is None:
                return None
            before += longest
        return None

    # --- regex emission -----------------------------------------------------------------

    def _emit(self, node: Node) -> str:
        memo = self._subtrees
        if memo is None or isinstance(node, (TokenNode, Anchor)):
            return self._emit_node(node)
        key = (id(node), self._sketching, self._behind > 0, self._cut)
        found = memo.get(key)
        if found is None or found[0] is not node:
            found = memo[key] = (node, self._emit_node(node))
        return found[1]  # type: ignore[return-value]

    def _emit_node(self, node: Node) -> str:
        if isinstance(node, TokenNode):
            body = self._record() if node.constraint is None else self._token(node.constraint)
            return f"(?P<trigger>{body})" if node.trigger else body
        if isinstance(node, LexiconRef):
            lex_id = self.lexicon_ids[node.name]
            body = self._label_span(lex_id) if self._sketching and lex_id in self.labels else self._lexicon(lex_id)
            return f"(?P<trigger>{body})" if node.trigger else body
        if isinstance(node, Anchor):
            return r"\A" if node.kind == "start" else r"\Z"
        if isinstance(node, Seq):
            return "".join(self._emit(item) for item in node.items)
        if isinstance(node, Alt):
            return "(?:" + "|".join(self._emit(b) for b in node.branches) + ")"
        if isinstance(node, Group):
            if self._sketching and node.kind in ("not_ahead", "not_behind") and self._lexicons_in(node) & self.labels:
                return ""  # its label's spans are wider in a sketch: "not there" could fail wrongly
            if self._cut and node.kind in ("ahead", "not_ahead", "not_behind"):
                return ""  # see sketch_prefix
            behind = node.kind in ("behind", "not_behind")
            saved = self._behind, self._captures_behind
            if behind:
                self._behind, self._captures_behind = True, self._captures_behind or _has_capture(node.body)
            elif node.kind in ("ahead", "not_ahead"):
                self._behind = False  # a lookahead is matched left to right wherever it stands
            try:
                inner = self._emit(node.body)
            finally:
                self._behind, self._captures_behind = saved
            opener = {
                "group": "(?:",
                "capture": f"(?P<{node.name}>",
                "ahead": "(?=",
                "not_ahead": "(?!",
                "behind": "(?<=",
                "not_behind": "(?<!",
            }[node.kind]
            if behind:
                # Matched right to left, a lookbehind's leftmost record would otherwise need no
                # record start: "[!lower=he]" there would pass on the tail of the "he" record
                inner = _AT_TOKEN + inner
            return opener + inner + ")"
        if isinstance(node, Repeat):
            inner = "(?:" + self._emit(node.body) + ")"
            if (node.min, node.max) == (0, 1):
                quant = "?"
            elif (node.min, node.max) == (0, None):
                quant = "*"
            elif (node.min, node.max) == (1, None):
                quant = "+"
            elif node.max is None:
                quant = f"{{{node.min},}}"
            elif node.min == node.max:
                quant = f"{{{node.min}}}"
            else:
                quant = f"{{{node.min},{node.max}}}"
            mode = "greedy" if self._sketching and node.mode == "possessive" else node.mode
            suffix = {"greedy": "", "lazy": "?", "possessive": "+"}[mode]
            return inner + quant + suffix
        raise TypeError(f"cannot emit {node!r}")  # pragma: no cover

    def _lexicon(self, lex_id: int) -> str:
        """A phrase of the lexicon starting here, longest first (then shorter on backtracking).

        With many phrase lengths, the start's position character is captured, up to
        ``longest - 1`` records are taken greedily, and the last record must hold the
        lexicon's end flag followed by that position: one short pattern for any number of
        lengths. Right-to-left matching (lookbehind) would meet the check before the
        capture, so there, and for lexicons with one or two lengths, each length is an
        alternative of its own.
        """
        lengths = sorted(self.lexicon_lengths[lex_id], reverse=True)
        if not lengths:
            return "(?!)"
        flag = self.atoms.lexicon(lex_id)
        starts = _holds(flag)
        # The start flag is tested in the lookahead that reads (captures or checks) the record's
        # position character: a flag is never a record's first character, so "(?=(?P<s>.).*F)"
        # holds where "(?=.*F)(?=(?P<s>.))" does, with three fewer nodes in the compiled regex
        # (about 2% of the shipped pack's regexes; the same speed). Consuming the end record
        # with ".*E(?P=s).*\n" instead of a lookahead would save more, but backtracks into the
        # record when what follows fails: ~7% slower runs.
        if len(lengths) >= 3 and not self._behind:
            end = self.atoms.lexicon_end(lex_id)
            return (
                f"(?=(?P<{_START_GROUP}>.).*{flag})(?:{TOKEN}){{{lengths[-1] - 1},{lengths[0] - 1}}}"
                f"(?=.*{end}(?P={_START_GROUP})){TOKEN}"
            )
        if len(lengths) >= 3 and not self._captures_behind:
            # Right to left the last record comes first: the start position is captured after
            # an end flag there, and the first record must begin with it. Backtracking tries
            # every end flag of the record, so any phrase of the lexicon that ends there is found.
            end = self.atoms.lexicon_end(lex_id)
            return (
                f"(?=(?P={_START_GROUP}).*{flag})(?:{self._record()}){{{lengths[-1] - 1},{lengths[0] - 1}}}"
                f".*{end}(?P<{_START_GROUP}>.){TOKEN}"
            )
        options = [
            f".*{self.atoms.lexicon(lex_id, n)}{TOKEN}" if n == 1 else _holds(self.atoms.lexicon(lex_id, n)) + f"(?:{self._record()}){{{n}}}"
            for n in lengths
        ]
        if len(options) == 1:
            return options[0]
        # one test rules out a token that starts no phrase of the lexicon, instead of one per length
        return starts + "(?:" + "|".join(options) + ")"

    def _label_span(self, label_id: int) -> str:
        """In a sketch: a run of the label's lengths from a record that holds a first flag of the
        label to one that holds a last flag (the two are one record for a one-token mention)."""
        lengths = self.lexicon_lengths[label_id]
        first, last = self._edges(label_id)
        if not lengths or first == frozenset() or last == frozenset():
            return "(?!)"
        low, high = min(lengths), max(lengths)
        opening = "" if first is None else _holds("[" + "".join(sorted(first)) + "]")
        closing = "" if last is None else _holds("[" + "".join(sorted(last)) + "]")
        inner = "" if high == 1 else f"(?:{self._record()}){{{low - 1},{high - 1}}}"
        return opening + inner + closing + self._record()

    def _token(self, c: Constraint) -> str:
        """One record satisfying ``c``: a record that holds the flag of a single atom is
        matched in one pass (``.*X.*\\n``)."""
        flag = self._atom(c)
        if flag is not None:
            return f".*{flag}{TOKEN}"
        return self._cond(c) + self._record()

    def _record(self) -> str:
        """One whole record, after what tests it at its start (or nothing)."""
        return _WHOLE_RECORD if self._cut else TOKEN

    def _atom(self, c: Constraint) -> str | None:
        """The flag character of ``c`` when it is a single atom, else None."""
        if isinstance(c, FieldEquals):
            key = (c.field, c.values)
            flag = self._equals_cache.get(key)
            if flag is None:
                values = frozenset(normalise_value(c.field, v) for v in c.values)
                flag = self._equals_cache[key] = self.atoms.equals(c.field, values)
            return flag
        if isinstance(c, FieldRegex):
            return self.atoms.matches(c.field, c.regex)
        if isinstance(c, IsNumber):
            return self.atoms.number()
        return None

    def _cond(self, c: Constraint) -> str:
        """A zero-width regex that holds at a record start iff the token satisfies ``c``."""
        flag = self._atom(c)
        if flag is not None:
            return _holds(flag)
        if isinstance(c, Not):
            flag = self._atom(c.operand)
            return f"(?!.*{flag})" if flag is not None else f"(?!{self._cond(c.operand)})"
        if isinstance(c, And):
            return "".join(self._cond(o) for o in c.operands)
        if isinstance(c, Or):
            flags = [self._atom(o) for o in c.operands]
            if all(f is not None for f in flags):
                return _holds("[" + "".join(flags) + "]")  # type: ignore[arg-type]
            return "(?:" + "|".join(self._cond(o) for o in c.operands) + ")"
        raise TypeError(f"cannot emit {c!r}")  # pragma: no cover


_START_GROUP = "_eventx_start"  # reserved capture name (see _lexicon)


SUFFIX_BUDGET = 1500  # characters of regex source kept after a trigger in the continuation check
# Characters of regex source kept before a trigger in a sketch prefix (its items nearest the
# trigger; no prefix over it in all). Compiled, a prefix takes ~150 bytes per character: at
# 300 the shipped pack's 65 prefixes take 0.6 MiB (at 1,500 ~4 MiB, unbounded ~9 MiB), and
# they save about as much of the sketch check's time (43-48% of it on 1.4 MB of news).
PREFIX_BUDGET = 300


def _prefix_within(pieces: tuple[str, ...], budget: int) -> str:
    """The longest run of ``pieces`` from the first whose total length stays within ``budget``."""
    kept: list[str] = []
    for piece in pieces:
        budget -= len(piece)
        if budget < 0:
            break
        kept.append(piece)
    return "".join(kept)


def _tail_within(pieces: tuple[str, ...], budget: int) -> str:
    """The longest run of ``pieces`` up to the last whose total length stays within ``budget``."""
    kept: list[str] = []
    for piece in reversed(pieces):
        budget -= len(piece)
        if budget < 0:
            break
        kept.append(piece)
    return "".join(reversed(kept))


ALTERNATIVE_SETS = 4  # per branch of an alternation, its most telling requirements combined ...
MAX_REQUIREMENTS = 64  # ... into at most this many requirements
MAX_REQUIREMENT_KEYS = 400  # ... of at most this many keys (but for the one most telling)
# words nearly every sentence of news holds: a requirement with one of them rules little out
# (they rank an alternation's requirements; see _any_of)
COMMON_WORDS = frozenset("""
    the of and to a an in for is on that by with it as at from was be has have he his are said
    its not but this were will which or had after been who their they more new up one would
    about than also into over there two out last first we can i you all other when could no
    she her some if so what them our us only may any most then back do does did say make get
    take go 's , . year years just because while before under since against between during
    """.split())


def _commonness(keys: frozenset[tuple[str, str]]) -> tuple[bool, int]:
    """Sort key: requirements without a common word first, then the smaller."""
    return any(value in COMMON_WORDS for _, value in keys), len(keys)


def _ordered(requirements: list[frozenset[tuple[str, str]]]) -> tuple[frozenset[tuple[str, str]], ...]:
    """Requirements without repeats, the smallest first (in the same order in every process)."""
    return tuple(sorted(set(requirements), key=lambda r: (len(r), sorted(r))))


def _any_of(per_branch: list[list[frozenset[tuple[str, str]]]]) -> list[frozenset[tuple[str, str]]]:
    """The requirements of an alternation whose branches have ``per_branch``: a match meets
    every requirement of its branch, so any union of one requirement per branch is met too.
    The unions of each branch's most telling few (those without a common word, then the
    smallest), but for those that hold another: with a common trigger word in one branch
    ("more"), a union of each branch's rarer words ("more troops" needs a force noun) still
    rules sentences out. Unions of over ``MAX_REQUIREMENT_KEYS`` words are dropped, unless
    no other is left."""
    if not per_branch or not all(per_branch):
        return []
    # dicts as ordered sets, and stable sorts: the same order in every process
    unions: dict[frozenset[tuple[str, str]], None] = {frozenset(): None}
    for sets in per_branch:
        options = sorted(dict.fromkeys(sets), key=_commonness)[:ALTERNATIVE_SETS]
        unions = dict.fromkeys(union | keys for union in unions for keys in options)
        if len(unions) > MAX_REQUIREMENTS:
            unions = dict.fromkeys(sorted(unions, key=_commonness)[:MAX_REQUIREMENTS])
    ordered = sorted(unions, key=_commonness)
    kept = [u for k, u in enumerate(ordered) if not any(v <= u for v in ordered[:k])]
    # a union of hundreds of words (every country, every force noun ...) is met by most news
    # sentences: it rules out little and weighs on every load of the compiled pack
    return [u for u in kept if len(u) <= MAX_REQUIREMENT_KEYS] or kept[:1]


def _has_capture(node: Node) -> bool:
    """Whether ``node`` holds a named capture or a trigger mark (what a lookbehind captures
    depends on the order in which it tries a lexicon's phrases)."""
    return bool(_capture_names(node) or _collect_marks(node, required=False))


def _holds(flag: str) -> str:
    """Zero-width: the record starting here holds ``flag`` (a character or a class)."""
    return f"(?=.*{flag})"


def _check_constraint(c: Constraint, source: SourceLike, compiler: PatternCompiler, diagnostics: list[Diagnostic]) -> None:
    if isinstance(c, FieldEquals):
        for value in c.values:
            if not value or any(ch.isspace() for ch in value):
                diagnostics.append(
                    compiler._diag(
                        source,
                        PatternError(
                            f"{c.field}={value!r} can never match: a token never contains whitespace "
                            "(write one constraint per token, or use a lexicon for phrases)",
                            c.offset,
                            codes.NEVER_MATCHES,
                        ),
                    )
                )
    elif isinstance(c, Not):
        _check_constraint(c.operand, source, compiler, diagnostics)
    elif isinstance(c, (And, Or)):
        for operand in c.operands:
            _check_constraint(operand, source, compiler, diagnostics)


def _looks_past_end(node: Node, after: int = 0, bounds=None) -> bool:
    """Whether a lookahead or ``$`` in ``node`` may look past the end of a match: one whose
    reach (the most tokens its body spans) exceeds the fewest tokens the pattern still
    consumes after it (``after``); ``bounds(node)`` gives a node's (fewest, most) tokens."""
    if isinstance(node, Anchor):
        return node.kind == "end" and after == 0
    if isinstance(node, Group) and node.kind in ("ahead", "not_ahead"):
        reach = bounds(node.body)[1]
        return reach is None or reach > after or _looks_past_end(node.body, 0, bounds)
    if isinstance(node, Seq):
        rest = after
        for item in reversed(node.items):
            if _looks_past_end(item, rest, bounds):
                return True
            rest += bounds(item)[0]
        return False
    return any(_looks_past_end(c, after, bounds) for c in children(node))


def _capture_names(node: Node) -> set[str]:
    own = {node.name} if isinstance(node, Group) and node.kind == "capture" and node.name else set()
    return own.union(*(_capture_names(c) for c in children(node)))


def _token_bounds(node: Node, lengths: list[set[int]], lexicon_ids: dict[str, int]) -> tuple[int, int | None]:
    """Fewest and most tokens ``node`` can consume (most is None when unbounded)."""
    if isinstance(node, TokenNode):
        return 1, 1
    if isinstance(node, LexiconRef):
        lens = lengths[lexicon_ids[node.name]] or {1}
        return min(lens), max(lens)
    if isinstance(node, Anchor) or (isinstance(node, Group) and node.kind in LOOKAROUND):
        return 0, 0
    if isinstance(node, Group):
        return _token_bounds(node.body, lengths, lexicon_ids)
    if isinstance(node, Repeat):
        low, high = _token_bounds(node.body, lengths, lexicon_ids)
        return node.min * low, None if high is None or node.max is None else high * node.max
    parts = [_token_bounds(p, lengths, lexicon_ids) for p in (node.items if isinstance(node, Seq) else node.branches)]  # type: ignore[union-attr]
    lows, highs = [low for low, _ in parts], [high for _, high in parts]
    unbounded = None in highs
    if isinstance(node, Seq):
        return sum(lows), None if unbounded else sum(highs)  # type: ignore[arg-type]
    return min(lows), None if unbounded else max(highs)  # type: ignore[type-var]


def _min_tokens(node: Node, lengths: list[set[int]], lexicon_ids: dict[str, int]) -> int:
    return _token_bounds(node, lengths, lexicon_ids)[0]


def _max_tokens(node: Node, lengths: list[set[int]], lexicon_ids: dict[str, int]) -> int | None:
    return _token_bounds(node, lengths, lexicon_ids)[1]


def _collect_marks(node: Node, *, required: bool) -> list[tuple[int, bool]]:
    """(offset, required?) of every trigger mark: =trigger or a capture named 'trigger'."""
    if isinstance(node, (TokenNode, LexiconRef)):
        return [(node.offset, required)] if node.trigger else []
    if isinstance(node, Seq):
        return [m for item in node.items for m in _collect_marks(item, required=required)]
    if isinstance(node, Alt):
        # an alternation whose every branch marks exactly one required trigger holds one trigger
        per_branch = [_collect_marks(b, required=required) for b in node.branches]
        if all(len(m) == 1 and m[0][1] for m in per_branch):
            return [per_branch[0][0]]
        return [(offset, False) for marks in per_branch for offset, _ in marks]
    if isinstance(node, Group):
        inner_required = required and node.kind not in LOOKAROUND
        own = [(node.offset, inner_required)] if node.kind == "capture" and node.name == "trigger" else []
        return own + _collect_marks(node.body, required=inner_required)
    if isinstance(node, Repeat):
        return _collect_marks(node.body, required=False)
    return []


def _required_children(node: Node) -> list[Node]:
    if isinstance(node, Seq):
        return list(node.items)
    if isinstance(node, Group) and node.kind in ("group", "capture"):
        return [node.body]
    return []


def _is_literal_token(node: Node) -> bool:
    return isinstance(node, TokenNode) and node.constraint is not None and _literal_keys(node.constraint) is not None


def _first_required_literal(node: Node) -> TokenNode | None:
    if _is_literal_token(node):
        return node  # type: ignore[return-value]
    for child in _required_children(node):
        found = _first_required_literal(child)
        if found is not None:
            return found
    return None


def _mark_default_trigger(node: Node) -> tuple[Node, bool]:
    """Mark the first required literal token as the trigger (docs/writing-rules.md)."""
    if isinstance(node, TokenNode) and _is_literal_token(node):
        return dataclasses.replace(node, trigger=True), True
    if isinstance(node, Seq):
        items = list(node.items)
        for i, item in enumerate(items):
            new, found = _mark_default_trigger(item)
            if found:
                items[i] = new
                return dataclasses.replace(node, items=tuple(items)), True
        return node, False
    if isinstance(node, Group) and node.kind in ("group", "capture"):
        body, found = _mark_default_trigger(node.body)
        return (dataclasses.replace(node, body=body), True) if found else (node, False)
    return node, False


_keys: dict[tuple[str, str], tuple[str, str]] = {}


def _key(field_name: str, value: str) -> tuple[str, str]:
    """The key ``(field_name, value)``, one tuple object per key in a process: the trigger keys
    and requirements of a pack's rules share them, so a pickled pack (the cache) holds each once
    (the shipped pack's 27,000 key tuples are 4,300 keys; a fifth fewer objects to read back)."""
    key = (field_name, value)
    return _keys.setdefault(key, key)


def _literal_keys(c: Constraint | None) -> TriggerKeys:
    """Keys one of which a token satisfying ``c`` must carry, or None if there is no such set."""
    if isinstance(c, FieldEquals):
        if c.field == "lemma":
            return frozenset(_key("lemma", normalise_value("lemma", v)) for v in c.values)
        if c.field in ("word", "lower"):
            return frozenset(_key("lower", normalise_value("lower", v)) for v in c.values)
        return None
    if isinstance(c, And):
        options = [k for k in (_literal_keys(o) for o in c.operands) if k is not None]
        return min(options, key=len) if options else None
    if isinstance(c, Or):
        parts = [_literal_keys(o) for o in c.operands]
        if any(p is None for p in parts):
            return None
        return frozenset().union(*parts)  # type: ignore[arg-type]
    return None
