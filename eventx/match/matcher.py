"""Matching compiled rules over the tokens of one sentence.

:class:`RulePack` is the compiled, immutable form of a rule set. Per sentence it
1. asks its :class:`~eventx.match.prefilter.Prefilter` which rules can fire;
2. builds the encoded token stream (:class:`~eventx.match.encoding.Encoder`) only when some
   rule can, flagging only the lexicons those rules refer to, and the mentions of the labels
   they need, computed layer by layer (:meth:`RulePack.find_mentions`);
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
from bisect import bisect_left, bisect_right
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from eventx.match.atoms import TokenAtoms
from eventx.match.compiler import CompiledMention, CompiledPattern
from eventx.match.encoding import Encoder
from eventx.match.lexicon import LexiconHit, LexiconIndex
from eventx.match.prefilter import Prefilter
from eventx.text.model import Token

if TYPE_CHECKING:
    from eventx.rules.model import MentionRule, Rule, RuleSet


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
    source: Rule | None = field(default=None, compare=False, repr=False)  # the loaded rule (examples, positions)
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
    source: MentionRule | None = field(default=None, compare=False, repr=False)  # the loaded rule (examples)


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
    candidates: list[int] = field(default_factory=list)  # indices of the rules tried (in rule order)


class RulePack:
    """A compiled rule set: its rules and mention rules, prefilter, encoder and regexes."""

    def __init__(
        self,
        rules: list[CompiledRule],
        lexicons: LexiconIndex,
        atoms: TokenAtoms,
        *,
        version: str,
        ruleset: RuleSet | None = None,
        used_vars: frozenset[str] = frozenset(),
        used_lexicons: frozenset[str] = frozenset(),
        mention_rules: list[CompiledMentionRule] | None = None,
    ):
        self.rules = rules
        self.mention_rules = sorted(mention_rules or [], key=lambda m: (m.layer, m.label_id, m.order))
        self.lexicons = lexicons
        self.atoms = atoms
        self.encoder = Encoder(atoms, lexicons.lengths)
        self._ready: set[int] = set()  # rules whose regexes are built
        # False: a candidate rule's regexes are not built before matching, each on its first use
        # instead (only those a sentence gets to: a rule whose sketch fails needs no regex), and
        # the time that takes counts as matching time (``eventx serve``, after an edit)
        self.prebuild = True
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
        self.ruleset = ruleset  # the loaded rule set (rule files, positions, examples), for tools
        self.compile_seconds = 0.0  # spent building regexes on first use (not matching time)
        self.used_vars = used_vars  # for lint: defined but never used
        self.used_lexicons = used_lexicons
        self.prefilter = Prefilter([rule.pattern for rule in rules])
        self.trigger_words = self.prefilter.trigger_words
        self.trigger_lemmas = self.prefilter.trigger_lemmas

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
        done: frozenset[int] = frozenset(),
        encoded: tuple[str, dict[int, int], list[str]] | None = None,
    ) -> tuple[list[Mention], list[LexiconHit]]:
        """The mentions of ``labels`` (closed under :meth:`label_closure`) in a sentence whose
        lexicon hits are ``hits``, layer by layer, each layer seeing the mentions of the layers
        below it as phrases of their label; and ``hits`` with those mentions added. Labels in
        ``done`` were found before: their mentions are among ``hits`` already.

        A mention rule's mentions are all the spans its pattern matches exactly (every start,
        every end: ``@Label`` then backtracks over them like over a lexicon's phrases); when two
        rules of one label find the same span, the higher priority (then the earlier rule)
        gives its parts and norm.
        """
        mentions: list[Mention] = []
        hits = list(hits)
        given = len(hits)
        flagged = None if lexicons is None else set(lexicons) | labels
        layer_seen = -1
        stream = ""
        starts: list[int] = []
        offsets: dict[int, int] = {}
        records: list[str] = []
        base = self.atoms.records(tokens)
        best: dict[tuple[int, int, int], Mention] = {}
        for mention in self.mention_rules:
            if mention.label_id not in labels or mention.label_id in done:
                continue
            if mention.layer != layer_seen:  # the stream with the mentions of the layers below
                layer_seen = mention.layer
                hits.extend(LexiconHit(m.label_id, m.start, m.end - m.start, m.norm) for m in _new(best, mentions))
                if encoded is not None and len(hits) == given:
                    stream, offsets, records = encoded  # no label flag to add: the caller's stream
                else:
                    stream, offsets, records = self.encoder.encode_records(tokens, hits, flagged, base)
                starts = list(offsets)
            for start, end, m in _exact_spans(mention.pattern, stream, starts, offsets, deadline):
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
        sketch: bool = True,
    ) -> SentenceMatches:
        """All matches of the candidate rules (or ``rule_ids``) in one sentence, in rule order.

        Candidate rules with labels whose sketch (see :attr:`CompiledPattern.sketch_source`)
        does not match are dropped before mentions are looked for (unless ``sketch`` is false,
        or ``rule_ids`` are given): the matches are the same, and most sentences with a trigger
        word then need no mention search. Before that, and unless ``sketch`` is false or
        ``rule_ids`` are given, candidate rules whose span requirements are not met near one of
        their trigger occurrences are dropped (:meth:`Prefilter.selected`).

        ``timeout`` (seconds for this sentence) or ``deadline`` (a ``time.monotonic()`` value)
        bounds the regex work; past it the ``regex`` module raises ``TimeoutError``, which the
        caller reports for the document.
        """
        if not tokens:
            return SentenceMatches([], [])
        positions = self.prefilter.trigger_positions(tokens)
        selected = self.prefilter.selected(tokens, positions, near=sketch) if rule_ids is None else rule_ids
        if not selected:
            return SentenceMatches([], [])
        pending = [index for index in selected if index not in self._ready] if self.prebuild else None
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
        labels = self._labels_of(selected)
        encoded = None  # the stream without mentions, once encoded
        if labels and sketch and rule_ids is None:
            encoded = self.encoder.encode_records(tokens, hits, wanted)
            selected = self._sketched(selected, encoded, positions, deadline)
            if not selected:
                return SentenceMatches([], hits, {}, [], [])
            labels = self._labels_of(selected)
        mentions: list[Mention] = []
        if labels:
            # the labels rules cannot do without first: a rule one of whose required labels has
            # no mention here cannot match, and the labels only it needs are not looked for
            required = self.label_closure(frozenset().union(*(self.rules[i].pattern.required_labels for i in selected)))
            if required:
                mentions, hits = self.find_mentions(tokens, hits, required, wanted, deadline, encoded=encoded)
                present = {m.label_id for m in mentions}
                selected = [i for i in selected if self.rules[i].pattern.required_labels <= present]
                if not selected:
                    return SentenceMatches([], hits, {}, mentions, [])
                labels = self._labels_of(selected)
            if labels - required:
                more, hits = self.find_mentions(tokens, hits, labels, wanted, deadline, done=required)
                mentions += more
        if encoded is None or mentions:
            encoded = self.encoder.encode_records(tokens, hits, wanted)
        stream, offsets, records = encoded
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
        return SentenceMatches(matches, hits, vetoed, mentions, list(selected))

    def _labels_of(self, selected: list[int]) -> frozenset[int]:
        """The labels the rules ``selected`` need (their patterns' and ``unless`` patterns', transitively)."""
        return frozenset().union(*(self._rule_labels[i] for i in selected))

    def _sketched(
        self,
        selected: list[int],
        encoded: tuple[str, dict[int, int], list[str]],
        positions: dict[int, list[int]],
        deadline: float | None,
    ) -> list[int]:
        """The rules of ``selected`` without labels, and those with labels whose sketch matches
        near their trigger on the stream without mentions, ``encoded``. Where the rule has a
        suffix, the sketch from the trigger on is tried first (one regex call per trigger
        occurrence), then the sketch's part before the trigger, right to left from each trigger
        it passed (one call each), then the whole sketch from the starts in reach of the
        triggers both passed: most rules that fail have their labels before the trigger ("...
        forces ordered to ..."), and trying each start there costs a pass over the rest of the
        sentence per start."""
        stream, offsets, records = encoded
        starts = list(offsets)
        kept = []
        for index in selected:
            compiled = self.rules[index].pattern
            reach = compiled.trigger_reach
            if compiled.sketch_source is None:
                kept.append(index)
            elif reach is None or compiled.trigger_keys is None:
                if compiled.sketch.search(stream, timeout=_remaining(deadline)) is not None:  # type: ignore[union-attr]
                    kept.append(index)
            else:
                near = positions.get(index, ())
                suffix = compiled.sketch_suffix
                if suffix is not None:
                    near = [p for p in near if suffix.match(stream, starts[p], timeout=_remaining(deadline))]
                    if near and not reach:  # the trigger is the sketch's first token: the suffix is all of it
                        kept.append(index)
                        continue
                prefix = compiled.sketch_prefix
                if prefix is not None:
                    # a sketch match from a start s with its trigger at p passes both checks at
                    # p, and s is in reach of p: the other triggers' starts need not be tried
                    near = [p for p in near if prefix.match(stream, 0, starts[p], timeout=_remaining(deadline))]
                if near and _matches_near(compiled.sketch, stream, starts, near, reach, deadline,
                                          compiled.sketch_first_flags, records):
                    kept.append(index)
        return kept


def _new(best: dict[tuple[int, int, int], Mention], mentions: list[Mention]) -> list[Mention]:
    """Move the mentions of ``best`` to ``mentions`` (by label, then position); return them."""
    found = [best[key] for key in sorted(best)]
    best.clear()
    mentions.extend(found)
    return found


def longest_mentions(mentions: list[Mention]) -> list[Mention]:
    """The mentions of one sentence not strictly inside another mention of the same label."""
    return [
        m for m in mentions
        if not any(o.label_id == m.label_id and o.start <= m.start and m.end <= o.end
                   and (o.start, o.end) != (m.start, m.end) for o in mentions)
    ]


def _norm(hits: list[LexiconHit], start: int, end: int) -> str | None:
    """The norm of the rightmost-ending (then longest) phrase with a norm inside [start, end):
    English noun phrases put their head last ("Poland's eastern border", "Russian troops")."""
    inside = [h for h in hits if h.norm is not None and h.start >= start and h.start + h.length <= end]
    if not inside:
        return None
    return max(inside, key=lambda h: (h.start + h.length, h.length)).norm


def _tokens_holding(finder: Any, stream: str, starts: list[int]) -> list[int]:
    """The tokens (ascending) whose record holds a character ``finder`` finds (a flag: no
    character of the text is in a stream), from the record offsets ``starts``."""
    found: list[int] = []
    for m in finder.finditer(stream):
        token = bisect_right(starts, m.start()) - 1
        if not found or found[-1] != token:
            found.append(token)
    return found


DIRECTION: str | None = None  # tests force "forward" or "backward"; None: whichever tries fewer spans


def _exact_spans(
    pattern: CompiledMention, stream: str, starts: list[int], offsets: dict[int, int], deadline: float | None,
) -> list[tuple[int, int, Any]]:
    """Every (start, end, regex match) where ``pattern`` matches tokens[start:end] exactly.

    The candidate spans run from a token that can start a match to one that can end it, within
    the pattern's length bounds. Where those pairs are fewer than the possible starts, each is
    checked (backward: the typical noun phrase ends in a rare head word); otherwise each start
    is tried first (forward), and where the pattern matches at all, its longest match
    (leftmost-longest, POSIX) bounds the ends worth checking — unless only one end is in reach
    of the start and the pattern does not look past its end: that span is a candidate as it
    is. Each candidate is checked for an exact match, which also gives the parts (captures as
    the regex prefers them for that span).
    """
    count = len(starts) - 1
    if pattern.last_flags is None:
        ends = list(range(1, count + 1))
    else:
        ends = [token + 1 for token in _tokens_holding(pattern.last_finder, stream, starts)]
        if not ends:
            return []
    if pattern.first_flags is None:
        firsts = list(range(count))
    else:
        firsts = _tokens_holding(pattern.first_finder, stream, starts)
    low, high = pattern.min_tokens, pattern.max_tokens
    candidates: list[tuple[int, int]] = []
    # backward, the candidates are every start in reach of each end; forward, the starts are
    # tried first, and only the ends of those that match are candidates
    backward_pairs = sum(bisect_right(firsts, e - low) - bisect_left(firsts, e - high) for e in ends)
    if DIRECTION == "backward" or (DIRECTION is None and backward_pairs <= len(firsts)):
        candidates = [(s, e) for e in ends for s in firsts[bisect_left(firsts, e - high):bisect_right(firsts, e - low)]]
    else:
        longest_from = pattern.longest.match  # no match at all from a start: no longest one either
        stop = len(stream)
        for s in firsts:
            # the tokens that can end a match from s within the pattern's length bounds
            first_end, past_end = bisect_left(ends, s + low), bisect_right(ends, s + high)
            if first_end == past_end:
                continue
            # (a pattern that looks past its end is checked with a copy of itself per length,
            # a few kept built: see ending_after; its longest match first asks for fewer)
            if not pattern.exact_end:
                if past_end - first_end == 1:  # one candidate: its check below is all the longest
                    candidates.append((s, ends[first_end]))  # match would decide (one call, not two)
                    continue
                # a pattern that does not look past its end matches [s, e) with the stream cut
                # at e (what the check below does): its longest match from s needs to see no
                # further than the last token that can end one
                stop = starts[ends[past_end - 1]]
            longest = longest_from(stream, starts[s], stop, timeout=_remaining(deadline))
            if longest is not None:
                e_max = offsets[longest.end()]
                candidates += [(s, e) for e in ends[first_end:bisect_right(ends, e_max)]]
    found = []
    for s, e in candidates:
        if pattern.exact_end:
            m = pattern.ending_after(e - s).match(stream, starts[s], timeout=_remaining(deadline))
        else:
            m = pattern.regex.fullmatch(stream, starts[s], starts[e], timeout=_remaining(deadline))
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
    if rule.pattern.sketch_suffix is None or rule.pattern.trigger_reach:  # see RulePack._sketched
        rule.pattern.sketch  # noqa: B018
        rule.pattern.sketch_prefix  # noqa: B018
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


def _matches_near(
    rx: Any,
    stream: str,
    starts: list[int],
    positions: Any,
    reach: int,
    deadline: float | None,
    first_flags: frozenset[str] | None,
    records: list[str],
) -> bool:
    """Whether ``rx`` matches from some start token within ``reach`` before a trigger position
    (holding one of ``first_flags``): the starts of :func:`_search_near`, nearest the trigger
    first, since only whether one matches counts (a sketch's labels mostly end right before it)."""
    tried: set[int] = set()
    for p in positions:
        for s in range(p, max(p - reach, 0) - 1, -1):
            if s in tried:
                continue
            tried.add(s)
            if first_flags is not None and first_flags.isdisjoint(records[s]):
                continue
            if rx.match(stream, starts[s], timeout=_remaining(deadline)) is not None:
                return True
    return False


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
