"""Event writers: format inference, key order, atomicity, resume, CSV/SQLite shape, error log."""

from __future__ import annotations

import csv
import io
import os
import sqlite3
import sys

import orjson
import pytest

from eventx.errors import InputError
from eventx.io import ErrorLog, ReadProblem, done_doc_ids, infer_format, open_writer
from eventx.io.writers import StdoutWriter
from eventx.text.model import Document


def event(doc_id: str, n: int, **args: dict) -> dict:
    """An event dict in the record's key order (deliberately not alphabetical)."""
    return {
        "doc_id": doc_id,
        "id": f"ev-{doc_id}-{n}",
        "type": "deployment",
        "rule": "deployment.send-forces",
        "trigger": {"text": "sending", "start": 10, "end": 17},
        "span": {"text": "Poland is sending troops", "start": 0, "end": 24},
        "sentence": {"index": n, "start": 0, "end": 30},
        "args": args,
        "modality": "asserted",
        "attribution": None if n % 2 else {"text": "the minister", "start": 40, "end": 52},
        "rules_version": "sha256:abc",
    }


AGENT = {"text": "Poland", "start": 0, "end": 6, "norm": "POL"}
QUANTITY = {"text": "thousands", "start": 18, "end": 27, "value": 1000, "qualifier": "at_least"}
DEST = {"text": "Lithuania, \"north\"\nside", "start": 40, "end": 49, "norm": "LTU"}

# Documents in corpus order; some without events (they must still count as done).
CORPUS: list[tuple[Document, list[dict]]] = [
    (Document("d1", "...", "2004-08-12", "Head"), [event("d1", 0, agent=AGENT), event("d1", 1, quantity=QUANTITY)]),
    (Document("d2", "..."), []),
    (Document("d3", "...", "2004-08-13"), [event("d3", 0, agent=AGENT, destination=DEST)]),
    (Document("d4", "..."), []),
    (Document("d5", "..."), [event("d5", 0)]),
    (Document("d6", "...", "2004-08-14"), [event("d6", 0, quantity=QUANTITY), event("d6", 1)]),
]


def run(path, fmt=None, docs=CORPUS, *, resume=False, stop_after=None):
    """Write ``docs`` skipping done ones, like the runner will; abort after ``stop_after`` docs."""
    done = done_doc_ids(str(path), infer_format(str(path), fmt)) if resume else set()
    writer = open_writer(str(path), fmt, resume=resume)
    written = 0
    for doc, events in docs:
        if doc.id in done:
            continue
        if stop_after is not None and written == stop_after:
            writer.abort()
            return
        writer.write_document(doc, events)
        written += 1
    writer.close()


def leftovers(directory) -> list[str]:
    return sorted(p.name for p in directory.iterdir())


# --- format selection ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("path", "fmt", "expected"),
    [
        (None, None, "jsonl"),
        ("-", None, "jsonl"),
        ("out.jsonl", None, "jsonl"),
        ("out.json", None, "jsonl"),
        ("out.CSV", None, "csv"),
        ("out.sqlite", None, "sqlite"),
        ("out.db", None, "sqlite"),
        ("out.txt", None, "jsonl"),
        ("out.csv", "JSONL", "jsonl"),
    ],
)
def test_infer_format(path, fmt, expected):
    assert infer_format(path, fmt) == expected


def test_unknown_format_and_impossible_combinations():
    with pytest.raises(InputError, match="did you mean csv"):
        infer_format("out.x", "cvs")
    with pytest.raises(InputError, match="needs an output file"):
        open_writer(None, "sqlite")
    with pytest.raises(InputError, match="--resume"):
        open_writer("-", resume=True)


# --- JSONL --------------------------------------------------------------------------------


def test_jsonl_keeps_key_order_and_is_atomic(tmp_path):
    out = tmp_path / "out.events.jsonl"
    writer = open_writer(str(out))
    for doc, events in CORPUS:
        writer.write_document(doc, events)
        assert not out.exists()  # nothing at the final path until close
    writer.close()
    lines = out.read_bytes().splitlines()
    expected = [e for _, events in CORPUS for e in events]
    assert lines == [orjson.dumps(e) for e in expected]
    assert list(orjson.loads(lines[0])) == list(expected[0])  # the record's order, not sorted
    assert leftovers(tmp_path) == ["out.events.jsonl"]


def test_stdout_writer():
    buffer = io.BytesIO()
    with StdoutWriter(buffer) as writer:
        for doc, events in CORPUS:
            writer.write_document(doc, events)
    assert buffer.getvalue().splitlines() == [orjson.dumps(e) for _, evs in CORPUS for e in evs]


@pytest.mark.parametrize("fmt", ["jsonl", "csv"])
@pytest.mark.parametrize("stop_after", [0, 1, 2, 4, 5])
def test_resume_after_abort_is_byte_identical(tmp_path, fmt, stop_after):
    reference, resumed = tmp_path / f"ref.{fmt}", tmp_path / "resume" / f"out.{fmt}"
    resumed.parent.mkdir()
    run(reference)
    run(resumed, stop_after=stop_after)
    assert not resumed.exists()
    assert done_doc_ids(str(resumed), fmt) == {d.id for d, _ in CORPUS[:stop_after]}
    run(resumed, resume=True)
    assert resumed.read_bytes() == reference.read_bytes()
    assert leftovers(resumed.parent) == [resumed.name]


@pytest.mark.parametrize("fmt", ["jsonl", "csv"])
def test_resume_after_crash_mid_document(tmp_path, fmt):
    """A killed process: no abort(); the last document's data is torn and unrecorded."""
    reference, out = tmp_path / f"ref.{fmt}", tmp_path / f"out.{fmt}"
    run(reference)
    writer = open_writer(str(out))
    for doc, events in CORPUS[:3]:
        writer.write_document(doc, events)
    writer._journal._data.write(b'{"doc_id": "d5", "id": "ev-d5-0", "ty')  # torn line of d5
    writer._journal._data.flush()
    writer._journal._progress.write(b'["d5", 99')  # torn progress line
    writer._journal._progress.flush()
    del writer
    assert done_doc_ids(str(out), fmt) == {"d1", "d2", "d3"}
    run(out, resume=True)
    assert out.read_bytes() == reference.read_bytes()


@pytest.mark.parametrize("fmt", ["jsonl", "csv"])
def test_resume_from_a_finished_output_adds_only_new_documents(tmp_path, fmt):
    reference, out = tmp_path / f"ref.{fmt}", tmp_path / f"out.{fmt}"
    run(reference)
    run(out, docs=CORPUS[:4])
    assert done_doc_ids(str(out), fmt) == {"d1", "d3"}  # only documents with events show
    run(out, resume=True)  # d2, d4 are re-processed (no output), d5, d6 appended
    assert out.read_bytes() == reference.read_bytes()


def test_rerun_without_resume_discards_stale_partial(tmp_path):
    out = tmp_path / "out.jsonl"
    run(out, stop_after=3)
    run(out, docs=CORPUS[4:])
    assert [orjson.loads(l)["doc_id"] for l in out.read_bytes().splitlines()] == ["d5", "d6", "d6"]
    assert leftovers(tmp_path) == ["out.jsonl"]


def test_context_manager_aborts_on_error(tmp_path):
    out = tmp_path / "out.jsonl"
    with pytest.raises(KeyboardInterrupt):
        with open_writer(str(out)) as writer:
            writer.write_document(*CORPUS[0])
            raise KeyboardInterrupt
    assert not out.exists()
    assert done_doc_ids(str(out), "jsonl") == {"d1"}


# --- CSV ----------------------------------------------------------------------------------


def test_csv_rows_and_argument_columns(tmp_path):
    out = tmp_path / "out.csv"
    run(out)
    with open(out, newline="", encoding="utf-8") as fh:
        reader = csv.DictReader(fh)
        rows = list(reader)
    assert reader.fieldnames[:15] == [
        "doc_id", "id", "type", "rule", "trigger.text", "trigger.start", "trigger.end",
        "span.text", "span.start", "span.end", "sentence.index", "modality", "attribution.text", "mentions", "rules_version",
    ]  # fmt: skip
    roles = ["agent", "destination", "quantity"]
    fields = ["text", "start", "end", "value", "qualifier", "unit", "norm"]
    assert reader.fieldnames[15:] == [f"arg.{r}.{f}" for r in roles for f in fields]
    assert len(rows) == 6
    d1a, d1b, d3 = rows[:3]
    assert (d1a["arg.agent.text"], d1a["arg.agent.norm"], d1a["arg.quantity.text"]) == ("Poland", "POL", "")
    assert (d1b["arg.quantity.value"], d1b["arg.quantity.qualifier"]) == ("1000", "at_least")
    assert d3["arg.destination.text"] == DEST["text"]  # quotes and newlines survive
    assert (d1a["attribution.text"], d1b["attribution.text"]) == ("the minister", "")
    assert leftovers(tmp_path) == ["out.csv"]


# --- SQLite -------------------------------------------------------------------------------


def test_sqlite_tables_and_foreign_keys(tmp_path):
    out = tmp_path / "out.sqlite"
    run(out)
    assert leftovers(tmp_path) == ["out.sqlite"]
    conn = sqlite3.connect(out)
    assert conn.execute("SELECT doc_id, date, title, n_events FROM documents ORDER BY doc_id").fetchall()[:2] == [
        ("d1", "2004-08-12", "Head", 2),
        ("d2", None, None, 0),
    ]
    assert conn.execute("SELECT count(*) FROM events").fetchone() == (6,)
    rows = conn.execute(
        """SELECT e.doc_id, e.doc_date, e.trigger_text, e.sentence_index, a.role, a.text, a."end", a.value, a.norm
           FROM events e JOIN arguments a ON a.event_id = e.id WHERE e.doc_id = 'd1' ORDER BY e.id"""
    ).fetchall()
    assert rows == [
        ("d1", "2004-08-12", "sending", 0, "agent", "Poland", 6, None, "POL"),
        ("d1", "2004-08-12", "sending", 1, "quantity", "thousands", 27, 1000, None),
    ]
    assert conn.execute("PRAGMA foreign_key_check").fetchall() == []
    indexes = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'index'")}
    assert {"events_type", "events_doc_id", "events_doc_date"} <= indexes
    conn.execute("PRAGMA foreign_keys = ON")
    with pytest.raises(sqlite3.IntegrityError):
        conn.execute("INSERT INTO events (id, doc_id, type) VALUES ('x', 'no-such-doc', 't')")
    conn.close()


def test_sqlite_resume_adds_only_missing_documents(tmp_path):
    out = tmp_path / "out.db"
    run(out, stop_after=3)
    assert done_doc_ids(str(out), "sqlite") == {"d1", "d2", "d3"}
    run(out, resume=True)
    conn = sqlite3.connect(out)
    assert [r[0] for r in conn.execute("SELECT doc_id FROM documents ORDER BY doc_id")] == ["d1", "d2", "d3", "d4", "d5", "d6"]
    assert conn.execute("SELECT count(*) FROM events").fetchone() == (6,)
    conn.close()
    run(out)  # without resume: replaced, not appended
    assert sqlite3.connect(out).execute("SELECT count(*) FROM documents").fetchone() == (6,)


def test_sqlite_resume_on_foreign_file_is_an_input_error(tmp_path):
    out = tmp_path / "notes.db"
    out.write_text("not a database, just text " * 10)
    with pytest.raises(InputError, match="not an eventx SQLite output"):
        done_doc_ids(str(out), "sqlite")


# --- errors -------------------------------------------------------------------------------


def test_error_log_file_stderr_and_resume_dedup(tmp_path):
    out = tmp_path / "out.jsonl"
    problem = ReadProblem("c/x.jsonl", 2, None, "invalid JSON at column 3: bad: line skipped")
    echo = io.StringIO()
    log = ErrorLog(ErrorLog.default_path(str(out)), echo=echo)
    assert not os.path.exists(f"{out}.errors.jsonl")  # created lazily
    log.write(problem)
    log.write({"doc_id": "d9", "error": "extraction failed: boom"})
    log.close()
    assert log.count == 2
    assert echo.getvalue().splitlines() == [problem.render(), "d9: error: extraction failed: boom"]
    path = tmp_path / "out.jsonl.errors.jsonl"
    records = [orjson.loads(l) for l in path.read_bytes().splitlines()]
    assert records == [problem.to_record(), {"doc_id": "d9", "error": "extraction failed: boom"}]

    with ErrorLog.for_output(str(out), resume=True) as resumed:
        resumed.write(problem)  # already logged by the interrupted run
        resumed.write(ReadProblem("c/y.csv", 4, "r", "late problem"))
    assert len(path.read_bytes().splitlines()) == 3
    ErrorLog.for_output(str(out))  # a fresh run removes the stale file
    assert not path.exists()


def test_error_log_for_stdout_has_no_file(capsys):
    log = ErrorLog.for_output(None, echo=sys.stderr)
    assert log.path is None
    log.write(ReadProblem("<stdin>", 1, None, "oops"))
    assert "<stdin>:1:1: error: oops" in capsys.readouterr().err


def test_resume_refuses_a_foreign_jsonl_output(tmp_path):
    out = tmp_path / "out.jsonl"
    out.write_text("[1, 2]\n")
    with pytest.raises(InputError, match="cannot resume"):
        done_doc_ids(str(out), "jsonl")
