"""Output to a pipe or file is one record per line, never wrapped, and long lists are elided
with a count (typer's CliRunner is not a terminal, like ``eventx ... > file``)."""

from __future__ import annotations

import re
from pathlib import Path

from typer.testing import CliRunner

from eventx.cli import app

WORDS = [f"word{i}" for i in range(40)]
RULES = f"""\
rules:
  - id: deployment.a-rule-id-long-enough-to-be-split-across-lines-by-an-eighty-column-table
    type: deployment
    pattern: "[lemma=deploy]=trigger [lower={'|'.join(WORDS)}] (?<force> [lower=troops])"
"""


def pack(tmp_path: Path) -> Path:
    path = tmp_path / "a-folder-with-a-rather-long-name-for-the-rules" / "deployment-rules.yml"
    path.parent.mkdir()
    path.write_text(RULES, encoding="utf-8")
    return path


def test_coverage_rows_are_never_wrapped(tmp_path: Path) -> None:
    rules = pack(tmp_path)
    doc = tmp_path / "doc.txt"
    doc.write_text("They deploy word3 troops.", encoding="utf-8")
    result = CliRunner().invoke(app, ["coverage", str(doc), "-r", str(rules)])
    assert result.exit_code == 0, result.output
    rule_id = "deployment.a-rule-id-long-enough-to-be-split-across-lines-by-an-eighty-column-table"
    [row] = [line for line in result.stdout.splitlines() if rule_id in line]
    assert f"{rules}:2" in row  # the id and its file:line on one line


def test_explain_near_miss_elides_long_lists_with_a_count(tmp_path: Path) -> None:
    rules = pack(tmp_path)
    result = CliRunner().invoke(app, ["explain", "They deploy many troops.", "-r", str(rules)])
    assert result.exit_code == 0, result.output
    [miss] = [line for line in result.stdout.splitlines() if line.startswith("deployment.a-rule-id")]
    assert re.search(r"word0\|word1\|.*\|word7\|… \(\+32 more\)", miss), miss
    assert "word39" not in miss and len(miss) < 600
    assert all(len(line) <= 80 for line in result.stdout.splitlines() if set(line) <= {"─", " "} or line.startswith("───"))
