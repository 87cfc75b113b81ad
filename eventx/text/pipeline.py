"""Document -> sentences with tokens: the only entry point later stages need."""

from __future__ import annotations

from collections.abc import Callable, Iterator

from eventx.text.model import Document, Sentence, Token
from eventx.text.sentences import split_sentences
from eventx.text.tokenize import tokenize

__all__ = ["analyse", "iter_sentences", "sentence_spans", "tokens_for"]

sentence_spans = split_sentences


def tokens_for(text: str, start: int = 0, end: int | None = None) -> list[Token]:
    """Tokens of ``text[start:end]`` with offsets into ``text`` (see :func:`tokenize`)."""
    return tokenize(text, start, end)


def iter_sentences(
    text: str, select: Callable[[int, int], tuple[bool, bool]] | None = None
) -> Iterator[Sentence]:
    """The sentences of ``text`` with their tokens, as :func:`analyse` gives them.

    ``select(start, end)`` may rule sentences out before they are tokenised (tokenising is the
    costly step): it returns (keep the sentence, the sentence has tokens). Indices count every
    sentence with tokens, kept or not, so they do not depend on ``select``.
    """
    index = 0
    for start, end in split_sentences(text):
        if select is not None:
            keep, has_tokens = select(start, end)
            if not keep:
                index += has_tokens
                continue
        tokens = tokenize(text, start, end)
        if tokens:
            yield Sentence(index, start, end, tokens)
            index += 1


def analyse(doc: Document) -> list[Sentence]:
    """Split ``doc.text`` into sentences and tokenise each one.

    A sentence without tokens (only control characters) is dropped; indices stay consecutive
    over the sentences kept, so ``sentences[i].index == i``.
    """
    return list(iter_sentences(doc.text))
