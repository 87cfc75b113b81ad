"""analyse(): sentences with tokens, plus property tests of the offset invariants."""

from __future__ import annotations

import unicodedata

from hypothesis import given, settings
from hypothesis import strategies as st

from eventx.text.model import Document, Sentence
from eventx.text.pipeline import analyse, sentence_spans, tokens_for
from eventx.text.sentences import split_sentences
from eventx.text.tokenize import tokenize

_STRAIGHT = str.maketrans("\u2018\u2019\u201a\u201b\u201c\u201d\u201e\u201f", "''''\"\"\"\"")
_SKIPPED = {"Cc", "Cf", "Cs"}


def test_analyse_sentences_and_tokens() -> None:
    text = "Britain mobilised 1,200 troops. They're in the U.S. now.\n\nGen. Smith didn't comment."
    sentences = analyse(Document("d1", text))
    assert [s.index for s in sentences] == [0, 1, 2]
    assert [text[s.start : s.end] for s in sentences] == [
        "Britain mobilised 1,200 troops.",
        "They're in the U.S. now.",
        "Gen. Smith didn't comment.",
    ]
    assert [t.word for t in sentences[1].tokens] == ["They", "'re", "in", "the", "U.S.", "now", "."]
    assert [t.lemma for t in sentences[0].tokens] == ["britain", "mobilize", "1,200", "troop", "."]
    assert sentences[2].text_of(text, 1, 4) == "Smith didn't"


def test_sentences_without_tokens_are_dropped_and_indices_stay_consecutive() -> None:
    text = "First one.\n\n\x00\u200b\n\nSecond one."
    sentences = analyse(Document("d2", text))
    assert [(s.index, text[s.start : s.end]) for s in sentences] == [(0, "First one."), (1, "Second one.")]


def test_empty_document() -> None:
    assert analyse(Document("d3", "")) == []


def test_convenience_functions() -> None:
    text = "One. Two three."
    assert sentence_spans(text) == split_sentences(text) == [(0, 4), (5, 15)]
    assert [t.word for t in tokens_for(text, 5, 15)] == ["Two", "three", "."]


# -- properties ---------------------------------------------------------------------------

_PIECES = st.sampled_from(
    [
        "troops", "U.S.", "Gen.", "J.", "don't", "Japan\u2019s", "\u2018quoted\u2019", "\u201cSaid\u201d",
        "1,200", "20%", "$5", "cease-fire", "O'Brien", ".", ". ", "? ", "! ", "...", "\n", "\n\n",
        " ", "\t", "\x00", "\x1c", "\u200b", "\u00ad", "\u00a0", "\U0001F600", "\U0001F44D\U0001F3FD",
        "\u2764\ufe0f", "e\u0301", "The", "THE", "x" * 300, "9" * 150, "'s", "n't", "-", "\r\n",
    ]
)
_TEXT = st.one_of(
    st.text(max_size=300),
    st.lists(st.one_of(_PIECES, st.text(max_size=5)), max_size=80).map("".join),
)


def _check_tokens(text: str, sentences: list[Sentence]) -> None:
    previous_end = 0
    for sentence in sentences:
        for tok in sentence.tokens:
            assert previous_end <= tok.start < tok.end <= sentence.end
            assert tok.start >= sentence.start
            original = text[tok.start : tok.end]
            assert len(original) == len(tok.word)
            assert original.translate(_STRAIGHT) == tok.word
            assert tok.lower == tok.word.lower()
            assert not any(c.isspace() or unicodedata.category(c) in _SKIPPED for c in original)
            previous_end = tok.end


@settings(max_examples=300, deadline=None)
@given(_TEXT)
def test_token_invariants(text: str) -> None:
    sentences = analyse(Document("p", text))
    assert [s.index for s in sentences] == list(range(len(sentences)))
    assert all(s.tokens for s in sentences)
    _check_tokens(text, sentences)
    # every character that is neither whitespace nor control/format is in exactly one token
    covered = [0] * len(text)
    for sentence in sentences:
        for tok in sentence.tokens:
            for i in range(tok.start, tok.end):
                covered[i] += 1
    for i, char in enumerate(text):
        skipped = char.isspace() or unicodedata.category(char) in _SKIPPED
        assert covered[i] == (0 if skipped else 1), (i, char)


@settings(max_examples=300, deadline=None)
@given(_TEXT)
def test_sentence_spans_cover_text(text: str) -> None:
    spans = split_sentences(text)
    previous_end = 0
    for start, end in spans:
        assert previous_end <= start < end <= len(text)
        assert not text[start].isspace() and not text[end - 1].isspace()
        assert text[previous_end:start].isspace() or previous_end == start
        previous_end = end
    assert previous_end == len(text) or text[previous_end:].isspace()


@settings(max_examples=200, deadline=None)
@given(_TEXT)
def test_splitting_never_changes_tokens_and_analyse_is_deterministic(text: str) -> None:
    sentences = analyse(Document("p", text))
    assert [t for s in sentences for t in s.tokens] == tokenize(text)
    assert analyse(Document("p", text)) == sentences
