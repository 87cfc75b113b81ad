"""A small corpus and two small rule packs for the data-safety tests."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

HOSTILE_RULES = Path(__file__).parent.parent / "hostile" / "rules"


def write_corpus(path: Path, n: int = 12) -> Path:
    with open(path, "w", encoding="utf-8") as fh:
        for i in range(n):
            text = f"Report {i}: the ministry deployed {i + 2} troops to sector {i}." if i % 2 else "Nothing to report today."
            fh.write(json.dumps({"id": f"doc-{i:03d}", "text": text}) + "\n")
    return path


@pytest.fixture
def corpus(tmp_path: Path) -> Path:
    return write_corpus(tmp_path / "news.jsonl")


@pytest.fixture
def rules(tmp_path: Path) -> Path:
    target = tmp_path / "rules"
    shutil.copytree(HOSTILE_RULES, target)
    return target


@pytest.fixture
def other_rules(tmp_path: Path) -> Path:
    """The same pack with one more lexicon entry: another rules_version."""
    target = tmp_path / "other-rules"
    shutil.copytree(HOSTILE_RULES, target)
    path = target / "hostile.yml"
    path.write_text(path.read_text(encoding="utf-8").replace("warships]", "warships, gunboats]"), encoding="utf-8")
    return target
