"""Hostile files through `eventx run`: each case must keep every good document, report every
bad item (errors file, with file and line) and never end in a traceback."""

from __future__ import annotations

import csv
import gzip
import io
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from eventx.cli import app

RULES = Path(__file__).parent / "rules"
EVENT = "The army deployed troops to the border."
QUIET = "Nothing happened today."


def run(tmp_path: Path, *inputs: str | Path, extra: tuple[str, ...] = (), input: bytes | None = None):
    """(result, events, error records) of ``eventx run`` with the small hostile pack."""
    out = tmp_path / "out" / "events.jsonl"
    out.parent.mkdir(exist_ok=True)
    errors = tmp_path / "out" / "problems.jsonl"
    result = CliRunner().invoke(
        app, ["run", *map(str, inputs), "-r", str(RULES), "-o", str(out), "--errors", str(errors), "--jobs", "1", *extra], input=input
    )
    assert "Traceback" not in result.output, result.output
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    events = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()] if out.exists() else []
    records = [json.loads(line) for line in errors.read_text(encoding="utf-8").splitlines()] if errors.exists() else []
    return result, events, records


def doc_ids(events: list[dict]) -> list[str]:
    return sorted({e["doc_id"] for e in events})


def jsonl(*objects: dict) -> str:
    return "".join(json.dumps(o) + "\n" for o in objects)


# --- JSONL ----------------------------------------------------------------------------


def test_nul_bytes_cost_their_line_only(tmp_path: Path) -> None:
    text = jsonl({"id": "a", "text": EVENT}) + '{"id": "b", "text": "bin\0ary"}\n' + jsonl({"id": "c", "text": EVENT})
    (tmp_path / "d.jsonl").write_text(text, encoding="utf-8")
    result, events, records = run(tmp_path, tmp_path / "d.jsonl")
    assert result.exit_code == 0
    assert doc_ids(events) == ["a", "c"]
    assert [(r["line"], "NUL" in r["error"]) for r in records] == [(2, True)]


def test_lone_surrogate_escapes_become_replacement_characters(tmp_path: Path) -> None:
    # \ud800 alone is no character; \\ud800 is a backslash and text; a pair is one character
    (tmp_path / "d.jsonl").write_text(
        '{"id": "s", "text": "' + EVENT + ' \\ud800 and \\\\ud800 and \\ud83d\\ude00 and \\udc00"}\n', encoding="utf-8"
    )
    result, events, records = run(tmp_path, tmp_path / "d.jsonl")
    assert result.exit_code == 0
    assert doc_ids(events) == ["s"]
    assert len(records) == 1 and records[0]["line"] == 1 and "2 JSON escapes of lone surrogates" in records[0]["error"]
    doc = list(__import__("eventx.io.readers", fromlist=["iter_corpus"]).iter_corpus([str(tmp_path / "d.jsonl")]))[-1]
    assert doc.text.endswith(" \ufffd and \\ud800 and \U0001f600 and \ufffd")


def test_cr_only_line_ends(tmp_path: Path) -> None:
    (tmp_path / "d.jsonl").write_bytes(jsonl(*({"id": f"d{i}", "text": EVENT} for i in range(3))).replace("\n", "\r").encode())
    (tmp_path / "e.jsonl").write_bytes(jsonl({"id": "e1", "text": EVENT}, {"id": "e2", "text": EVENT}).replace("\n", "\r").encode())
    result, events, records = run(tmp_path, tmp_path / "d.jsonl")
    assert result.exit_code == 0 and records == []
    assert doc_ids(events) == ["d0", "d1", "d2"]
    # stdin too
    result, events, records = run(tmp_path, "-", input=(tmp_path / "e.jsonl").read_bytes())
    assert doc_ids(events) == ["e1", "e2"] and records == []


def test_generated_ids_never_collide(tmp_path: Path) -> None:
    # line 3 has no id: its generated id "d:3" was taken by line 1, and "d:3~2" by line 2
    (tmp_path / "d.jsonl").write_text(
        jsonl({"id": "d:3", "text": EVENT}, {"id": "d:3~2", "text": EVENT}, {"text": EVENT}), encoding="utf-8"
    )
    # the same stem twice: d.jsonl and d.csv both generate "d:2"
    (tmp_path / "d.csv").write_text("text\n" + EVENT + "\n", encoding="utf-8")
    result, events, records = run(tmp_path, tmp_path / "d.jsonl", tmp_path / "d.csv")
    assert result.exit_code == 0 and records == []
    assert doc_ids(events) == ["d:2", "d:3", "d:3~2", "d:3~3"]


@pytest.mark.parametrize("date", ["2021-06", "2012"])
def test_reduced_precision_dates_are_kept(tmp_path: Path, date: str) -> None:
    (tmp_path / "d.jsonl").write_text(jsonl({"id": "d", "text": EVENT, "date": date}), encoding="utf-8")
    result, events, records = run(tmp_path, tmp_path / "d.jsonl")
    assert result.exit_code == 0 and records == []
    from eventx.io.readers import iter_corpus

    assert [d.date for d in iter_corpus([str(tmp_path / "d.jsonl")])] == [date]


def test_deep_meta_with_workers(tmp_path: Path) -> None:
    meta: dict = {"leaf": 1}
    for _ in range(600):
        meta = {"a": meta}
    lines = [json.dumps({"id": f"d{i}", "text": EVENT, **({"meta": meta} if i == 0 else {})}) for i in range(40)]
    (tmp_path / "d.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    result, events, records = run(tmp_path, tmp_path / "d.jsonl", extra=("--jobs", "2"))
    assert result.exit_code == 0, result.output
    assert len(doc_ids(events)) == 40
    assert [(r["doc_id"], "nested deeper than" in r["error"]) for r in records] == [("d0", True)]


# --- CSV ------------------------------------------------------------------------------


def test_stray_quote_costs_one_record(tmp_path: Path) -> None:
    rows = "id,text\n" + "".join(f"r{i},{EVENT}\n" for i in range(1, 4)) + 'bad,"He said\n' + "".join(f"r{i},{EVENT}\n" for i in range(4, 8))
    (tmp_path / "d.csv").write_text(rows, encoding="utf-8")
    result, events, records = run(tmp_path, tmp_path / "d.csv")
    assert result.exit_code == 0
    assert doc_ids(events) == [f"r{i}" for i in range(1, 8)]
    assert [(r["line"], "unbalanced quote" in r["error"]) for r in records] == [(5, True)]


def test_stray_quote_past_the_size_limit(tmp_path: Path) -> None:
    rows = 'id,text\nbad,"He said\n' + "".join(f"r{i},{EVENT} {'x' * 50}\n" for i in range(1, 30)) + 'late,"closing"quote"\n'
    (tmp_path / "d.csv").write_text(rows, encoding="utf-8")
    result, events, records = run(tmp_path, tmp_path / "d.csv", extra=("--max-doc-bytes", "1000"))
    assert doc_ids(events) == sorted(f"r{i}" for i in range(1, 30))
    assert records[0]["line"] == 2 and "unbalanced quote" in records[0]["error"]


# --- compression and size -------------------------------------------------------------


def test_gzip_trailing_garbage_keeps_every_member(tmp_path: Path) -> None:
    data = gzip.compress(jsonl(*({"id": f"g{i}", "text": EVENT} for i in range(25))).encode())
    data += gzip.compress(jsonl(*({"id": f"g{i}", "text": EVENT} for i in range(25, 50))).encode())
    (tmp_path / "d.jsonl.gz").write_bytes(data + b"this is not gzip data")
    result, events, records = run(tmp_path, tmp_path / "d.jsonl.gz")
    assert result.exit_code == 0
    assert len(doc_ids(events)) == 50
    assert len(records) == 1 and "21 bytes after the last gzip member" in records[0]["error"]


def test_gzip_bomb_is_reported_and_the_run_goes_on(tmp_path: Path) -> None:
    # 200 MB of spaces inflated from ~200 KB: never held in memory
    with gzip.open(tmp_path / "bomb.txt.gz", "wb", compresslevel=9) as fh:
        chunk = b" " * (1 << 20)
        for _ in range(200):
            fh.write(chunk)
    (tmp_path / "ok.txt").write_text(EVENT, encoding="utf-8")
    code = (
        "import resource, sys; resource.setrlimit(resource.RLIMIT_AS, (1 << 30, 1 << 30));"
        "from eventx.cli import app; sys.argv = ['eventx'] + sys.argv[1:]; app()"
    )
    out = tmp_path / "events.jsonl"
    proc = subprocess.run(
        [sys.executable, "-c", code, "run", str(tmp_path / "bomb.txt.gz"), str(tmp_path / "ok.txt"), "-r", str(RULES), "-o", str(out), "--jobs", "1"],
        capture_output=True, text=True, timeout=300,
    )
    assert proc.returncode == 0, proc.stderr
    assert "Traceback" not in proc.stderr
    assert "document size limit (100,000,000 characters" in proc.stderr
    assert doc_ids([json.loads(line) for line in out.read_text().splitlines()]) == ["ok"]


@pytest.mark.parametrize("kind", ["txt", "jsonl", "csv"])
def test_max_doc_bytes(tmp_path: Path, kind: str) -> None:
    long_text = EVENT + " " + "word " * 400
    folder = tmp_path / "in"
    folder.mkdir()
    if kind == "txt":
        (folder / "long.txt").write_text(long_text, encoding="utf-8")
        (folder / "short.txt").write_text(EVENT, encoding="utf-8")
    elif kind == "jsonl":
        (folder / "d.jsonl").write_text(jsonl({"id": "long", "text": long_text}, {"id": "short", "text": EVENT}), encoding="utf-8")
    else:
        (folder / "d.csv").write_text(f"id,text\nlong,{long_text}\nshort,{EVENT}\n", encoding="utf-8")
    result, events, records = run(tmp_path, folder, extra=("--max-doc-bytes", "1000"))
    assert result.exit_code == 0
    assert [e["doc_id"].rsplit("/", 1)[-1] for e in events] == ["short"]
    assert len(records) == 1 and "--max-doc-bytes" in records[0]["error"]
    assert records[0]["line"] == (None if kind == "txt" else 2 if kind == "csv" else 1)


def test_max_doc_bytes_must_be_positive(tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_text(EVENT, encoding="utf-8")
    result = CliRunner().invoke(app, ["run", str(tmp_path / "a.txt"), "-r", str(RULES), "--max-doc-bytes", "0"])
    assert result.exit_code == 2


# --- names, links, stdin --------------------------------------------------------------


def test_file_name_that_is_not_utf8(tmp_path: Path) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "ok.txt").write_text(EVENT, encoding="utf-8")
    with open(os.path.join(os.fsencode(folder), b"caf\xe9.txt"), "w", encoding="utf-8") as fh:
        fh.write(EVENT)
    result, events, records = run(tmp_path, folder)
    assert result.exit_code == 0, result.output
    assert doc_ids(events) == ["caf\\xe9", "ok"]
    # --resume reads the log back and skips both
    result = CliRunner().invoke(app, ["run", str(folder), "-r", str(RULES), "-o", str(tmp_path / "out" / "events.jsonl"), "--resume", "--jobs", "1"])
    assert result.exit_code == 0, result.output
    assert "Traceback" not in result.output


def test_symlink_loop_and_broken_link(tmp_path: Path) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "ok.txt").write_text(EVENT, encoding="utf-8")
    os.symlink("self.txt", folder / "self.txt")
    os.symlink("missing.txt", folder / "broken.txt")
    result, events, records = run(tmp_path, folder)
    assert result.exit_code == 0, result.output
    assert doc_ids(events) == ["ok"]
    assert sorted((Path(r["source"]).name, r["error"].split(":")[0]) for r in records) == [
        ("broken.txt", "dangling symbolic link (its target missing.txt does not exist)"),
        ("self.txt", "cannot read file"),
    ]
    # named directly: a usage error
    result = CliRunner().invoke(app, ["run", str(folder / "self.txt"), "-r", str(RULES)])
    assert result.exit_code == 2 and "Too many levels of symbolic links" in result.output


def test_closed_stdin(tmp_path: Path) -> None:
    out = tmp_path / "events.jsonl"
    proc = subprocess.run(
        [str(Path(sys.executable).with_name("eventx")), "run", "-", "-r", str(RULES), "-o", str(out)],
        stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=120,
        preexec_fn=lambda: os.close(0),
    )
    assert "Traceback" not in proc.stderr, proc.stderr
    assert "standard input is closed" in proc.stderr
    assert proc.returncode == 1  # nothing could be processed


def test_errors_option_naming_a_directory(tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_text(EVENT, encoding="utf-8")
    result = CliRunner().invoke(app, ["run", str(tmp_path / "a.txt"), "-r", str(RULES), "--errors", str(tmp_path)])
    assert result.exit_code == 2
    assert "is a directory" in result.output


# --- output safety --------------------------------------------------------------------


def test_control_characters_in_ids_are_escaped_on_the_terminal(tmp_path: Path) -> None:
    (tmp_path / "d.jsonl").write_text(
        jsonl({"id": "\x1b[2J\x1b]0;pwned\x07", "text": {"not": "a string"}}, {"id": "ok", "text": EVENT}), encoding="utf-8"
    )
    result, events, records = run(tmp_path, tmp_path / "d.jsonl")
    assert "\x1b" not in result.stderr and "\x07" not in result.stderr
    assert "\\x1b[2J\\x1b]0;pwned\\x07" in result.stderr
    assert records[0]["doc_id"] == "\x1b[2J\x1b]0;pwned\x07"  # the record keeps the id as it is


def _csv_doc(tmp_path: Path, text: str) -> Path:
    (tmp_path / "d.jsonl").write_text(jsonl({"id": "d", "text": text}), encoding="utf-8")
    return tmp_path / "d.jsonl"


def test_bare_cr_in_a_csv_value_is_quoted(tmp_path: Path) -> None:
    doc = _csv_doc(tmp_path, "One.\rThe army deployed troops.\rTwo.\r=HYPERLINK(1) The navy deployed warships.")
    out = tmp_path / "events.csv"
    result = CliRunner().invoke(app, ["run", str(doc), "-r", str(RULES), "-o", str(out), "--jobs", "1", "--mentions", "separate"])
    assert result.exit_code == 0, result.output
    with open(out, newline="", encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    assert len(rows) == 2
    # a reader that splits lines on CR first (as many do) still sees two rows
    assert len(list(csv.reader(io.StringIO(out.read_text(encoding="utf-8"))))) == 3


def test_csv_safe_neutralises_formula_cells(tmp_path: Path) -> None:
    (tmp_path / "d.jsonl").write_text(
        jsonl(*({"id": f"{start}HYPERLINK(1)", "text": EVENT} for start in "=+-@")), encoding="utf-8"
    )
    doc = tmp_path / "d.jsonl"
    plain, safe = tmp_path / "plain.csv", tmp_path / "safe.csv"
    for out, extra in ((plain, []), (safe, ["--csv-safe"])):
        result = CliRunner().invoke(app, ["run", str(doc), "-r", str(RULES), "-o", str(out), "--jobs", "1", *extra])
        assert result.exit_code == 0, result.output

    def cells(path: Path) -> list[str]:
        with open(path, newline="", encoding="utf-8") as fh:
            return [cell for row in csv.reader(fh) for cell in row]

    assert any(c.startswith("=") for c in cells(plain))
    assert not any(c.startswith(("=", "+", "-", "@")) for c in cells(safe))
    assert any(c.startswith("'=HYPERLINK") for c in cells(safe))
