"""Helpers for rule-loading tests: write a small rule tree under tmp_path."""

from __future__ import annotations

from pathlib import Path
from typing import Callable

import pytest

from eventx.errors import Diagnostic, RuleError
from eventx.rules import load_rule_files



@pytest.fixture
def write_tree(tmp_path: Path) -> Callable[[dict[str, str]], Path]:
    """Write {relative path: text} under tmp_path/rules and return that directory."""

    def write(files: dict[str, str]) -> Path:
        root = tmp_path / "rules"
        for rel, text in files.items():
            target = root / rel
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(text, encoding="utf-8")
        return root

    return write


def _load_errors(path: Path, **kwargs: object) -> list[Diagnostic]:
    with pytest.raises(RuleError) as caught:
        load_rule_files(path, **kwargs)  # type: ignore[arg-type]
    return [d for d in caught.value.diagnostics if d.severity == "error"]


@pytest.fixture
def load_errors() -> Callable[..., list[Diagnostic]]:
    """The error diagnostics a failing load raises (fails the test if the load succeeds)."""
    return _load_errors
