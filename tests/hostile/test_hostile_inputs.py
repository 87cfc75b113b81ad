"""`eventx run` over a corpus of hostile inputs: every good document's events are there, every
bad item is reported (errors file, stderr, summary count) and the run exits 0.

The committed corpus (``corpus/``) holds the small cases; the big ones are generated here: a
50 MB single document, a 20 MB JSONL line that is one "sentence", and a document on which
the pathological rule of ``rules/hostile.yml`` would run for minutes without the time budget.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from typer.testing import CliRunner

from eventx.cli import app
from eventx.codes import CATALOGUE

HERE = Path(__file__).parent
CORPUS, RULES = HERE / "corpus", HERE / "rules"

# doc id -> the force argument of its deployment event
EXPECTED_EVENTS = {
    "ok-1": "troops",
    "controls": "warships",
    "long-token": "soldiers",
    "12345": "troops",
    "bad-date": "warships",
    "latin1": "police officers",
    "csv-ok": "troops",
    "csv-quoted": "police officers",
    "utf16": "soldiers",
    "big": "troops",
    "gz": "troops",  # before the point where truncated.jsonl.gz is cut off
}
# (file, line, doc id, words of the message) of every problem that must be reported
EXPECTED_PROBLEMS = {
    ("binary.txt", None, None, "binary file"),
    ("docs.jsonl", 2, None, "invalid JSON"),
    ("docs.jsonl", 3, None, "expected a JSON object"),
    ("docs.jsonl", 4, "no-text", "missing 'text'"),
    ("docs.jsonl", 5, "text-not-string", "must be a string"),
    ("docs.jsonl", 6, "ok-1", "duplicate document id"),
    ("docs.jsonl", 7, None, "depth limit"),
    ("docs.jsonl", 14, "bad-date", "unparseable date"),
    ("latin1.jsonl", 1, "latin1", "undecodable byte"),
    ("no-text-column.csv", 1, None, "no 'text' column"),
    ("rows.csv", 3, None, "5 fields"),
    ("rows.csv", 4, None, "no 'text' value"),
    ("truncated.jsonl.gz", None, None, "cannot read file"),
    (None, None, "huge-line", "100,000"),
    (None, None, "slow", "longer than 10 s"),
}


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("generated")
    # 50 MB, one document: long sentences without trigger words, one event at the very end
    filler = ("Markets were quiet and traders waited " + "for the figures of the statistics office " * 20 + "today. ") * 60
    with open(folder / "big.txt", "w", encoding="utf-8") as fh:
        while fh.tell() < 50_000_000:
            fh.write(filler)
        fh.write("\n\nLater the army deployed 500 troops to the north.\n")
    # a 20 MB line: one document of one endless "sentence" (with a trigger word in it)
    endless = "the army deployed troops and " * 700_000
    (folder / "huge-line.jsonl").write_text(json.dumps({"id": "huge-line", "text": endless}) + "\n", encoding="utf-8")
    # the pathological rule's cost grows with the square of this sentence (45,000 one-letter
    # words, under the 100,000-character sentence limit): minutes unbounded even on an idle
    # machine, far over the 10 s budget
    # "never" and "ever" both occur (the prefilter requires them), just not in a row
    (folder / "slow.txt").write_text("The slowpoke " + "w " * 45_000 + "never ends, ever.", encoding="utf-8")
    return folder


# The budget counts a document's whole extraction: the 50 MB one needs 2 s of it, more on a busy machine
@pytest.fixture(scope="module")
def run(generated: Path, tmp_path_factory: pytest.TempPathFactory) -> tuple:
    out = tmp_path_factory.mktemp("out") / "events.jsonl"
    errors = out.with_name("problems.jsonl")
    result = CliRunner().invoke(
        app,
        ["run", str(CORPUS), str(generated), "-r", str(RULES), "-o", str(out), "--errors", str(errors), "--time-budget", "10", "--jobs", "2"],
    )
    return result, out, errors


def test_exits_0_without_traceback(run: tuple) -> None:
    result, _, _ = run
    assert result.exit_code == 0, result.output
    assert "Traceback" not in result.output


def test_every_good_document_has_its_events(run: tuple) -> None:
    _, out, _ = run
    events = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    found = {e["doc_id"]: e["args"]["force"]["text"] for e in events if e["type"] == "deployment"}
    assert found == EXPECTED_EVENTS
    assert not [e for e in events if e["type"] == "pathological"]


def test_every_bad_item_is_reported_once(run: tuple) -> None:
    result, _, errors = run
    records = [json.loads(line) for line in errors.read_text(encoding="utf-8").splitlines()]
    unmatched = list(records)
    for source, line, doc_id, words in EXPECTED_PROBLEMS:
        hits = [
            r
            for r in unmatched
            if (source is None or Path(r.get("source") or "").name == source)
            and (line is None or r.get("line") == line)
            and r.get("doc_id") == doc_id
            and words in r["error"]
        ]
        assert len(hits) == 1, (source, line, doc_id, words, records)
        unmatched.remove(hits[0])
    assert unmatched == []
    # every record carries its catalogue code
    code = {r["error"]: r["code"] for r in records}
    assert all(c in CATALOGUE for c in code.values())
    assert {c for error, c in code.items() if "longer than 10 s" in error} == {"E304"}
    assert {c for error, c in code.items() if "100,000" in error} == {"E305"}
    assert {c for error, c in code.items() if "duplicate document id" in error} == {"E303"}
    assert {c for error, c in code.items() if "binary file" in error} == {"E301"}
    assert {c for error, c in code.items() if "invalid JSON" in error} == {"E302"}
    assert {c for error, c in code.items() if "unparseable date" in error} == {"W351"}
    # each is also on stderr, and the summary counts them
    assert result.stderr.count("warning: ") >= len(EXPECTED_PROBLEMS)
    assert re.search(rf"errors\s+{len(EXPECTED_PROBLEMS)} \(see ", result.stderr), result.stderr


def test_same_output_with_one_process(run: tuple, generated: Path, tmp_path: Path) -> None:
    _, out, _ = run
    single = tmp_path / "one.jsonl"
    result = CliRunner().invoke(app, ["run", str(CORPUS), str(generated), "-r", str(RULES), "-o", str(single), "--time-budget", "10", "--jobs", "1", "-q"])
    assert result.exit_code == 0
    assert single.read_bytes() == out.read_bytes()
