"""A cascade means what the same pattern with the mention written inline means.

A mention is every span its pattern matches exactly, so a pattern that refers to ``@M`` can
match a span exactly when the same pattern with ``(?: M )`` in place of ``@M`` can. Mention
rules report exactly the spans they match (every start, every end), so comparing the spans of
an outer mention rule written both ways compares the two meanings on every sub-span of random
sentences — including lookahead inside the mention (which must see past its end) and a
mention built on another label (two layers), searching forward and backward.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from eventx.api import Extractor
from eventx.match import matcher

VOCAB = ["a", "b", "c", "d"]
TOKENS = ["[lower=a]", "[lower=b|c]", "[]", "[!lower=d]", "[lower=d]"]
SETTINGS = settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


def items(inner: list[str]) -> st.SearchStrategy[str]:
    atom = st.sampled_from(TOKENS + inner)
    quantified = st.tuples(atom, st.sampled_from(["", "", "?", "{0,2}", "+", "*?"])).map("".join)
    lookahead = st.sampled_from(TOKENS).map(lambda t: f"(?= {t})")
    item = st.one_of(quantified, quantified, quantified, lookahead)
    return st.lists(item, min_size=1, max_size=3).map(" ".join)


def patterns(inner: list[str]) -> st.SearchStrategy[str]:
    """A sequence of items, or an alternation of two; never only lookaheads or only optionals
    (the compiler rejects patterns that can match no token)."""
    seq = st.one_of(items(inner).map(lambda s: s + " [lower=a|b|c|d]"),
                    items(inner).map(lambda s: "[lower=a|b|c|d] " + s))  # lookahead at the end too
    return st.one_of(seq, st.tuples(seq, seq).map(lambda p: f"{p[0]} | {p[1]}"))


def inline(pattern: str, label: str, body: str) -> str:
    return pattern.replace(f"@{label}", f"(?: {body} )")


def write(root: Path, mentions: dict[str, str]) -> Path:
    root.mkdir(parents=True, exist_ok=True)
    lines = ["mentions:"]
    for number, (label, pattern) in enumerate(mentions.items()):
        lines += [f"  - id: m{number}", f"    label: {label}", f"    pattern: {pattern!r}"]
    (root / "m.yml").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return root


@pytest.fixture(params=["forward", "backward"], autouse=True)
def direction(request, monkeypatch):
    """Mentions are found from the tokens that can start them or from those that can end them
    (whichever are rarer in a sentence): both must give every exact span."""
    monkeypatch.setattr(matcher, "DIRECTION", request.param)
    return request.param


def spans(extractor: Extractor, text: str, label: str) -> set[tuple[int, int]]:
    return {(m["start"], m["end"]) for m in extractor.mentions(text, [label])}


@SETTINGS
@given(
    inner=patterns([]),
    deeper=patterns([]),
    outer=st.data(),
    sentence=st.lists(st.sampled_from(VOCAB), min_size=1, max_size=9).map(" ".join),
)
def test_referring_to_a_mention_is_inlining_it(tmp_path_factory, inner, deeper, outer, sentence):
    # M may use N (two layers); Outer uses M. Inline both into Flat.
    m_pattern = outer.draw(patterns(["@N"]), label="M")
    outer_pattern = outer.draw(patterns(["@M"]), label="Outer")
    flat_m = inline(m_pattern, "N", deeper)
    flat = inline(outer_pattern, "M", flat_m)
    root = tmp_path_factory.mktemp("cascade")
    extractor = Extractor(write(root, {"N": deeper, "M": m_pattern, "Outer": outer_pattern, "Flat": flat}))
    assert spans(extractor, sentence, "Outer") == spans(extractor, sentence, "Flat")
    assert spans(extractor, sentence, "M") == {
        (m["start"], m["end"]) for m in Extractor(write(tmp_path_factory.mktemp("flat"), {"F": flat_m})).mentions(sentence)
    }


@SETTINGS
@given(
    body=patterns([]),
    sentence=st.lists(st.sampled_from(VOCAB + ["go"]), min_size=1, max_size=9).map(" ".join),
)
def test_event_rules_see_the_same_matches_through_a_label(tmp_path_factory, body, sentence):
    """An event rule anchored at both ends of the sentence (so the regex's own preferences
    cannot pick a different span) matches through @M exactly when it matches with M inline,
    with the same span and argument."""
    root = tmp_path_factory.mktemp("events")
    (root / "r.yml").write_text(
        "mentions:\n"
        f"  - id: m\n    label: M\n    pattern: {body!r}\n"
        "rules:\n"
        "  - id: cascade\n    type: a\n    pattern: \"^ []*? [lower=go]=trigger (?<arg> @M) $\"\n"
        f"  - id: inline\n    type: b\n    pattern: \"^ []*? [lower=go]=trigger (?<arg> (?: {body} )) $\"\n",
        encoding="utf-8",
    )
    events = Extractor(root, merge_mentions=False).extract(sentence)
    found = {e["type"]: (e["span"]["start"], e["span"]["end"], e["args"]["arg"]["text"]) for e in events}
    assert found.get("a") == found.get("b")


def event_patterns() -> st.SearchStrategy[str]:
    """Event patterns with a trigger, labels anywhere (also before the trigger, in negative
    lookarounds and under possessive repeats), for the sketch check below."""
    atom = st.sampled_from(TOKENS + ["@M", "@N", "@M", "(?! @M)", "(?<! @N)", "(?= @N)"])
    quantified = st.tuples(atom, st.sampled_from(["", "", "?", "{0,2}", "+", "*?", "++", "?+"])).map(
        lambda p: p[0] + p[1] if not p[0].startswith("(?") else p[0]
    )
    side = st.lists(quantified, min_size=0, max_size=3).map(" ".join)
    return st.tuples(side, side).map(lambda p: f"{p[0]} [lower=go]=trigger {p[1]}")


# mentions of many lengths, so that a sketch's span lengths matter
VARIABLE = ["[lower=a]+", "[lower=a] []{0,3} [lower=d]", "[lower=b|c]{1,3}", "[lower=a|b] [lower=c]?", "[lower=d] []*? [lower=a]"]


@settings(max_examples=250, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    deeper=st.one_of(st.sampled_from(VARIABLE), patterns([])),
    middle=st.data(),
    rule=event_patterns(),
    sentence=st.lists(st.sampled_from(VOCAB + ["go"]), min_size=1, max_size=14).map(" ".join),
)
def test_the_sketch_check_never_drops_a_match(tmp_path_factory, deeper, middle, rule, sentence):
    """Before looking for mentions, the matcher drops the candidate rules whose sketch (each
    @Label a span that can start and end one of its mentions) does not match; the matches
    must be exactly those found without that check."""
    from eventx.api import load_rules
    from eventx.text.tokenize import tokenize

    m_pattern = middle.draw(st.one_of(st.sampled_from(VARIABLE + ["@N []{0,2} [lower=d]", "[lower=b]? @N+"]),
                                      patterns(["@N"])), label="M")
    root = tmp_path_factory.mktemp("sketch")
    (root / "r.yml").write_text(
        "mentions:\n"
        f"  - id: n\n    label: N\n    pattern: {deeper!r}\n"
        f"  - id: m\n    label: M\n    pattern: {m_pattern!r}\n"
        "rules:\n"
        f"  - id: r\n    type: t\n    pattern: {rule!r}\n",
        encoding="utf-8",
    )
    pack = load_rules(root)
    tokens = tokenize(sentence)

    def found(sketch: bool) -> list[tuple]:
        result = pack.match_sentence(tokens, sketch=sketch)
        return [(m.rule.id, m.start, m.end, m.trigger, sorted(m.groups.items())) for m in result.matches]

    assert found(True) == found(False)
    # finer: each match's start and trigger satisfy the sketch and its suffix on the stream
    # without mentions (what the check relies on)
    compiled = pack.rules[0].pattern
    if compiled.sketch_source is None:
        return
    stream, offsets, _ = pack.encoder.encode_records(tokens, pack.lexicons.annotate(tokens), None)
    starts = list(offsets)
    for match in pack.match_sentence(tokens, sketch=False).matches:
        assert compiled.sketch.match(stream, starts[match.start]) is not None, (rule, sentence)
        if compiled.sketch_suffix is not None:
            assert compiled.sketch_suffix.match(stream, starts[match.trigger[0]]) is not None, (rule, sentence)


@pytest.mark.parametrize("sentence, expected", [
    ("a b c d go", [(0, 5)]),  # the label four tokens before the trigger: in reach
    ("b c d go", []),  # no mention: the sketch drops the rule, nothing is lost
    ("a b go c d go", []),
])
def test_the_sketch_check_tries_every_start_in_reach_of_the_trigger(tmp_path, sentence, expected):
    """Where the sketch from the trigger on passes, the whole sketch is tried from every start
    the rule can have before that trigger (not only the nearest ones)."""
    from eventx.api import load_rules
    from eventx.text.tokenize import tokenize

    (tmp_path / "r.yml").write_text(
        "mentions:\n"
        "  - id: m\n    label: M\n    pattern: '[lower=a]'\n"
        "rules:\n"
        "  - id: r\n    type: t\n    pattern: '@M [lower=b] [lower=c] [lower=d] [lower=go]=trigger'\n",
        encoding="utf-8",
    )
    pack = load_rules(tmp_path)
    tokens = tokenize(sentence)
    for sketch in (True, False):
        assert [(m.start, m.end) for m in pack.match_sentence(tokens, sketch=sketch).matches] == expected
