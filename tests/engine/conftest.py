"""Helpers to build small rule packs in tmp_path and run them."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from eventx.api import Extractor


@pytest.fixture
def make_pack(tmp_path: Path):
    """Write rule files (name -> YAML text) under tmp_path/rules and return the directory."""

    def make(files: dict[str, str]) -> Path:
        root = tmp_path / "rules"
        for name, content in files.items():
            path = root / name
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(textwrap.dedent(content), encoding="utf-8")
        return root

    return make


@pytest.fixture
def extract(make_pack):
    """Compile a one-rule pack from a pattern and return its events on a text."""

    def run(pattern: str, text: str, *, lexicons: str = "", extra_rules: str = "") -> list[dict]:
        pack = make_pack(
            {
                "r.yml": f"lexicons:\n{lexicons or '  none: [zzzz]'}\n"
                "types:\n  t:\n    roles: {quantity: quantity, time: date}\nrules:\n"
                f"  - id: r\n    type: t\n    pattern: {pattern!r}\n" + extra_rules
            }
        )
        # matching semantics are per sentence: one record per match, no document-level merging
        return Extractor(pack, merge_mentions=False).extract(text)

    return run


def args_text(event: dict) -> dict[str, str]:
    return {role: arg["text"] for role, arg in event["args"].items()}
