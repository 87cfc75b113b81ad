"""Matching compiled rules over the tokens of one sentence.

:class:`RulePack` is the compiled, immutable form of a rule set. Per sentence it
1. asks the trigger index which rules can fire: a rule fires only if its trigger's word or
   lemma occurs and each of its requirements (words its other required tokens and lexicon
   references need) is met, so cost grows with the rules that can fire, not with the pack
   size — and a sentence no rule can fire in is not even tokenised (:meth:`RulePack.may_fire`);
2. builds the encoded token stream (see :mod:`eventx.match.atoms`) only when some rule can,
   flagging only the lexicons those rules refer to;
3. runs each candidate rule's regex (leftmost, non-overlapping), drops its matches where one of
   its ``unless`` patterns matches, and maps regex positions back to token indices.

Step 3 tries a rule only at start positions from which a match can reach one of its trigger
occurrences: a match holds its trigger token, so it starts at most ``trigger_reach`` tokens
before a token carrying one of the rule's trigger keys — and only where the trigger's
continuation matches, and only at tokens whose record holds a flag the first token of a match
must hold. Trying those positions in order with ``match`` and resuming after each match gives
exactly what ``finditer`` over the whole sentence gives (every skipped position is one where no
match can start), at a fraction of the cost. Rules without a bound (an unbounded quantifier
before the trigger) use ``finditer``.
"""

from __future__ import annotations

import time
from itertools import accumulate
from dataclasses import dataclass, field
from typing import Any

import regex

from eventx.match.atoms import Positions, TokenAtoms
from eventx.match.compiler import CompiledMention, CompiledPattern
from eventx.match.lexicon import LexiconHit, LexiconIndex
from eventx.text.model import Token
from eventx.text.tokenize import tokenize

_CHUNK_CACHE_LIMIT = 100_000  # distinct chunks remembered by may_fire() (~150 bytes each: bounds memory)
_NO_RULES: list[int] = []
_BLOCK = 1 << 20  # characters of text split at once by may_fire()
_SPACE = regex.compile(r"\s")  # a subset of what str.split() splits at


@dataclass(frozen=True, slots=True)
class CompiledRule:
    id: str
    type: str
    priority: int
    order: int  # load order: the last tie-breaker between overlapping matches
    description: str
    pattern: CompiledPattern
    modality: str | None  # fixed modality, overriding detection
    norms: dict[str, str]  # role -> "number" | "date" | "lexicon" | "none"
    file: str
    line: int
    source: Any = field(default=None, compare=False, repr=False)  # the loaded rule (examples, positions)
    unless: tuple[CompiledPattern, ...] = ()  # no event in a sentence where one of these matches


@dataclass(frozen=True, slots=True)
class CompiledMentionRule:
    id: str
    label: str  # as written (``key`` may differ when two files define one label name)
    label_id: int  # its id among the pack's lexicons and labels
    layer: int  # 1 + the highest layer of the labels it refers to
    priority: int
    order: int
    pattern: CompiledMention
    norms: dict[str, str]  # part -> normaliser
    file: str
    line: int
    source: Any = field(default=None, compare=False, repr=False)  # the loaded rule (examples)


@dataclass(frozen=True, slots=True)
class Mention:
    """A span of a sentence found by a mention rule: token range, parts (named captures) and
    the norm of the rightmost lexicon phrase or mention with a norm inside it."""

    label: str
    label_id: int
    rule: CompiledMentionRule
    start: int
    end: int
    parts: dict[str, tuple[int, int]]
    norm: str | None


@dataclass(frozen=True, slots=True)
class Match:
    rule: CompiledRule
    start: int  # token range of the match, lookaround excluded
    end: int
    trigger: tuple[int, int]
    groups: dict[str, tuple[int, int]]  # argument captures that took part and are not empty


@dataclass(slots=True)
class SentenceMatches:
    matches: list[Match]
    hits: list[LexiconHit]  # lexicon phrases, then mentions (as hits of their label's id)
    vetoed: dict[str, int] = field(default_factory=dict)  # rule id -> its unless pattern that matched
    mentions: list[Mention] = field(default_factory=list)  # by layer, then label, then position


class RulePack:
    def __init__(
        self,
        rules: list[CompiledRule],
        lexicons: LexiconIndex,
        atoms: TokenAtoms,
        *,
        version: str,
        ruleset: Any = None,
        used_vars: frozenset[str] = frozenset(),
        used_lexicons: frozenset[str] = frozenset(),
        mention_rules: list[CompiledMentionRule] | None = None,
    ):
        self.rules = rules
        self.mention_rules = sorted(mention_rules or [], key=lambda m: (m.layer, m.label_id, m.order))
        self.lexicons = lexicons
        self.atoms = atoms
        self._positions = Positions()
        self._ready: set[int] = set()  # rules whose regexes are built
        # per lexicon and phrase length: the flags "a phrase starts here" and "... with n tokens"
        self._lexicon_flags = [
            [""] + [atoms.lexicon(k) + atoms.lexicon(k, n) for n in range(1, max(lengths, default=0) + 1)]
            for k, lengths in enumerate(lexicons.lengths)
        ]
        self._lexicon_ends = [atoms.lexicon_end(k) for k in range(len(lexicons.lengths))]
        # per label, the labels its rules refer to; per rule, the labels it needs, transitively
        self._label_uses: dict[int, set[int]] = {}
        for mention in self.mention_rules:
            self._label_uses.setdefault(mention.label_id, set()).update(mention.pattern.labels)
        self._rule_labels = [
            self.label_closure(rule.pattern.labels.union(*(guard.labels for guard in rule.unless))) for rule in rules
        ]
        # lexicons each rule refers to (pattern, unless patterns and the mention rules of the
        # labels it needs): only their hits are flagged
        self._rule_lexicons = [
            rule.pattern.lexicons.union(*(guard.lexicons for guard in rule.unless), labels,
                                        *(m.pattern.lexicons for m in self.mention_rules if m.label_id in labels))
            for rule, labels in zip(rules, self._rule_labels)
        ]
        self.version = version
        self.ruleset = ruleset
        self.compile_seconds = 0.0  # spent building regexes on first use (not matching time)
        self.used_vars = used_vars  # for lint: defined but never used
        self.used_lexicons = used_lexicons
        self._by_lower: dict[str, list[int]] = {}
        self._by_lemma: dict[str, list[int]] = {}
        self._always: list[int] = []
        for index, rule in enumerate(rules):
            keys = rule.pattern.trigger_keys
            if keys is None:
                self._always.append(index)
                continue
            for field_name, value in keys:
                table = self._by_lower if field_name == "lower" else self._by_lemma
                table.setdefault(value, []).append(index)
        self.trigger_words = frozenset(self._by_lower)
        self.trigger_lemmas = frozenset(self._by_lemma)
        # Prefilter keys as strings: a lower-cased word as it is, a lemma after a NUL (no token
        # holds control characters), so that a sentence's keys are one set of strings.
        self._by_key: dict[str, list[int]] = {w: r for w, r in self._by_lower.items()}
        for lemma, indices in self._by_lemma.items():
            self._by_key[_LEMMA + lemma] = indices
        # per rule, its requirements: a sentence meets one when it holds one of its keys
        self._requirements = [
            tuple(frozenset(_key(f, v) for f, v in keys) for keys in rule.pattern.requirements) for rule in rules
        ]
        # the keys any rule asks for (its trigger or a requirement): the rest is never looked at
        self._relevant = frozenset(self._by_key).union(*(r for reqs in self._requirements for r in reqs))
        # may_fire() caches: whitespace-delimited chunks of text -> the relevant keys of their tokens
        self._chunk_keys: dict[str, frozenset[str]] = {}
        self._chunks_empty: set[str] = set()  # chunks without tokens (control characters only)

    def __len__(self) -> int:
        return len(self.rules)

    def compile_all(self) -> None:
        """Build every rule's regexes now (they are built on first use otherwise): before
        forking workers, so that they share them instead of each compiling its own."""
        for index, rule in enumerate(self.rules):
            _build(rule)
            self._ready.add(index)
        for mention in self.mention_rules:
            mention.pattern.regex  # noqa: B018

    def label_closure(self, labels: frozenset[int] | set[int]) -> frozenset[int]:
        """``labels`` and every label their mention rules refer to, transitively."""
        found = set(labels)
        todo = list(labels)
        while todo:
            for used in self._label_uses.get(todo.pop(), ()):
                if used not in found:
                    found.add(used)
                    todo.append(used)
        return frozenset(found)

    def find_mentions(
        self,
        tokens: list[Token],
        hits: list[LexiconHit],
        labels: frozenset[int],
        lexicons: set[int] | None = None,
        deadline: float | None = None,
    ) -> tuple[list[Mention], list[LexiconHit]]:
        """The mentions of ``labels`` (closed under :meth:`label_closure`) in a sentence whose
        lexicon hits are ``hits``, layer by layer, each layer seeing the mentions of the layers
        below it as phrases of their label; and ``hits`` with those mentions added.

        A mention rule's mentions are all the spans its pattern matches exactly (every start,
        every end: ``@Label`` then backtracks over them like over a lexicon's phrases); when two
        rules of one label find the same span, the higher priority (then the earlier rule)
        gives its parts and norm.
        """
        mentions: list[Mention] = []
        hits = list(hits)
        flagged = None if lexicons is None else set(lexicons) | labels
        layer_seen = -1
        stream = ""
        starts: list[int] = []
        offsets: dict[int, int] = {}
        records: list[str] = []
        best: dict[tuple[int, int, int], Mention] = {}
        for mention in self.mention_rules:
            if mention.label_id not in labels:
                continue
            if mention.layer != layer_seen:  # the stream with the mentions of the layers below
                layer_seen = mention.layer
                hits.extend(LexiconHit(m.label_id, m.start, m.end - m.start, m.norm) for m in _new(best, mentions))
                stream, offsets, records = self._encode(tokens, hits, flagged)
                starts = list(offsets)
            for start, end, m in _exact_spans(mention.pattern, stream, starts, records, deadline):
                key = (mention.label_id, start, end)
                known = best.get(key)
                if known is not None and (known.rule.priority, -known.rule.order) >= (mention.priority, -mention.order):
                    continue
                parts = {}
                for name in mention.pattern.part_names:
                    s, e = m.span(name)
                    if s >= 0 and e > s:
                        parts[name] = (offsets[s], offsets[e])
                best[key] = Mention(mention.label, mention.label_id, mention, start, end, parts, _norm(hits, start, end))
        found = _new(best, mentions)
        hits.extend(LexiconHit(m.label_id, m.start, m.end - m.start, m.norm) for m in found)
        return mentions, hits

    def may_fire(self, text: str, start: int = 0, end: int | None = None) -> tuple[bool, bool]:
        """(some rule can fire in ``text[start:end]``, the text has tokens at all) — without
        tokenising it.

        A token never spans whitespace, and the tokenizer decides token boundaries from the
        text between two whitespace characters alone (its lookarounds see whitespace and the
        end of the text alike), so the tokens of a text are those of its whitespace-delimited
        chunks. Each distinct chunk is tokenised once and remembered with the keys its tokens
        carry that some rule asks for; news repeats its chunks, so most calls are a
        ``str.split`` and a few set operations. A rule can fire where its trigger key occurs
        and each of its requirements (see :class:`CompiledPattern`) is met.
        """
        end = len(text) if end is None else end
        keys: set[str] = set()
        has_tokens = False
        while start < end:  # in blocks, for bounded memory on huge texts
            cut = min(end, start + _BLOCK)
            if cut < end:  # end the block after a whitespace character: chunks stay whole
                space = _SPACE.search(text, cut - 1, end)
                cut = space.end() if space else end
            chunks = set(text[start:cut].split())
            keys.update(*map(self._chunk_keys_of(chunks).__getitem__, chunks))
            has_tokens = has_tokens or not chunks.issubset(self._chunks_empty)
            if has_tokens and any(self._met(index, keys) for index in self._rules_for(keys)):
                return True, True
            start = cut
        return False, has_tokens

    def _chunk_keys_of(self, chunks: set[str]) -> dict[str, frozenset[str]]:
        """The chunk cache, with every chunk of ``chunks`` in it."""
        known = self._chunk_keys
        unknown = chunks.difference(known)
        if unknown:
            if len(known) > _CHUNK_CACHE_LIMIT:
                known.clear()
                self._chunks_empty = set()
                unknown = chunks
            relevant, nothing = self._relevant, frozenset()
            for chunk in unknown:
                tokens = tokenize(chunk)
                if not tokens:
                    self._chunks_empty.add(chunk)
                found = [t.lower for t in tokens if t.lower in relevant]
                found += [key for t in tokens if (key := _LEMMA + t.lemma) in relevant]
                known[chunk] = frozenset(found) if found else nothing
        return known

    def _rules_for(self, keys: set[str]) -> set[int]:
        """Rules whose trigger key is among ``keys`` (and rules without trigger keys)."""
        found = set(self._always)
        get = self._by_key.get
        for key in keys:
            found.update(get(key, _NO_RULES))
        return found

    def _met(self, index: int, keys: set[str]) -> bool:
        return all(not keys.isdisjoint(required) for required in self._requirements[index])

    def trigger_positions(self, tokens: list[Token]) -> dict[int, list[int]]:
        """Rule index -> token indices (ascending) where one of its trigger keys occurs."""
        by_lower, by_lemma = self._by_lower, self._by_lemma
        found: dict[int, list[int]] = {}
        # most tokens carry no key: find the few that do in one comprehension
        for i in [i for i, t in enumerate(tokens) if t.lower in by_lower or t.lemma in by_lemma]:
            token = tokens[i]
            for rule in by_lower.get(token.lower, _NO_RULES) + by_lemma.get(token.lemma, _NO_RULES):
                where = found.get(rule)
                if where is None:
                    found[rule] = [i]
                elif where[-1] != i:
                    where.append(i)
        return found

    def candidates(self, tokens: list[Token]) -> list[int]:
        """Indices (in rule order) of the rules whose trigger occurs in ``tokens`` and whose
        requirements the tokens meet."""
        return self._selected(tokens, self.trigger_positions(tokens))

    def triggered(self, tokens: list[Token]) -> list[int]:
        """Indices (in rule order) of the rules whose trigger occurs in ``tokens``, whether or not
        their other requirements are met (``eventx explain`` studies all of them)."""
        return sorted(set(self._always).union(self.trigger_positions(tokens)))

    def missing_requirement(self, index: int, tokens: list[Token]) -> frozenset[tuple[str, str]] | None:
        """The first requirement of rule ``index`` that ``tokens`` do not meet, if its trigger
        occurs (None when the trigger is missing or every requirement is met)."""
        if index not in self._always and index not in self.trigger_positions(tokens):
            return None
        keys = _token_keys(tokens)
        requirements = zip(self.rules[index].pattern.requirements, self._requirements[index])
        return next((pairs for pairs, required in requirements if keys.isdisjoint(required)), None)

    def _selected(self, tokens: list[Token], positions: dict[int, list[int]]) -> list[int]:
        indices = set(self._always).union(positions)
        if not indices:
            return []
        keys = _token_keys(tokens)
        return sorted(index for index in indices if self._met(index, keys))

    def encode(self, tokens: list[Token], hits: list[LexiconHit]) -> tuple[str, dict[int, int]]:
        """The encoded stream of a sentence and a map from record offsets to token indices."""
        return self._encode(tokens, hits)[:2]

    def _encode(
        self, tokens: list[Token], hits: list[LexiconHit], lexicons: set[int] | None = None
    ) -> tuple[str, dict[int, int], list[str]]:
        """(stream, record offset -> token index, the records without their newlines); only the
        hits of ``lexicons`` (default: all) are flagged."""
        position = self._positions.first(len(tokens))
        parts = self.atoms.records(tokens)
        if hits:
            flags, ends = self._lexicon_flags, self._lexicon_ends
            extra: dict[int, list[str]] = {}
            for lexicon, start, length, _ in hits:
                if lexicons is not None and lexicon not in lexicons:
                    continue
                extra.setdefault(start, []).append(flags[lexicon][length])
                extra.setdefault(start + length - 1, []).append(ends[lexicon] + position[start])
            for index, added in extra.items():
                parts[index] += "".join(added)
        # each record: position character, flags, newline
        starts = [0, *accumulate([len(part) + 2 for part in parts])]
        stream = "".join([f"{p}{part}\n" for p, part in zip(position, parts)])
        return stream, dict(zip(starts, range(len(starts)))), parts

    @staticmethod
    def _veto(rule: CompiledRule, stream: str, vetoes: dict[str, bool], deadline: float | None) -> int | None:
        """Index of the first of the rule's ``unless`` patterns that matches in the sentence, or
        None (each pattern is searched at most once per sentence, whichever rules share it)."""
        for k, guard in enumerate(rule.unless):
            hit = vetoes.get(guard.source)
            if hit is None:
                hit = vetoes[guard.source] = guard.regex.search(stream, timeout=_remaining(deadline)) is not None
            if hit:
                return k
        return None

    def match_sentence(
        self,
        tokens: list[Token],
        *,
        rule_ids: list[int] | None = None,
        timeout: float | None = None,
        deadline: float | None = None,
    ) -> SentenceMatches:
        """All matches of the candidate rules (or ``rule_ids``) in one sentence, in rule order.

        ``timeout`` (seconds for this sentence) or ``deadline`` (a ``time.monotonic()`` value)
        bounds the regex work; past it the ``regex`` module raises ``TimeoutError``, which the
        caller reports for the document.
        """
        if not tokens:
            return SentenceMatches([], [])
        positions = self.trigger_positions(tokens)
        selected = self._selected(tokens, positions) if rule_ids is None else rule_ids
        if not selected:
            return SentenceMatches([], [])
        pending = [index for index in selected if index not in self._ready]
        if pending:  # regexes are compiled on first use: that one-off cost is not matching time
            compile_started = time.monotonic()
            for index in pending:
                _build(self.rules[index])
                self._ready.add(index)
            compiling = time.monotonic() - compile_started
            self.compile_seconds += compiling
            if deadline is not None:
                deadline += compiling
        if timeout is not None:
            deadline = time.monotonic() + timeout if deadline is None else min(deadline, time.monotonic() + timeout)
        # the hits of the lexicons these rules refer to, and of lexicons with norms (arguments
        # take their norm from any lexicon); all of them when rules are named (explain)
        wanted = None if rule_ids is not None else set().union(*(self._rule_lexicons[i] for i in selected))
        hits = self.lexicons.annotate(tokens, None if wanted is None else wanted | self.lexicons.normed)
        labels = frozenset().union(*(self._rule_labels[i] for i in selected))
        mentions: list[Mention] = []
        if labels:
            mentions, hits = self.find_mentions(tokens, hits, labels, wanted, deadline)
        stream, offsets, records = self._encode(tokens, hits, wanted)
        starts = list(offsets)  # token index -> record offset (plus the end of the stream)
        matches: list[Match] = []
        vetoes: dict[str, bool] = {}  # unless pattern -> matches in this sentence
        vetoed: dict[str, int] = {}
        for index in selected:
            rule = self.rules[index]
            compiled = rule.pattern
            reach = compiled.trigger_reach
            if reach is None or compiled.trigger_keys is None:
                found = _search_all(compiled.regex, stream, deadline)
            else:
                near = positions.get(index, ())
                suffix = compiled.suffix
                if suffix is not None:  # a trigger whose continuation fails cannot be in a match
                    near = [p for p in near if suffix.match(stream, starts[p], timeout=_remaining(deadline))]
                found = (
                    _search_near(compiled.regex, stream, starts, offsets, near, reach, deadline, compiled.first_flags, records)
                    if near
                    else []
                )
            if found and rule.unless:
                veto = self._veto(rule, stream, vetoes, deadline)
                if veto is not None:
                    vetoed[rule.id] = veto
                    continue
            for m in found:
                start, end = offsets[m.start()], offsets[m.end()]
                trigger_span = m.span("trigger")
                trigger = (offsets[trigger_span[0]], offsets[trigger_span[1]])
                groups: dict[str, tuple[int, int]] = {}
                for name in compiled.arg_names:
                    s, e = m.span(name)
                    if s >= 0 and e > s:
                        groups[name] = (offsets[s], offsets[e])
                if compiled.label_captures:
                    _add_parts(groups, compiled.label_captures, mentions)
                matches.append(Match(rule, start, end, trigger, groups))
        return SentenceMatches(matches, hits, vetoed, mentions)


_LEMMA = "\x00"  # prefix of a lemma key (see RulePack.__init__)


def _key(field_name: str, value: str) -> str:
    return value if field_name == "lower" else _LEMMA + value


def _token_keys(tokens: list[Token]) -> set[str]:
    keys = {t.lower for t in tokens}
    keys.update([_LEMMA + t.lemma for t in tokens])
    return keys


def _new(best: dict[tuple[int, int, int], Mention], mentions: list[Mention]) -> list[Mention]:
    """Move the mentions of ``best`` to ``mentions`` (by label, then position); return them."""
    found = [best[key] for key in sorted(best)]
    best.clear()
    mentions.extend(found)
    return found


def _norm(hits: list[LexiconHit], start: int, end: int) -> str | None:
    """The norm of the rightmost-ending (then longest) phrase with a norm inside [start, end):
    English noun phrases put their head last ("Poland's eastern border", "Russian troops")."""
    inside = [h for h in hits if h.norm is not None and h.start >= start and h.start + h.length <= end]
    if not inside:
        return None
    return max(inside, key=lambda h: (h.start + h.length, h.length)).norm


def _exact_spans(
    pattern: CompiledMention, stream: str, starts: list[int], records: list[str], deadline: float | None
) -> list[tuple[int, int, Any]]:
    """Every (start, end, regex match) where ``pattern`` matches tokens[start:end] exactly."""
    count = len(records)
    first, last = pattern.first_flags, pattern.last_flags
    ends = [e for e in range(1, count + 1) if last is None or not last.isdisjoint(records[e - 1])]
    if not ends:
        return []
    low, high, rx = pattern.min_tokens, pattern.max_tokens, pattern.regex
    found = []
    for s in range(count):
        if first is not None and first.isdisjoint(records[s]):
            continue
        for e in ends:
            length = e - s
            if length < low:
                continue
            if length > high:
                break
            if pattern.exact_end:
                m = pattern.ending_after(length).match(stream, starts[s], timeout=_remaining(deadline))
            else:
                m = rx.fullmatch(stream, starts[s], starts[e], timeout=_remaining(deadline))
            if m is not None:
                found.append((s, e, m))
    return found


def _add_parts(groups: dict[str, tuple[int, int]], captures: tuple[tuple[str, int], ...], mentions: list[Mention]) -> None:
    """Give ``groups`` the parts of the mentions its label captures hold (its own captures win)."""
    for name, label_id in captures:
        span = groups.get(name)
        if span is None:
            continue
        for mention in mentions:
            if mention.label_id == label_id and (mention.start, mention.end) == span:
                for part, part_span in mention.parts.items():
                    groups.setdefault(part, part_span)
                break


def _build(rule: CompiledRule) -> None:
    rule.pattern.regex  # noqa: B018
    rule.pattern.suffix  # noqa: B018
    for guard in rule.unless:
        guard.regex  # noqa: B018


def _remaining(deadline: float | None) -> float | None:
    if deadline is None:
        return None
    left = deadline - time.monotonic()
    if left <= 0:
        raise TimeoutError("regex timed out")
    return left


def _search_all(rx: Any, stream: str, deadline: float | None) -> list[Any]:
    return list(rx.finditer(stream, timeout=_remaining(deadline)))


def _search_near(
    rx: Any,
    stream: str,
    starts: list[int],
    offsets: dict[int, int],
    positions: Any,
    reach: int,
    deadline: float | None,
    first_flags: frozenset[str] | None = None,
    records: list[str] | None = None,
) -> list[Any]:
    """``finditer`` restricted to the start tokens within ``reach`` before a trigger position
    (and, given ``first_flags``, to tokens whose record holds one of them: where no match can
    start, the regex is not run)."""
    found = []
    resume = 0  # first token where the next match may start (finditer resumes at a match's end)
    for p in positions:
        s = max(p - reach, resume)
        while s <= p:
            if first_flags is not None and first_flags.isdisjoint(records[s]):  # type: ignore[index]
                s += 1
                continue
            m = rx.match(stream, starts[s], timeout=_remaining(deadline))
            if m is None:
                s += 1
            else:
                found.append(m)
                s = offsets[m.end()]
        resume = max(resume, s)
    return found
