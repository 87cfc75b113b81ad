"""The prefilter's window test: a rule whose matches span few tokens is tried on a sentence only
when its required words occur near one of its trigger occurrences, not anywhere in it.

A match whose trigger is at token p lies within tokens p - trigger_reach .. p + max_tokens - 1,
and its own tokens meet its span requirements (those of lookarounds and labels excepted), each
where the pattern places it from the trigger token."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from eventx.api import load_rules
from eventx.text.tokenize import tokenize

RULES = """\
lexicons:
  forces: [troops, soldiers, riot police]
rules:
  - id: sent-forces
    type: deployment
    pattern: "[lemma=send]=trigger []{0,2} (?<force> @forces)"
  - id: ahead
    type: deployment
    pattern: "[lower=ordered]=trigger [lower=more] (?= []* [lower=reinforcements])"
  - id: sent-again
    type: deployment
    pattern: "[lower=sent]=trigger []{0,1} [lower=sent|troops]"
  - id: wide
    type: deployment
    pattern: "[lower=deployed]=trigger []{0,20} [lower=border]"
"""


@pytest.fixture(scope="module")
def pack(tmp_path_factory):
    root: Path = tmp_path_factory.mktemp("windows")
    (root / "r.yml").write_text(RULES, encoding="utf-8")
    return load_rules(root)


def candidates(pack, text: str, sketch: bool = True) -> list[str]:
    return [pack.rules[i].id for i in pack.match_sentence(tokenize(text), sketch=sketch).candidates]


@pytest.mark.parametrize("text, expected", [
    ("The army sent two brigades of troops.", ["sent-forces"]),
    ("They sent aid, and later the riot police arrived.", []),  # "riot" five tokens after "sent"
    ("Troops were seen after the ministry sent a letter.", []),  # before the trigger
    ("Riot police were sent in, and soldiers sent home.", ["sent-forces"]),  # the second "sent"
    # the lookahead's word may lie past the window: only "more" must be near "ordered"
    ("He ordered more, and weeks later reinforcements came.", ["ahead"]),
    ("He ordered tea, and weeks later more reinforcements came.", []),
    # the trigger's own token is not the word that must follow it
    ("They sent aid, and more were sent later.", []),
    ("They sent aid, and more sent troops later.", ["sent-forces", "sent-again"]),
    # a window of 22 tokens is most of a sentence: only the sentence-wide requirement is tested
    ("Troops deployed near the river, far from where the talks on the old disputed border were.", ["wide"]),
])
def test_candidates_need_their_words_near_a_trigger(pack, text, expected):
    found = pack.match_sentence(tokenize(text))
    assert [pack.rules[i].id for i in found.candidates] == expected
    # the same matches as every rule whose trigger and requirements occur, tried everywhere
    every = [i for i in pack.prefilter.triggered(tokenize(text))]
    assert [(m.rule.id, m.start, m.end) for m in found.matches] == [
        (m.rule.id, m.start, m.end) for m in pack.match_sentence(tokenize(text), rule_ids=every).matches
    ]


def test_without_the_sketch_the_window_is_not_tested(pack):
    """``eventx explain`` (sketch=False) reports as candidates the rules whose requirements the
    sentence meets, near or not."""
    assert candidates(pack, "They sent aid, and later the riot police arrived.", sketch=False) == ["sent-forces", "sent-again"]


# ---- random narrow rules on texts of few words: the window test never drops a match ----------

WORDS = ["sent", "send", "troops", "riot", "police", "the", "more", "to", "border", "ordered", "soldiers", "Troops"]
# pattern elements, each with word sequences that its tokens may be (texts like the pattern: a
# window a token too short or placed a token off drops a match of them)
ELEMENTS = {
    "[]": ["the", "riot"], "[]{0,2}": ["", "more", "the more"], "[]?": ["", "to"], "[]{1,2}": ["to", "the to"],
    "[lower=the]": ["the"], "[lower=to|more]": ["to", "more"], "[lemma=troop|soldier]": ["troops", "soldier"],
    "@forces": ["troops", "riot police"], "[lower=border]": ["border"], "[!lower=the]": ["to", "sent"],
    "(?= [] [lower=border] )": [""], "(?<= [lower=the] )": [""], "(?! [lower=to] )": [""],
    "( [lower=the] | @forces )": ["the", "riot police"], "( [lower=more] [lower=to] )?": ["", "more to"],
    # words that are also triggers: the trigger's own token must not meet them
    "[lower=sent|border]": ["sent", "border"], "[lemma=send|order]": ["sends", "ordered"],
    "(?<obj> [lower=the|ordered] )": ["the", "ordered"],
    # requirements inside groups and captures of several tokens
    "( [lower=more] []? [lower=to] )": ["more to", "more the to"],
    "(?<obj> @forces []{0,1} [lower=border] )": ["troops border", "riot police the border"],
}
TRIGGERS = {
    "[lemma=send]=trigger": ["sent", "send"], "[lower=ordered]=trigger": ["ordered"],
    "@forces=trigger": ["troops", "riot police"], "[lower=the]=trigger": ["the"],
    "(?<trigger> [lower=the] [lower=sent|troops] )": ["the sent", "the troops"],
    "(?<trigger> [lower=sent] | [lower=the] [lower=border] )": ["sent", "the border"],
    "( [lower=sent]=trigger | [lower=ordered]=trigger [lower=more] )": ["sent", "ordered more"],
    # the trigger inside groups and captures, with required tokens beside it
    "( [lower=the] []? [lemma=send]=trigger [lower=to]? )": ["the sent", "the more send to"],
    "(?<act> [lower=more]? [lower=ordered]=trigger [lower=to] )": ["ordered to", "more ordered to"],
    "( @forces [lower=sent]=trigger ) [lower=the]": ["troops sent the", "riot police sent the"],
}


@st.composite
def narrow_pattern(draw: st.DrawFn) -> tuple[str, str]:
    """(a random narrow pattern, a text like it: one of each element's word sequences)"""
    elements = [
        *draw(st.lists(st.sampled_from(sorted(ELEMENTS)), max_size=2)),
        draw(st.sampled_from(sorted(TRIGGERS))),
        *draw(st.lists(st.sampled_from(sorted(ELEMENTS)), max_size=3)),
    ]
    words = " ".join(draw(st.sampled_from({**ELEMENTS, **TRIGGERS}[e])) for e in elements)
    return " ".join(elements), words


def _check_against_finditer(root: Path, patterns: list[str], texts: list[str]) -> None:
    rules = "\n".join(f"  - id: r{i}\n    type: t\n    pattern: {p!r}" for i, p in enumerate(patterns))
    (root / "r.yml").write_text(f"lexicons:\n  forces: [troops, soldiers, riot police]\nrules:\n{rules}\n", encoding="utf-8")
    pack = load_rules(root)
    for text in texts:
        tokens = tokenize(text)
        stream, offsets = pack.encoder.stream(tokens, pack.lexicons.annotate(tokens))
        reference = [(rule.id, offsets[m.start()], offsets[m.end()]) for rule in pack.rules for m in rule.pattern.regex.finditer(stream)]
        assert [(m.rule.id, m.start, m.end) for m in pack.match_sentence(tokens).matches] == reference


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(narrow_pattern().map(lambda p: p[0]), min_size=1, max_size=3),
       st.lists(st.lists(st.sampled_from(WORDS), min_size=1, max_size=30).map(" ".join), min_size=1, max_size=4))
def test_the_window_test_never_drops_a_match(tmp_path_factory, patterns: list[str], texts: list[str]) -> None:
    _check_against_finditer(tmp_path_factory.mktemp("random-windows"), patterns, texts)


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(narrow_pattern(), min_size=1, max_size=3), st.lists(st.sampled_from(WORDS), max_size=4),
       st.randoms(use_true_random=False))
def test_the_window_test_never_drops_a_match_of_texts_like_the_patterns(tmp_path_factory, drawn, noise, rng) -> None:
    """Texts made of the patterns' own word sequences (and a few words put in among them): most
    hold matches, many with the required words as far from the trigger as the pattern allows."""
    words = " ".join(text for _, text in drawn).split()
    for word in noise:
        words.insert(rng.randint(0, len(words)), word)
    texts = [text for _, text in drawn if text] + ([" ".join(words)] if words else [])
    _check_against_finditer(tmp_path_factory.mktemp("like-windows"), [p for p, _ in drawn], texts)


@pytest.mark.parametrize("pattern, text", [
    # a branch's words may be met by the trigger token of another branch
    ("( [lower=sent]=trigger | [lower=ordered]=trigger [lower=more] )", "They sent it."),
    # a trigger capture's other tokens may be the token that carries the trigger key
    ("(?<trigger> [lower=sent|ordered] [lower=more] | [lower=sent] )", "They sent it."),
])
def test_the_trigger_token_meets_what_its_alternation_needs(tmp_path, pattern, text):
    (tmp_path / "r.yml").write_text(f"rules:\n  - id: r\n    type: t\n    pattern: {pattern!r}\n", encoding="utf-8")
    pack = load_rules(tmp_path)
    assert len(pack.match_sentence(tokenize(text)).matches) == 1


@pytest.mark.parametrize("pattern, text, candidate", [
    # each required word where the pattern places it from the trigger, not anywhere near it
    ("[lower=ordered]=trigger [lower=more] []{0,3} [lower=troops]", "They ordered troops and more.", False),
    ("[lower=ordered]=trigger [lower=more] []{0,3} [lower=troops]", "They ordered more of the troops.", True),
    ("[lower=riot] [lower=police] []? [lemma=send]=trigger", "Police riot sent.", False),
    ("[lower=riot] [lower=police] []? [lemma=send]=trigger", "Riot police were sent.", True),
    # a lexicon of one or two tokens before the trigger: its first word one or two tokens back
    ("@forces []? [lower=sent]=trigger", "Riot police sent.", True),
    ("@forces []? [lower=sent]=trigger", "Troops, sent.", True),
    ("@forces []? [lower=sent]=trigger", "Troops , the police sent.", False),
])
def test_each_required_word_where_the_pattern_places_it(tmp_path, pattern, text, candidate):
    (tmp_path / "r.yml").write_text(
        f"lexicons:\n  forces: [troops, soldiers, riot police]\nrules:\n  - id: r\n    type: t\n    pattern: {pattern!r}\n",
        encoding="utf-8")
    pack = load_rules(tmp_path)
    found = pack.match_sentence(tokenize(text))
    assert bool(found.candidates) == candidate
    assert len(found.matches) == (1 if candidate else 0)
