"""The data the text pipeline produces and every later stage reads.

Offsets are Python string indices into ``Document.text`` — the original text, never a
normalised copy — so ``doc.text[tok.start:tok.end]`` is always the token as written.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(slots=True)
class Document:
    id: str
    text: str
    date: str | None = None  # ISO 8601 date (YYYY-MM-DD) when the input gives one
    title: str | None = None
    meta: dict[str, Any] | None = None


@dataclass(slots=True)
class Token:
    start: int  # offset into Document.text
    end: int
    word: str  # the text as written, except curly apostrophes/quotes made straight
    lower: str  # word.lower()
    lemma: str  # lower-cased lemma, British spellings mapped to American ("mobilised" -> "mobilize")
    shape: str  # spaCy-style shape: "London" -> "Xxxxx", "1,200" -> "d,ddd"
    is_num: bool  # digits with optional sign, internal , or . and trailing % ("1,200", "3.5", "20%")


@dataclass(slots=True)
class Sentence:
    index: int  # 0-based position of the sentence in its document
    start: int  # offsets into Document.text
    end: int
    tokens: list[Token] = field(default_factory=list)

    def text_of(self, doc_text: str, first: int, last: int) -> str:
        """Original text from token ``first`` to token ``last - 1`` inclusive."""
        return doc_text[self.tokens[first].start : self.tokens[last - 1].end]
