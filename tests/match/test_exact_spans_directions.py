"""A mention rule's mentions are every span its pattern matches exactly, however they are found.

Backward, every (start, end) pair in the pattern's length bounds is checked. Forward, a start
with one end in reach is checked as that one span, and a start with several has its longest
match (cut, for a pattern that does not look past its end, after the last end in reach) bound
the ends checked. Both must give the same mentions, with the same parts.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from eventx.api import Extractor
from eventx.match import matcher

VOCAB = ["a", "b", "c", "d"]
# first and last tokens of a few kinds (so that starts and ends are sparse or dense), bodies of
# several lengths, lookaheads past the end (an exact-end pattern) and inside
HEADS = ["[lower=a]", "[lower=a|b]", "[]", "[!lower=d]"]
BODIES = ["", "[]{0,3}", "[lower=b|c]*", "[]*?", "(?<inner> [lower=b]+ )?", "[lower=c] [lower=b]?", "(?= [lower=b])"]
TAILS = ["[lower=d]", "[lower=c|d]", "[]", "[lower=a]", "[lower=d] (?! [lower=a])", "[lower=b] (?= [lower=c])"]


def mention_patterns() -> st.SearchStrategy[str]:
    one = st.tuples(st.sampled_from(HEADS), st.sampled_from(BODIES), st.sampled_from(TAILS)).map(
        lambda p: f"(?<head> {p[0]} ) {p[1]} {p[2]}"
    )
    return st.one_of(one, st.tuples(one, one).map(lambda p: f"{p[0]} | {p[1]}"))


def mentions(root: Path, text: str, direction: str, monkeypatch: pytest.MonkeyPatch) -> list[dict]:
    monkeypatch.setattr(matcher, "DIRECTION", direction)
    return Extractor(root).mentions(text)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    pattern=mention_patterns(),
    sentence=st.lists(st.sampled_from(VOCAB), min_size=1, max_size=16).map(" ".join),
)
def test_forward_search_finds_the_spans_and_parts_backward_search_checks(
    tmp_path_factory, monkeypatch, pattern, sentence
):
    root = tmp_path_factory.mktemp("spans")
    (root / "m.yml").write_text(f"mentions:\n  - id: m\n    label: M\n    pattern: {pattern!r}\n", encoding="utf-8")
    assert mentions(root, sentence, "forward", monkeypatch) == mentions(root, sentence, "backward", monkeypatch)


@pytest.mark.parametrize("sentence, expected", [
    ("a b d c d", ["a b d", "a b d c d"]),  # two ends in reach of the start: its longest match bounds them
    ("c a b d c", ["a b d"]),  # one end in reach: checked as it is
    ("a b c c c c d", []),  # its one end out of reach
])
def test_forward_search_with_one_or_several_ends_in_reach(tmp_path, monkeypatch, sentence, expected):
    (tmp_path / "m.yml").write_text("mentions:\n  - id: m\n    label: M\n    pattern: '[lower=a] []{0,3} [lower=d]'\n",
                                    encoding="utf-8")
    assert [m["text"] for m in mentions(tmp_path, sentence, "forward", monkeypatch)] == expected
