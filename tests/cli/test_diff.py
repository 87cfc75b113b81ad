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
    assert f"{bad}:2: not valid JSON" in result.stderr

    bad.write_bytes(b'\n{"doc_id": "a", "type": "deployment"}\n')
    result = runner.invoke(app, ["diff", str(bad), good])
    assert result.exit_code == 2
    assert f"{bad}:2: not an event record: 'rule' is missing or not a string" in result.stderr

    result = runner.invoke(app, ["diff", good, str(tmp_path / "missing.jsonl")])
    assert result.exit_code == 2
    assert "missing.jsonl: cannot read" in result.stderr
    assert "Traceback" not in result.output
