"""Build one analysed sentence from marked text: ``[trigger]`` and ``{span}``.

Example: ``"{China has [deployed] troops}, state media reported."`` gives the sentence, the
trigger's token range (for "deployed") and the span's ("China has deployed troops"). Without
braces the span is the trigger. Tokens come from the real pipeline, so the tests exercise the
lemmas and PTB splits ("did" "n't") that rules will see.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import pytest

from eventx.text.model import Document, Sentence
from eventx.text.pipeline import analyse


@dataclass(frozen=True)
class Marked:
    text: str
    sentence: Sentence
    trigger: tuple[int, int]
    span: tuple[int, int]

    def text_of(self, rng: tuple[int, int] | None) -> str | None:
        """The text a token range covers, or None; keeps assertions readable."""
        return None if rng is None else self.sentence.text_of(self.text, *rng)


def _token_range(sentence: Sentence, start: int, end: int) -> tuple[int, int]:
    inside = [i for i, t in enumerate(sentence.tokens) if t.start >= start and t.end <= end]
    assert inside, f"no token between characters {start} and {end}"
    return inside[0], inside[-1] + 1


def parse_marked(marked: str) -> Marked:
    text, marks = "", {}
    for ch in marked:
        if ch in "[]{}":
            marks[ch] = len(text)
        else:
            text += ch
    sentences = analyse(Document("test", text))
    assert len(sentences) == 1, f"expected one sentence in {text!r}"
    sentence = sentences[0]
    trigger = _token_range(sentence, marks["["], marks["]"])
    span = _token_range(sentence, marks["{"], marks["}"]) if "{" in marks else trigger
    return Marked(text, sentence, trigger, span)


@pytest.fixture
def marked() -> Callable[[str], Marked]:
    return parse_marked
