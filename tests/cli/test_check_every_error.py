"""`eventx check` reports every error of a rule at once: a duplicate id, a missing type or an
invalid id does not hide the same rule's pattern errors."""

from __future__ import annotations

from pathlib import Path

from typer.testing import CliRunner

from eventx.cli import app

RULES = """\
rules:
  - id: a.one
    type: deployment
    pattern: "[lemma=deploy]=trigger"
  - id: a.one
    type: deployment
    pattern: "[lemma=send]=trigger [word=/(unclosed/]"
  - id: a.two
    pattern: "[lemma=send]=trigger [word=/(bad/]"
  - id: Bad Id
    type: deployment
    pattern: "[lemma=send]=trigger @nolexicon"
"""


def test_check_shows_a_rules_duplicate_id_schema_and_pattern_errors_together(tmp_path: Path) -> None:
    path = tmp_path / "r.yml"
    path.write_text(RULES, encoding="utf-8")
    result = CliRunner().invoke(app, ["check", str(path)])
    assert result.exit_code == 2, result.output
    lines = [line for line in result.stdout.splitlines() if ": error: " in line]
    expected = [
        (5, "duplicate rule id 'a.one'"),
        (7, "bad regex /(unclosed/"),
        (8, "missing required key 'type'"),
        (9, "bad regex /(bad/"),
        (10, "invalid 'id' value 'Bad Id'"),
        (12, "@nolexicon"),
    ]
    for line_no, text in expected:
        assert any(line.startswith(f"{path}:{line_no}:") and text in line for line in lines), (line_no, text, result.stdout)
    assert len(lines) == len(expected)
