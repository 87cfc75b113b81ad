"""Lexicon matching over tokens: every phrase of every lexicon, found in one pass.

Phrases are tokenised with the same tokenizer as documents and stored in two token tries,
one keyed by ``Token.lower`` (case-insensitive lexicons) and one by ``Token.word``
(``case: sensitive``), so a sentence is annotated with about one dict lookup per token,
whatever the lexicon sizes (no giant regex alternation, no per-phrase comparison). Each hit
records (lexicon, start token, length, norm); the pattern compiler turns ``@name`` into "a run
of tokens that a hit of this lexicon starts here and covers", tried longest first, so
matching keeps the regex module's backtracking semantics.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import NamedTuple

from eventx.text.model import Token
from eventx.text.tokenize import token_words

# A trie node maps a token key to the next node; the key "" (no token has an empty text)
# holds the phrases that end at this node as (lexicon, norm) pairs, one per lexicon.
_Node = dict
_END = ""


class LexiconHit(NamedTuple):
    """One phrase found in a sentence (a tuple: a sentence can have dozens, built per sentence)."""

    lexicon: int  # index into LexiconIndex.names
    start: int  # token index in the sentence
    length: int  # number of tokens
    norm: str | None


@dataclass(slots=True)
class LexiconIndex:
    names: list[str] = field(default_factory=list)
    lengths: list[set[int]] = field(default_factory=list)  # phrase lengths per lexicon (tokens)
    first_keys: list[set[str]] = field(default_factory=list)  # lower-cased first tokens per lexicon
    normed: set[int] = field(default_factory=set)  # lexicons with at least one norm
    _by_lower: _Node = field(default_factory=dict)  # trie of case-insensitive phrases
    _by_word: _Node = field(default_factory=dict)  # trie of case-sensitive phrases
    # per trie, first token key -> bit mask of the lexicons with a phrase starting with it
    # (built on first use, forgotten by add()): annotate(only=...) skips the tokens that start
    # no phrase of a wanted lexicon (most tokens start a phrase of some function-word lexicon)
    _first_masks: list[dict[str, int]] = field(default_factory=list)

    def __getstate__(self) -> tuple[None, dict[str, object]]:
        """The slots' values, the first-token masks made first: a pack read back from the cache
        (``eventx explain``) then need not walk its tries again to make them."""
        if not self._first_masks:
            self._masks()
        return None, {name: getattr(self, name) for name in self.__slots__}

    def add(self, name: str, phrases: list[tuple[str, str | None]], *, case_sensitive: bool) -> int:
        """Add a lexicon of (phrase, norm) pairs; return its index.

        A phrase repeated in one lexicon keeps its first norm.
        """
        lex_id = len(self.names)
        self.names.append(name)
        self._first_masks = []
        lengths: set[int] = set()
        firsts: set[str] = set()
        trie = self._by_word if case_sensitive else self._by_lower
        for phrase, norm in phrases:
            tokens = token_words(phrase)  # (word, lower): no lemmas needed here
            if not tokens:
                continue
            node = trie
            for word, lower in tokens:
                node = node.setdefault(word if case_sensitive else lower, {})
            ends: list[tuple[int, str | None]] = node.setdefault(_END, [])
            if ends and ends[-1][0] == lex_id:
                continue  # the same phrase again (or a case variant, when case-insensitive)
            ends.append((lex_id, norm))
            if norm is not None:
                self.normed.add(lex_id)
            lengths.add(len(tokens))
            firsts.add(tokens[0][1])
        self.lengths.append(lengths)
        self.first_keys.append(firsts)
        return lex_id

    def annotate(self, tokens: list[Token], only: set[int] | frozenset[int] | None = None) -> list[LexiconHit]:
        """Every lexicon hit in ``tokens`` (all lengths; all lexicons, or those in ``only``), in
        token order; hits starting at the same token come longest first, then by lexicon index."""
        count = len(tokens)
        found: dict[int, list[tuple[int, int, str | None]]] = {}  # start -> (-length, lexicon, norm)
        tries = 0
        if only is not None:
            wanted = sum(1 << lex for lex in only)
            masks = self._first_masks or self._masks()
        for k, (trie, keys) in enumerate(((self._by_lower, [t.lower for t in tokens]), (self._by_word, None))):
            if not trie:
                continue
            tries += 1
            if keys is None:
                keys = [t.word for t in tokens]
            # most tokens start no phrase (of a wanted lexicon): find the few that do in one comprehension
            if only is None:
                starting = [i for i, key in enumerate(keys) if key in trie]
            else:
                first = masks[k]
                starting = [i for i, key in enumerate(keys) if first.get(key, 0) & wanted]
            for i in starting:
                node = trie[keys[i]]
                j = i + 1
                while True:
                    ends = node.get(_END)
                    if ends is not None:
                        at = found.get(i)
                        if at is None:
                            at = found[i] = []
                        for lex, norm in ends:
                            if only is None or lex in only:
                                at.append((i - j, lex, norm))
                    if j == count:
                        break
                    node = node.get(keys[j])
                    if node is None:
                        break
                    j += 1
        hits: list[LexiconHit] = []
        for i in sorted(found) if tries > 1 else found:  # one trie: already in token order
            at = found[i]
            if len(at) > 1:
                at.sort(key=lambda f: (f[0], f[1]))
            hits.extend([LexiconHit(lex, i, -neg, norm) for neg, lex, norm in at])
        return hits

    def _masks(self) -> list[dict[str, int]]:
        """Per trie (by lower, by word): first key -> mask of the lexicons of the phrases under it."""

        def under(node: _Node) -> int:
            mask = sum(1 << lex for lex, _ in node.get(_END, ()))
            for key, child in node.items():
                if key != _END:
                    mask |= under(child)
            return mask

        self._first_masks = [{key: under(node) for key, node in trie.items()} for trie in (self._by_lower, self._by_word)]
        return self._first_masks
