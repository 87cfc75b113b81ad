"""`eventx check`: errors as file:line:col (exit 2, like `run` and `test`), each warning kind,
--strict and --json, on the fixture packs in tests/fixtures/lint/."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from typer.testing import CliRunner

from eventx.cli import app

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "lint"
BROKEN = FIXTURES / "broken" / "rules.yml"
WARNINGS = FIXTURES / "warnings" / "rules.yml"
CLEAN = FIXTURES / "clean"
LINE = re.compile(r"^(?P<file>\S+?):(?P<line>\d+):(?P<col>\d+): (?P<severity>error|warning): .* \[(?P<code>[EW]\d+)\]$")

runner = CliRunner()


def diagnostics(output: str) -> list[tuple[str, int, int, str, str]]:
    """(file name, line, col, severity, code) of every file:line:col line of the output."""
    found = []
    for line in output.splitlines():
        m = LINE.match(line)
        if m:
            found.append((Path(m["file"]).name, int(m["line"]), int(m["col"]), m["severity"], m["code"]))
    return found


BROKEN_EXPECTED = [
    ("rules.yml", 8, 5, "error", "E103"),  # unknown key 'priotity'
    ("rules.yml", 13, 48, "error", "E211"),  # undefined lexicon @forcez
    ("rules.yml", 17, 45, "error", "E206"),  # bad regex /[A-Z/
]


@pytest.mark.parametrize("command", ["check", "run", "test"])
def test_broken_pack_gives_one_line_per_problem_and_exit_2_everywhere(command: str, tmp_path: Path) -> None:
    doc = tmp_path / "doc.txt"
    doc.write_text("Poland sent troops.", encoding="utf-8")
    args = {
        "check": ["check", str(BROKEN)],
        "run": ["run", str(doc), "-r", str(BROKEN)],
        "test": ["test", "-r", str(BROKEN)],
    }[command]
    result = runner.invoke(app, args)
    assert result.exit_code == 2, result.output
    assert diagnostics(result.output) == BROKEN_EXPECTED
    assert "Traceback" not in result.output


def test_broken_pack_messages_name_the_problem() -> None:
    result = runner.invoke(app, ["check", str(BROKEN)])
    assert "unknown key 'priotity' in rule (did you mean 'priority'?)" in result.output
    assert "undefined lexicon @forcez (did you mean @forces?)" in result.output
    assert "bad regex /[A-Z/" in result.output


def test_each_warning_kind_at_its_place() -> None:
    result = runner.invoke(app, ["check", str(WARNINGS)])
    assert result.exit_code == 0, result.output  # warnings alone do not fail without --strict
    assert diagnostics(result.output) == [
        ("rules.yml", 3, 39, "warning", "W150"),  # duplicate lexicon entry (loader)
        ("rules.yml", 4, 29, "warning", "W408"),  # duplicate once tokenised (curly apostrophe)
        ("rules.yml", 5, 3, "warning", "W404"),  # unused lexicon
        ("rules.yml", 9, 16, "warning", "W405"),  # unused var
        ("rules.yml", 22, 5, "warning", "W403"),  # deploy.shadowed never wins
        ("rules.yml", 27, 9, "warning", "W407"),  # its example is produced by deploy.main
        ("rules.yml", 32, 5, "warning", "W402"),  # no negative example
        ("rules.yml", 39, 5, "warning", "W401"),  # no positive example
        ("rules.yml", 48, 36, "warning", "W406"),  # ( []* [lower=of] )*
        ("rules.yml", 57, 15, "warning", "W410"),  # (?! []*? [lemma=software] ): use unless
        ("rules.yml", 66, 16, "warning", "W415"),  # an inline list of 31 words
        ("rules.yml", 73, 5, "warning", "W416"),  # a field regex as the trigger: nothing to look up
    ]
    assert "deploy.shadowed never wins" in result.output and "to deploy.main" in result.output
    assert "produced by deploy.main, not by deploy.shadowed" in result.output
    assert "deploy.regex-trigger: its trigger has no word or lemma to look up, so it is tried in every sentence" in result.output


def test_strict_turns_warnings_into_exit_1() -> None:
    assert runner.invoke(app, ["check", str(WARNINGS), "--strict"]).exit_code == 1
    clean = runner.invoke(app, ["check", str(CLEAN), "--strict"])
    assert clean.exit_code == 0
    assert clean.stderr.strip() == "1 rules, 1 lexicons: no problems"
    assert clean.stdout == ""


def test_json_for_editors_and_ci() -> None:
    result = runner.invoke(app, ["check", str(WARNINGS), "--json"])
    data = json.loads(result.stdout)
    assert data["errors"] == 0 and data["warnings"] == 12
    first = data["diagnostics"][0]
    assert set(first) == {"file", "line", "col", "severity", "code", "message"}
    assert (first["line"], first["col"], first["code"]) == (3, 39, "W150")

    broken = runner.invoke(app, ["check", str(BROKEN), "--json"])
    assert broken.exit_code == 2
    data = json.loads(broken.stdout)
    assert data["errors"] == 3 and [d["code"] for d in data["diagnostics"]] == ["E103", "E211", "E206"]


def test_unused_definitions_of_an_imported_file_are_not_the_checked_files_problem(tmp_path: Path) -> None:
    (tmp_path / "common.yml").write_text("lexicons:\n  forces: [troops]\n  ships: [frigates]\n", encoding="utf-8")
    (tmp_path / "deploy.yml").write_text(
        "imports: [common.yml]\n"
        "rules:\n"
        "  - id: deploy.send\n"
        "    type: deployment\n"
        "    pattern: '[lemma=send]=trigger (?<force> @forces)'\n"
        "    examples:\n"
        "      - {text: They sent troops., expect: [{type: deployment}]}\n"
        "      - {text: They sent word., expect: []}\n",
        encoding="utf-8",
    )
    alone = runner.invoke(app, ["check", str(tmp_path / "deploy.yml"), "--strict"])
    assert alone.exit_code == 0, alone.output
    whole = runner.invoke(app, ["check", str(tmp_path)])
    assert [d[1:] for d in diagnostics(whole.output)] == [(3, 3, "warning", "W404")]
    assert "lexicon @ships is never used" in whole.output


def test_missing_rules_path_is_exit_2_with_a_message(tmp_path: Path) -> None:
    result = runner.invoke(app, ["check", str(tmp_path / "nope")])
    assert result.exit_code == 2
    assert "nope: no such rule file or directory" in result.output
