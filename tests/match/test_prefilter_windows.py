"""The prefilter's window test: a rule whose matches span few tokens is tried on a sentence only
when its required words occur near one of its trigger occurrences, not anywhere in it.

A match whose trigger is at token p lies within tokens p - trigger_reach .. p + max_tokens - 1,
and its own tokens meet its span requirements (those of lookarounds and labels excepted)."""

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
ELEMENTS = ["[]", "[]{0,2}", "[]?", "[lower=the]", "[lower=to|more]", "[lemma=troop|soldier]", "@forces",
            "[lower=border]", "[!lower=the]", "(?= [] [lower=border] )", "(?<= [lower=the] )", "(?! [lower=to] )",
            "( [lower=the] | @forces )", "( [lower=more] [lower=to] )?",
            # words that are also triggers: the trigger's own token must not meet them
            "[lower=sent|border]", "[lemma=send|order]", "(?<obj> [lower=the|ordered] )"]
TRIGGERS = ["[lemma=send]=trigger", "[lower=ordered]=trigger", "@forces=trigger", "[lower=the]=trigger",
            "(?<trigger> [lower=the] [lower=sent|troops] )", "(?<trigger> [lower=sent] | [lower=the] [lower=border] )",
            "( [lower=sent]=trigger | [lower=ordered]=trigger [lower=more] )"]


@st.composite
def narrow_pattern(draw: st.DrawFn) -> str:
    before = draw(st.lists(st.sampled_from(ELEMENTS), max_size=2))
    after = draw(st.lists(st.sampled_from(ELEMENTS), max_size=3))
    return " ".join([*before, draw(st.sampled_from(TRIGGERS)), *after])


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(narrow_pattern(), min_size=1, max_size=3),
       st.lists(st.lists(st.sampled_from(WORDS), min_size=1, max_size=30).map(" ".join), min_size=1, max_size=4))
def test_the_window_test_never_drops_a_match(tmp_path_factory, patterns: list[str], texts: list[str]) -> None:
    root: Path = tmp_path_factory.mktemp("random-windows")
    rules = "\n".join(f"  - id: r{i}\n    type: t\n    pattern: {p!r}" for i, p in enumerate(patterns))
    (root / "r.yml").write_text(f"lexicons:\n  forces: [troops, soldiers, riot police]\nrules:\n{rules}\n", encoding="utf-8")
    pack = load_rules(root)
    for text in texts:
        tokens = tokenize(text)
        stream, offsets = pack.encoder.stream(tokens, pack.lexicons.annotate(tokens))
        reference = [(rule.id, offsets[m.start()], offsets[m.end()]) for rule in pack.rules for m in rule.pattern.regex.finditer(stream)]
        assert [(m.rule.id, m.start, m.end) for m in pack.match_sentence(tokens).matches] == reference


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
