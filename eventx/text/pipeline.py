"""Document -> sentences with tokens: the only entry point later stages need."""

from __future__ import annotations

from eventx.text.model import Document, Sentence, Token
from eventx.text.sentences import split_sentences
from eventx.text.tokenize import tokenize

__all__ = ["analyse", "sentence_spans", "tokens_for"]

sentence_spans = split_sentences


def tokens_for(text: str, start: int = 0, end: int | None = None) -> list[Token]:
    """Tokens of ``text[start:end]`` with offsets into ``text`` (see :func:`tokenize`)."""
    return tokenize(text, start, end)


def analyse(doc: Document) -> list[Sentence]:
    """Split ``doc.text`` into sentences and tokenise each one.

    A sentence without tokens (only control characters) is dropped; indices stay consecutive
    over the sentences kept, so ``sentences[i].index == i``.
    """
    text = doc.text
    sentences: list[Sentence] = []
    for start, end in split_sentences(text):
        tokens = tokenize(text, start, end)
        if tokens:
            sentences.append(Sentence(len(sentences), start, end, tokens))
    return sentences
