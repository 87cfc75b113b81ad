"""`eventx coverage`: events and documents per rule over a corpus, rules that never fired first."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from eventx.cli import app

runner = CliRunner()

PACK = """\
lexicons:
  forces: [troops, soldiers]
rules:
  - id: deploy.send
    type: deployment
    pattern: "[lemma=send]=trigger (?<force> @forces)"
    examples:
      - {text: They sent troops., expect: [{type: deployment}]}
      - {text: They sent word., expect: []}
      - {text: Nobody sent soldiers., expect: [{type: deployment}]}
  - id: withdraw.pull
    type: withdrawal
    pattern: "[lemma=withdraw]=trigger (?<force> @forces)"
"""


@pytest.fixture
def setup(tmp_path: Path) -> tuple[str, str]:
    (tmp_path / "rules.yml").write_text(PACK, encoding="utf-8")
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "a.txt").write_text("Poland sent troops. Latvia sent soldiers.", encoding="utf-8")
    (corpus / "b.txt").write_text("Lithuania sent troops.", encoding="utf-8")
    (corpus / "c.txt").write_text("Nothing happened.", encoding="utf-8")
    return str(tmp_path / "rules.yml"), str(corpus)


def test_counts_per_rule_and_never_fired_first(setup: tuple[str, str]) -> None:
    rules, corpus = setup
    result = runner.invoke(app, ["coverage", corpus, "-r", rules, "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert (data["documents"], data["events"], data["errors"]) == (3, 3, 0)
    assert data["never_fired"] == ["withdraw.pull"]
    first, second = data["rules"]
    assert (first["id"], first["events"], first["documents"]) == ("withdraw.pull", 0, 0)
    assert (second["id"], second["events"], second["documents"]) == ("deploy.send", 3, 2)
    assert (second["positive_examples"], second["negative_examples"]) == (2, 1)
    assert second["line"] == 4 and second["file"].endswith("rules.yml")


def test_table_lists_the_dead_rule_first(setup: tuple[str, str]) -> None:
    rules, corpus = setup
    result = runner.invoke(app, ["coverage", corpus, "-r", rules])
    assert result.exit_code == 0, result.output
    assert result.stdout.index("withdraw.pull") < result.stdout.index("deploy.send")
    assert "1 of 2 rules never fired" in result.stderr


def test_unreadable_documents_are_reported_and_skipped(setup: tuple[str, str], tmp_path: Path) -> None:
    rules, corpus = setup
    (Path(corpus) / "d.jsonl").write_text('{"id": "x", "text": "They sent troops."}\nnot json\n', encoding="utf-8")
    result = runner.invoke(app, ["coverage", corpus, "-r", rules, "--json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["errors"] == 1
    assert "d.jsonl:2" in result.stderr


def test_missing_input_is_exit_2(setup: tuple[str, str], tmp_path: Path) -> None:
    rules, _ = setup
    result = runner.invoke(app, ["coverage", str(tmp_path / "nope"), "-r", rules])
    assert result.exit_code == 2
    assert "nope: no such file or directory" in result.output
