"""Exact-end copies of a mention pattern (``CompiledMention.ending_after``): the lengths last
asked for stay built, the others are built again from their programs, without parsing."""

from __future__ import annotations

from pathlib import Path

import regex

import eventx.match.compiler as compiler
from eventx.api import load_rules
from eventx.text.tokenize import tokenize


def test_endings_kept_least_recently_used_and_rebuilt_from_programs(tmp_path: Path, monkeypatch) -> None:
    (tmp_path / "r.yml").write_text(
        "mentions:\n"
        "  - id: crowd.np\n    label: Crowd\n"
        "    pattern: \"[lower=the]? [lower=crowd|people]+ (?! [lower=left])\"\n"
        "rules:\n"
        "  - id: e\n    type: t\n    pattern: \"[lower=go]=trigger @Crowd\"\n",
        encoding="utf-8",
    )
    mention = load_rules(tmp_path).mention_rules[0].pattern
    assert mention.exact_end  # its lookahead looks past its end
    parsed: list[str] = []
    real = compiler.compile_regex
    monkeypatch.setattr(compiler, "compile_regex", lambda source, *a, **k: parsed.append(source) or real(source, *a, **k))
    kept = compiler.ENDINGS_KEPT
    first = {count: mention.ending_after(count) for count in range(1, kept + 1)}
    assert len(parsed) == kept
    assert mention.ending_after(1) is first[1]  # kept, and now the most recently used
    mention.ending_after(kept + 1)  # drops the least recently used: 2, not 1
    assert mention.ending_after(1) is first[1]
    assert len(parsed) == kept + 1
    again = mention.ending_after(2)  # built again, from its program: nothing parsed
    assert len(parsed) == kept + 1
    assert again is not first[2] and again.pattern == first[2].pattern
    tokens = tokenize("go the crowd people crowd left people the crowd")
    stream = load_rules(tmp_path).encoder.stream(tokens, [])[0]
    starts = [m.start() for m in regex.finditer(r"(?<![^\n]).", stream)]
    fresh = regex.compile(first[2].pattern)
    assert [bool(again.match(stream, s)) for s in starts] == [bool(fresh.match(stream, s)) for s in starts]
    assert any(again.match(stream, s) for s in starts)
