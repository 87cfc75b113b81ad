"""``eventx explain``: why a sentence does (not) give an event.

For each sentence: its tokens as the rules see them (word, lemma, shape, lexicon hits), the
rules the trigger prefilter selected, the events produced, and for rules that produced
nothing a *near miss*: the longest prefix of the rule's top-level items that matches
somewhere in the sentence, and the token constraint of the next item that failed there.

The prefixes are compiled with the pack's own compiler machinery (same vars, lexicon ids
and regex atoms, see :meth:`PatternCompiler.emit_regex`) and run over the sentence's encoded
stream, so what explain says is what the matcher does — not a re-implementation of it.
Monotonicity makes this sound: if items[:k] match somewhere, so do items[:k-1].
"""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Callable
from dataclasses import dataclass, field

import regex

from eventx.api import Extractor, SentenceTrace
from eventx.errors import InputError, did_you_mean
from eventx.match.ast import (
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
)
from eventx.match.compiler import PatternCompiler
from eventx.match.matcher import CompiledMentionRule, CompiledRule, Match, RulePack, SentenceMatches, longest_mentions
from eventx.rules.model import SourceText
from eventx.match.parser import parse_pattern
from eventx.record import Event
from eventx.text.model import Document, Token

MATCH_TIMEOUT = 2.0  # seconds per prefix search: explain must answer even for a pathological rule


# --- pattern text back from the AST (to name the item that failed) -------------------------------

_QUOTE_NEEDED = set(' ]|&=!/"()[\t\n')
_GROUP_OPENERS = {"group": "(", "capture": "(?<{name}> ", "ahead": "(?= ", "not_ahead": "(?! ",
                  "behind": "(?<= ", "not_behind": "(?<! "}


def _value(value: str) -> str:
    if value and not (set(value) & _QUOTE_NEEDED):
        return value
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


def constraint_text(c: Constraint, *, nested: bool = False) -> str:
    """Pattern syntax of a token constraint (the text inside ``[...]``)."""
    if isinstance(c, FieldEquals):
        return f"{c.field}=" + "|".join([*(_value(v) for v in c.values), *(f"@{name}" for name, _ in c.lists)])
    if isinstance(c, FieldRegex):
        return f"{c.field}=/" + c.regex.replace("/", "\\/") + "/"
    if isinstance(c, IsNumber):
        return "num"
    if isinstance(c, Not):
        return "!" + constraint_text(c.operand, nested=True)
    joiner = " & " if isinstance(c, And) else " | "
    text = joiner.join(constraint_text(o, nested=True) for o in c.operands)
    return f"({text})" if nested else text


def pattern_text(node: Node) -> str:
    """Pattern syntax of a node, normalised (one space between items)."""
    trigger = "=trigger" if getattr(node, "trigger", False) else ""
    if isinstance(node, TokenNode):
        return "[" + (constraint_text(node.constraint) if node.constraint is not None else "") + "]" + trigger
    if isinstance(node, LexiconRef):
        return f"@{node.name}{trigger}"
    if isinstance(node, VarRef):
        return f"${{{node.name}}}{trigger}"
    if isinstance(node, Anchor):
        return "^" if node.kind == "start" else "$"
    if isinstance(node, Seq):
        return " ".join(pattern_text(i) for i in node.items)
    if isinstance(node, Alt):
        return " | ".join(pattern_text(b) for b in node.branches)
    if isinstance(node, Group):
        return _GROUP_OPENERS[node.kind].format(name=node.name) + pattern_text(node.body) + ")"
    if isinstance(node, Repeat):
        body = pattern_text(node.body)
        if not isinstance(node.body, (TokenNode, LexiconRef, VarRef, Group)):
            body = f"({body})"
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
        return body + quant + {"greedy": "", "lazy": "?", "possessive": "+"}[node.mode]
    raise TypeError(node)  # pragma: no cover


# --- results -------------------------------------------------------------------------------------


@dataclass(slots=True)
class TokenRow:
    index: int
    word: str
    lemma: str
    shape: str
    lexicons: list[str] = field(default_factory=list)  # "@forces" / "@countries=POL" / "@officials[2]"

    def to_dict(self) -> dict:
        return dataclasses.asdict(self)


@dataclass(slots=True)
class NearMiss:
    """How far one rule got in one sentence."""

    rule: str
    selected: bool  # did the prefilter select the rule (its trigger words occur)?
    outcome: str  # "event" | "overlap" (matched, lost overlap resolution) | "unless" | "partial" | "none"
    message: str  # the human sentence: what matched, what failed and why
    items: int = 0  # top-level items of the (best) branch
    matched_items: int = 0  # longest prefix that matches
    tokens: tuple[int, int] | None = None  # token range of that prefix's match [start, end)
    failed_item: str | None = None  # pattern text of item matched_items + 1
    failed_at: int | None = None  # token index where it failed (None: nowhere / sentence end)
    reason: str = ""  # which constraint failed and how
    branch: int | None = None  # 1-based branch of a top-level alternation

    def to_dict(self) -> dict:
        data = dataclasses.asdict(self)
        data["tokens"] = list(self.tokens) if self.tokens else None
        return data


@dataclass(slots=True)
class SentenceReport:
    index: int
    start: int
    end: int
    text: str
    tokens: list[TokenRow]
    candidates: list[str]
    events: list[Event]
    near_misses: list[NearMiss]
    #: later mentions in this sentence of events kept in an earlier place (merged records),
    #: each ``{"of": <kept event id>, "of_sentence": <its sentence index>, **mention}``
    mentions: list[dict] = field(default_factory=list)
    #: the longest mentions of each label found by the pack's mention rules, by layer:
    #: ``{"layer", "label", "text", "tokens": [start, end], "rule", "norm", "parts"}``
    layers: list[dict] = field(default_factory=list)

    def to_dict(self) -> dict:
        return {
            "index": self.index,
            "start": self.start,
            "end": self.end,
            "text": self.text,
            "tokens": [t.to_dict() for t in self.tokens],
            "candidates": self.candidates,
            "events": self.events,
            "mentions": self.mentions,
            "layers": self.layers,
            "near_misses": [n.to_dict() for n in self.near_misses],
        }


# --- the explainer -------------------------------------------------------------------------------


def _render_pos(source, offset: int) -> tuple[str, int, int]:
    pos = source.position(offset)
    return pos.file, pos.line, pos.col


def pack_compiler(pack: RulePack) -> PatternCompiler:
    """A compiler that emits regexes compatible with ``pack``'s encoded streams (the pack's
    scopes, vars, lexicon and label ids, and atoms)."""
    lexicons = pack.lexicons
    ids = {name: i for i, name in enumerate(lexicons.names)}
    if pack.ruleset is not None:
        from eventx.rules.compile import make_compiler

        return make_compiler(pack.ruleset, lexicons, ids, pack.atoms)
    return PatternCompiler(
        vars=dict(pack.ruleset.vars) if pack.ruleset is not None else {},
        lexicon_ids=ids,
        lexicon_lengths=lexicons.lengths,
        lexicon_first_keys=lexicons.first_keys,
        atoms=pack.atoms,  # the same atoms, so the same flag characters as the pack's streams
        render_pos=_render_pos,
    )


def timeout_deadline() -> float:
    return time.monotonic() + MATCH_TIMEOUT


class _Stream:
    """One sentence's encoded stream, with token index <-> record offset maps."""

    def __init__(self, pack: RulePack, tokens: list[Token]):
        self.tokens = tokens
        self.hits = pack.lexicons.annotate(tokens)  # lexicon phrases only
        labels = frozenset(m.label_id for m in pack.mention_rules)
        self.mentions, hits = pack.find_mentions(tokens, self.hits, labels, deadline=timeout_deadline())
        self.text, self.token_at = pack.encoder.stream(tokens, hits)
        self.offset_of = {index: offset for offset, index in self.token_at.items()}

    def describe(self, index: int) -> str:
        if index >= len(self.tokens):
            return "the end of the sentence"
        t = self.tokens[index]
        return f"token {index} {t.word!r} (lemma {t.lemma!r})"

    def words(self, start: int, end: int) -> str:
        return " ".join(t.word for t in self.tokens[start:end])


class Explainer:
    """Explains sentences against one compiled pack."""

    def __init__(self, extractor: Extractor):
        self.extractor = extractor
        self.pack = extractor.pack
        self.compiler = pack_compiler(self.pack)
        # the prefixes of a rule share their items: each item's regex source is emitted once
        self.compiler.remember_subtrees()
        self._index = {rule.id: i for i, rule in enumerate(self.pack.rules)}
        # mention rules by id, as negative indices (-1 is the first)
        self._index.update({rule.id: -1 - i for i, rule in enumerate(self.pack.mention_rules)})

    def rule_index(self, rule_id: str) -> int:
        if rule_id not in self._index:
            raise InputError(f"no rule '{rule_id}' in the pack{did_you_mean(rule_id, self._index)}")
        return self._index[rule_id]

    def explain(self, text: str, *, rule_id: str | None = None) -> list[SentenceReport]:
        """One report per sentence of ``text``; ``rule_id`` forces a near-miss report for that rule."""
        focus = self.rule_index(rule_id) if rule_id is not None else None
        trace = self.extractor.trace(Document(id="text", text=text), every_sentence=True)
        events = trace.events
        reports = []
        for traced in trace.sentences:
            index = traced.sentence.index
            mine = [e for e in events if e["sentence"]["index"] == index]
            mentions = [
                {"of": e["id"], "of_type": e["type"], "of_sentence": e["sentence"]["index"], **m}
                for e in events
                for m in e.get("mentions") or ()
                if m["sentence"]["index"] == index
            ]
            reports.append(self._sentence(trace.doc, traced, mine, focus, mentions))
        return reports

    def _sentence(
        self, doc: Document, traced: SentenceTrace, events: list[Event], focus: int | None, mentions: list[dict] | None = None
    ) -> SentenceReport:
        """The report of one traced sentence: what the pipeline did, and near misses of the rules
        whose trigger occurs but which gave nothing (or of the rule ``--rule`` names)."""
        pack, sentence = self.pack, traced.sentence
        tokens = sentence.tokens
        stream = _Stream(pack, tokens)
        found = traced.found
        selected = found.candidates
        rows = [TokenRow(i, t.word, t.lemma, t.shape) for i, t in enumerate(tokens)]
        for hit in stream.hits:
            label = "@" + pack.lexicons.names[hit.lexicon]
            if hit.length > 1:
                label += f"[{hit.length}]"
            if hit.norm:
                label += f"={hit.norm}"
            rows[hit.start].lexicons.append(label)
        mentions = mentions or []
        fired = {e["rule"] for e in events} | {m["rule"] for m in mentions}
        if focus is not None:
            studied = [focus] if focus >= 0 else []
        else:
            studied = [i for i in pack.prefilter.triggered(tokens) if pack.rules[i].id not in fired]
        # a rule the prefilter did not select cannot match (a requirement is unmet): its near
        # miss needs no matching
        misses = [self._near_miss(i, i in selected, stream, found, traced.kept, fired) for i in studied]
        misses += self._mention_misses(stream, studied, focus)
        return SentenceReport(
            sentence.index, sentence.start, sentence.end, doc.text[sentence.start : sentence.end],
            rows, [pack.rules[i].id for i in selected], events, misses, mentions, _layers(stream),
        )

    def _mention_misses(self, stream: _Stream, studied: list[int], focus: int | None) -> list[NearMiss]:
        """Near misses of the mention rules that found nothing in the sentence, for the labels
        the studied rules need (or the rule ``--rule`` names)."""
        pack = self.pack
        if focus is not None and focus < 0:
            rules = [pack.mention_rules[-focus - 1]]
        else:
            needed = pack.label_closure(frozenset().union(*(pack.rules[i].pattern.labels for i in studied)))
            rules = [m for m in pack.mention_rules if m.label_id in needed]
        found = {m.rule.id for m in stream.mentions}
        misses = []
        for rule in rules:
            if rule.id in found:
                continue
            miss = self._longest_prefix(rule, stream)
            miss.message = f"finds no {rule.label} mention: {miss.message}"
            misses.append(miss)
        return misses

    # --- one rule ---------------------------------------------------------------------------

    def _near_miss(
        self, index: int, selected: bool, stream: _Stream, found: SentenceMatches, kept: list[Match], fired: set[str]
    ) -> NearMiss:
        rule = self.pack.rules[index]
        if rule.id in fired:
            return NearMiss(rule.id, selected, "event", f"{rule.id} produced an event in this sentence")
        veto = found.vetoed.get(rule.id)
        if veto is not None:
            unless = rule.source.unless[veto].text.strip() if rule.source is not None else rule.unless[veto].source
            message = f"{rule.id} matches, but its unless pattern {unless!r} matches in this sentence"
            return NearMiss(rule.id, selected, "unless", message)
        own = [m for m in found.matches if m.rule is rule]
        if own:
            m = own[0]
            winner = next((k for k in kept if k.rule.type == rule.type and k.start < m.end and m.start < k.end), None)
            by = f" to {winner.rule.id} (priority {winner.rule.priority})" if winner else ""
            message = (f"{rule.id} matches tokens {m.start}..{m.end - 1} ({stream.words(m.start, m.end)!r}) "
                       f"but loses overlap resolution{by}")
            return NearMiss(rule.id, selected, "overlap", message, tokens=(m.start, m.end))
        miss = self._longest_prefix(rule, stream)
        miss.selected = selected
        if not selected:
            missing = self.pack.prefilter.missing_requirement(index, stream.tokens)
            if missing is None:
                why = "its trigger words do not occur"
            else:
                words = sorted(value for _, value in missing)
                shown = ", ".join(words[:6]) + (f" (+{len(words) - 6} more)" if len(words) > 6 else "")
                why = f"no token is one of the words it requires: {shown}"
            miss.message = f"not selected by the prefilter: {why}; {miss.message}"
        return miss

    def _branches(self, rule: CompiledRule | CompiledMentionRule) -> list[list[tuple[Node, Node]]]:
        """(raw item, expanded item) lists of each top-level branch of the rule's pattern."""
        if rule.source is None:
            raise PatternError("no source", 0)
        source: SourceText = rule.source.pattern
        tree = parse_pattern(source.text)
        while isinstance(tree, VarRef):  # a pattern that is one ${var}: look inside
            source = self.compiler.vars[self.compiler.scope_for(source).vars[tree.name]]  # type: ignore[assignment]
            tree = parse_pattern(source.text)
        branches = tree.branches if isinstance(tree, Alt) else (tree,)
        out = []
        for branch in branches:
            raw = list(branch.items) if isinstance(branch, Seq) else [branch]
            pairs = []
            for item in raw:
                expanded = self.compiler.expand(item, source, [])
                if expanded is None:
                    raise PatternError("cannot be expanded", item.offset)
                pairs.append((item, expanded))
            out.append(pairs)
        return out

    def _search(self, nodes: list[Node], stream: _Stream, *, at: int | None = None) -> regex.Match | None:
        rx = self.compiler.emit_regex(Seq(tuple(nodes), 0))
        try:
            if at is None:
                return rx.search(stream.text, timeout=MATCH_TIMEOUT)
            return rx.match(stream.text, stream.offset_of[at], timeout=MATCH_TIMEOUT)
        except TimeoutError:
            return None

    def _widest(self, nodes: list[Node], stream: _Stream) -> regex.Match | None:
        """The match of ``nodes`` that covers most tokens (the leftmost of those): the leftmost
        match is often a trivial one of optional items, far from where the rule nearly fired."""
        rx = self.compiler.emit_regex(Seq(tuple(nodes), 0))
        try:
            matches = list(rx.finditer(stream.text, overlapped=True, timeout=MATCH_TIMEOUT))
        except TimeoutError:
            return None
        return max(matches, key=lambda m: (m.end() - m.start(), -m.start()), default=None)

    def _longest_prefix(self, rule: CompiledRule | CompiledMentionRule, stream: _Stream) -> NearMiss:
        try:
            branches = self._branches(rule)
        except (PatternError, KeyError):  # pragma: no cover - a compiled rule always parses
            return NearMiss(rule.id, False, "none", "its pattern cannot be analysed")
        best = (-1, 0)
        for number, items in enumerate(branches):
            k = _longest_true(len(items), lambda size: self._search([e for _, e in items[:size]], stream) is not None)
            if k > best[0]:
                best = (k, number)
        k, number = best
        items = branches[number]
        prefix = [e for _, e in items[:k]]
        found = (self._widest(prefix, stream) or self._search(prefix, stream)) if k else None
        branch = number + 1 if len(branches) > 1 else None
        where = f"branch {branch} of {len(branches)}: " if branch else ""
        if k == len(items):  # cannot happen without a match of the whole rule; be honest if it does
            return NearMiss(rule.id, True, "partial", f"{where}every item matches, but not as one match",
                            items=len(items), matched_items=k, branch=branch)
        raw, expanded = items[k]
        item_text = pattern_text(raw)
        if found is None:
            reason = self._nowhere(expanded, stream)
            message = f"{where}item {k + 1} `{item_text}` matches nowhere in the sentence" + (f": {reason}" if reason else "")
            return NearMiss(rule.id, True, "none", message, items=len(items), failed_item=item_text,
                            reason=reason, branch=branch)
        start, end = stream.token_at[found.start()], stream.token_at[found.end()]
        if start == end:  # only optional items matched, trivially anywhere: the next one is the miss
            reason = self._nowhere(expanded, stream)
            message = (f"{where}items 1..{k} are optional and match no tokens; item {k + 1} `{item_text}` "
                       "matches nowhere in the sentence" + (f": {reason}" if reason else ""))
            return NearMiss(rule.id, True, "none", message, items=len(items), matched_items=k,
                            failed_item=item_text, reason=reason, branch=branch)
        reason = self._why(expanded, end, stream)
        span = f"tokens {start}..{end - 1}: {stream.words(start, end)!r}"
        message = (f"{where}matched items 1..{k} ({span}), then item {k + 1} `{item_text}` failed at "
                   f"{stream.describe(end)}" + (f": {reason}" if reason else ""))
        return NearMiss(rule.id, True, "partial", message, items=len(items), matched_items=k,
                        tokens=(start, end), failed_item=item_text, failed_at=end if end < len(stream.tokens) else None,
                        reason=reason, branch=branch)

    # --- why an item fails at a token ----------------------------------------------------------

    def _nowhere(self, node: Node, stream: _Stream) -> str:
        node = _unwrap(node)
        if isinstance(node, Seq):  # its first required part is what never occurs, most likely
            required = [i for i in node.items if not (isinstance(i, Repeat) and i.min == 0)]
            if required and self._search([required[0]], stream) is None:
                return self._nowhere(required[0], stream)
            return ""
        if isinstance(node, LexiconRef):
            return f"no phrase of @{node.name} occurs"
        if isinstance(node, TokenNode) and node.constraint is not None:
            return f"no token satisfies [{constraint_text(node.constraint)}]"
        return ""

    def _why(self, node: Node, at: int, stream: _Stream) -> str:
        """Which constraint of ``node`` fails at token ``at`` (its first token would be there)."""
        node = _unwrap(node)
        if at >= len(stream.tokens):
            return "the sentence ends before it"
        if self._search([node], stream, at=at) is not None:
            return ""  # its first part matches here; the item fails later (a repeat count, say)
        token = stream.tokens[at]
        if isinstance(node, TokenNode) and node.constraint is not None:
            return self._why_constraint(node.constraint, at, stream)
        if isinstance(node, LexiconRef):
            return f"no phrase of @{node.name} starts at {token.word!r}"
        if isinstance(node, Anchor):
            return "not at the " + ("start" if node.kind == "start" else "end") + " of the sentence"
        if isinstance(node, Group) and node.kind not in ("group", "capture"):
            return f"the lookaround `{pattern_text(node)}` does not hold there"
        if isinstance(node, Alt):
            return f"none of its {len(node.branches)} alternatives matches there"
        if isinstance(node, Seq):
            k = _longest_true(len(node.items), lambda size: self._search(list(node.items[:size]), stream, at=at) is not None)
            if k == len(node.items):
                return ""
            m = self._search(list(node.items[:k]), stream, at=at) if k else None
            end = stream.token_at[m.end()] if m is not None else at
            inner = node.items[k]
            reason = self._why(inner, end, stream)
            return f"inside it, `{pattern_text(inner)}` failed at {stream.describe(end)}" + (f": {reason}" if reason else "")
        return ""

    def _holds(self, c: Constraint, at: int, stream: _Stream) -> bool:
        return self._search([TokenNode(c, 0)], stream, at=at) is not None

    def _why_constraint(self, c: Constraint, at: int, stream: _Stream) -> str:
        token = stream.tokens[at]
        if isinstance(c, FieldEquals):
            actual = getattr(token, c.field)
            return f"{c.field} is {actual!r}, not {'|'.join(c.values)}"
        if isinstance(c, FieldRegex):
            return f"{c.field} {getattr(token, c.field)!r} does not match /{c.regex}/"
        if isinstance(c, IsNumber):
            return f"{token.word!r} is not a number"
        if isinstance(c, Not):
            return f"`{constraint_text(c)}` fails: {constraint_text(c.operand)} holds"
        if isinstance(c, And):
            failing = next((o for o in c.operands if not self._holds(o, at, stream)), None)
            return self._why_constraint(failing, at, stream) if failing is not None else ""
        if isinstance(c, Or):
            return "none holds: " + "; ".join(self._why_constraint(o, at, stream) for o in c.operands)
        return ""  # pragma: no cover


def _layers(stream: _Stream) -> list[dict]:
    """The longest mentions of each label in the sentence (not inside another of the same label),
    by layer, label and position."""
    longest = longest_mentions(stream.mentions)
    longest.sort(key=lambda m: (m.rule.layer, m.label, m.start, m.end))
    return [
        {"layer": m.rule.layer, "label": m.label, "text": stream.words(m.start, m.end), "tokens": [m.start, m.end],
         "rule": m.rule.id, "norm": m.norm, "parts": {name: stream.words(*span) for name, span in m.parts.items()}}
        for m in longest
    ]


def _longest_true(n: int, holds: Callable[[int], bool]) -> int:
    """The largest k in 0..n with holds(k), for a predicate true at 0 and monotone (a prefix of
    a matching prefix matches too): a binary search, since each probe compiles a regex."""
    low, high = 0, n
    while low < high:
        middle = (low + high + 1) // 2
        if holds(middle):
            low = middle
        else:
            high = middle - 1
    return low


def _unwrap(node: Node) -> Node:
    """The node that must match first: through plain groups, captures and required repeats."""
    while True:
        if isinstance(node, Group) and node.kind in ("group", "capture"):
            node = node.body
        elif isinstance(node, Repeat) and node.min >= 1:
            node = node.body
        elif isinstance(node, Seq) and len(node.items) == 1:
            node = node.items[0]
        else:
            return node
