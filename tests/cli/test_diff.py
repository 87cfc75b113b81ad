"""`eventx diff`: semantic diff of two event logs; exit 0 equal, 1 different, 2 unreadable."""

from __future__ import annotations

import copy
from pathlib import Path

import orjson
import pytest
from typer.testing import CliRunner

from eventx.api import Extractor
from eventx.cli import app
from eventx.text.model import Document

runner = CliRunner()

PACK = """\
lexicons:
  forces: [troops, soldiers, marines]
rules:
  - id: deploy.send
    type: deployment
    pattern: "[lemma=send]=trigger (?<force> @forces) ( [lower=to] (?<destination> [shape=Xxxxx]) )?"
  - id: withdraw.pull
    type: withdrawal
    pattern: "[lemma=withdraw]=trigger (?<force> @forces)"
"""


@pytest.fixture
def events(tmp_path: Path) -> list[dict]:
    (tmp_path / "rules.yml").write_text(PACK, encoding="utf-8")
    extractor = Extractor(tmp_path / "rules.yml")
    docs = {"a": "Poland sent troops to Latvia. Canada withdrew soldiers.", "b": "Spain sent marines."}
    found = [e for doc_id, text in docs.items() for e in extractor.extract(Document(doc_id, text))]
    assert len(found) == 3
    return found


def write(path: Path, events: list[dict]) -> str:
    path.write_bytes(b"".join(orjson.dumps(e) + b"\n" for e in events))
    return str(path)


def test_equal_logs_exit_0_even_when_volatile_fields_differ(events: list[dict], tmp_path: Path) -> None:
    renamed = copy.deepcopy(events)
    for event in renamed:
        event["rules_version"] = "sha256:other"
        event["id"] = "ev-other"
    result = runner.invoke(app, ["diff", write(tmp_path / "old.jsonl", events), write(tmp_path / "new.jsonl", renamed[::-1])])
    assert result.exit_code == 0, result.output
    assert "no differences" in result.stdout
    assert "document " not in result.stdout


def test_different_logs_exit_1_per_document_and_summary_by_type(events: list[dict], tmp_path: Path) -> None:
    new = copy.deepcopy(events)
    new[0]["args"]["destination"]["text"] = "Lithuania"  # changed (a: deployment)
    del new[1]  # removed (a: withdrawal)
    added = copy.deepcopy(events[2])
    added.update(doc_id="c")  # added (c: deployment)
    new.append(added)
    result = runner.invoke(app, ["diff", write(tmp_path / "old.jsonl", events), write(tmp_path / "new.jsonl", new)])
    assert result.exit_code == 1, result.output
    out = result.stdout
    assert "document a:" in out and "document c:" in out and "document b:" not in out
    assert "- missing  withdrawal 'withdrew'" in out
    assert "+ new      deployment 'sent'" in out
    assert "args.destination.text: 'Latvia' -> 'Lithuania'" in out
    cells = [[c.strip() for c in line.strip("│ ").split("│")] for line in out.splitlines() if line.startswith("│")]
    rows = {row[0]: row[1:] for row in cells}  # columns: old, new, added, removed, changed
    assert rows["deployment"] == ["2", "3", "1", "0", "1"]
    assert rows["withdrawal"] == ["1", "0", "0", "1", "0"]
    assert "2 document(s) differ" in out


def test_unreadable_input_is_exit_2_naming_file_and_line(events: list[dict], tmp_path: Path) -> None:
    good = write(tmp_path / "good.jsonl", events)
    bad = tmp_path / "bad.jsonl"
    bad.write_bytes(orjson.dumps(events[0]) + b"\n{not json\n")
    result = runner.invoke(app, ["diff", good, str(bad)])
    assert result.exit_code == 2
    assert f"{bad}:2: invalid JSON" in result.stderr

    bad.write_bytes(b'\n{"doc_id": "a", "type": "deployment"}\n')
    result = runner.invoke(app, ["diff", str(bad), good])
    assert result.exit_code == 2
    assert f"{bad}:2: not an event record (no 'rule' string) [E307]" in result.stderr

    result = runner.invoke(app, ["diff", good, str(tmp_path / "missing.jsonl")])
    assert result.exit_code == 2
    assert "missing.jsonl: no such file" in result.stderr
    assert "Traceback" not in result.output


def _log(tmp_path: Path, name: str, texts: dict[str, str]) -> str:
    """An event log written by ``eventx run`` (the format from ``name``'s extension)."""
    corpus = tmp_path / f"{name}.corpus.jsonl"
    corpus.write_bytes(b"".join(orjson.dumps({"id": k, "text": v}) + b"\n" for k, v in texts.items()))
    out = tmp_path / name
    result = runner.invoke(app, ["run", str(corpus), "-r", str(tmp_path / "rules.yml"), "-o", str(out), "-q"])
    assert result.exit_code == 0, result.output
    return str(out)


@pytest.mark.parametrize("other", ["new.csv", "new.sqlite", "new.jsonl"])
def test_logs_of_every_format_compare_alike(events: list[dict], tmp_path: Path, other: str) -> None:
    texts = {"a": "Poland sent troops to Latvia. Canada withdrew soldiers.", "b": "Spain sent marines."}
    old = _log(tmp_path, "old.jsonl", texts)
    same = runner.invoke(app, ["diff", old, _log(tmp_path, other, texts)])
    assert same.exit_code == 0, same.output
    assert "no differences" in same.stdout

    changed = _log(tmp_path, "changed." + other.split(".")[1], {**texts, "b": "Spain sent soldiers."})
    result = runner.invoke(app, ["diff", old, changed, "--json"])
    assert result.exit_code == 1, result.output
    data = orjson.loads(result.stdout)
    assert data["equal"] is False
    assert [d["doc_id"] for d in data["documents"]] == ["b"]
    (change,) = data["documents"][0]["changed"]
    assert {"field": "args.force.text", "old": "marines", "new": "soldiers"} in change["changes"]
    assert data["by_type"]["deployment"] == {"old": 2, "new": 2, "added": 0, "removed": 0, "changed": 1}


def test_json_of_equal_logs(events: list[dict], tmp_path: Path) -> None:
    log = write(tmp_path / "a.jsonl", events)
    result = runner.invoke(app, ["diff", log, log, "--json"])
    assert result.exit_code == 0
    data = orjson.loads(result.stdout)
    assert data["equal"] is True and data["documents"] == []
    assert data["by_type"]["withdrawal"] == {"old": 1, "new": 1, "added": 0, "removed": 0, "changed": 0}


def test_a_foreign_csv_or_database_is_exit_2(events: list[dict], tmp_path: Path) -> None:
    good = write(tmp_path / "good.jsonl", events)
    foreign = tmp_path / "people.csv"
    foreign.write_text("name,age\nada,36\n", encoding="utf-8")
    result = runner.invoke(app, ["diff", good, str(foreign)])
    assert result.exit_code == 2
    assert f"{foreign}:1: not an eventx CSV event log" in result.stderr
    assert "Traceback" not in result.output
    text = tmp_path / "text.sqlite"
    text.write_text("not a database " * 20, encoding="utf-8")
    result = runner.invoke(app, ["diff", str(text), good])
    assert result.exit_code == 2
    assert f"{text}: not a SQLite database" in result.stderr
