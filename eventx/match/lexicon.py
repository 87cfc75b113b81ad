"""Lexicon matching over tokens: every phrase of every lexicon, found in one pass.

Phrases are tokenised with the same tokenizer as documents and indexed by their first token,
so a sentence is annotated with one dict lookup per token, whatever the lexicon sizes (no giant
regex alternation). Each hit records (lexicon, start token, length, norm); the pattern
compiler turns ``@name`` into "a run of tokens that a hit of this lexicon starts here and
covers", tried longest first, so matching keeps the regex module's backtracking semantics.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from eventx.text.model import Token
from eventx.text.tokenize import tokenize


@dataclass(frozen=True, slots=True)
class LexiconHit:
    lexicon: int  # index into LexiconIndex.names
    start: int  # token index in the sentence
    length: int  # number of tokens
    norm: str | None


@dataclass(slots=True)
class _Entry:
    keys: tuple[str, ...]  # comparison keys of the phrase's tokens (word if case-sensitive, else lower)
    lexicon: int
    norm: str | None
    case_sensitive: bool


@dataclass(slots=True)
class LexiconIndex:
    names: list[str] = field(default_factory=list)
    lengths: list[set[int]] = field(default_factory=list)  # phrase lengths per lexicon (tokens)
    first_keys: list[set[str]] = field(default_factory=list)  # lower-cased first tokens per lexicon
    _by_first: dict[str, list[_Entry]] = field(default_factory=dict)

    def add(self, name: str, phrases: list[tuple[str, str | None]], *, case_sensitive: bool) -> int:
        """Add a lexicon of (phrase, norm) pairs; return its index."""
        lex_id = len(self.names)
        self.names.append(name)
        lengths: set[int] = set()
        firsts: set[str] = set()
        seen: set[tuple[str, ...]] = set()
        for phrase, norm in phrases:
            tokens = tokenize(phrase)
            if not tokens:
                continue
            keys = tuple(t.word if case_sensitive else t.lower for t in tokens)
            if keys in seen:
                continue
            seen.add(keys)
            lengths.add(len(keys))
            first = tokens[0].lower
            firsts.add(first)
            self._by_first.setdefault(first, []).append(_Entry(keys, lex_id, norm, case_sensitive))
        self.lengths.append(lengths)
        self.first_keys.append(firsts)
        for entries in self._by_first.values():
            # longest first so that the first hit of a lexicon at a position is its longest
            entries.sort(key=lambda e: -len(e.keys))
        return lex_id

    def annotate(self, tokens: list[Token]) -> list[LexiconHit]:
        """Every lexicon hit in ``tokens`` (all lengths, all lexicons), in token order."""
        hits: list[LexiconHit] = []
        by_first = self._by_first
        count = len(tokens)
        for i, token in enumerate(tokens):
            entries = by_first.get(token.lower)
            if not entries:
                continue
            seen: set[tuple[int, int]] = set()
            for entry in entries:
                n = len(entry.keys)
                if i + n > count or (entry.lexicon, n) in seen:
                    continue
                if entry.case_sensitive:
                    ok = all(tokens[i + k].word == entry.keys[k] for k in range(n))
                else:
                    ok = all(tokens[i + k].lower == entry.keys[k] for k in range(1, n))
                if ok:
                    seen.add((entry.lexicon, n))
                    hits.append(LexiconHit(entry.lexicon, i, n, entry.norm))
        return hits
