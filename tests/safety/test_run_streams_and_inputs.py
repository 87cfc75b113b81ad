"""Streams are written as streams (a FIFO stays a FIFO, /dev/stdout is never replaced);
--time-budget is validated; empty inputs are an error; a dangling symlink is reported;
--input-format reads stdin and oddly named files as JSONL, CSV or text."""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
import threading
from pathlib import Path

import pytest
from typer.testing import CliRunner

from eventx.cli import app

CLI = [sys.executable, "-c", "from eventx.cli import main; main()"]


def run(*args: str, input: str | None = None):
    return CliRunner().invoke(app, ["run", *args], input=input)


@pytest.mark.parametrize("fmt", ["jsonl", "csv"])
def test_a_fifo_output_is_written_as_a_stream_and_stays_a_fifo(corpus: Path, rules: Path, fmt: str) -> None:
    fifo = corpus.parent / "pipe"
    os.mkfifo(fifo)
    received: list[bytes] = []
    reader = threading.Thread(target=lambda: received.append(fifo.read_bytes()), daemon=True)
    reader.start()
    result = run(str(corpus), "-r", str(rules), "-o", str(fifo), "-f", fmt, "-q")
    assert result.exit_code == 0, result.output
    assert stat.S_ISFIFO(os.lstat(fifo).st_mode)
    reader.join(timeout=60)
    assert received, "nothing was written to the FIFO"
    data = received[0].decode()
    assert data.count("deployment") == 6
    assert data.startswith('{"doc_id"' if fmt == "jsonl" else "doc_id,id,type")
    assert sorted(p.name for p in corpus.parent.iterdir()) == ["news.jsonl", "pipe", "rules"]  # no partial, no errors file


@pytest.mark.parametrize("stdout_kind", ["regular file", "pipe"])
def test_a_path_to_stdout_is_written_not_replaced(corpus: Path, rules: Path, tmp_path: Path, stdout_kind: str) -> None:
    """``-o /dev/stdout`` as a symlink of our own (replacing the real /dev/stdout, as a
    regression would when run as root, must never be what a failing test does); with stdout
    redirected to a regular file, stat() says "regular file": the symlink into /proc decides."""
    link = tmp_path / "stdout"
    link.symlink_to("/proc/self/fd/1")
    sink = tmp_path / "sink.txt"
    with open(sink, "wb") as fh:
        stdout = fh if stdout_kind == "regular file" else subprocess.PIPE
        result = subprocess.run([*CLI, "run", str(corpus), "-r", str(rules), "-o", str(link), "-q"], stdout=stdout, stderr=subprocess.PIPE, timeout=120)
    assert result.returncode == 0, result.stderr
    written = sink.read_text() if stdout_kind == "regular file" else result.stdout.decode()
    assert [json.loads(line)["type"] for line in written.splitlines()] == ["deployment"] * 6
    assert link.is_symlink() and os.readlink(link) == "/proc/self/fd/1"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["news.jsonl", "rules", "sink.txt", "stdout"]


def test_dev_stdout_and_devices_are_streams() -> None:
    from eventx.io.writers import is_stream

    assert is_stream("/dev/stdout") and is_stream("/dev/null") and is_stream("-")


def test_resume_into_a_stream_is_a_usage_error(corpus: Path, rules: Path) -> None:
    fifo = corpus.parent / "pipe"
    os.mkfifo(fifo)
    result = run(str(corpus), "-r", str(rules), "-o", str(fifo), "--resume")
    assert result.exit_code == 2 and "not a stream" in result.stderr


@pytest.mark.parametrize("value", ["inf", "1e308", "nan", "0", "-1", "0.001", "7200", "soon"])
def test_time_budget_must_be_a_sane_number_of_seconds(corpus: Path, rules: Path, value: str) -> None:
    out = corpus.parent / "out.jsonl"
    result = run(str(corpus), "-r", str(rules), "-o", str(out), "--time-budget", value)
    assert result.exit_code == 2, result.output
    assert "--time-budget" in result.stderr and "'none'" in result.stderr
    assert not out.exists()


def test_time_budget_none_is_no_budget(corpus: Path, rules: Path) -> None:
    out = corpus.parent / "out.jsonl"
    result = run(str(corpus), "-r", str(rules), "-o", str(out), "--time-budget", "none", "-q")
    assert result.exit_code == 0, result.output
    assert out.read_text(encoding="utf-8").count("\n") == 6
    assert not Path(f"{out}.errors.jsonl").exists()


@pytest.mark.parametrize("kind", ["empty directory", "empty jsonl", "header-only csv", "stdin"])
def test_empty_inputs_say_so_and_exit_1(tmp_path: Path, rules: Path, kind: str) -> None:
    source = {"empty directory": tmp_path / "empty", "empty jsonl": tmp_path / "e.jsonl", "header-only csv": tmp_path / "h.csv"}.get(kind)
    if kind == "empty directory":
        source.mkdir()
    elif kind == "empty jsonl":
        source.write_text("")
    elif kind == "header-only csv":
        source.write_text("id,text\n")
    result = run(str(source) if source else "-", "-r", str(rules), input="" if source is None else None)
    assert result.exit_code == 1, result.output
    assert "no documents in" in result.stderr


def test_a_dangling_symlink_in_an_input_folder_is_reported(tmp_path: Path, rules: Path) -> None:
    folder = tmp_path / "corpus"
    folder.mkdir()
    (folder / "a.txt").write_text("The army sent 300 soldiers to the border.", encoding="utf-8")
    (folder / "gone.txt").symlink_to(tmp_path / "deleted.txt")
    out = tmp_path / "out.jsonl"
    result = run(str(folder), "-r", str(rules), "-o", str(out))
    assert result.exit_code == 0, result.output
    assert "gone.txt" in result.stderr and "dangling symbolic link" in result.stderr
    [record] = [json.loads(line) for line in Path(f"{out}.errors.jsonl").read_text().splitlines()]
    assert record["source"] == str(folder / "gone.txt")
    named = run(str(folder / "gone.txt"), "-r", str(rules))
    assert named.exit_code == 2 and "dangling symbolic link" in named.stderr


def test_input_format_csv_on_stdin(rules: Path) -> None:
    csv_text = 'id,text\nn1,"The army sent 300 soldiers to the border."\nn2,Nothing here.\n'
    plain = run("-", "-r", str(rules), "-q", input=csv_text)  # without: one text document
    assert [json.loads(line)["doc_id"] for line in plain.stdout.splitlines()] == ["stdin"]
    result = run("-", "-r", str(rules), "--input-format", "csv", "-q", input=csv_text)
    assert result.exit_code == 0, result.output
    assert [json.loads(line)["doc_id"] for line in result.stdout.splitlines()] == ["n1"]


def test_input_format_for_files_with_other_extensions(tmp_path: Path, rules: Path) -> None:
    ndjson = tmp_path / "news.ndjson"
    ndjson.write_text(json.dumps({"id": "a", "text": "The army sent 300 soldiers to the border."}) + "\n")
    refused = run(str(ndjson), "-r", str(rules))
    assert refused.exit_code == 2 and "--input-format" in refused.stderr
    result = run(str(ndjson), "-r", str(rules), "--input-format", "jsonl", "-q")
    assert result.exit_code == 0, result.output
    assert [json.loads(line)["doc_id"] for line in result.stdout.splitlines()] == ["a"]
    text = run("-", "-r", str(rules), "--input-format", "txt", "-q", input='{"id": "x", "text": "sent 300 soldiers"}')
    assert text.exit_code == 0 and [json.loads(l)["doc_id"] for l in text.stdout.splitlines()] == ["stdin"]
