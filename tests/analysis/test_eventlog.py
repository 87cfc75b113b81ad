"""Reading event logs back: every format gives the same events (up to what a format keeps);
a log that is not one is an error naming file and line."""

from __future__ import annotations

import csv
import sqlite3
from pathlib import Path

import orjson
import pytest

from eventx.errors import InputError
from eventx.io.eventlog import DocInfo, iter_events, read_documents


def _as_tabular(event: dict) -> dict:
    """What CSV and SQLite keep of a JSONL event (see eventx.io.records)."""
    attribution = event["attribution"]
    return {
        **event,
        "sentence": {"index": event["sentence"]["index"]},
        "attribution": {"text": attribution["text"]} if attribution else None,
        "args": dict(sorted(event["args"].items())),
    }


def test_jsonl_events_are_the_lines(logs: dict[str, Path]) -> None:
    lines = [orjson.loads(line) for line in logs["jsonl"].read_bytes().splitlines()]
    assert list(iter_events(str(logs["jsonl"]))) == lines
    assert len(lines) >= 6


@pytest.mark.parametrize("fmt", ["csv", "sqlite"])
def test_tabular_logs_read_back_as_the_jsonl_events(logs: dict[str, Path], fmt: str) -> None:
    expected = [_as_tabular(e) for e in iter_events(str(logs["jsonl"]))]
    got = [{**e, "args": dict(sorted(e["args"].items()))} for e in iter_events(str(logs[fmt]))]
    assert got == expected
    assert any(isinstance(a.get("value"), int) for e in got for a in e["args"].values())  # types restored


def test_the_outputs_are_plain_sqlite_and_csv(logs: dict[str, Path]) -> None:
    """Queryable with the standard tools, no eventx needed."""
    conn = sqlite3.connect(logs["sqlite"])
    try:
        rows = conn.execute(
            'SELECT e.type, a.norm FROM events e JOIN arguments a ON a.event_id = e.id'
            " WHERE a.role = 'agent' AND e.doc_date = '2024-03-01'"
        ).fetchall()
    finally:
        conn.close()
    assert rows == [("deployment", "POL")]
    with open(logs["csv"], newline="", encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    assert {r["type"] for r in rows} == {"deployment", "alert_status", "evacuation_order"}


def test_sqlite_knows_every_document_and_its_date(logs: dict[str, Path]) -> None:
    documents = read_documents(str(logs["sqlite"]))
    assert documents["wire-003"] == DocInfo("2024-03-03", "Markets")  # no events, still known
    assert read_documents(str(logs["jsonl"])) == {}


RECORD = b'{"doc_id": "a", "type": "t", "rule": "r", "trigger": {"text": "x", "start": 0, "end": 1}, "span": {"text": "x", "start": 0, "end": 1}, "args": {}}'


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("bad.jsonl", b'%s\n{"doc_id": \n' % RECORD, r"bad\.jsonl:2: invalid JSON"),
        ("list.jsonl", b"[1, 2]\n", r"list\.jsonl:1: not an event record"),
        ("notype.jsonl", b'{"doc_id": "a"}\n', r"notype\.jsonl:1: not an event record \(no 'type'"),
        ("bad.csv", b"doc_id,id\na,b\n", r"bad\.csv:1: not an eventx CSV event log \(no 'type' column\)"),
        ("ragged.csv", b"doc_id,type\n\nb\n", r"ragged\.csv:3: row has 1 fields"),
        ("norule.csv", b"doc_id,type\na,t\n", r"norule\.csv:2: not an event record \(no 'rule' string\)"),
        ("foreign.jsonl", b'{"doc_id": "a", "type": "t", "rule": "r", "trigger": "x"}\n', r"foreign\.jsonl:1: not an event record \('trigger' must be an object"),
        ("int.csv", b"doc_id,type,trigger.start\na,t,x\n", r"int\.csv:2: column 'trigger.start': expected an integer"),
        ("latin1.csv", b"doc_id,type\n\xe9,t\n", r"latin1\.csv: not UTF-8"),
        ("text.sqlite", b"hello, not a database at all" * 10, r"text\.sqlite: not a SQLite database"),
    ],
)
def test_a_bad_log_is_an_error_naming_file_and_line(tmp_path: Path, name: str, content: bytes, message: str) -> None:
    path = tmp_path / name
    path.write_bytes(content)
    with pytest.raises(InputError, match=message):
        list(iter_events(str(path)))


def test_a_database_without_eventx_tables(tmp_path: Path) -> None:
    path = tmp_path / "other.db"
    sqlite3.connect(path).execute("CREATE TABLE t (x)").connection.commit()
    with pytest.raises(InputError, match=r"other\.db: not an eventx SQLite event log"):
        list(iter_events(str(path)))


def test_a_sqlite_file_read_as_jsonl_says_so(logs: dict[str, Path], tmp_path: Path) -> None:
    renamed = tmp_path / "events.jsonl"
    renamed.write_bytes(logs["sqlite"].read_bytes())
    with pytest.raises(InputError, match="this is a SQLite database, not JSONL: use --format sqlite"):
        iter_events(str(renamed))
    assert len(list(iter_events(str(renamed), "sqlite"))) == len(list(iter_events(str(logs["sqlite"]))))


def test_missing_log(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="no such file"):
        iter_events(str(tmp_path / "nope.jsonl"))
