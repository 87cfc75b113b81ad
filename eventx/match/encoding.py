"""The encoded token stream of a sentence (see :mod:`eventx.match.atoms`): each token's record
is its position character, the flags of the atoms it passes and of the lexicon phrases and
mentions that start or end at it, then a newline."""

from __future__ import annotations

from itertools import accumulate

from eventx.match.atoms import Positions, TokenAtoms
from eventx.match.lexicon import LexiconHit
from eventx.text.model import Token


class Encoder:
    """Encodes sentences for the patterns of one pack (its atoms; lexicons and labels by id)."""

    def __init__(self, atoms: TokenAtoms, lengths: list[set[int]]):
        """``lengths``: the phrase lengths of each lexicon and label, by id."""
        self._atoms = atoms
        self._positions = Positions()
        # per lexicon and phrase length: the flags "a phrase starts here" and "... with n tokens"
        self._lexicon_flags = [
            [""] + [atoms.lexicon(k) + atoms.lexicon(k, n) for n in range(1, max(ks, default=0) + 1)]
            for k, ks in enumerate(lengths)
        ]
        self._lexicon_ends = [atoms.lexicon_end(k) for k in range(len(lengths))]

    def stream(self, tokens: list[Token], hits: list[LexiconHit]) -> tuple[str, dict[int, int]]:
        """The encoded stream of a sentence and a map from record offsets to token indices."""
        return self.encode_records(tokens, hits)[:2]

    def encode_records(
        self, tokens: list[Token], hits: list[LexiconHit], lexicons: set[int] | None = None,
        base: list[str] | None = None,
    ) -> tuple[str, dict[int, int], list[str]]:
        """(stream, record offset -> token index, the records without their newlines); only the
        hits of ``lexicons`` (default: all) are flagged. ``base``: the tokens' atom records
        (:meth:`TokenAtoms.records`), when the caller has them already."""
        position = self._positions.first(len(tokens))
        parts = self._atoms.records(tokens) if base is None else list(base)
        if hits:
            flags, ends = self._lexicon_flags, self._lexicon_ends
            for lexicon, start, length, _ in hits:  # each record gains its flags in hit order
                if lexicons is not None and lexicon not in lexicons:
                    continue
                parts[start] += flags[lexicon][length]
                parts[start + length - 1] += ends[lexicon] + position[start]
        # each record: position character, flags, newline
        starts = [0, *accumulate([len(part) + 2 for part in parts])]
        stream = "".join([f"{p}{part}\n" for p, part in zip(position, parts)])
        return stream, dict(zip(starts, range(len(starts)))), parts
