"""`eventx run` refuses, before writing anything, what would overwrite, mix with or read back
its own input: output == input, --errors naming an input or the output, an unknown output
extension, a second writer on the same output; and it never reads its own outputs."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from typer.testing import CliRunner

from eventx.cli import app

from conftest import write_corpus


def run(*args: str):
    return CliRunner().invoke(app, ["run", *args, "-q"])


def snapshot(directory: Path) -> dict[str, bytes]:
    return {str(p.relative_to(directory)): p.read_bytes() for p in sorted(directory.rglob("*")) if p.is_file()}


def test_output_that_is_the_input_is_refused(corpus: Path, rules: Path) -> None:
    before = snapshot(corpus.parent)
    result = run(str(corpus), "-r", str(rules), "-o", str(corpus))
    assert result.exit_code == 2, result.output
    assert "also an input" in result.stderr
    assert snapshot(corpus.parent) == before  # nothing written, nothing removed


def test_output_through_another_path_to_the_input_is_refused(corpus: Path, rules: Path) -> None:
    link = corpus.parent / "link.jsonl"
    link.symlink_to(corpus)
    result = run(str(link), "-r", str(rules), "-o", str(corpus.parent / "." / "news.jsonl"))
    assert result.exit_code == 2 and "also an input" in result.stderr
    assert corpus.read_text(encoding="utf-8").count("\n") == 12


def test_output_over_a_document_file_inside_an_input_directory_is_refused(tmp_path: Path, rules: Path) -> None:
    folder = tmp_path / "corpus"
    folder.mkdir()
    write_corpus(folder / "a.jsonl")
    before = snapshot(folder)
    result = run(str(folder), "-r", str(rules), "-o", str(folder / "a.jsonl"))
    assert result.exit_code == 2, result.output
    assert "inside the input directory" in result.stderr
    assert snapshot(folder) == before


def test_a_log_written_inside_the_corpus_is_never_read_back(tmp_path: Path, rules: Path) -> None:
    folder = tmp_path / "inplace"
    folder.mkdir()
    write_corpus(folder / "a.jsonl")
    (folder / "b.txt").write_text("The army sent 300 soldiers to the border.", encoding="utf-8")
    first = run(str(folder), "-r", str(rules), "-o", str(folder / "events.jsonl"), "--errors", str(folder / "problems.jsonl"))
    assert first.exit_code == 0, first.output
    (folder / "problems.jsonl").write_text(json.dumps({"doc_id": "x", "error": "an old problem"}) + "\n")
    again = CliRunner().invoke(app, ["run", str(folder), "-r", str(rules), "-o", str(tmp_path / "again.jsonl")])
    assert again.exit_code == 0, again.output
    assert "errors    0" in again.stderr or "errors 0" in " ".join(again.stderr.split())
    assert (tmp_path / "again.jsonl").read_bytes() == (folder / "events.jsonl").read_bytes()
    # and named explicitly, an event log is not taken for a corpus
    explicit = run(str(folder / "events.jsonl"), "-r", str(rules))
    assert explicit.exit_code == 2 and "eventx output" in explicit.stderr


def test_errors_file_naming_an_input_is_refused_and_the_input_kept(corpus: Path, rules: Path) -> None:
    before = corpus.read_bytes()
    result = run(str(corpus), "-r", str(rules), "-o", str(corpus.parent / "out.jsonl"), "--errors", str(corpus))
    assert result.exit_code == 2, result.output
    assert "also an input" in result.stderr
    assert corpus.read_bytes() == before
    assert not (corpus.parent / "out.jsonl").exists()


def test_errors_file_equal_to_the_output_is_refused(corpus: Path, rules: Path) -> None:
    out = corpus.parent / "out.jsonl"
    for errors in (out, Path(f"{out}.partial")):
        result = run(str(corpus), "-r", str(rules), "-o", str(out), "--errors", str(errors))
        assert result.exit_code == 2, result.output
        assert "--errors" in result.stderr and "the output" in result.stderr
    assert sorted(p.name for p in corpus.parent.iterdir()) == ["news.jsonl", "rules"]


@pytest.mark.parametrize("name", ["x.parquet", "events", "x.txt"])
def test_unknown_output_extension_without_format_is_a_usage_error(corpus: Path, rules: Path, name: str) -> None:
    out = corpus.parent / name
    result = run(str(corpus), "-r", str(rules), "-o", str(out))
    assert result.exit_code == 2, result.output
    assert "--format" in result.stderr
    assert not out.exists()
    assert run(str(corpus), "-r", str(rules), "-o", str(out), "--format", "jsonl").exit_code == 0
    assert out.read_bytes().startswith(b'{"doc_id"')


def test_a_second_run_on_the_same_output_is_refused(corpus: Path, rules: Path) -> None:
    from eventx.io.writers import OutputLock

    out = corpus.parent / "out.jsonl"
    with OutputLock(str(out)):  # what a running `eventx run -o out.jsonl` holds
        result = run(str(corpus), "-r", str(rules), "-o", str(out))
        assert result.exit_code == 2, result.output
        assert "another eventx run is writing this output" in result.stderr
        assert f"pid {os.getpid()}" in result.stderr
        assert not out.exists() and not Path(f"{out}.partial").exists()
    assert run(str(corpus), "-r", str(rules), "-o", str(out)).exit_code == 0  # free again
    assert sorted(p.name for p in corpus.parent.iterdir()) == ["news.jsonl", "out.jsonl", "rules"]


def test_two_real_processes_cannot_write_the_same_output(corpus: Path, rules: Path, tmp_path: Path) -> None:
    import subprocess
    import sys
    import time

    big = tmp_path / "big.jsonl"  # slow documents (the pathological rule runs to its time budget)
    slow = "The slowpoke " + "word " * 3_000 + "never ends, ever."
    with open(big, "w", encoding="utf-8") as fh:
        for i in range(20):
            text = slow if i % 2 else f"The ministry deployed {i} troops to the border."
            fh.write(json.dumps({"id": f"big-{i:03d}", "text": text}) + "\n")
    out = tmp_path / "out.jsonl"
    cli = [sys.executable, "-c", "from eventx.cli import main; main()", "run", "-r", str(rules), "-o", str(out), "-q"]
    first = subprocess.Popen([*cli, str(big), "--time-budget", "0.3", "--jobs", "1"], stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 60
    while not Path(f"{out}.progress").exists() and time.monotonic() < deadline:
        time.sleep(0.01)
    assert first.poll() is None, "the first run ended too early for this test"
    second = subprocess.run([*cli, str(corpus)], capture_output=True, text=True, timeout=120)
    assert first.poll() is None, "the first run ended too early for this test"
    first.communicate(timeout=300)
    assert first.returncode == 0
    assert second.returncode == 2, second.stderr
    assert "another eventx run is writing this output" in second.stderr
    ids = {json.loads(line)["doc_id"] for line in out.read_text(encoding="utf-8").splitlines()}
    assert ids == {f"big-{i:03d}" for i in range(0, 20, 2)}  # the first run's events, whole and alone
