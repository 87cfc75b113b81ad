"""`eventx stats` on every log format, with and without the corpus for document dates."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from analysis_inputs import CORPUS, RULES
from typer.testing import CliRunner

from eventx.cli import app

runner = CliRunner()

DOC_DATES = {"2024-03-01": 2, "2024-03-03": 2, "2024-03-06": 4}


def _stats(*args: str) -> dict:
    result = runner.invoke(app, ["stats", *args, "--json", "--rules", str(RULES)])
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


@pytest.mark.parametrize("fmt", ["jsonl", "csv", "sqlite"])
def test_counts_are_the_same_in_every_format(logs: dict[str, Path], fmt: str) -> None:
    data = _stats(str(logs[fmt]))
    assert data["events"] == 8
    assert data["documents_with_events"] == 4
    assert data["by_type"] == {"deployment": 5, "alert_status": 2, "evacuation_order": 1}
    assert data["by_modality"] == {"asserted": 6, "negated": 1, "possible": 1}
    assert data["by_rule"][0] == {"rule": "test.send", "type": "deployment", "events": 5}
    # actors (roles of kind actor) by norm when there is one (POL), else by text; forces are not actors
    assert data["top_actors"] == [{"name": n, "events": 1} for n in ("DEU", "FRA", "ITA", "POL")]
    assert {p["name"] for p in data["top_places"]} == {"LTU", "LVA", "BALTIC", "MLI", "the region", "the coast"}


def test_document_dates_come_from_sqlite_or_the_corpus(logs: dict[str, Path]) -> None:
    assert _stats(str(logs["jsonl"]))["doc_dates"] == {}
    sqlite = _stats(str(logs["sqlite"]))
    assert sqlite["doc_dates"] == DOC_DATES
    assert sqlite["documents"] == 5  # the document without events is known too
    joined = _stats(str(logs["csv"]), "--corpus", str(CORPUS))
    assert joined["doc_dates"] == DOC_DATES
    assert joined["undated_events"] == 0
    assert joined["events_not_in_corpus"] == 0


def test_tables_on_the_terminal(logs: dict[str, Path]) -> None:
    result = runner.invoke(app, ["stats", str(logs["sqlite"]), "--top", "3"])
    assert result.exit_code == 0, result.output
    for heading in ("by type", "by modality", "by rule", "top 3 actors", "top 3 places", "by document date"):
        assert heading in result.stdout
    assert "8 events in 4 of 5 documents" in result.stdout
    assert "2024-03-06" in result.stdout


def test_actors_and_places_are_the_roles_the_pack_declares_so(logs: dict[str, Path], tmp_path: Path) -> None:
    rules = tmp_path / "rules.yml"
    rules.write_text("types:\n  deployment:\n    roles: {force: actor, destination: other}\n", encoding="utf-8")
    result = runner.invoke(app, ["stats", str(logs["jsonl"]), "--json", "--rules", str(rules)])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["top_actors"][0] == {"name": "troops", "events": 4}
    assert {p["name"] for p in data["top_places"]} == set()  # none declared: evacuation_order and alert_status have no types
    nothing = tmp_path / "nothing.yml"
    nothing.write_text("rules: []\n", encoding="utf-8")
    data = json.loads(runner.invoke(app, ["stats", str(logs["jsonl"]), "--json", "-r", str(nothing)]).stdout)
    assert data["top_actors"] == [] and data["top_places"] == [] and data["events"] == 8


def test_names_are_printed_as_text_not_markup(tmp_path: Path) -> None:
    log = tmp_path / "events.jsonl"
    event = {"doc_id": "d", "type": "deployment", "modality": "asserted", "rule": "r",
             "trigger": {"text": "x", "start": 0, "end": 1}, "span": {"text": "x", "start": 0, "end": 1},
             "args": {"agent": {"text": "[bold red]Atlantis[/]", "start": 0, "end": 5}}}
    log.write_text(json.dumps(event) + "\n", encoding="utf-8")
    result = runner.invoke(app, ["stats", str(log)])
    assert result.exit_code == 0, result.output
    assert "[bold red]Atlantis[/]" in result.stdout


def test_a_corpus_that_does_not_match_is_flagged(logs: dict[str, Path], tmp_path: Path) -> None:
    other = tmp_path / "other.jsonl"
    other.write_text('{"id": "zzz", "date": "2020-01-01", "text": "Nothing."}\n{"text": \n', encoding="utf-8")
    result = runner.invoke(app, ["stats", str(logs["jsonl"]), "--corpus", str(other)])
    assert result.exit_code == 0, result.output
    assert "8 events name documents that are not in the corpus" in result.stdout
    assert f"{other}:2" in result.output  # the corpus's own bad line is reported, not fatal


def test_a_bad_log_exits_2_with_file_and_line(tmp_path: Path) -> None:
    log = tmp_path / "events.jsonl"
    record = '{"doc_id": "a", "type": "t", "rule": "r", "trigger": {"text": "x", "start": 0, "end": 1}, "span": {"text": "x", "start": 0, "end": 1}}'
    log.write_text(record + '\nnot json\n', encoding="utf-8")
    result = runner.invoke(app, ["stats", str(log)])
    assert result.exit_code == 2
    assert f"{log}:2: invalid JSON" in result.output
    assert "Traceback" not in result.output
    assert runner.invoke(app, ["stats", str(log), "--format", "parquet"]).exit_code == 2
