"""The sketch's part before the trigger, matched right to left from each trigger occurrence.

Before trying the whole sketch from every start in reach of a trigger, the matcher keeps only
the trigger occurrences where the sketch's items before the trigger match right to left,
ending where the trigger's record starts, with the stream cut there
(``CompiledPattern.sketch_prefix``). It must never rule out a trigger of a match: the matches
are those found without the sketch check, and at every match's trigger the prefix matches.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from eventx.api import load_rules
from eventx.text.tokenize import tokenize

VOCAB = ["a", "b", "c", "d"]
MENTIONS = ["[lower=a]", "[lower=a] []{0,3} [lower=d]", "[lower=b|c]{1,3}", "[lower=d] []*? [lower=a]"]
# phrases of three lengths: a reference compiles to a capture of its start checked at its end
# (left to right) or the other way round (right to left)
PHRASES = ["b", "b c", "c d a", "a b c d"]


def write(root: Path, mention: str, rule: str) -> Path:
    root.mkdir(parents=True, exist_ok=True)
    (root / "r.yml").write_text(
        f"lexicons:\n  lex: {PHRASES!r}\n"
        f"mentions:\n  - id: m\n    label: M\n    pattern: {mention!r}\n"
        f"rules:\n  - id: r\n    type: t\n    pattern: {rule!r}\n",
        encoding="utf-8",
    )
    return root


def check(root: Path, sentence: str) -> list[tuple]:
    """The matches (the same with and without the sketch check), after checking that the
    prefix matches right to left at each match's trigger on the stream without mentions."""
    pack = load_rules(root)
    tokens = tokenize(sentence)

    def found(sketch: bool) -> list[tuple]:
        return [(m.start, m.end, m.trigger, sorted(m.groups.items())) for m in pack.match_sentence(tokens, sketch=sketch).matches]

    matches = found(False)
    assert found(True) == matches
    prefix = pack.rules[0].pattern.sketch_prefix
    if prefix is not None:
        stream, offsets, _ = pack.encoder.encode_records(tokens, pack.lexicons.annotate(tokens), None)
        starts = list(offsets)
        for _, _, (trigger, _), _ in matches:
            assert prefix.match(stream, 0, starts[trigger]) is not None, sentence
    return matches


@pytest.mark.parametrize("rule, sentence", [
    # a lookahead before the trigger that looks past it: the cut stream cannot show it
    ("(?<x> @M) (?= [lower=go] [lower=b]) [lower=go]=trigger", "a go b"),
    # a negative lookahead whose own lookahead is left out would rule out more, not less
    ("(?! [lower=a] (?= [lower=a])) (?<x> @M) [lower=go]=trigger", "a go"),
    # token tests of one atom and of several (a record tested at its start, then taken whole)
    ("(?<x> @M) [lower=b] [!lower=d] [lower=go]=trigger", "a b c go"),
    # a lexicon of three phrase lengths before the trigger, matched right to left
    ("(?<x> @M) @lex [lower=go]=trigger", "a c d a go"),
    ("@lex (?<x> @M) [lower=go]=trigger", "b c a go"),
])
def test_the_prefix_keeps_the_trigger_of_each_match(tmp_path: Path, rule: str, sentence: str) -> None:
    assert load_rules(write(tmp_path, "[lower=a]", rule)).rules[0].pattern.sketch_prefix_source is not None
    assert check(tmp_path, sentence)


def test_the_prefix_rules_out_triggers_without_the_label_before_them(tmp_path: Path) -> None:
    pack = load_rules(write(tmp_path, "[lower=a] [lower=b]", "(?<x> @M) []{0,2} [lower=go]=trigger []"))
    assert pack.rules[0].pattern.sketch_prefix_source is not None
    assert not pack.match_sentence(tokenize("b a go c a b"), sketch=True).candidates
    assert [m.trigger for m in pack.match_sentence(tokenize("b a go c a b go d"), sketch=True).matches] == [(6, 7)]


def rules_before_the_trigger() -> st.SearchStrategy[str]:
    atom = st.sampled_from(["[lower=a]", "[lower=b|c]", "[]", "[!lower=d]", "@M", "@M", "(?<x> @M)", "@lex",
                            "(?= [lower=go])", "(?= []{0,2} [lower=b])", "(?! @M)", "(?! [lower=go])",
                            "(?<= [lower=a])", "(?<! @lex)"])
    quantified = st.tuples(atom, st.sampled_from(["", "", "?", "{0,2}", "+", "*?", "++"])).map(
        lambda p: p[0] + p[1] if not p[0].startswith("(?") else p[0]
    )
    side = st.lists(quantified, min_size=0, max_size=4).map(" ".join)
    return st.tuples(side, side).map(lambda p: f"{p[0]} [lower=go]=trigger {p[1]}")


@settings(max_examples=250, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    mention=st.sampled_from(MENTIONS),
    rule=rules_before_the_trigger(),
    sentence=st.lists(st.sampled_from(VOCAB + ["go"]), min_size=1, max_size=14).map(" ".join),
)
def test_the_prefix_never_rules_out_a_match(tmp_path_factory, mention: str, rule: str, sentence: str) -> None:
    check(write(tmp_path_factory.mktemp("prefix"), mention, rule), sentence)
