"""The trigger prefilter: which rules can fire in a sentence, before any regex runs.

A rule fires only if its trigger's word or lemma occurs and each of its requirements (words
its other required tokens and lexicon references need) is met, so the cost of a sentence grows
with the rules that can fire, not with the size of the pack — and a sentence no rule can fire
in is not even tokenised (:meth:`Prefilter.may_fire`).
"""

from __future__ import annotations

from typing import NamedTuple

import regex

from eventx.match.compiler import CompiledPattern
from eventx.text.model import Token
from eventx.text.tokenize import lowers_and_lemmas

_CHUNK_CACHE_LIMIT = 100_000  # distinct chunks remembered by may_fire() (~150 bytes each: bounds memory)
_FIRES_CACHED_KEYS = 4  # key sets up to this size are remembered by _fires_with()
# Widest window (tokens before a rule's trigger plus the most of a match) that selected(near=True)
# tests: wider, and it is most of a news sentence (~25 tokens), so the test rules out little and
# costs more than the sentence-wide one (the shipped pack's rules, whose labels span up to 64
# tokens, have windows of 21 tokens and more: 9% more CPU with every window tested).
_WINDOW_TOKENS = 12
_BLOCK = 1 << 20  # characters of text split at once by may_fire()
_SPACE = regex.compile(r"\s")  # a subset of what str.split() splits at


class Prefilter:
    """The trigger index and requirements of a pack's rules (by index, in rule order)."""

    def __init__(self, patterns: list[CompiledPattern]):
        self._patterns = patterns
        self._by_lower: dict[str, list[int]] = {}
        self._by_lemma: dict[str, list[int]] = {}
        self._always: list[int] = []
        for index, pattern in enumerate(patterns):
            keys = pattern.trigger_keys
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
        self._trigger_keys = frozenset(self._by_key)
        # per rule, its requirements: a sentence meets one when it holds one of its keys
        self._requirements = [
            tuple(frozenset(_key(f, v) for f, v in keys) for keys in pattern.requirements) for pattern in patterns
        ]
        # per rule, whether each requirement names a lemma (selected() adds a sentence's lemma
        # keys only when such a requirement is not met by its words)
        self._lemma_keyed = [
            tuple(any(f != "lower" for f, _ in keys) for keys in pattern.requirements) for pattern in patterns
        ]
        # per rule with a window (see selected()); None for the others
        self._windows: list[_Window | None] = [_window_of(pattern) for pattern in patterns]
        # the keys any rule asks for (its trigger or a requirement): the rest is never looked at
        self._relevant = frozenset(self._by_key).union(*(r for reqs in self._requirements for r in reqs))
        # may_fire() caches: whitespace-delimited chunks of text -> the relevant keys of their tokens
        self._chunk_keys: dict[str, frozenset[str]] = {}
        self._chunks_empty: set[str] = set()  # chunks without tokens (control characters only)
        # may_fire() cache: a text's relevant keys -> whether some rule can fire (texts repeat
        # their few keys: "said", "government" ...)
        self._fires: dict[frozenset[str], bool] = {}

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
            if has_tokens and self._fires_with(keys):
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
            relevant, nothing = self._relevant, frozenset[str]()
            for chunk in unknown:
                pairs = lowers_and_lemmas(chunk)  # its tokens' keys, without building the tokens
                if not pairs:
                    self._chunks_empty.add(chunk)
                found = [lower for lower, _ in pairs if lower in relevant]
                found += [key for _, lemma in pairs if (key := _LEMMA + lemma) in relevant]
                known[chunk] = frozenset(found) if found else nothing
        return known

    def _fires_with(self, keys: set[str]) -> bool:
        """Whether some rule's trigger key is among ``keys`` and its requirements are met.

        Only small key sets are remembered: they repeat (a sentence with "said" alone), while
        the larger sets of whole documents almost never do (on 5 MB of news, 1 call in 17 with
        more than 9 keys found its set again) and, remembered, made the largest cache of a run."""
        if len(keys) > _FIRES_CACHED_KEYS:
            return self._some_rule_fires(keys)
        frozen = frozenset(keys)
        fires = self._fires.get(frozen)
        if fires is None:
            if len(self._fires) > _CHUNK_CACHE_LIMIT:
                self._fires.clear()
            fires = self._fires[frozen] = self._some_rule_fires(keys)
        return fires

    def _some_rule_fires(self, keys: set[str]) -> bool:
        """Whether some rule's trigger key is among ``keys`` and its requirements are met: the
        first such rule ends the search (a document's keys usually meet several rules), so the
        rules of every key are not collected first."""
        met = self._met
        if any(met(index, keys) for index in self._always):
            return True
        tried: set[int] = set()
        by_key = self._by_key
        for key in keys.intersection(self._trigger_keys):  # most keys are only requirements
            for index in by_key[key]:
                if index not in tried:
                    tried.add(index)
                    if met(index, keys):
                        return True
        return False

    def _met(self, index: int, keys: set[str]) -> bool:
        for required in self._requirements[index]:  # a loop: all() of a generator costs twice as much
            if keys.isdisjoint(required):
                return False
        return True

    def trigger_positions(self, tokens: list[Token]) -> dict[int, list[int]]:
        """Rule index -> token indices (ascending) where one of its trigger keys occurs."""
        by_lower, by_lemma = self._by_lower, self._by_lemma
        found: dict[int, list[int]] = {}
        # most tokens carry no key: find the few that do in one comprehension
        for i in [i for i, t in enumerate(tokens) if t.lower in by_lower or t.lemma in by_lemma]:
            token = tokens[i]
            rules = by_lower.get(token.lower)
            by_its_lemma = by_lemma.get(token.lemma)
            if by_its_lemma is not None:  # a rule keyed by both the word and its lemma, once
                rules = by_its_lemma if rules is None else list(dict.fromkeys(rules + by_its_lemma))
            for rule in rules:  # type: ignore[union-attr]  # not None: the token carries a key
                where = found.get(rule)
                if where is None:
                    found[rule] = [i]
                else:
                    where.append(i)
        return found

    def candidates(self, tokens: list[Token]) -> list[int]:
        """Indices (in rule order) of the rules whose trigger occurs in ``tokens`` and whose
        requirements the tokens meet."""
        return self.selected(tokens, self.trigger_positions(tokens))

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
        requirements = zip(self._patterns[index].requirements, self._requirements[index])
        return next((pairs for pairs, required in requirements if keys.isdisjoint(required)), None)

    def selected(self, tokens: list[Token], positions: dict[int, list[int]], near: bool = False) -> list[int]:
        """Indices (in rule order) of the rules with a trigger occurrence in ``positions`` (see
        :meth:`trigger_positions`) whose requirements ``tokens`` meet. With ``near``, a rule with
        a window must also have its span requirements met near one of its trigger occurrences:
        each where the pattern places it from the trigger token (see
        ``CompiledPattern.near_requirements``). A cheap test on tokens before a sentence is
        encoded: most sentences that hold a rule's trigger and its words hold them far apart. A
        rule whose span requirements are all of its requirements needs the window test only."""
        indices = set(self._always).union(positions) if self._always else positions
        if not indices:
            return []
        windows = self._windows if near else None
        keys: set[str] | None = None
        kept = []
        for index in indices:
            window = windows[index] if windows is not None else None
            if window is None or not window.covers_all:
                # the sentence's words; its lemma keys only when a requirement that names a lemma
                # is not met by them (most candidate sentences of most rules fail one of words)
                if keys is None:
                    keys = {t.lower for t in tokens}
                    with_lemmas = False
                met = True
                for required, lemma_keyed in zip(self._requirements[index], self._lemma_keyed[index]):
                    if keys.isdisjoint(required):
                        if with_lemmas or not lemma_keyed:
                            met = False
                            break
                        keys.update([_LEMMA + t.lemma for t in tokens])
                        with_lemmas = True
                        if keys.isdisjoint(required):
                            met = False
                            break
                if not met:
                    continue
                if window is None:
                    kept.append(index)
                    continue
            if window.met_near(tokens, positions[index]):
                kept.append(index)
        return sorted(kept)


_LEMMA = "\x00"  # prefix of a lemma key (see Prefilter.__init__)


class _Window(NamedTuple):
    """Where a rule's span requirements must be met around a trigger occurrence (see
    :meth:`Prefilter.selected`)."""

    # per span requirement: its keys, the offsets from the trigger token between which a token
    # meets it, and whether it names a lemma (those the trigger token itself meets left out)
    near: tuple[tuple[frozenset[str], int, int, bool], ...]
    covers_all: bool  # whether they are all of the rule's requirements

    def met_near(self, tokens: list[Token], positions: list[int]) -> bool:
        """Whether, for a trigger at one of ``positions``, the tokens where the pattern places
        each span requirement can meet it."""
        for p in positions:
            for required, low, high, lemma_keyed in self.near:
                start = p + low
                near_tokens = tokens[start if start > 0 else 0 : max(p + high + 1, 0)]
                for token in near_tokens:  # a loop over the few tokens: no list of their words
                    if token.lower in required:
                        break
                else:
                    if not lemma_keyed or required.isdisjoint([_LEMMA + t.lemma for t in near_tokens]):
                        break  # not met: the next occurrence
            else:
                return True
        return False


def _window_of(pattern: CompiledPattern) -> _Window | None:
    """The window of a rule whose matches span at most ``_WINDOW_TOKENS`` tokens around the
    trigger, if it has span requirements the trigger token does not meet; None for the others."""
    reach, most = pattern.trigger_reach, pattern.max_tokens
    if pattern.trigger_keys is None or reach is None or most is None or reach + most > _WINDOW_TOKENS:
        return None
    trigger = {_key(f, v) for f, v in pattern.trigger_keys}
    near = []
    for keys, low, high in pattern.near_requirements:
        required = frozenset(_key(f, v) for f, v in keys)
        if not (low <= 0 <= high and required >= trigger):  # else met by the trigger token
            near.append((required, low, high, any(f != "lower" for f, _ in keys)))
    if not near:
        return None
    covers_all = {keys for keys, _, _ in pattern.near_requirements} == set(pattern.requirements)
    return _Window(tuple(near), covers_all)


def _key(field_name: str, value: str) -> str:
    return value if field_name == "lower" else _LEMMA + value


def _token_keys(tokens: list[Token]) -> set[str]:
    keys = {t.lower for t in tokens}
    keys.update([_LEMMA + t.lemma for t in tokens])
    return keys
