"""Sentence spans (docs/writing-rules.md).

A sentence ends at ``.``, ``!`` or ``?`` (plus any closing quotes or brackets) followed by
whitespace and a capital letter, digit or opening quote, and always at a blank line. A period
that belongs to an abbreviation or initial is the ambiguous case, decided this way:

- after a title that always precedes a name ("Mr.", "Dr.", "Gen.", "Lt.", ...) never split;
- after any other abbreviation or initial ("U.S.", "Inc.", "Jan.", "Calif.", "a.m.", "J.") split
  only when the next word is a typical sentence opener, a closed-class word such as "The", "He",
  "It", "They", "But", "In" (in any capitalisation, for headlines). So "U.S. troops arrived"
  and "the U.S. Army" stay whole, while "talks with the U.S. They said" splits; a sentence
  that ends in "U.S." and goes on with a name ("... the U.S. Bush said") is not split.

Single newlines do not split: Reuters-style text is hard-wrapped mid-sentence.
"""

from __future__ import annotations

import regex

from eventx.regexstore import compile_regex
from eventx.text.tokenize import TITLE_ABBREVIATIONS, is_abbreviation

__all__ = ["SENTENCE_OPENERS", "split_sentences"]

SENTENCE_OPENERS = frozenset(
    """the a an he she it they we i you this that these those there here his her its their our
    my your but and or so yet nor in on at as by for from with after before when while if
    although though however meanwhile also still now then since because some many most both
    all each no not one another other such what who which where why how officials police""".split()
)

_CLOSERS = "\"'\u201d\u2019)\\]}\u00bb"
_OPENERS = "\"'\u201c\u2018"
# Possessive quantifiers: long whitespace runs must not cause backtracking.
_BOUNDARY_RE = compile_regex(
    rf"(?P<blank>\n[^\S\n]*+\n\s*+)"
    rf"|(?P<end>[.!?]++[{_CLOSERS}]*+)(?=\s++[\p{{Lu}}\p{{Lt}}\p{{Nd}}{_OPENERS}])"
)
_NEXT_WORD_RE = compile_regex(rf"\s++[{_OPENERS}]*+(\p{{L}}+)")
_LEADING_OPENERS = "([{" + _OPENERS
_MAX_WORD = 40  # how far back to look for the word an abbreviation period belongs to


def _ends_sentence(text: str, match: regex.Match[str]) -> bool:
    """Whether a ``.``/``!``/``?`` boundary candidate really ends the sentence."""
    punct_start = match.start()
    if text[punct_start] != "." or text[punct_start + 1 : punct_start + 2] == ".":
        return True  # "!", "?" and ellipses always end a sentence
    word_start = punct_start
    limit = max(0, punct_start - _MAX_WORD)
    while word_start > limit and not text[word_start - 1].isspace():
        word_start -= 1
    word = text[word_start : punct_start + 1].lstrip(_LEADING_OPENERS)
    if not is_abbreviation(word):
        return True
    if word in TITLE_ABBREVIATIONS:
        return False
    following = _NEXT_WORD_RE.match(text, match.end())
    if following is None:
        return False
    nxt = following.group(1)
    return nxt.lower() in SENTENCE_OPENERS and (nxt.istitle() or nxt.isupper())


def _trimmed(text: str, start: int, end: int) -> tuple[int, int] | None:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return (start, end) if start < end else None


def split_sentences(text: str) -> list[tuple[int, int]]:
    """Sentence ``(start, end)`` spans, trimmed of whitespace, covering all other text in order."""
    spans: list[tuple[int, int]] = []
    start = 0
    for match in _BOUNDARY_RE.finditer(text):
        if match.group("blank") is None and not _ends_sentence(text, match):
            continue
        end = match.end() if match.group("blank") is None else match.start()
        span = _trimmed(text, start, end)
        if span is not None:
            spans.append(span)
        start = match.end()
    span = _trimmed(text, start, len(text))
    if span is not None:
        spans.append(span)
    return spans
