"""Tokenizer contract, shapes and number tokens."""

from __future__ import annotations

import pytest

from eventx.text.tokenize import is_number, tokenize, word_shape


def words(text: str) -> list[str]:
    return [t.word for t in tokenize(text)]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("non-essential staff", ["non-essential", "staff"]),
        ("a cease-fire held", ["a", "cease-fire", "held"]),
        ("1,200 troops and 2.5 million", ["1,200", "troops", "and", "2.5", "million"]),
        ("U.S. troops", ["U.S.", "troops"]),
        ("Gen. Tommy Franks", ["Gen.", "Tommy", "Franks"]),
        ("J. Smith", ["J.", "Smith"]),
        ("at 10 a.m. on Jan. 24", ["at", "10", "a.m.", "on", "Jan.", "24"]),
        ("Lt. Col. Mr. St. Louis", ["Lt.", "Col.", "Mr.", "St.", "Louis"]),
        ("They left.", ["They", "left", "."]),
        ("the talks. Then", ["the", "talks", ".", "Then"]),
        ("Japan's army", ["Japan", "'s", "army"]),
        ("do n't", ["do", "n't"]),
        ("don't", ["do", "n't"]),
        ("DON'T", ["DO", "N'T"]),
        ("can't won't", ["ca", "n't", "wo", "n't"]),
        ("they're I'm we've it'll he'd", ["they", "'re", "I", "'m", "we", "'ve", "it", "'ll", "he", "'d"]),
        ("Japan\u2019s", ["Japan", "'s"]),
        ("don\u2019t", ["do", "n't"]),
        ("O'Brien said", ["O'Brien", "said"]),
        ("troops' families", ["troops", "'", "families"]),
        ("20% rise", ["20%", "rise"]),
        ("3.5% of", ["3.5%", "of"]),
        ("$5 million", ["$", "5", "million"]),
        ("-4 degrees", ["-", "4", "degrees"]),
        ("2,000-strong force", ["2,000-strong", "force"]),
        ("a 10-year plan", ["a", "10-year", "plan"]),
        ("$2.5bn deal", ["$", "2.5", "bn", "deal"]),
        ("F-16s in the 1990s", ["F-16s", "in", "the", "1990s"]),
        ("(AP) --", ["(", "AP", ")", "-", "-"]),
        ('"We will not leave," he said.', ['"', "We", "will", "not", "leave", ",", '"', "he", "said", "."]),
        ("\u201cNo\u201d", ['"', "No", '"']),
        ("xGen. arrived", ["xGen", ".", "arrived"]),
        ("Ore. Plans", ["Ore.", "Plans"]),
        ("e-mail\u00adaddress", ["e-mail", "address"]),
        ("a\x00b\u200bc\td\ne", ["a", "b", "c", "d", "e"]),
        ("peace\U0001F54A\ufe0f now", ["peace", "\U0001F54A\ufe0f", "now"]),
        ("n't", ["n't"]),
        ("Ca n't", ["Ca", "n't"]),
        ("", []),
        (" \t\n ", []),
    ],
)
def test_token_words(text: str, expected: list[str]) -> None:
    assert words(text) == expected


def test_offsets_index_original_text_with_curly_quotes() -> None:
    text = "\u2018Japan\u2019s\u2019 troops"
    tokens = tokenize(text)
    assert [t.word for t in tokens] == ["'", "Japan", "'s", "'", "troops"]
    for tok in tokens:
        original = text[tok.start : tok.end]
        assert len(original) == len(tok.word)
        assert original.replace("\u2019", "'").replace("\u2018", "'") == tok.word


def test_start_end_slice_keeps_full_text_offsets() -> None:
    text = "First part. Second part here."
    start = text.index("Second")
    tokens = tokenize(text, start, len(text) - 1)
    assert [t.word for t in tokens] == ["Second", "part", "here"]
    assert tokens[0].start == start
    assert all(text[t.start : t.end] == t.word for t in tokens)


def test_token_fields() -> None:
    tok = {t.word: t for t in tokenize("Britain mobilised 1,200 Troops quickly.")}
    assert tok["mobilised"].lemma == "mobilize"
    assert tok["Troops"].lower == "troops"
    assert tok["Troops"].lemma == "troop"
    assert tok["1,200"].is_num and tok["1,200"].shape == "d,ddd"
    assert not tok["Troops"].is_num
    assert tok["Britain"].shape == "Xxxxx"
    assert tok["."].lemma == "."


def test_equal_fields_of_a_token_are_one_string() -> None:
    """A lower-case word is its own ``lower`` (and its own lemma, when it is one): one string
    object per token instead of three, in the token cache and in every token made from it."""
    tok = {t.word: t for t in tokenize("Britain deploy troops quickly")}
    assert tok["deploy"].lower is tok["deploy"].word and tok["deploy"].lemma is tok["deploy"].word
    assert tok["troops"].lower is tok["troops"].word and tok["troops"].lemma == "troop"
    assert tok["Britain"].lemma is tok["Britain"].lower
    assert tok["quickly"].lemma is tok["quickly"].lower


def test_contraction_lemmas() -> None:
    lemmas = [t.lemma for t in tokenize("won't can't isn't they're I've")]
    assert lemmas == ["will", "not", "can", "not", "be", "not", "they", "be", "i", "have"]


def test_unknown_capitalised_words_keep_their_form() -> None:
    # Names must not go through the "-ing"/"-ed" suffix rules ("Beijing" -> "beij").
    lemmas = {t.word: t.lemma for t in tokenize("Beijing and Ahmed redeployed")}
    assert lemmas == {"Beijing": "beijing", "and": "and", "Ahmed": "ahmed", "redeployed": "redeploy"}
    assert [t.lemma for t in tokenize("Warships Redeployed")] == ["warship", "redeploy"]


@pytest.mark.parametrize(
    ("word", "shape"),
    [
        ("London", "Xxxxx"),
        ("1,200", "d,ddd"),
        ("U.S.", "X.X."),
        ("NATO", "XXXX"),
        ("iPhone", "xXxxxx"),
        ("cease-fire", "xxxx-xxxx"),
        ("2004", "dddd"),
        ("'s", "'x"),
        ("Ünïcödé", "Xxxxx"),
        ("x" * 120, "LONG"),
    ],
)
def test_word_shape(word: str, shape: str) -> None:
    assert word_shape(word) == shape


@pytest.mark.parametrize("word", ["2004", "1,200", "3.5", "-4", "+4", "20%", "1,200,000", "0"])
def test_is_number(word: str) -> None:
    assert is_number(word)


@pytest.mark.parametrize("word", ["two", "thousands", "1990s", "2.5bn", "$5", "1,", ",5", "", "%", "4-5", "٣"])
def test_is_not_number(word: str) -> None:
    assert not is_number(word)
