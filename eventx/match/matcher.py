"""Matching compiled rules over the tokens of one sentence.

:class:`RulePack` is the compiled, immutable form of a rule set. Per sentence it
1. asks the trigger index which rules can fire (a rule fires only if its trigger's word or
   lemma occurs), so cost grows with the rules that can fire, not with the pack size;
2. builds the encoded token stream (see :mod:`eventx.match.compiler`) only when some rule can;
3. runs each candidate rule's regex (leftmost, non-overlapping) and maps regex positions back
   to token indices.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from eventx.match.compiler import NUM_FLAG, CompiledPattern, RegexAtoms
from eventx.match.lexicon import LexiconHit, LexiconIndex
from eventx.text.model import Token


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
    hits: list[LexiconHit]


class RulePack:
    def __init__(
        self,
        rules: list[CompiledRule],
        lexicons: LexiconIndex,
        regex_atoms: RegexAtoms,
        *,
        version: str,
        ruleset: Any = None,
        used_vars: frozenset[str] = frozenset(),
        used_lexicons: frozenset[str] = frozenset(),
    ):
        self.rules = rules
        self.lexicons = lexicons
        self.regex_atoms = regex_atoms
        self.version = version
        self.ruleset = ruleset
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

    def __len__(self) -> int:
        return len(self.rules)

    def candidates(self, tokens: list[Token]) -> list[int]:
        """Indices (in rule order) of the rules whose trigger occurs in ``tokens``."""
        found: set[int] = set(self._always)
        by_lower, by_lemma = self._by_lower, self._by_lemma
        for token in tokens:
            hit = by_lower.get(token.lower)
            if hit:
                found.update(hit)
            hit = by_lemma.get(token.lemma)
            if hit:
                found.update(hit)
        return sorted(found)

    def encode(self, tokens: list[Token], hits: list[LexiconHit]) -> tuple[str, dict[int, int]]:
        """The encoded stream of a sentence and a map from record offsets to token indices."""
        lexicon_flags: dict[int, list[str]] = {}
        for hit in hits:
            lexicon_flags.setdefault(hit.start, []).append(f"\x01L{hit.lexicon}.{hit.length}\x01")
        atoms = self.regex_atoms
        parts: list[str] = []
        offsets: dict[int, int] = {}
        position = 0
        for index, t in enumerate(tokens):
            offsets[position] = index
            flags = atoms.flags(t.word, t.lower, t.lemma, t.shape)
            if t.is_num:
                flags += NUM_FLAG
            extra = lexicon_flags.get(index)
            if extra:
                flags += "".join(extra)
            record = f"{t.word}\t{t.lower}\t{t.lemma}\t{t.shape}\t{flags}\n"
            parts.append(record)
            position += len(record)
        offsets[position] = len(tokens)
        return "".join(parts), offsets

    def match_sentence(
        self, tokens: list[Token], *, rule_ids: list[int] | None = None, timeout: float | None = None
    ) -> SentenceMatches:
        """All matches of the candidate rules (or ``rule_ids``) in one sentence, in rule order.

        ``timeout`` (seconds) bounds each regex search; the ``regex`` module raises
        ``TimeoutError`` past it, which the caller reports for the document.
        """
        selected = self.candidates(tokens) if rule_ids is None else rule_ids
        if not selected or not tokens:
            return SentenceMatches([], [])
        hits = self.lexicons.annotate(tokens)
        stream, offsets = self.encode(tokens, hits)
        matches: list[Match] = []
        for index in selected:
            rule = self.rules[index]
            compiled = rule.pattern
            for m in compiled.regex.finditer(stream, timeout=timeout):
                start, end = offsets[m.start()], offsets[m.end()]
                trigger_span = m.span("trigger")
                trigger = (offsets[trigger_span[0]], offsets[trigger_span[1]])
                groups: dict[str, tuple[int, int]] = {}
                for name in compiled.arg_names:
                    s, e = m.span(name)
                    if s >= 0 and e > s:
                        groups[name] = (offsets[s], offsets[e])
                matches.append(Match(rule, start, end, trigger, groups))
        return SentenceMatches(matches, hits)
