"""`eventx schema`: the rule file JSON Schema on stdout or in a file, for editors."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from eventx.cli import app
from eventx.rules import rule_file_json_schema

runner = CliRunner()


def test_prints_the_schema_as_json() -> None:
    result = runner.invoke(app, ["schema"])
    assert result.exit_code == 0, result.output
    schema = json.loads(result.stdout)
    assert schema == rule_file_json_schema()
    assert schema["additionalProperties"] is False
    assert {"imports", "lexicons", "vars", "rules"} <= set(schema["properties"])


def test_output_file(tmp_path: Path) -> None:
    target = tmp_path / "rule.schema.json"
    result = runner.invoke(app, ["schema", "-o", str(target)])
    assert result.exit_code == 0, result.output
    assert result.stdout == ""
    assert json.loads(target.read_text(encoding="utf-8")) == rule_file_json_schema()


def test_unwritable_output_is_exit_2(tmp_path: Path) -> None:
    result = runner.invoke(app, ["schema", "-o", str(tmp_path)])  # a directory
    assert result.exit_code == 2
    assert f"{tmp_path}: cannot write" in result.stderr
