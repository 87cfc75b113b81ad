"""A negated token at the left end of a lookbehind tests the whole token.

A lookbehind is matched right to left, so its leftmost record had no record start to align
to: a negated constraint there passed on the tail of a record that holds the flag it rejects
("[!lower=he]" accepted "he"). These cases failed before the fix.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from eventx.api import Extractor


def _extractor(tmp_path: Path, pattern: str) -> Extractor:
    (tmp_path / "r.yml").write_text(f"rules:\n  - id: r\n    type: t\n    pattern: {pattern!r}\n", encoding="utf-8")
    return Extractor(tmp_path, merge_mentions=False)


@pytest.mark.parametrize(
    ("pattern", "text", "events"),
    [
        ("(?<! [!lower=he] [lower=is] ) [lower=sending]=trigger", "he is sending", 1),
        ("(?<! [!lower=he] [lower=is] ) [lower=sending]=trigger", "she is sending", 0),
        ("(?<= [!lower=no] ) [lower=troops]=trigger", "no troops", 0),
        ("(?<= [!lower=no] ) [lower=troops]=trigger", "more troops", 1),
        ("(?<= [!lower=no|few] [] ) [lower=troops]=trigger", "few more troops", 0),
        ("(?<= [!lower=no|few] [] ) [lower=troops]=trigger", "many more troops", 1),
    ],
)
def test_a_negated_token_in_a_lookbehind_rejects_its_words(tmp_path: Path, pattern: str, text: str, events: int) -> None:
    assert len(_extractor(tmp_path, pattern).extract(text)) == events
