"""``@lexicon`` references against a plain-Python oracle.

A reference to a lexicon with many phrase lengths compiles to a capture of the start's
position and a check of the end flag that names it (see ``PatternCompiler._lexicon``);
one with few lengths, or inside a lookbehind that captures, to one alternative per length;
inside a lookbehind that captures nothing, matched right to left, to a capture of the start
named after an end flag of the last record and a check of it at the first. All must mean the
same: a phrase of the lexicon starting here, longest first, shorter ones on backtracking —
including where phrases of one lexicon overlap or touch.
"""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from eventx.api import load_rules
from eventx.errors import RuleError
from eventx.text.tokenize import tokenize

VOCAB = ["a", "b", "c", "d"]
SETTINGS = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])

PHRASES = st.lists(st.lists(st.sampled_from(VOCAB), min_size=1, max_size=5).map(" ".join), min_size=1, max_size=8, unique=True)


def sentences(phrases: list[str]) -> st.SearchStrategy[list[str]]:
    """Sentences built from the lexicon's own phrases (so that phrases nest, overlap and
    touch), single words, "go" (the trigger) and "end"."""
    pieces = [p.split() for p in phrases] + [[w] for w in VOCAB + ["go", "go", "end"]]
    return st.lists(st.sampled_from(pieces), min_size=1, max_size=10).map(lambda parts: [w for part in parts for w in part])


def load(root: Path, phrases: list[str], patterns: dict[str, str]):
    rules = "\n".join(f"  - id: {rid}\n    type: t\n    pattern: {pattern!r}" for rid, pattern in patterns.items())
    root.mkdir(parents=True, exist_ok=True)
    (root / "r.yml").write_text(f"lexicons:\n  lex: {phrases!r}\nrules:\n{rules}\n", encoding="utf-8")
    return load_rules(root)


def phrase_ends(words: list[str], phrases: list[str], start: int) -> list[int]:
    """Ends of the lexicon's phrases starting at ``start``, longest first."""
    ends = [start + len(p.split()) for p in phrases if words[start : start + len(p.split())] == p.split()]
    return sorted(set(ends), reverse=True)


def oracle(words: list[str], phrases: list[str]) -> dict[str, list[tuple[int, int, tuple[int, int]]]]:
    """(match start, match end, capture span) per rule, scanning left to right without overlaps."""
    found: dict[str, list] = {rule: [] for rule in PATTERNS}
    for rule in found:
        resume = 0
        for go in range(len(words)):
            if words[go] != "go" or go < resume:
                continue
            if "behind" in rule:
                end = go - 1 if rule == "behind_then_end" else go  # where the phrase must end
                first = 1 if rule == "behind_after_d" else 0  # where it may start
                ends_here = end > 0 and (rule != "behind_then_end" or words[end] == "end") and any(
                    end in phrase_ends(words, phrases, s) and (rule != "behind_after_d" or words[s - 1] == "d")
                    for s in range(first, end)
                )
                if ends_here != (rule == "not_behind"):
                    found[rule].append((go, go + 1, (go, go + 1)))
                    resume = go + 1
                continue
            for end in phrase_ends(words, phrases, go + 1):
                if rule == "longest" or (end < len(words) and words[end] == "end"):
                    stop = end if rule == "longest" else end + 1
                    found[rule].append((go, stop, (go + 1, end)))
                    resume = stop
                    break
    return found


PATTERNS = {
    "longest": "[lower=go]=trigger (?<p> @lex)",
    "then_end": "[lower=go]=trigger (?<p> @lex) [lower=end]",
    "behind": "(?<= (?<p> @lex) ) [lower=go]=trigger",
    "behind_plain": "(?<= @lex ) [lower=go]=trigger",
    "not_behind": "(?<! @lex ) [lower=go]=trigger",
    "behind_then_end": "(?<= @lex [lower=end] ) [lower=go]=trigger",
    "behind_after_d": "(?<= [lower=d] @lex ) [lower=go]=trigger",
}


@SETTINGS
@given(st.data(), PHRASES)
def test_lexicon_references_match_like_the_oracle(tmp_path_factory, data: st.DataObject, phrases: list[str]) -> None:
    pack = load(tmp_path_factory.mktemp("rules"), phrases, PATTERNS)
    for words in data.draw(st.lists(sentences(phrases), min_size=1, max_size=5)):
        tokens = tokenize(" ".join(words))
        matches = pack.match_sentence(tokens).matches
        got: dict[str, list] = {rid: [] for rid in PATTERNS}
        for m in matches:
            span = m.groups.get("p")
            got[m.rule.id].append((m.start, m.end, span if "behind" not in m.rule.id else (m.start, m.end)))
        assert got == oracle(words, phrases), (phrases, words)


def test_many_lengths_use_the_position_check(tmp_path: Path) -> None:
    """The property above covers both encodings only if its lexicons can have 3+ lengths."""
    pack = load(tmp_path, ["a", "a b", "a b c", "b c d e"], PATTERNS)
    sources = {r.id: r.pattern.source for r in pack.rules}
    assert "_eventx_start" in sources["then_end"]
    assert "(?P=_eventx_start)" in sources["behind_plain"] and "{3}" not in sources["behind_plain"]
    assert "{3}" in sources["behind"]  # a lookbehind that captures tries the lengths in order
    # the start flag is tested in the lookahead that captures (or checks) the start's position:
    # one lookahead fewer per reference in every compiled regex
    assert "(?=(?P<_eventx_start>.).*" in sources["then_end"]
    assert "(?=(?P=_eventx_start).*" in sources["behind_plain"]
    tokens = tokenize("go a b c end go a b c d e")
    found = [(m.rule.id, m.start, m.end, m.groups.get("p")) for m in pack.match_sentence(tokens).matches if "behind" not in m.rule.id]
    assert found == [("longest", 0, 4, (1, 4)), ("longest", 5, 9, (6, 9)), ("then_end", 0, 5, (1, 4))]


def test_reserved_capture_name_is_an_error(tmp_path: Path) -> None:
    (tmp_path / "r.yml").write_text(
        textwrap.dedent(
            """\
            rules:
              - id: r
                type: t
                pattern: "(?<_eventx_start> [lower=x]) [lower=go]=trigger"
            """
        ),
        encoding="utf-8",
    )
    with pytest.raises(RuleError) as info:
        load_rules(tmp_path)
    [diagnostic] = info.value.diagnostics
    assert diagnostic.render().endswith("capture name '_eventx_start' is reserved (names starting with _eventx are the engine's) [E215]")
    assert diagnostic.line == 4
